//! Fault injection and call counters, shared between a [`MockServer`](crate::MockServer), its
//! handlers and the tests that drive it.
//!
//! Faults are one-shot: each [`Fault`] pushed is applied to the next matching request and then
//! forgotten. A fault pushed without an operation id matches any operation except the three
//! token endpoints (`gettoken`, `sso.gettoken`, `oauth2.accessToken`), so a client's own token
//! fetch does not swallow it; push for a token endpoint's id to fail token fetches.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::tokens::TokenEndpoint;

/// One misbehaviour of DingTalk, applied to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// An oapi error envelope: HTTP 200 with `{errcode, errmsg, sub_code?, request_id}`. For a
    /// v1.0 operation it becomes the matching HTTP error (-1 and 15 → 500 `systemError`, 90018 /
    /// 90002 / 90020 → 403 `Forbidden.AccessDenied.…`, token codes → 400 `InvalidAuthentication`,
    /// anything else → 400 with the errcode as `code`).
    Errcode {
        /// The errcode, e.g. -1 (busy), 90018 (QPS), 90020 (monthly quota), 15 with sub code `isp.-1`.
        errcode: i64,
        /// The `sub_code` (errcode 88 and 15 carry one).
        sub_code: Option<String>,
        /// The `errmsg`.
        errmsg: String,
    },
    /// An HTTP error status with a v1.0 body `{code, message, requestid}`, on any host (a plain
    /// 5xx from a gateway, a v1.0 403 rate limit).
    Http {
        /// The status, e.g. 500, 503, 403.
        status: u16,
        /// The v1.0 `code`, e.g. `systemError`, `Forbidden.AccessDenied.QpsLimitForApi`.
        code: String,
        /// The `message`.
        message: String,
    },
    /// Waits this long, then answers normally (for client timeouts).
    Delay(Duration),
    /// HTTP 200 with `Content-Type: application/json` and a body that is not JSON.
    Malformed,
    /// HTTP 200 with an HTML page, as DingTalk answers a banned IP.
    Html,
    /// A `Content-Length` larger than the body that follows; the connection closes mid-body.
    Truncated,
    /// The connection is dropped without an answer.
    Reset,
}

impl Fault {
    /// An errcode fault with DingTalk's usual message for the code.
    pub fn errcode(errcode: i64) -> Fault {
        Fault::Errcode {
            errcode,
            sub_code: None,
            errmsg: default_errmsg(errcode).to_owned(),
        }
    }

    /// An errcode fault with a `sub_code` (errcode 88 with `40014`, errcode 15 with `isp.-1`).
    pub fn errcode_with_sub_code(errcode: i64, sub_code: impl Into<String>) -> Fault {
        Fault::Errcode {
            errcode,
            sub_code: Some(sub_code.into()),
            errmsg: default_errmsg(errcode).to_owned(),
        }
    }

    /// An HTTP error fault with a v1.0 code and a generic message.
    pub fn http(status: u16, code: impl Into<String>) -> Fault {
        let code = code.into();
        Fault::Http {
            status,
            message: format!("mock fault: HTTP {status} {code}"),
            code,
        }
    }
}

/// DingTalk's message for the errcodes a test is likely to inject.
pub(crate) fn default_errmsg(errcode: i64) -> &'static str {
    match errcode {
        -1 => "系统繁忙",
        15 => "isp error",
        88 => "ding talk error",
        40014 => "不合法的access_token",
        42001 => "access_token超时",
        40035 => "不合法的参数",
        90002 => "服务器处理能力超过上限,请稍后重试",
        90018 => "当前应用调用该接口过于频繁,请稍后重试",
        90020 => "企业调用该接口的次数已达到当月上限",
        130101 | 660026 => "send too fast, exceed 20 times per minute",
        _ => "mock fault",
    }
}

/// What a token that [`Faults::expire_tokens`] (or its time-to-live) ended is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenRejection {
    /// oapi errcode 88 with `sub_code` 40014 "不合法的access_token"; v1.0 400 `InvalidAuthentication`.
    #[default]
    Invalid,
    /// oapi errcode 42001 "access_token超时" (older paths); v1.0 400 `InvalidAuthentication`.
    Expired,
}

