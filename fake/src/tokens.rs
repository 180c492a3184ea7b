//! Access tokens: the three token endpoints, and the store every other request is checked
//! against.
//!
//! One token serves both hosts, as with DingTalk. Asking again while a token is valid returns
//! the same token and extends it; a token ends when its time-to-live passes or when
//! [`Faults::expire_tokens`](crate::Faults::expire_tokens) ends every token issued so far.
//! Time-to-live is measured on tokio's clock, so tests can pause and advance it.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use axum::http::Method;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::answer::{self, Failure, to_json};
use crate::check::{MockOperation, check_coercing, read};
use crate::dispatch::method;
use crate::shared::{Incoming, Shared, lock};
use dingtalk_openapi::auth::{
    GettokenRequest, GettokenResponse, Oauth2AccessTokenRequest, Oauth2AccessTokenResponse,
    SsoGettokenRequest, SsoGettokenResponse,
};
use dingtalk_openapi::operation::{Envelope, Operation, OperationInfo};
use dingtalk_openapi::primitives::Secret;

/// A lifetime past any test: what a time-to-live too long for the clock becomes.
const FOREVER: Duration = Duration::from_secs(86_400 * 365 * 100);

/// The token endpoints, found by path: the generated `auth` operations whose answers the fake
/// makes itself (they issue the tokens every other request is checked against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenEndpoint {
    /// `GET /gettoken?appkey=&appsecret=` or `?corpid=&corpsecret=`.
    GetToken,
    /// `GET /sso/gettoken?corpid=&corpsecret=`.
    SsoGetToken,
    /// `POST /v1.0/oauth2/accessToken` with `{"appKey", "appSecret"}`.
    OAuth2,
}

impl TokenEndpoint {
    const ALL: [TokenEndpoint; 3] = [
        TokenEndpoint::GetToken,
        TokenEndpoint::SsoGetToken,
        TokenEndpoint::OAuth2,
    ];

    /// The endpoint served at `path`, if any.
    pub(crate) fn at(path: &str) -> Option<TokenEndpoint> {
        Self::ALL.into_iter().find(|e| e.info().path == path)
    }

    /// The operation ids of the token endpoints.
    pub(crate) fn ids() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().map(TokenEndpoint::id)
    }

    /// Whether `id` is the operation id of a token endpoint.
    pub(crate) fn is_token_operation(id: &str) -> bool {
        Self::ALL.into_iter().any(|e| e.id() == id)
    }

    /// The generated operation's static facts.
    fn info(self) -> &'static OperationInfo {
        match self {
            TokenEndpoint::GetToken => GettokenRequest::INFO,
            TokenEndpoint::SsoGetToken => SsoGettokenRequest::INFO,
            TokenEndpoint::OAuth2 => Oauth2AccessTokenRequest::INFO,
        }
    }

    /// The fake's view of the generated operation: its typed check.
    fn operation(self) -> MockOperation {
        match self {
            TokenEndpoint::GetToken => MockOperation::of::<GettokenRequest>(),
            TokenEndpoint::SsoGetToken => MockOperation::of::<SsoGettokenRequest>(),
            TokenEndpoint::OAuth2 => MockOperation::of::<Oauth2AccessTokenRequest>(),
        }
    }

    /// The operation id.
    pub(crate) fn id(self) -> &'static str {
        self.info().id
    }

    /// How the endpoint words its answers.
    pub(crate) fn envelope(self) -> Envelope {
        self.info().envelope
    }
}

/// What the store knows about a presented token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenStatus {
    /// Issued here and still valid.
    Valid,
    /// Never issued here.
    Unknown,
    /// Issued here, but its time-to-live passed or it was expired on purpose.
    Expired,
}

/// The tokens issued so far.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    issued: HashMap<String, Issued>,
    /// The latest token of each owner (app key or corp id).
    current: HashMap<String, String>,
    next: u64,
}

#[derive(Debug)]
struct Issued {
    expires_at: Instant,
    epoch: u64,
}

