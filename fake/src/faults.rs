//! Fault injection and call counters, shared between a [`MockServer`](crate::MockServer), its
//! handlers and the tests that drive it.
//!
//! Faults are one-shot: each [`Fault`] pushed is applied to the next matching request and then
//! forgotten. A fault pushed without an operation id matches any operation except the three
//! token endpoints (`gettoken`, `sso.gettoken`, `oauth2.accessToken`), so a client's own token
//! fetch does not swallow it; push for a token endpoint's id to fail token fetches. A fault for an
//! id the fake does not serve would never fire: it is refused ([`UnknownOperation`]).
//!
//! The queue holds each fault once with its count: the same fault pushed again for the same
//! operation right after itself (or the control API's `times`) only adds to the count.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::tokens::TokenEndpoint;

/// The longest operation id [`UnknownOperation`] looks for a near id to, and shows whole.
const ID_SHOWN: usize = 100;

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
    /// Waits this long, then answers normally (for client timeouts). Any length is taken here
    /// (one past tokio's timer waits about 30 years); the control API takes at most 10 minutes.
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

/// A fault was aimed at an operation the fake does not serve, so it could never fire; nothing
/// was queued. See [`Faults::try_push_for`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownOperation {
    /// The operation id asked for.
    pub id: String,
    /// The served operation id nearest to it, when one is near (a typo).
    pub nearest: Option<&'static str>,
}

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.id.chars().take(ID_SHOWN).collect();
        let more = if shown.len() < self.id.len() {
            "…"
        } else {
            ""
        };
        write!(f, "the fake serves no operation `{shown}{more}`")?;
        match self.nearest {
            Some(near) => write!(f, "; did you mean `{near}`?"),
            None => write!(f, " (GET /__mock/operations lists them)"),
        }
    }
}

impl std::error::Error for UnknownOperation {}

/// Why the control API did not queue a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueueError {
    /// Aimed at an operation the fake does not serve.
    Unknown(UnknownOperation),
    /// The queue already holds this many faults (each with its count).
    Full(usize),
}

/// Fault injection and counters of one fake server; shared (`Arc`), every method cheap.
///
/// The faults of a [`MockServer`](crate::MockServer) know the operations it serves; a `Faults`
/// made with `Faults::default()` serves none, and takes a fault for any id.
#[derive(Debug, Default)]
pub struct Faults {
    queue: Mutex<VecDeque<Queued>>,
    /// The ids a fault may be aimed at (empty: any).
    served: Vec<&'static str>,
    token_epoch: AtomicU64,
    expired_answer: AtomicU8,
    token_requests: AtomicU64,
    calls: Mutex<HashMap<String, u64>>,
}

