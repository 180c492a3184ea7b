//! Access tokens: fetched once, cached, refreshed ahead of expiry, shared by every call.
//!
//! A token comes from `GET {oapi}/gettoken` (app key and secret, or the legacy corp id and
//! secret) and is valid for 7200 seconds; DingTalk returns the same token while it is valid.
//! One token serves both the oapi and the v1.0 host.
//!
//! The token lives in a [`TokenStore`], keyed by app key (or corp id), so several service
//! instances can share one ([`MemoryTokenStore`] is the default). Refreshing is single-flight:
//! however many calls find the cache cold or stale at once, one of them asks DingTalk and the
//! others wait for its answer, success or failure. Across instances, the store's
//! [`TokenStore::lease`] elects the one that asks (the default lets every instance ask; a shared
//! store such as `dingtalk-openapi-redis`'s lets one ask and hands its token to the others).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::error::{BoxError, Error, SharedError};
use crate::operation::{
    Auth, Effect, Envelope, Host, Location, Method, Operation, OperationInfo, Param, Returns,
};
use crate::primitives::Secret;
use crate::time::TimeSource;
use crate::transport::{self, Credential, Transport};
use dingtalk_openapi_model::__private::OperationParts;

/// An access token and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CachedToken {
    /// The token.
    pub token: Secret,
    /// When DingTalk stops accepting it.
    pub expires_at: SystemTime,
}

impl CachedToken {
    /// A token valid until `expires_at`.
    pub fn new(token: Secret, expires_at: SystemTime) -> Self {
        CachedToken { token, expires_at }
    }

    /// Whether the token is still good for `margin` from now (the system clock).
    pub fn is_fresh(&self, margin: Duration) -> bool {
        self.is_fresh_at(SystemTime::now(), margin)
    }

    /// Whether the token is still good for `margin` from `now`.
    pub fn is_fresh_at(&self, now: SystemTime, margin: Duration) -> bool {
        now.checked_add(margin).is_some_and(|t| t < self.expires_at)
    }
}

/// What [`TokenStore::lease`] decided: who asks DingTalk for the next token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenLease {
    /// This caller asks DingTalk, then [`put`](TokenStore::put)s the token and
    /// [`release`](TokenStore::release)s the lease (the client does both, also when the fetch
    /// fails).
    Fetch,
    /// Another holder of the lease fetched a usable token meanwhile: use it, fetch nothing.
    Fetched(CachedToken),
}

/// Tells whether a stored token is still usable (fresh by the client's clock and refresh
/// margin), for a [`TokenStore::lease`] that waits for another instance's token.
pub type TokenCheck<'a> = &'a (dyn Fn(&CachedToken) -> bool + Send + Sync);

/// Where access tokens are kept between calls, keyed by app key (or corp id for legacy
/// credentials).
///
/// Implement it over a shared cache (Redis, a database) to let several service instances use one
/// token instead of each asking DingTalk for its own. Errors are returned to the caller as
/// [`Error::Token`].
///
/// Within one client, one caller at a time fetches (the others wait for it). Across instances,
/// [`lease`](TokenStore::lease) elects the fetcher: the default grants every caller, which is
/// right for a store in one process; a shared store grants one instance and lets the others wait
/// for its token, so the fleet makes one fetch per expiry.
pub trait TokenStore: Send + Sync {
    /// The stored token for `key`, if any (fresh or not: the client checks).
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<CachedToken>, BoxError>>;

    /// Stores a newly fetched token for `key`, replacing any other.
    fn put<'a>(&'a self, key: &'a str, token: CachedToken) -> BoxFuture<'a, Result<(), BoxError>>;

    /// Drops the token for `key`, but only if it is still `rejected` (DingTalk refused it; another
    /// instance may already have stored a newer one, which must stay).
    fn invalidate<'a>(
        &'a self,
        key: &'a str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), BoxError>>;

