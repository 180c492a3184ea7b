//! `POST /v1.0/gateway/connections/open`: where a Stream client trades its app credentials and
//! subscriptions for a WebSocket endpoint and a single-use ticket. The call is recorded and
//! counted under the operation of that path when the fake serves it (the gateway's own record of
//! open calls, `/__mock/stream/…`, replaces the `clientSecret`).
//!
//! | condition | answer |
//! | --- | --- |
//! | a [`Fault`](crate::Fault) is queued for `gateway.OpenConnection` (when the fake serves that operation) | that fault, as for any operation |
//! | a [`StreamFault::FailOpen`](crate::StreamFault::FailOpen) is queued | its status, `{"code", "message", "requestid"}` |
//! | body over 64 KiB | HTTP 413 `RequestEntityTooLarge` |
//! | body not declared `application/json` | HTTP 415 `UnsupportedMediaType` |
//! | body not a JSON object, or a field of the wrong type | HTTP 400 `InvalidParameter` naming it |
//! | `clientId`, `clientSecret` or `subscriptions` missing | HTTP 400 `MissingParameter` naming it |
//! | `clientId`/`clientSecret` not the fake's app credentials | HTTP 401 `authFailed` 鉴权失败 (DingTalk's answer, as seen by the SDKs' users) |
//! | `subscriptions` empty, over 1,000, or one with a `type` other than `EVENT`, `CALLBACK`, `SYSTEM` or an empty or over-1,024-byte `topic` | HTTP 400 `InvalidParameter` |
//! | otherwise | HTTP 200 `{"endpoint": "ws://127.0.0.1:PORT/connect", "ticket"}` |
//!
//! DingTalk's answer to a wrong secret (401 `authFailed`) is documented by its users' reports;
//! the 400/415 codes for malformed bodies are this fake's choice, in the form of its other v1.0
//! answers. `SYSTEM` subscriptions are accepted because the Go SDK sends them (for `ping` and
//! `disconnect`).

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::answer::{self, json_response, request_id};
use crate::conn::Connection;
use crate::dispatch;
use crate::gateway::socket::CONNECT_PATH;
use crate::record::parse_query;
use crate::shared::{Incoming, Shared};

/// The path of the open call.
pub(crate) const OPEN_PATH: &str = "/v1.0/gateway/connections/open";
/// The largest open body read.
const MAX_BODY: usize = 64 << 10;
/// The most subscriptions one open call takes.
const MAX_SUBSCRIPTIONS: usize = 1_000;
/// The longest topic, in bytes.
const MAX_TOPIC: usize = 1_024;
/// What a recorded open body shows instead of the secret.
const REDACTED: &str = "<redacted>";

/// A v1.0 error answer: `status` with `{"code", "message", "requestid"}` and the request id
/// header.
pub(crate) fn v1_error(status: StatusCode, code: &str, message: &str) -> Response {
    let id = request_id();
    let body = json!({"code": code, "message": message, "requestid": id});
    json_response(status, &body, Some(&id))
}

fn invalid(message: String) -> Response {
    v1_error(StatusCode::BAD_REQUEST, "InvalidParameter", &message)
}

