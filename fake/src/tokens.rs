//! Access tokens: the three token endpoints, and the store every other request is checked
//! against.
//!
//! One token serves both hosts, as with DingTalk. Asking again while a token is valid returns
//! the same token and extends it; a token ends when its time-to-live passes or when
//! [`Faults::expire_tokens`](crate::Faults::expire_tokens) ends every token issued so far.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::Method;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::answer::{self, Failure};
use crate::check::check_coercing;
use crate::shared::{Incoming, Shared, lock};
use dingtalk_openapi_runtime::operation::Envelope;

/// The token endpoints, found by path.
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
    /// The endpoint served at `path`, if any.
    pub(crate) fn at(path: &str) -> Option<TokenEndpoint> {
        match path {
            "/gettoken" => Some(TokenEndpoint::GetToken),
            "/sso/gettoken" => Some(TokenEndpoint::SsoGetToken),
            "/v1.0/oauth2/accessToken" => Some(TokenEndpoint::OAuth2),
            _ => None,
        }
    }

    /// The operation id.
    pub(crate) fn id(self) -> &'static str {
        match self {
            TokenEndpoint::GetToken => "gettoken",
            TokenEndpoint::SsoGetToken => "sso.gettoken",
            TokenEndpoint::OAuth2 => "oauth2.accessToken",
        }
    }

    /// How the endpoint words its answers.
    pub(crate) fn envelope(self) -> Envelope {
        match self {
            TokenEndpoint::OAuth2 => Envelope::Bare,
            _ => Envelope::Errcode,
        }
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
        let expires_at = now.checked_add(ttl).unwrap_or(now);
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
    let expected = if endpoint == TokenEndpoint::OAuth2 {
        Method::POST
    } else {
        Method::GET
    };
    if request.method != expected {
        return Err(Failure::method(expected.as_str()));
    }
    let params = parameters(request)?;
    if let Some(op) = shared.operation(endpoint.id()) {
        let coercible: Vec<String> = params.keys().cloned().collect();
        check_coercing(op, params.clone(), &coercible).map_err(|r| Failure::rejected(&r))?;
    }
    let text = |name: &str| {
        params
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let config = &shared.config;
    let accepts = |pairs: &[(String, String)], key: &str, secret: &str| {
        pairs.iter().any(|(k, s)| k == key && s == secret)
    };
    let owner = match endpoint {
        TokenEndpoint::GetToken => match (
            text("appkey"),
            text("appsecret"),
            text("corpid"),
            text("corpsecret"),
        ) {
            (Some(key), Some(secret), _, _) if accepts(&config.apps, key, secret) => key,
            (Some(_), _, _, _) => {
                return Err(Failure::new(
                    40096,
                    "不合法的appKey或appSecret",
                    400,
                    "invalidClientIdOrSecret",
                ));
            }
            (None, _, Some(id), Some(secret)) if accepts(&config.corps, id, secret) => id,
            (None, _, Some(_), _) => {
                return Err(Failure::new(
                    40089,
                    "不合法的corpid或corpsecret",
                    400,
                    "invalidClientIdOrSecret",
                ));
            }
            (None, _, None, _) => return Err(Failure::missing("appkey")),
        },
        TokenEndpoint::SsoGetToken => match (text("corpid"), text("corpsecret")) {
            (Some(id), Some(secret)) if accepts(&config.sso, id, secret) => id,
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
        },
        TokenEndpoint::OAuth2 => match (text("appKey"), text("appSecret")) {
            (Some(key), Some(secret)) if accepts(&config.apps, key, secret) => key,
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
        },
    };
    let epoch = shared.faults.token_epoch();
    // SSO tokens are a separate kind: keep them apart from the app's token.
    let owner = match endpoint {
        TokenEndpoint::SsoGetToken => format!("sso:{owner}"),
        _ => owner.to_owned(),
    };
    let (token, expires_in) = lock(&shared.tokens).issue(&owner, config.token_ttl, epoch);
    Ok(match endpoint {
        TokenEndpoint::GetToken => json!({"access_token": token, "expires_in": expires_in}),
        TokenEndpoint::SsoGetToken => json!({"access_token": token}),
        TokenEndpoint::OAuth2 => json!({"accessToken": token, "expireIn": expires_in}),
    })
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
}
