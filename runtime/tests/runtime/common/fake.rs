//! A scriptable fake DingTalk on 127.0.0.1, the credentials of the test clients, and a raw TCP
//! server for faults axum cannot make.
//!
//! The fake records every request, issues access tokens from `/gettoken` (`at-1-c0ffee`,
//! `at-2-c0ffee`, …), refuses revoked tokens the way each host does, and answers every other path
//! from a per-path script of replies, then from a per-path handler.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use dingtalk_openapi_runtime::{Client, ClientBuilder};
use serde_json::{Value, json};

/// The app secret every test client uses; it must never show up in output.
pub const APP_KEY: &str = "ding-app-key";
pub const APP_SECRET: &str = "app-secret-7f3a91e2";
pub const ROBOT_TOKEN: &str = "robot-token-5be1d0";
pub const ROBOT_SECRET: &str = "SECrobot-secret-88aa";

/// The access token the fake issues for its `n`th token request.
pub fn issued_token(n: usize) -> String {
    format!("at-{n}-c0ffee")
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, as sent.
    pub raw_query: String,
    /// The query string decoded once, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Recorded {
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The access token the request carried, in the query or the v1.0 header.
    pub fn token(&self) -> Option<String> {
        self.query_value("access_token")
            .or_else(|| self.header("x-acs-dingtalk-access-token"))
            .map(str::to_owned)
    }
}

/// What the fake answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(value: Value) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body: value.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &'static str, body: &str) -> Reply {
        Reply {
            status,
            content_type,
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    pub fn ok() -> Reply {
        Reply::json(json!({"errcode": 0, "errmsg": "ok"}))
    }

    pub fn errcode(errcode: i64, errmsg: &str) -> Reply {
        Reply::json(json!({"errcode": errcode, "errmsg": errmsg, "request_id": "req-fake"}))
    }

    pub fn status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Default)]
pub struct FakeState {
    requests: Mutex<Vec<Recorded>>,
    scripts: Mutex<HashMap<String, VecDeque<Reply>>>,
    handlers: Mutex<HashMap<String, Handler>>,
    revoked: Mutex<HashSet<String>>,
    /// Replies to a revoked token, by host style (`oapi` or `v1.0`).
    revoked_oapi_reply: Mutex<Option<Reply>>,
    token_requests: AtomicUsize,
    token_expires_in: AtomicI64,
    token_delay_ms: AtomicUsize,
}

/// A running fake; dropped with the test's runtime.
#[derive(Clone)]
pub struct Fake {
    pub addr: SocketAddr,
    pub state: Arc<FakeState>,
}

impl Fake {
    pub async fn start() -> Fake {
        let state = Arc::new(FakeState::default());
        state.token_expires_in.store(7200, Ordering::SeqCst);
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Fake { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client aimed at the fake: app credentials, no pacing, millisecond backoffs.
    pub fn builder(&self) -> ClientBuilder {
        Client::builder()
            .app_credentials(APP_KEY, APP_SECRET)
            .oapi_base_url(self.url())
            .api_base_url(self.url())
            .no_rate_limit()
            .retry_base_delay(Duration::from_millis(1))
            .retry_max_delay(Duration::from_millis(5))
            .rate_limit_retry_wait(Duration::from_millis(50))
    }

    pub fn client(&self) -> Client {
        self.builder().build().expect("client")
    }

    /// Queues replies for a path, used before its handler.
    pub fn script(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        let mut scripts = self.state.scripts.lock().unwrap();
        scripts.entry(path.to_owned()).or_default().extend(replies);
    }

    /// Answers a path with a function of the request once its script is used up.
    pub fn on(&self, path: &str, handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) {
        self.state
            .handlers
            .lock()
            .unwrap()
            .insert(path.to_owned(), Arc::new(handler));
    }

    /// Refuses `token` from now on.
    pub fn revoke(&self, token: &str) {
        self.state.revoked.lock().unwrap().insert(token.to_owned());
    }

    /// How an oapi path refuses a revoked token (default errcode 88, sub_code 40014).
    pub fn revoked_oapi_reply(&self, reply: Reply) {
        *self.state.revoked_oapi_reply.lock().unwrap() = Some(reply);
    }

    pub fn token_expires_in(&self, seconds: i64) {
        self.state.token_expires_in.store(seconds, Ordering::SeqCst);
    }

    pub fn token_delay(&self, delay: Duration) {
        self.state.token_delay_ms.store(
            usize::try_from(delay.as_millis()).unwrap(),
            Ordering::SeqCst,
        );
    }

    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Every request but token requests, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path != "/gettoken")
            .cloned()
            .collect()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

async fn handle(
    State(state): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_query = uri.query().unwrap_or_default().to_owned();
    let query = reqwest::Url::parse(&format!("http://fake/?{raw_query}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        raw_query,
        query,
        headers,
        body,
        at: Instant::now(),
    };
    state.requests.lock().unwrap().push(recorded.clone());
    let reply = reply_for(&state, &recorded);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            ("content-type", reply.content_type),
            ("x-acs-request-id", "hdr-req-id"),
        ],
        reply.body,
    )
        .into_response()
}

fn reply_for(state: &FakeState, req: &Recorded) -> Reply {
    let scripted = state
        .scripts
        .lock()
        .unwrap()
        .get_mut(&req.path)
        .and_then(VecDeque::pop_front);
    if req.path == "/gettoken" {
        let n = state.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = Duration::from_millis(state.token_delay_ms.load(Ordering::SeqCst) as u64);
        if let Some(reply) = scripted {
            return reply.after(delay);
        }
        let expires_in = state.token_expires_in.load(Ordering::SeqCst);
        return Reply::json(json!({"errcode": 0, "errmsg": "ok", "access_token": issued_token(n), "expires_in": expires_in}))
            .after(delay);
    }
    let revoked = req
        .token()
        .is_some_and(|token| state.revoked.lock().unwrap().contains(&token));
    if revoked && req.path.starts_with("/v1.0/") {
        let body = json!({"code": "InvalidAuthentication", "message": "不合法的access_token", "requestid": "r-auth"});
        return Reply::json(body).status(400);
    }
    if revoked {
        return state.revoked_oapi_reply.lock().unwrap().clone().unwrap_or_else(|| {
            Reply::json(json!({"errcode": 88, "errmsg": "invalid token", "sub_code": "40014", "sub_msg": "不合法的access_token"}))
        });
    }
    if let Some(reply) = scripted {
        return reply;
    }
    let handler = state.handlers.lock().unwrap().get(&req.path).cloned();
    match handler {
        Some(handler) => handler(req),
        None => Reply::json(json!({"code": "NotFound", "message": req.path})).status(404),
    }
}

/// Starts a raw TCP server whose connections are handed to `serve`; for faults axum cannot make.
pub async fn raw_server<F, Fut>(serve: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(stream));
        }
    });
    (addr, accepted)
}
