//! The control API under `/__mock/`, for driving `dingtalk mock serve` from any language.
//!
//! | request | effect | answer |
//! | --- | --- | --- |
//! | `POST /__mock/faults` `{"op"?, "fault", "times"?}` | queues `times` (default 1) copies of a fault | `{"ok": true, "pending": N}` |
//! | `DELETE /__mock/faults` | drops queued faults | `{"ok": true, "pending": 0}` |
//! | `POST /__mock/expire-tokens` `{"answer"?: "invalid" \| "expired"}` | ends every issued token | `{"ok": true}` |
//! | `GET /__mock/requests` | | every recorded request, oldest first |
//! | `GET /__mock/calls` | | `{"token_requests": N, "calls": {"op": N, ...}}` |
//! | `GET /__mock/operations` | | `[{"id", "method", "path"}, ...]` |
//! | `POST /__mock/reset` | forgets faults, requests, counters, tokens; data back to the seed | `{"ok": true}` |
//!
//! A fault is one of `{"errcode": 90018, "sub_code"?: "…", "errmsg"?: "…"}`,
//! `{"status": 503, "code"?: "…", "message"?: "…"}`, `{"delay_ms": 2000}`, or one of the strings
//! `"malformed"`, `"html"`, `"truncated"`, `"reset"`. Without `op` it applies to the next request
//! to any operation but the token endpoints. Bad control requests answer HTTP 400 `{"error"}`.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::answer::json_response;
use crate::faults::{Fault, TokenRejection, default_errmsg};
use crate::shared::{Incoming, Shared};

/// The path prefix of the control API.
pub(crate) const PREFIX: &str = "/__mock/";

/// `POST /__mock/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PushFault {
    op: Option<String>,
    fault: FaultSpec,
    times: Option<u32>,
}

/// A fault as JSON.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FaultSpec {
    Named(String),
    Errcode(ErrcodeSpec),
    Http(HttpSpec),
    Delay(DelaySpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrcodeSpec {
    errcode: i64,
    sub_code: Option<String>,
    errmsg: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpSpec {
    status: u16,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DelaySpec {
    delay_ms: u64,
}

impl FaultSpec {
    fn into_fault(self) -> Result<Fault, String> {
        Ok(match self {
            FaultSpec::Named(name) => match name.as_str() {
                "malformed" => Fault::Malformed,
                "html" => Fault::Html,
                "truncated" => Fault::Truncated,
                "reset" => Fault::Reset,
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (malformed, html, truncated, reset)"
                    ));
                }
            },
            FaultSpec::Errcode(e) => Fault::Errcode {
                errcode: e.errcode,
                sub_code: e.sub_code,
                errmsg: e
                    .errmsg
                    .unwrap_or_else(|| default_errmsg(e.errcode).to_owned()),
            },
            FaultSpec::Http(h) => {
                if !(100..=999).contains(&h.status) {
                    return Err(format!("status {} is not an HTTP status", h.status));
                }
                let code = h.code.unwrap_or_default();
                let message = h
                    .message
                    .unwrap_or_else(|| format!("mock fault: HTTP {}", h.status));
                Fault::Http {
                    status: h.status,
                    code,
                    message,
                }
            }
            FaultSpec::Delay(d) => Fault::Delay(Duration::from_millis(d.delay_ms)),
        })
    }
}

/// `POST /__mock/expire-tokens`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expire {
    answer: Option<String>,
}

/// Answers a request under [`PREFIX`].
pub(crate) fn handle(shared: &Shared, request: &Incoming) -> Response {
    let action = request
        .path
        .trim_start_matches(PREFIX)
        .trim_end_matches('/');
    let result = match (&request.method, action) {
        (&Method::POST, "faults") => push_fault(shared, &request.body),
        (&Method::DELETE, "faults") => {
            shared.faults.clear();
            Ok(json!({"ok": true, "pending": 0}))
        }
        (&Method::POST, "expire-tokens") => expire(shared, &request.body),
        (&Method::GET, "requests") => {
            Ok(Value::Array(shared.recorder.all().iter().map(|r| r.to_json()).collect()))
        }
        (&Method::GET, "calls") => {
            let calls: serde_json::Map<String, Value> =
                shared.faults.all_calls().into_iter().map(|(k, v)| (k, v.into())).collect();
            Ok(json!({"token_requests": shared.faults.token_requests(), "calls": calls}))
        }
        (&Method::GET, "operations") => Ok(shared
            .operations
            .iter()
            .map(|op| json!({"id": op.info().id, "method": op.info().method.as_str(), "path": op.info().path}))
            .collect()),
        (&Method::POST, "reset") => {
            shared.reset();
            Ok(json!({"ok": true}))
        }
        _ => {
            let body = json!({"error": format!("no control action {} {}", request.method, request.path)});
            return json_response(StatusCode::NOT_FOUND, &body, None);
        }
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, &body, None),
        Err(error) => json_response(StatusCode::BAD_REQUEST, &json!({"error": error}), None),
    }
}

fn push_fault(shared: &Shared, body: &[u8]) -> Result<Value, String> {
    let push: PushFault =
        serde_json::from_slice(body).map_err(|e| format!("bad fault request: {e}"))?;
    let fault = push.fault.into_fault()?;
    for _ in 0..push.times.unwrap_or(1) {
        match &push.op {
            Some(op) => shared.faults.push_for(op, fault.clone()),
            None => shared.faults.push(fault.clone()),
        }
    }
    Ok(json!({"ok": true, "pending": shared.faults.pending()}))
}

fn expire(shared: &Shared, body: &[u8]) -> Result<Value, String> {
    let expire: Expire = if body.iter().all(u8::is_ascii_whitespace) {
        Expire::default()
    } else {
        serde_json::from_slice(body).map_err(|e| format!("bad expire request: {e}"))?
    };
    let answer = match expire.answer.as_deref() {
        None | Some("invalid") => TokenRejection::Invalid,
        Some("expired") => TokenRejection::Expired,
        Some(other) => return Err(format!("unknown answer `{other}` (invalid, expired)")),
    };
    shared.faults.expire_tokens_with(answer);
    Ok(json!({"ok": true}))
}