    /// Called when the client found no usable token for `key` and is about to ask DingTalk:
    /// [`TokenLease::Fetch`] lets it, [`TokenLease::Fetched`] hands it a token that another
    /// fetcher stored meanwhile (`usable` says whether a stored one will do). An implementation
    /// that waits must wait for a bounded time, then answer `Fetch`.
    ///
    /// The default answers `Fetch` at once: today's behaviour, one fetch per client.
    fn lease<'a>(
        &'a self,
        key: &'a str,
        usable: TokenCheck<'a>,
    ) -> BoxFuture<'a, Result<TokenLease, BoxError>> {
        let _ = (key, usable);
        Box::pin(std::future::ready(Ok(TokenLease::Fetch)))
    }

    /// Gives up the lease [`lease`](TokenStore::lease) granted for `key`, after the fetched
    /// token was [`put`](TokenStore::put) or the fetch failed. The default does nothing.
    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), BoxError>> {
        let _ = key;
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A [`TokenStore`] in this process's memory: the default.
#[derive(Default)]
pub struct MemoryTokenStore {
    tokens: RwLock<HashMap<String, CachedToken>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryTokenStore::default()
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens = self.tokens.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("MemoryTokenStore")
            .field("keys", &tokens.keys().collect::<Vec<_>>())
            .finish()
    }
}

// The map holds plain values; a panic elsewhere cannot leave it half-written, so a poisoned lock
// is used as it is.
impl TokenStore for MemoryTokenStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<CachedToken>, BoxError>> {
        let token = self
            .tokens
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned();
        Box::pin(std::future::ready(Ok(token)))
    }

    fn put<'a>(&'a self, key: &'a str, token: CachedToken) -> BoxFuture<'a, Result<(), BoxError>> {
        self.tokens
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), token);
        Box::pin(std::future::ready(Ok(())))
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        let mut tokens = self.tokens.write().unwrap_or_else(PoisonError::into_inner);
        if tokens.get(key).is_some_and(|t| t.token == *rejected) {
            tokens.remove(key);
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The credentials a token is fetched with.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// An app's AppKey and AppSecret.
    App { key: String, secret: Secret },
    /// The legacy CorpId and CorpSecret.
    Corp { corp_id: String, secret: Secret },
}

impl Credentials {
    /// The store key: the app key or corp id.
    pub(crate) fn key(&self) -> &str {
        match self {
            Credentials::App { key, .. } => key,
            Credentials::Corp { corp_id, .. } => corp_id,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::App { key, .. } => f
                .debug_struct("App")
                .field("key", key)
                .finish_non_exhaustive(),
            Credentials::Corp { corp_id, .. } => f
                .debug_struct("Corp")
                .field("corp_id", corp_id)
                .finish_non_exhaustive(),
        }
    }
}

/// The outcome of the last fetch, for callers that waited for it.
#[derive(Default)]
struct Flight {
    generation: u64,
    outcome: Option<Result<CachedToken, Arc<Error>>>,
}

/// Hands out access tokens: from the store while fresh, else fetched once for all waiting callers.
pub(crate) struct TokenProvider {
    credentials: Credentials,
    store: Arc<dyn TokenStore>,
    /// The configured refresh margin.
    margin: Duration,
    /// The margin in use, in milliseconds: the configured one, or half a token's lifetime when
    /// DingTalk hands out tokens that live shorter than twice the margin (else every call would
    /// find the token stale and fetch another).
    margin_ms: AtomicU64,
    flight: tokio::sync::Mutex<Flight>,
    /// Mirrors `Flight::generation`, readable without the lock.
    generation: AtomicU64,
    /// The last token this provider handed out, in front of the store: the common case needs
    /// no call into the store. A token DingTalk rejects is dropped here and in the store.
    local: RwLock<Option<CachedToken>>,
    /// Where the time comes from.
    clock: Arc<dyn TimeSource>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("credentials", &self.credentials)
            .field("refresh_margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    pub(crate) fn new(
        credentials: Credentials,
        store: Arc<dyn TokenStore>,
        margin: Duration,
        clock: Arc<dyn TimeSource>,
    ) -> Self {
        TokenProvider {
            credentials,
            store,
            margin,
            margin_ms: AtomicU64::new(u64::try_from(margin.as_millis()).unwrap_or(u64::MAX)),
            flight: tokio::sync::Mutex::new(Flight::default()),
            generation: AtomicU64::new(0),
            local: RwLock::new(None),
            clock,
        }
    }

