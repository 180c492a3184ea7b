//! Credential checks, as DingTalk makes them for each way of authenticating.
//!
//! - `?access_token=` (oapi): the query string counts (and a field of a topapi form), a token in
//!   the v1.0 header does not.
//! - `x-acs-dingtalk-access-token` (v1.0): only the header counts, a token in the query does not.
//! - the group robot: its webhook token, and when it has a secret a fresh `timestamp` and a
//!   matching `sign`; then its limits of 20,000 bytes a message and 20 messages a minute (the
//!   minute on tokio's clock, so tests can pause and advance it; the `timestamp` is checked
//!   against the fake's wall clock, the system clock unless `MockBuilder::time_source` set one).
//! - the signed query of the SNS calls (`accessKey`, `timestamp`, `signature`): a known app key,
//!   a millisecond timestamp within a minute of the fake's wall clock, and the signature of that
//!   timestamp with the app's secret; DingTalk's errcodes 853001 to 853004 otherwise.

use std::time::Duration;

use tokio::time::Instant;

use crate::answer::Failure;
use crate::faults::TokenRejection;
use crate::params::takes_form;
use crate::shared::{Incoming, Shared, lock};
use crate::tokens::TokenStatus;
use dingtalk_openapi_runtime::login;
use dingtalk_openapi_runtime::operation::{Auth, OperationInfo};
use dingtalk_openapi_runtime::primitives::{EpochMillis, Secret};

/// The header v1.0 operations read the token from.
pub(crate) const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

/// The largest robot message DingTalk takes, in bytes.
const ROBOT_MAX_BODY: usize = 20_000;
/// How many messages a robot may send in [`ROBOT_WINDOW`].
const ROBOT_MESSAGES: usize = 20;
/// The window of the robot's message limit.
const ROBOT_WINDOW: Duration = Duration::from_secs(60);
/// How far a robot `timestamp` may be from now, in milliseconds.
const ROBOT_CLOCK_SKEW_MS: u64 = 3_600_000;
/// How far the `timestamp` of a signed query may be from now, in milliseconds.
const SIGNED_QUERY_SKEW_MS: u64 = 60_000;

/// The query parameters that carry an operation's credential and are not part of "the request".
pub(crate) fn credential_names(auth: Auth) -> &'static [&'static str] {
    match auth {
        Auth::QueryToken => &["access_token"],
        Auth::Robot => &["access_token", "timestamp", "sign"],
        Auth::AppSignature => &["accessKey", "timestamp", "signature"],
        Auth::None | Auth::HeaderToken => &[],
    }
}

/// Checks the request's credential for the operation `info`.
pub(crate) fn check(
    shared: &Shared,
    info: &OperationInfo,
    request: &Incoming,
) -> Result<(), Failure> {
    match info.auth {
        Auth::QueryToken => {
            // A topapi form may carry the token as a field (DingTalk's own curl examples do).
            let token = request
                .query_value("access_token")
                .map(str::to_owned)
                .or_else(|| {
                    takes_form(info)
                        .then(|| request.form_value("access_token"))
                        .flatten()
                })
                .filter(|t| !t.is_empty());
            match token {
                Some(token) => check_token(shared, &token),
                None => Err(missing_token("access_token")),
            }
        }
        Auth::HeaderToken => match request.header(TOKEN_HEADER).filter(|t| !t.is_empty()) {
            Some(token) => check_token(shared, token),
            None => Err(missing_token(TOKEN_HEADER)),
        },
        Auth::Robot => check_robot(shared, request),
        Auth::AppSignature => check_signed_query(shared, request),
        Auth::None => Ok(()),
    }
}

