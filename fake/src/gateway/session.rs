//! `POST /robot/sendBySession?session=…`: the session webhook a robot message carries
//! (`sessionWebhook`), for replying into the conversation it came from.
//!
//! A known session that has not expired (on the wall clock: `sessionWebhookExpiredTime` is
//! milliseconds since the epoch) records the JSON body ([`Gateway::session_replies`]) and answers
//! `{"errcode": 0, "errmsg": "ok"}`. An unknown or expired session answers
//! `{"errcode": 300001, "errmsg": "session 不存在"}`, as DingTalk does (seen in its users'
//! reports); a body that is not a JSON object answers errcode 40035. All answers are HTTP 200,
//! as the robot webhooks' are.
//!
//! [`Gateway::session_replies`]: crate::Gateway::session_replies

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::answer::{self, json_response, request_id};
use crate::conn::Connection;
use crate::gateway::push::now_millis;
use crate::shared::Shared;

/// The path of the session webhook.
pub(crate) const SESSION_PATH: &str = "/robot/sendBySession";
/// The largest body read.
const MAX_BODY: usize = 1 << 20;

fn errcode(code: i64, message: &str) -> Response {
    let body = json!({"errcode": code, "errmsg": message, "request_id": request_id()});
    json_response(StatusCode::OK, &body, None)
}

/// The session webhook.
pub(crate) async fn send(
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
    let session = form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "session")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let inner = shared.gateway.inner().clone();
    let valid = inner
        .read(|core| core.session_expiry(&session))
        .is_some_and(|expires| now_millis() < expires);
    if !valid {
        return errcode(300001, "session 不存在");
    }
    let Ok(body @ Value::Object(_)) = serde_json::from_slice::<Value>(&body) else {
        return errcode(40035, "不合法的参数: the body is not a JSON object");
    };
    inner.with(|core, _| {
        core.record_session_reply(body);
        ((), Vec::new())
    });
    let body = json!({"errcode": 0, "errmsg": "ok"});
    json_response(StatusCode::OK, &body, None)
}
