//! What every handler of one fake server shares: its configuration, operations, faults,
//! recorded requests, tokens, data and Stream gateway; and the request as the handlers read it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method};

use crate::check::MockOperation;
use crate::faults::Faults;
use crate::gateway::Gateway;
use crate::record::Recorder;
use crate::route::{Routed, Routes};
use crate::state::State;
use crate::tokens::TokenStore;
use dingtalk_openapi_runtime::time::TimeSource;

/// The credentials and settings a fake server was built with.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Accepted `(appkey, appsecret)` pairs; the first is the one the builder set.
    pub(crate) apps: Vec<(String, String)>,
    /// Accepted legacy `(corpid, corpsecret)` pairs.
    pub(crate) corps: Vec<(String, String)>,
    /// Accepted `(corpid, SSO secret)` pairs for `sso/gettoken`.
    pub(crate) sso: Vec<(String, String)>,
    /// The group robot's webhook token.
    pub(crate) robot_token: String,
    /// The group robot's signing secret, when it signs.
    pub(crate) robot_secret: Option<String>,
    /// How long an issued token is valid.
    pub(crate) token_ttl: Duration,
    /// Whether paginated operations and the stateful areas start with data.
    pub(crate) seed: bool,
    /// How long a request's body may take to arrive once its headers have.
    pub(crate) body_read_timeout: Duration,
    /// The wall clock signed timestamps are checked against (the robot's, the signed query's).
    pub(crate) clock: Arc<dyn TimeSource>,
}

/// The state of one fake server, behind an `Arc`.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) operations: Vec<MockOperation>,
    /// The index of `operations` by path.
    pub(crate) routes: Routes,
    pub(crate) faults: Arc<Faults>,
    pub(crate) recorder: Recorder,
    pub(crate) tokens: Mutex<TokenStore>,
    /// When each robot token's accepted messages were sent, for the 20-a-minute limit.
    pub(crate) robot_sends: Mutex<HashMap<String, VecDeque<Instant>>>,
    pub(crate) state: Mutex<State>,
    /// The Stream gateway.
    pub(crate) gateway: Gateway,
}

impl Shared {
    /// The operation that serves `method` on `path` (or the best one at `path` when none has
    /// the method), with its path parameters; see the `route` module.
    pub(crate) fn route(&self, method: &Method, path: &str) -> Option<Routed<'_>> {
        self.routes.find(&self.operations, method, path)
    }

    /// The operation with the id `id`.
    pub(crate) fn operation(&self, id: &str) -> Option<&MockOperation> {
        self.operations.iter().find(|op| op.info().id == id)
    }

    /// Puts everything back as it was when the server started.
    pub(crate) fn reset(&self) {
        self.faults.reset();
        self.recorder.clear();
        lock(&self.tokens).clear();
        lock(&self.robot_sends).clear();
        *lock(&self.state) = State::new(&self.operations, self.config.seed);
        self.gateway.reset();
    }
}

/// Locks a mutex, recovering the data of one that a panicking thread poisoned.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One request, read whole.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Incoming {
    /// The first query parameter called `name`.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The header `name` as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body's media type (`Content-Type` without its parameters), lowercased.
    fn media_type(&self) -> Option<String> {
        let ct = self.header("content-type")?;
        Some(
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase(),
        )
    }

    /// Whether the body is declared as JSON.
    pub(crate) fn is_json(&self) -> bool {
        self.media_type()
            .is_some_and(|media| media == "application/json" || media.ends_with("+json"))
    }

    /// Whether the body is declared as an HTML form (`application/x-www-form-urlencoded`).
    pub(crate) fn is_form(&self) -> bool {
        self.media_type()
            .is_some_and(|media| media == "application/x-www-form-urlencoded")
    }

    /// The body's form fields, in order (empty unless [`Incoming::is_form`]).
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        if !self.is_form() {
            return Vec::new();
        }
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    /// The first form field called `name` (none unless [`Incoming::is_form`]).
    pub(crate) fn form_value(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}