/// The signed query: the app key, a fresh millisecond timestamp and its signature with the
/// app's secret, refused with DingTalk's codes (853003 unknown key, 853001 a timestamp that is
/// not milliseconds, 853002 one over a minute off, 853004 a signature that does not match).
fn check_signed_query(shared: &Shared, request: &Incoming) -> Result<(), Failure> {
    let config = &shared.config;
    let key = request.query_value("accessKey").unwrap_or_default();
    let Some((_, secret)) = config
        .apps
        .iter()
        .find(|(k, _)| !key.is_empty() && k == key)
    else {
        return Err(Failure::new(
            853003,
            "accessKey参数无效",
            400,
            "InvalidAccessKey",
        ));
    };
    let text = request.query_value("timestamp").unwrap_or_default();
    let timestamp = text
        .parse::<i64>()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()));
    let Some(timestamp) = timestamp else {
        return Err(Failure::new(
            853001,
            "timestamp参数格式错误,应为毫秒时间戳",
            400,
            "InvalidTimestamp",
        ));
    };
    let now = EpochMillis::from(config.clock.now()).as_millis();
    if now.abs_diff(timestamp) > SIGNED_QUERY_SKEW_MS {
        return Err(Failure::new(
            853002,
            "timestamp参数无效,与服务器时间相差超过1分钟",
            400,
            "InvalidTimestamp",
        ));
    }
    let signature = request.query_value("signature").unwrap_or_default();
    if login::sns_signature(&Secret::new(secret.as_str()), timestamp) != signature {
        return Err(Failure::new(
            853004,
            "signature参数错误,与服务端计算的签名不一致",
            400,
            "SignatureDoesNotMatch",
        ));
    }
    Ok(())
}

/// No token where this operation reads it.
fn missing_token(name: &str) -> Failure {
    Failure::new(
        88,
        "ding talk error",
        400,
        "AuthenticationFailed.MissingParameter",
    )
    .with_sub("40000", &format!("缺少参数{name}"))
}

fn check_token(shared: &Shared, token: &str) -> Result<(), Failure> {
    let epoch = shared.faults.token_epoch();
    let status = lock(&shared.tokens).status(token, epoch);
    let invalid = || {
        Failure::new(88, "ding talk error", 400, "InvalidAuthentication")
            .with_sub("40014", "不合法的access_token")
    };
    match status {
        TokenStatus::Valid => Ok(()),
        TokenStatus::Unknown => Err(invalid()),
        TokenStatus::Expired => match shared.faults.expired_answer() {
            TokenRejection::Expired => Err(Failure::new(
                42001,
                "access_token超时",
                400,
                "InvalidAuthentication",
            )),
            _ => Err(invalid()),
        },
    }
}

/// The robot's token, signature and limits.
fn check_robot(shared: &Shared, request: &Incoming) -> Result<(), Failure> {
    let config = &shared.config;
    let token = request.query_value("access_token").unwrap_or_default();
    if token.is_empty() || token != config.robot_token {
        return Err(Failure::new(
            300005,
            "token is not exist",
            400,
            "InvalidAuthentication",
        ));
    }
    if let Some(secret) = &config.robot_secret {
        let timestamp = request
            .query_value("timestamp")
            .and_then(|t| t.parse::<i64>().ok());
        let now = EpochMillis::from(config.clock.now()).as_millis();
        // Any i64 may arrive: the distance is taken without overflow.
        let fresh = |t: &i64| now.abs_diff(*t) <= ROBOT_CLOCK_SKEW_MS;
        let Some(timestamp) = timestamp.filter(fresh) else {
            return Err(Failure::new(
                310000,
                "invalid timestamp",
                400,
                "InvalidTimestamp",
            ));
        };
        let sign = request.query_value("sign").unwrap_or_default();
        if !sign_matches(secret, timestamp, sign) {
            return Err(Failure::new(310000, "sign not match", 400, "SignNotMatch"));
        }
    }
    if request.body.len() > ROBOT_MAX_BODY {
        return Err(Failure::new(
            460101,
            format!(
                "message too long, exceed {ROBOT_MAX_BODY} bytes ({} bytes)",
                request.body.len()
            ),
            400,
            "MessageTooLong",
        ));
    }
    let mut sends = lock(&shared.robot_sends);
    let window = sends.entry(token.to_owned()).or_default();
    let now = Instant::now();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= ROBOT_WINDOW)
    {
        window.pop_front();
    }
    if window.len() >= ROBOT_MESSAGES {
        return Err(Failure::new(
            660026,
            "send too fast, exceed 20 times per minute",
            403,
            "SendTooFast",
        ));
    }
    Ok(())
}

/// Counts an accepted robot message against the minute limit.
pub(crate) fn record_robot_send(shared: &Shared, request: &Incoming) {
    let token = request.query_value("access_token").unwrap_or_default();
    lock(&shared.robot_sends)
        .entry(token.to_owned())
        .or_default()
        .push_back(Instant::now());
}

fn sign_matches(secret: &str, timestamp: i64, sign: &str) -> bool {
    dingtalk_openapi_runtime::robot::sign(secret, timestamp) == sign
}