    /// The AppKey and AppSecret, when the provider has app credentials (not a CorpId's), for
    /// the calls that sign their query with them.
    pub(crate) fn app_credentials(&self) -> Option<(&str, &Secret)> {
        match &self.credentials {
            Credentials::App { key, secret } => Some((key, secret)),
            Credentials::Corp { .. } => None,
        }
    }

    /// How long before expiry a token counts as stale.
    fn margin(&self) -> Duration {
        Duration::from_millis(self.margin_ms.load(Ordering::Relaxed))
    }

    /// Adapts the margin to the lifetime of a token just fetched.
    fn learn_lifetime(&self, token: &CachedToken) {
        let lifetime = token
            .expires_at
            .duration_since(self.clock.now())
            .unwrap_or_default();
        let margin = self.margin.min(lifetime / 2);
        self.margin_ms.store(
            u64::try_from(margin.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The locally held token, if it is fresh.
    fn local_fresh(&self) -> Option<Secret> {
        let local = self.local.read().unwrap_or_else(PoisonError::into_inner);
        local
            .as_ref()
            .filter(|t| t.is_fresh_at(self.clock.now(), self.margin()))
            .map(|t| t.token.clone())
    }

    /// Holds `token` locally and hands it out.
    fn keep(&self, token: CachedToken) -> Secret {
        let secret = token.token.clone();
        *self.local.write().unwrap_or_else(PoisonError::into_inner) = Some(token);
        secret
    }

    /// A token for `operation`: the cached one while it is fresh, else a fetched one.
    pub(crate) async fn token(
        &self,
        transport: &Transport,
        operation: &'static str,
    ) -> Result<Secret, Error> {
        if let Some(token) = self.local_fresh() {
            return Ok(token);
        }
        // Boxed: the store and the fetch are the rare path, and their futures are large.
        Box::pin(self.token_from_store_or_fetch(transport, operation)).await
    }

    /// The slow path of [`token`](Self::token): the store, else one fetch for all waiting callers.
    async fn token_from_store_or_fetch(
        &self,
        transport: &Transport,
        operation: &'static str,
    ) -> Result<Secret, Error> {
        let wrap = |source: BoxError| Error::Token { operation, source };
        let key = self.credentials.key();
        if let Some(cached) = self.store.get(key).await.map_err(wrap)?
            && cached.is_fresh_at(self.clock.now(), self.margin())
        {
            return Ok(self.keep(cached));
        }
        let seen = self.generation.load(Ordering::Acquire);
        let mut flight = self.flight.lock().await;
        if flight.generation != seen {
            // Another caller fetched while this one waited: share its outcome, even a token that
            // is inside the refresh margin (it was just issued; its lifetime is what DingTalk gives).
            match &flight.outcome {
                Some(Ok(token)) if token.is_fresh_at(self.clock.now(), Duration::ZERO) => {
                    return Ok(token.token.clone());
                }
                Some(Err(error)) => return Err(wrap(Box::new(SharedError(error.clone())))),
                _ => {}
            }
        }
        if let Some(cached) = self.store.get(key).await.map_err(wrap)?
            && cached.is_fresh_at(self.clock.now(), self.margin())
        {
            return Ok(self.keep(cached));
        }
        let usable = |t: &CachedToken| t.is_fresh_at(self.clock.now(), self.margin());
        let lease = self.store.lease(key, &usable).await.map_err(wrap)?;
        let fetched = match lease {
            TokenLease::Fetched(token) => {
                // Another instance fetched it: share it with this client's waiting callers.
                flight.generation += 1;
                self.generation.store(flight.generation, Ordering::Release);
                flight.outcome = Some(Ok(token.clone()));
                return Ok(self.keep(token));
            }
            TokenLease::Fetch => fetch(transport, &self.credentials, self.clock.now()).await,
        };
        flight.generation += 1;
        self.generation.store(flight.generation, Ordering::Release);
        let result = match fetched {
            Ok(token) => {
                self.learn_lifetime(&token);
                flight.outcome = Some(Ok(token.clone()));
                if let Err(e) = self.store.put(key, token.clone()).await {
                    tracing::warn!(error = %e, "the token store could not keep a new access token");
                }
                Ok(self.keep(token))
            }
            Err(error) => {
                let error = Arc::new(error);
                flight.outcome = Some(Err(error.clone()));
                Err(wrap(Box::new(SharedError(error))))
            }
        };
        if let Err(e) = self.store.release(key).await {
            tracing::warn!(error = %e, "the token store could not release its fetch lease");
        }
        result
    }

    /// Drops `rejected` from the store, unless a newer token has replaced it already.
    pub(crate) async fn invalidate(
        &self,
        rejected: &Secret,
        operation: &'static str,
    ) -> Result<(), Error> {
        {
            let mut flight = self.flight.lock().await;
            if matches!(&flight.outcome, Some(Ok(t)) if t.token == *rejected) {
                flight.outcome = None;
            }
            let mut local = self.local.write().unwrap_or_else(PoisonError::into_inner);
            if local.as_ref().is_some_and(|t| t.token == *rejected) {
                *local = None;
            }
        }
        self.store
            .invalidate(self.credentials.key(), rejected)
            .await
            .map_err(|source| Error::Token { operation, source })
    }
}

/// Asks DingTalk for a token.
async fn fetch(
    transport: &Transport,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<CachedToken, Error> {
    let request = match credentials {
        Credentials::App { key, secret } => GetToken {
            appkey: Some(key.clone()),
            appsecret: Some(secret.clone()),
            corpid: None,
            corpsecret: None,
        },
        Credentials::Corp { corp_id, secret } => GetToken {
            appkey: None,
            appsecret: None,
            corpid: Some(corp_id.clone()),
            corpsecret: Some(secret.clone()),
        },
    };
    let info = GetToken::INFO;
    let prepared = transport::prepare(info, &request, Vec::new())?;
    let answer = transport
        .send(info, &prepared, &Credential::None, 1)
        .await?;
    let withhold = |error| withhold_token(&answer.body, error);
    transport::check(info, &answer).map_err(withhold)?;
    let answer: GetTokenResponse = transport::decode(info, &answer).map_err(withhold)?;
    check_token_length(info.id, &answer.access_token)?;
    let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(7200).max(0).unsigned_abs());
    Ok(CachedToken::new(
        answer.access_token,
        now.checked_add(lifetime).unwrap_or(now),
    ))
}

/// The longest access token the client accepts. DingTalk's are 32 characters; an answer with a
/// much longer one is not a token answer, and the token would go into every request.
const MAX_TOKEN_BYTES: usize = 1024;

/// Refuses an empty token and one longer than any access token, naming only its length.
fn check_token_length(operation: &'static str, token: &Secret) -> Result<(), Error> {
    let len = token.expose().len();
    let problem = if len == 0 {
        "the token endpoint answered with an empty access token".to_owned()
    } else if len > MAX_TOKEN_BYTES {
        format!(
            "the token endpoint answered with an access token of {len} bytes, longer than any \
             access token (at most {MAX_TOKEN_BYTES} accepted)"
        )
    } else {
        return Ok(());
    };
    Err(Error::Token {
        operation,
        source: problem.into(),
    })
}

/// A decode error of the token endpoint's answer without the body's excerpt when the body holds
/// an access token: the excerpt would show it.
fn withhold_token(body: &[u8], error: Error) -> Error {
    let holds_token = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    match error {
        Error::Decode {
            operation,
            status,
            source,
            ..
        } if holds_token(b"access_token") || holds_token(b"accessToken") => Error::Decode {
            operation,
            status,
            excerpt: "(withheld: the answer holds an access token)".to_owned(),
            source,
        },
        other => other,
    }
}

/// `GET /gettoken`, as the client itself sends it.
#[derive(Serialize, Deserialize)]
struct GetToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    appkey: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    appsecret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    corpid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    corpsecret: Option<Secret>,
}

#[derive(Deserialize)]
struct GetTokenResponse {
    access_token: Secret,
    #[serde(default)]
    expires_in: Option<i64>,
}

static GET_TOKEN: OperationInfo = OperationInfo::from_parts(OperationParts {
    id: "gettoken",
    area: "auth",
    title: "获取企业内部应用的access_token",
    method: Method::Get,
    host: Host::Oapi,
    path: "/gettoken",
    auth: Auth::None,
    envelope: Envelope::Errcode,
    effect: Effect::Read,
    params: &[
        Param::new("appkey", Location::Query, false, false),
        Param::new("appsecret", Location::Query, false, true),
        Param::new("corpid", Location::Query, false, false),
        Param::new("corpsecret", Location::Query, false, true),
    ],
    pagination: None,
    example_request: r#"{"appkey":"key","appsecret":"secret"}"#,
    example_response: r#"{"errcode":0,"errmsg":"ok","access_token":"token","expires_in":7200}"#,
    doc_url: "https://open.dingtalk.com/document/orgapp/obtain-orgapp-token",
    action: "",
    returns: Returns::Object,
});

impl Operation for GetToken {
    type Response = GetTokenResponse;
    const INFO: &'static OperationInfo = &GET_TOKEN;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_at_a_given_time_is_strict_at_the_margin() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let t = CachedToken::new(Secret::new("t"), start + Duration::from_secs(60));
        let margin = Duration::from_secs(10);
        assert!(t.is_fresh_at(start + Duration::from_secs(49), margin));
        // Exactly `margin` before expiry it is already stale: replaced rather than risked.
        assert!(!t.is_fresh_at(start + Duration::from_secs(50), margin));
        assert!(!t.is_fresh_at(start + Duration::from_secs(61), Duration::ZERO));
        // A margin past the end of time never makes a token fresh (no overflow).
        assert!(!t.is_fresh_at(start, Duration::MAX));
    }

    #[test]
    fn freshness_honours_the_margin() {
        let t = CachedToken::new(
            Secret::new("t"),
            SystemTime::now() + Duration::from_secs(60),
        );
        assert!(t.is_fresh(Duration::from_secs(30)));
        assert!(!t.is_fresh(Duration::from_secs(90)));
    }

    #[tokio::test]
    async fn memory_store_invalidates_only_the_rejected_token() {
        let store = MemoryTokenStore::new();
        let later = SystemTime::now() + Duration::from_secs(60);
        store
            .put("k", CachedToken::new(Secret::new("new"), later))
            .await
            .unwrap();
        store.invalidate("k", &Secret::new("old")).await.unwrap();
        assert!(store.get("k").await.unwrap().is_some());
        store.invalidate("k", &Secret::new("new")).await.unwrap();
        assert!(store.get("k").await.unwrap().is_none());
        assert!(!format!("{store:?}").contains("new"));
    }

    #[test]
    fn token_length_is_checked() {
        assert!(check_token_length("gettoken", &Secret::new("a".repeat(32))).is_ok());
        assert!(check_token_length("gettoken", &Secret::new("a".repeat(MAX_TOKEN_BYTES))).is_ok());
        for token in [String::new(), "a".repeat(MAX_TOKEN_BYTES + 1)] {
            let error = check_token_length("gettoken", &Secret::new(token.clone())).unwrap_err();
            assert!(matches!(error, Error::Token { .. }), "{error:?}");
            assert!(!error.is_retryable());
            let shown = format!("{error} {error:?}");
            assert!(
                shown.contains("access token") && !shown.contains("aaaa"),
                "{shown}"
            );
        }
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let c = Credentials::App {
            key: "ding123".into(),
            secret: Secret::new("hunter2"),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("ding123") && !shown.contains("hunter2"));
    }
}