/// A queued fault and how many more requests it applies to (at least 1).
#[derive(Debug)]
struct Queued {
    operation: Option<String>,
    fault: Fault,
    times: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Faults {
    /// The faults of a fake serving the operations `served` (and the token endpoints).
    pub(crate) fn serving(served: impl IntoIterator<Item = &'static str>) -> Faults {
        let mut served: Vec<&'static str> =
            served.into_iter().chain(TokenEndpoint::ids()).collect();
        served.sort_unstable();
        served.dedup();
        Faults {
            served,
            ..Faults::default()
        }
    }

    /// Queues a fault for the next request to any operation but the token endpoints.
    pub fn push(&self, fault: Fault) {
        self.queue(None, fault, 1, None).ok();
    }

    /// Queues a fault for the next request to the operation `operation` (an id such as
    /// `blackboard.create` or `gettoken`).
    ///
    /// A fault for an id the fake does not serve could never fire: it is not queued, and the
    /// mistake is logged (`tracing` error). [`try_push_for`](Faults::try_push_for) returns it.
    pub fn push_for(&self, operation: &str, fault: Fault) {
        if let Err(error) = self.try_push_for(operation, fault) {
            tracing::error!(%error, "the DingTalk fake queued no fault");
        }
    }

    /// Queues a fault for the next request to the operation `operation`, if the fake serves it;
    /// otherwise queues nothing and names the nearest id it serves.
    pub fn try_push_for(&self, operation: &str, fault: Fault) -> Result<(), UnknownOperation> {
        match self.queue(Some(operation), fault, 1, None) {
            Err(QueueError::Unknown(unknown)) => Err(unknown),
            _ => Ok(()),
        }
    }

    /// Queues `fault` for the next `times` requests (to `operation`, or to any operation but the
    /// token endpoints), refusing an operation the fake does not serve and, with `max_entries`,
    /// a queue that already holds that many faults. Returns the faults pending.
    pub(crate) fn queue(
        &self,
        operation: Option<&str>,
        fault: Fault,
        times: u64,
        max_entries: Option<usize>,
    ) -> Result<usize, QueueError> {
        if let Some(id) = operation {
            self.check_served(id).map_err(QueueError::Unknown)?;
        }
        let mut queue = lock(&self.queue);
        if times == 0 {
            return Ok(pending(&queue));
        }
        if let Some(last) = queue.back_mut()
            && last.operation.as_deref() == operation
            && last.fault == fault
        {
            last.times = last.times.saturating_add(times);
            return Ok(pending(&queue));
        }
        if let Some(max) = max_entries
            && queue.len() >= max
        {
            return Err(QueueError::Full(max));
        }
        queue.push_back(Queued {
            operation: operation.map(str::to_owned),
            fault,
            times,
        });
        Ok(pending(&queue))
    }

    /// Whether a fault may be aimed at `id`.
    fn check_served(&self, id: &str) -> Result<(), UnknownOperation> {
        if self.served.is_empty() || self.served.binary_search(&id).is_ok() {
            return Ok(());
        }
        Err(UnknownOperation {
            id: id.to_owned(),
            nearest: nearest(id, &self.served),
        })
    }

    /// How many queued faults have not been applied yet (a fault queued for `times` requests
    /// counts `times`).
    pub fn pending(&self) -> usize {
        pending(&lock(&self.queue))
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
        let queued = queue.get_mut(at)?;
        if queued.times > 1 {
            queued.times -= 1;
            return Some(queued.fault.clone());
        }
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

/// The number of faults in `queue`, counts included.
fn pending(queue: &VecDeque<Queued>) -> usize {
    let total = queue
        .iter()
        .fold(0u64, |sum, q| sum.saturating_add(q.times));
    usize::try_from(total).unwrap_or(usize::MAX)
}

/// The id of `served` nearest to `id` by edit distance, when it is near enough to be a typo
/// (and `id` short enough to compare cheaply).
fn nearest(id: &str, served: &[&'static str]) -> Option<&'static str> {
    if id.chars().count() > ID_SHOWN {
        return None;
    }
    let (distance, near) = served
        .iter()
        .map(|s| (edit_distance(id, s), *s))
        .min_by_key(|(d, _)| *d)?;
    (distance <= (near.chars().count() / 3).max(2)).then_some(near)
}

/// The Levenshtein distance between `a` and `b`, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_id_is_suggested_a_far_one_is_not() {
        let served = ["blackboard.create", "blackboard.listids", "gettoken"];
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            nearest("blackboard.creat", &served),
            Some("blackboard.create")
        );
        assert_eq!(nearest("gettokn", &served), Some("gettoken"));
        assert_eq!(nearest("report.list", &served), None);
        assert_eq!(nearest(&"x".repeat(1_000_000), &served), None);
    }

    #[test]
    fn a_fault_pushed_many_times_is_stored_once_with_its_count() {
        let faults = Faults::serving(["blackboard.create"]);
        for _ in 0..1_000 {
            faults.push_for("blackboard.create", Fault::Html);
        }
        let queued = faults.queue(Some("blackboard.create"), Fault::Html, u64::MAX, Some(1));
        assert_eq!(queued, Ok(usize::MAX));
        assert_eq!(lock(&faults.queue).len(), 1);
        assert_eq!(
            faults.queue(None, Fault::Malformed, 1, Some(1)),
            Err(QueueError::Full(1))
        );
        assert_eq!(faults.take("blackboard.create"), Some(Fault::Html));
        assert_eq!(lock(&faults.queue).len(), 1);
    }
}
