//! The control API under `/__mock/`, for driving `dingtalk mock serve` from any language.
//!
//! | request | effect | answer |
//! | --- | --- | --- |
//! | `POST /__mock/faults` `{"op"?, "fault", "times"?}` | queues a fault for the next `times` (default 1, at most 4294967295) requests | `{"ok": true, "pending": N}` |
//! | `DELETE /__mock/faults` | drops queued faults | `{"ok": true, "pending": 0}` |
//! | `POST /__mock/expire-tokens` `{"answer"?: "invalid" \| "expired"}` | ends every issued token | `{"ok": true}` |
//! | `GET /__mock/requests` | | every recorded request, oldest first, each with `received_ms` (its arrival, in ms since the fake started) |
//! | `GET /__mock/calls` | | `{"token_requests": N, "calls": {"op": N, ...}}` |
//! | `GET /__mock/operations` | | `[{"id", "method", "path"}, ...]` |
//! | `GET /__mock/media/{media_id}` | | a file stored by `media.upload` or `file.upload.single`, with its content type (404 if unknown) |
//! | `POST /__mock/reset` | forgets faults, requests, counters, tokens, the Stream gateway's queue and records; data back to the seed | `{"ok": true}` |
//! | `/__mock/stream/…` | the Stream gateway: push, acks, faults (see the `gateway::control` module) | |
//!
//! A fault is one of `{"errcode": 90018, "sub_code"?: "…", "errmsg"?: "…"}`,
//! `{"status": 503, "code"?: "…", "message"?: "…"}`, `{"delay_ms": 2000}`, or one of the strings
//! `"malformed"`, `"html"`, `"truncated"`, `"reset"`. Without `op` it applies to the next request
//! to any operation but the token endpoints. Bad control requests answer HTTP 400 `{"error"}`,
//! the error naming what is wrong (at most 300 characters of it), and change nothing.
//!
//! Limits of `POST /__mock/faults`, each a 400 naming it:
//!
//! - `op` must be an operation the fake serves (a token endpoint's id included); the error names
//!   the nearest served id when one is near;
//! - `delay_ms` at most 600,000 (10 minutes);
//! - `errmsg`, `sub_code`, `code` and `message` at most 1,024 bytes each;
//! - at most 1,000 faults queued at once, each with its count: the same fault pushed for the same
//!   `op` right after itself only adds to the count, and `DELETE /__mock/faults` empties the
//!   queue.

use std::time::Duration;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::answer::json_response;
use crate::faults::{Fault, QueueError, TokenRejection, default_errmsg};
use crate::gateway;
use crate::shared::{Incoming, Shared};

/// The path prefix of the control API.
pub(crate) const PREFIX: &str = "/__mock/";

/// How many faults (each with its count) the control API queues at most.
const MAX_QUEUED_FAULTS: usize = 1_000;
/// The longest `delay_ms` of a fault.
const MAX_DELAY_MS: u64 = 600_000;
/// The longest text field of a fault, in bytes.
const MAX_FAULT_TEXT: usize = 1_024;
/// How much of an error a 400 answer shows, in characters.
const MAX_ERROR: usize = 300;

/// `GET /__mock/media/{media_id}`: a stored upload's bytes, with its content type and file name;
/// 404 for an id the store does not hold.
fn media(shared: &Shared, media_id: &str) -> Response {
    // A `media_id` starts with `@`, which clients may escape.
    let media_id = percent_encoding::percent_decode_str(media_id).decode_utf8_lossy();
    let Some(media) = crate::shared::lock(&shared.state).media(&media_id).cloned() else {
        let body = json!({"error": format!("no stored media `{media_id}`")});
        return json_response(StatusCode::NOT_FOUND, &body, None);
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        media.filename.replace(['"', '\\', '\r', '\n'], "_")
    );
    let mut response = Response::new(axum::body::Body::from(media.bytes));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&media.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

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

/// Refuses a text field longer than [`MAX_FAULT_TEXT`].
fn short(name: &str, text: Option<&String>) -> Result<(), String> {
    match text {
        Some(text) if text.len() > MAX_FAULT_TEXT => Err(format!(
            "`{name}` is {} bytes, at most {MAX_FAULT_TEXT} are taken",
            text.len()
        )),
        _ => Ok(()),
    }
}

impl FaultSpec {
    fn into_fault(self) -> Result<Fault, String> {
        if let FaultSpec::Errcode(e) = &self {
            short("errmsg", e.errmsg.as_ref())?;
            short("sub_code", e.sub_code.as_ref())?;
        }
        if let FaultSpec::Http(h) = &self {
            short("code", h.code.as_ref())?;
            short("message", h.message.as_ref())?;
        }
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
            FaultSpec::Delay(d) if d.delay_ms > MAX_DELAY_MS => {
                return Err(format!(
                    "delay_ms {} is over the limit of {MAX_DELAY_MS} (10 minutes)",
                    d.delay_ms
                ));
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
    if let (&Method::GET, Some(media_id)) = (&request.method, action.strip_prefix("media/")) {
        return media(shared, media_id);
    }
    let result = match (&request.method, action) {
        (method, stream) if stream == "stream" || stream.starts_with("stream/") => {
            let action = stream.trim_start_matches("stream").trim_start_matches('/');
            let post = method == Method::POST;
            match gateway::control(&shared.gateway, post, action, &request.body) {
                Some(result) if post || method == Method::GET => result,
                _ => {
                    let body = json!({"error": format!("no control action {} {}", request.method, request.path)});
                    return json_response(StatusCode::NOT_FOUND, &body, None);
                }
            }
        }
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
        Err(error) => {
            // Errors may quote the request (an unknown field's name): keep them short.
            let shown: String = error.chars().take(MAX_ERROR).collect();
            let error = if shown.len() < error.len() {
                shown + "…"
            } else {
                shown
            };
            json_response(StatusCode::BAD_REQUEST, &json!({"error": error}), None)
        }
    }
}

fn push_fault(shared: &Shared, body: &[u8]) -> Result<Value, String> {
    let push: PushFault =
        serde_json::from_slice(body).map_err(|e| format!("bad fault request: {e}"))?;
    let fault = push.fault.into_fault()?;
    let times = u64::from(push.times.unwrap_or(1));
    let pending = shared
        .faults
        .queue(push.op.as_deref(), fault, times, Some(MAX_QUEUED_FAULTS))
        .map_err(|error| match error {
            QueueError::Unknown(unknown) => unknown.to_string(),
            QueueError::Full(max) => format!(
                "the fault queue is full: at most {max} faults are queued at once \
                 (DELETE /__mock/faults empties it)"
            ),
        })?;
    Ok(json!({"ok": true, "pending": pending}))
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