/// The open call.
pub(crate) async fn open(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    request: Request,
) -> Response {
    let _serving = connection.serving();
    let limit = shared.config.body_read_timeout;
    let (parts, body) = match answer::read_request(request, MAX_BODY, limit).await {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    let inner = shared.gateway.inner().clone();
    let parsed = serde_json::from_slice::<Value>(&body);
    let recorded = match &parsed {
        Ok(Value::Object(fields)) => Value::Object(redacted(fields)),
        Ok(_) => Value::String("<not a JSON object>".to_owned()),
        Err(_) => Value::String(format!("<not JSON, {} bytes>", body.len())),
    };
    // When the fake serves the operation of this path (`gateway.OpenConnection` of the v1.0
    // API), the call is recorded (as sent, like every request the recorder keeps), counted and
    // faulted like any other.
    let operation = shared
        .route(&Method::POST, OPEN_PATH)
        .map(|routed| routed.op.info());
    let incoming = Incoming {
        method: Method::POST,
        path: parts.uri.path().to_owned(),
        query: parse_query(parts.uri.query().unwrap_or_default()),
        headers: parts.headers.clone(),
        body: body.clone(),
    };
    shared
        .recorder
        .push(dispatch::record(&incoming, operation.map(|info| info.id)));
    if let Some(info) = operation
        && let Some(faulted) =
            dispatch::count_and_fault(&shared, &connection, info.id, info.envelope).await
    {
        return faulted;
    }
    let failure = inner.with(|core, _| {
        core.record_open(recorded);
        let failure = core.fail_open.as_mut().map(|f| {
            f.times -= 1;
            (f.status, f.code.clone(), f.message.clone())
        });
        if core.fail_open.as_ref().is_some_and(|f| f.times == 0) {
            core.fail_open = None;
        }
        (failure, Vec::new())
    });
    if let Some((status, code, message)) = failure {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return v1_error(status, &code, &message);
    }
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|media| {
            let media = media.trim().to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        });
    if !json {
        return v1_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "the open call takes a JSON body (Content-Type: application/json)",
        );
    }
    let fields = match parsed {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return invalid("the body is not a JSON object".to_owned()),
        Err(e) => return invalid(format!("the body is not JSON: {e}")),
    };
    let (client_id, client_secret) =
        match text(&fields, "clientId").and_then(|id| Ok((id, text(&fields, "clientSecret")?))) {
            Ok(pair) => pair,
            Err((code, message)) => return v1_error(StatusCode::BAD_REQUEST, code, &message),
        };
    let Some(subscriptions) = fields.get("subscriptions") else {
        return v1_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "subscriptions is required",
        );
    };
    if !shared
        .config
        .apps
        .iter()
        .any(|(key, secret)| key == client_id && secret == client_secret)
    {
        return v1_error(StatusCode::UNAUTHORIZED, "authFailed", "鉴权失败");
    }
    let subscriptions = match read_subscriptions(subscriptions) {
        Ok(subscriptions) => subscriptions,
        Err(problem) => return invalid(problem),
    };
    let ticket = inner.with(|core, _| (core.issue_ticket(subscriptions), Vec::new()));
    let endpoint = format!("ws://{}{CONNECT_PATH}", inner.settings.addr);
    json_response(
        StatusCode::OK,
        &json!({"endpoint": endpoint, "ticket": ticket}),
        None,
    )
}

/// The body's fields with the secret replaced.
fn redacted(fields: &Map<String, Value>) -> Map<String, Value> {
    let mut fields = fields.clone();
    if let Some(secret) = fields.get_mut("clientSecret") {
        *secret = Value::String(REDACTED.to_owned());
    }
    fields
}

/// A required text field, or the code and message refusing it.
fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<&'a str, (&'static str, String)> {
    match fields.get(name) {
        None | Some(Value::Null) => Err(("MissingParameter", format!("{name} is required"))),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(("InvalidParameter", format!("{name} must be a string"))),
    }
}

/// The `(type, topic)` pairs of `subscriptions`, or what is wrong with them.
fn read_subscriptions(value: &Value) -> Result<Vec<(String, String)>, String> {
    let Value::Array(items) = value else {
        return Err("subscriptions must be a list of {\"type\", \"topic\"}".to_owned());
    };
    if items.is_empty() {
        return Err("subscriptions is empty: subscribe at least one topic".to_owned());
    }
    if items.len() > MAX_SUBSCRIPTIONS {
        return Err(format!(
            "subscriptions has {} entries, at most {MAX_SUBSCRIPTIONS} are taken",
            items.len()
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let kind = item.get("type").and_then(Value::as_str);
            let topic = item.get("topic").and_then(Value::as_str);
            match (kind, topic) {
                (Some(kind @ ("EVENT" | "CALLBACK" | "SYSTEM")), Some(topic))
                    if !topic.is_empty() && topic.len() <= MAX_TOPIC =>
                {
                    Ok((kind.to_owned(), topic.to_owned()))
                }
                (Some("EVENT" | "CALLBACK" | "SYSTEM"), _) => Err(format!(
                    "subscriptions[{i}].topic must be a string of 1 to {MAX_TOPIC} bytes"
                )),
                _ => Err(format!(
                    "subscriptions[{i}].type must be EVENT, CALLBACK or SYSTEM"
                )),
            }
        })
        .collect()
}