impl TokenStore {
    /// The owner's token: the current one, extended, while it is valid; a new one otherwise.
    /// Returns the token and its remaining lifetime in seconds.
    pub(crate) fn issue(&mut self, owner: &str, ttl: Duration, epoch: u64) -> (String, u64) {
        let now = Instant::now();
        // A time-to-live too long for the clock never runs out (it used to end at once).
        let expires_at = now
            .checked_add(ttl)
            .or_else(|| now.checked_add(FOREVER))
            .unwrap_or(now);
        if let Some(token) = self.current.get(owner)
            && let Some(issued) = self.issued.get_mut(token)
            && issued.epoch == epoch
            && issued.expires_at > now
        {
            issued.expires_at = expires_at;
            return (token.clone(), ttl.as_secs());
        }
        self.next += 1;
        let token = format!(
            "mock-access-token-{:04}-{:08x}",
            self.next,
            fnv(owner) as u32
        );
        self.issued
            .insert(token.clone(), Issued { expires_at, epoch });
        self.current.insert(owner.to_owned(), token.clone());
        (token, ttl.as_secs())
    }

    /// Whether `token` may be used now.
    pub(crate) fn status(&self, token: &str, epoch: u64) -> TokenStatus {
        match self.issued.get(token) {
            None => TokenStatus::Unknown,
            Some(issued) if issued.epoch == epoch && issued.expires_at > Instant::now() => {
                TokenStatus::Valid
            }
            Some(_) => TokenStatus::Expired,
        }
    }

    /// Forgets every token.
    pub(crate) fn clear(&mut self) {
        *self = TokenStore::default();
    }
}

/// A small, stable hash, so tokens of different owners look different.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Answers a request to a token endpoint.
pub(crate) fn answer(shared: &Shared, endpoint: TokenEndpoint, request: &Incoming) -> Response {
    let envelope = endpoint.envelope();
    match endpoint_answer(shared, endpoint, request) {
        Ok(body) => answer::success(envelope, body),
        Err(failure) => failure.render(envelope),
    }
}