/// Fault injection and counters of one fake server; shared (`Arc`), every method cheap.
#[derive(Debug, Default)]
pub struct Faults {
    queue: Mutex<VecDeque<Queued>>,
    token_epoch: AtomicU64,
    expired_answer: AtomicU8,
    token_requests: AtomicU64,
    calls: Mutex<HashMap<String, u64>>,
}

#[derive(Debug)]
struct Queued {
    operation: Option<String>,
    fault: Fault,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Faults {
    /// Queues a fault for the next request to any operation but the token endpoints.
    pub fn push(&self, fault: Fault) {
        lock(&self.queue).push_back(Queued {
            operation: None,
            fault,
        });
    }

    /// Queues a fault for the next request to the operation `operation` (an id such as
    /// `blackboard.create` or `gettoken`).
    pub fn push_for(&self, operation: &str, fault: Fault) {
        lock(&self.queue).push_back(Queued {
            operation: Some(operation.to_owned()),
            fault,
        });
    }

    /// How many queued faults have not been applied yet.
    pub fn pending(&self) -> usize {
        lock(&self.queue).len()
    }

    /// Drops every queued fault.
    pub fn clear(&self) {
        lock(&self.queue).clear();
    }

    /// Ends every token issued so far: using one is answered as [`TokenRejection::Invalid`]
    /// (oapi errcode 88, sub code 40014), and the token endpoints issue a new one.
    pub fn expire_tokens(&self) {
        self.expire_tokens_with(TokenRejection::Invalid);
    }

    /// Ends every token issued so far; using one is answered as `answer` says (this also sets
    /// the answer to tokens whose time-to-live ran out).
    pub fn expire_tokens_with(&self, answer: TokenRejection) {
        let code = match answer {
            TokenRejection::Invalid => 0,
            TokenRejection::Expired => 1,
        };
        self.expired_answer.store(code, Ordering::SeqCst);
        self.token_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// How many requests reached the token endpoints.
    pub fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::SeqCst)
    }

    /// How many requests reached the operation `operation` (accepted or not, faults included).
    pub fn calls(&self, operation: &str) -> u64 {
        lock(&self.calls).get(operation).copied().unwrap_or(0)
    }

    /// Every operation id that was called, with its count, sorted by id.
    pub fn all_calls(&self) -> Vec<(String, u64)> {
        let mut all: Vec<(String, u64)> = lock(&self.calls)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        all.sort();
        all
    }

    /// Takes the first queued fault that applies to `operation`.
    pub(crate) fn take(&self, operation: &str) -> Option<Fault> {
        let is_token = TokenEndpoint::is_token_operation(operation);
        let mut queue = lock(&self.queue);
        let at = queue.iter().position(|q| match &q.operation {
            Some(id) => id == operation,
            None => !is_token,
        })?;
        queue.remove(at).map(|q| q.fault)
    }

    /// Counts a request to `operation`.
    pub(crate) fn count_call(&self, operation: &str) {
        if TokenEndpoint::is_token_operation(operation) {
            self.token_requests.fetch_add(1, Ordering::SeqCst);
        }
        *lock(&self.calls).entry(operation.to_owned()).or_insert(0) += 1;
    }

    /// The generation of tokens: tokens issued in an earlier one are expired.
    pub(crate) fn token_epoch(&self) -> u64 {
        self.token_epoch.load(Ordering::SeqCst)
    }

    /// The answer to an expired token.
    pub(crate) fn expired_answer(&self) -> TokenRejection {
        match self.expired_answer.load(Ordering::SeqCst) {
            1 => TokenRejection::Expired,
            _ => TokenRejection::Invalid,
        }
    }

    /// Forgets queued faults and counters (tokens are ended too).
    pub(crate) fn reset(&self) {
        self.clear();
        lock(&self.calls).clear();
        self.token_requests.store(0, Ordering::SeqCst);
        self.expired_answer.store(0, Ordering::SeqCst);
        self.token_epoch.fetch_add(1, Ordering::SeqCst);
    }
}