fn endpoint_answer(
    shared: &Shared,
    endpoint: TokenEndpoint,
    request: &Incoming,
) -> Result<Value, Failure> {
    let expected = method(endpoint.info().method);
    if request.method != expected {
        return Err(Failure::method(expected.as_str()));
    }
    let params = parameters(request)?;
    // The operation as served (the generated one, unless the fake was built with another).
    let op = shared
        .operation(endpoint.id())
        .copied()
        .unwrap_or_else(|| endpoint.operation());
    let coercible: Vec<String> = params.keys().cloned().collect();
    let checked = check_coercing(&op, params, &coercible).map_err(|r| Failure::rejected(&r))?;
    let config = &shared.config;
    let accepts = |pairs: &[(String, String)], key: &str, secret: &str| {
        pairs.iter().any(|(k, s)| k == key && s == secret)
    };
    let owner = match endpoint {
        TokenEndpoint::GetToken => {
            let r: GettokenRequest = typed(&checked)?;
            match (
                given(r.appkey.as_deref()),
                given(r.appsecret.as_ref().map(Secret::expose)),
                given(r.corpid.as_deref()),
                given(r.corpsecret.as_ref().map(Secret::expose)),
            ) {
                (Some(key), Some(secret), _, _) if accepts(&config.apps, key, secret) => {
                    key.to_owned()
                }
                (Some(_), _, _, _) => {
                    return Err(Failure::new(
                        40096,
                        "不合法的appKey或appSecret",
                        400,
                        "invalidClientIdOrSecret",
                    ));
                }
                (None, _, Some(id), Some(secret)) if accepts(&config.corps, id, secret) => {
                    id.to_owned()
                }
                (None, _, Some(_), _) => {
                    return Err(Failure::new(
                        40089,
                        "不合法的corpid或corpsecret",
                        400,
                        "invalidClientIdOrSecret",
                    ));
                }
                (None, _, None, _) => return Err(Failure::missing("appkey")),
            }
        }
        TokenEndpoint::SsoGetToken => {
            let r: SsoGettokenRequest = typed(&checked)?;
            match (given(Some(&r.corpid)), given(Some(r.corpsecret.expose()))) {
                (Some(id), Some(secret)) if accepts(&config.sso, id, secret) => {
                    // SSO tokens are a separate kind: keep them apart from the app's token.
                    format!("sso:{id}")
                }
                (Some(_), Some(_)) => {
                    return Err(Failure::new(
                        40089,
                        "不合法的corpid或corpsecret",
                        400,
                        "invalidClientIdOrSecret",
                    ));
                }
                (None, _) => return Err(Failure::missing("corpid")),
                (Some(_), None) => return Err(Failure::missing("corpsecret")),
            }
        }
        TokenEndpoint::OAuth2 => {
            let r: Oauth2AccessTokenRequest = typed(&checked)?;
            match (given(Some(&r.app_key)), given(Some(r.app_secret.expose()))) {
                (Some(key), Some(secret)) if accepts(&config.apps, key, secret) => key.to_owned(),
                (Some(_), Some(_)) => {
                    return Err(Failure::new(
                        40096,
                        "无效的clientId或者clientSecret",
                        400,
                        "invalidClientIdOrSecret",
                    ));
                }
                (None, _) => return Err(Failure::missing("appKey")),
                (Some(_), None) => return Err(Failure::missing("appSecret")),
            }
        }
    };
    let epoch = shared.faults.token_epoch();
    let (token, expires_in) = lock(&shared.tokens).issue(&owner, config.token_ttl, epoch);
    let expires_in = i64::try_from(expires_in).unwrap_or(i64::MAX);
    match endpoint {
        TokenEndpoint::GetToken => {
            let mut answer = GettokenResponse::default();
            answer.access_token = Some(token.into());
            answer.expires_in = Some(expires_in);
            to_json(&answer)
        }
        TokenEndpoint::SsoGetToken => {
            let mut answer = SsoGettokenResponse::default();
            answer.access_token = Some(token.into());
            to_json(&answer)
        }
        TokenEndpoint::OAuth2 => {
            let mut answer = Oauth2AccessTokenResponse::default();
            answer.access_token = Some(token.into());
            answer.expire_in = Some(expires_in);
            to_json(&answer)
        }
    }
}

/// The checked request as the endpoint's typed request.
fn typed<O: DeserializeOwned>(checked: &Value) -> Result<O, Failure> {
    read(checked).map_err(|r| Failure::rejected(&r))
}

/// A credential that was given: present and not empty.
fn given(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// The endpoint's parameters: the query string for the GET endpoints, the JSON body for OAuth2.
fn parameters(request: &Incoming) -> Result<Map<String, Value>, Failure> {
    if request.method == Method::GET {
        return Ok(request
            .query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect());
    }
    if !request.is_json() {
        return Err(Failure::content_type());
    }
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::invalid("", "the body is not a JSON object")),
        Err(e) => Err(Failure::invalid("", &format!("the body is not JSON: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_token_while_valid_new_after_expiry() {
        let mut store = TokenStore::default();
        let ttl = Duration::from_secs(60);
        let (a, _) = store.issue("app", ttl, 0);
        let (b, _) = store.issue("app", ttl, 0);
        assert_eq!(a, b);
        let (other, _) = store.issue("other", ttl, 0);
        assert_ne!(a, other);
        assert_eq!(store.status(&a, 0), TokenStatus::Valid);
        assert_eq!(store.status(&a, 1), TokenStatus::Expired);
        assert_eq!(store.status("nope", 0), TokenStatus::Unknown);
        let (c, _) = store.issue("app", ttl, 1);
        assert_ne!(a, c);
        let (d, _) = store.issue("short", Duration::ZERO, 1);
        assert_eq!(store.status(&d, 1), TokenStatus::Expired);
    }

    #[test]
    fn a_time_to_live_too_long_for_the_clock_never_runs_out() {
        let mut store = TokenStore::default();
        let (token, expires_in) = store.issue("app", Duration::MAX, 0);
        assert_eq!(expires_in, u64::MAX);
        assert_eq!(store.status(&token, 0), TokenStatus::Valid);
    }
}
