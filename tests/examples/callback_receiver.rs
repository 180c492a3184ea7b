//! A receiver for DingTalk's event callbacks (事件订阅, HTTP push mode), on axum.
//!
//! ```sh
//! DINGTALK_CALLBACK_TOKEN=… DINGTALK_CALLBACK_AES_KEY=… DINGTALK_APP_KEY=… \
//!     cargo run -p tests --example callback_receiver
//! ```
//!
//! It serves `POST /dingtalk/callback` on `DINGTALK_CALLBACK_ADDR` (default `127.0.0.1:8080`;
//! put it behind your HTTPS reverse proxy, whose public URL is the one you register in the
//! developer console). For every request it
//!
//! 1. reads the query (`msg_signature`, `timestamp`, `nonce`, or the older `signature` and
//!    `timeStamp`) and the body `{"encrypt": "…"}`,
//! 2. checks the signature and decrypts the event with [`CallbackCrypto`] (token, EncodingAESKey
//!    and the app's AppKey as the owner key),
//! 3. handles `check_url` (DingTalk checking the URL while you register it), logs how many
//!    users joined or left on the typed `user_add_org` and `user_leave_org`, and every other
//!    event by type,
//! 4. answers with the encrypted `success` DingTalk expects (`{"msg_signature", "timeStamp",
//!    "nonce", "encrypt"}`).
//!
//! A request that fails a check gets a 4xx answer and is logged; nothing panics on input.
//! [`router`] is public so that tests (`tests/tests/callback_e2e.rs`) serve exactly this code.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use dingtalk_openapi::callback::{
    CallbackBody, CallbackCrypto, CallbackError, CallbackEvent, CallbackQuery, OwnerKey,
};

/// The path DingTalk posts to.
pub const CALLBACK_PATH: &str = "/dingtalk/callback";

/// The environment variables the example reads.
pub mod env {
    /// The token set for the subscription in the developer console.
    pub const TOKEN: &str = "DINGTALK_CALLBACK_TOKEN";
    /// The 43-character EncodingAESKey set for the subscription.
    pub const AES_KEY: &str = "DINGTALK_CALLBACK_AES_KEY";
    /// The app's AppKey: the owner key of an internal app's event subscription.
    pub const APP_KEY: &str = "DINGTALK_APP_KEY";
    /// Where to listen (default `127.0.0.1:8080`).
    pub const ADDR: &str = "DINGTALK_CALLBACK_ADDR";
}

/// The callback cipher from the environment; the error names what is missing or wrong.
pub fn crypto_from_env() -> Result<CallbackCrypto, String> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{name} is not set"))
    };
    let token = var(env::TOKEN)?;
    let aes_key = var(env::AES_KEY)?;
    let app_key = var(env::APP_KEY)?;
    CallbackCrypto::new(token, &aes_key, OwnerKey::AppKey(app_key))
        .map_err(|e| format!("the callback settings are unusable: {e}"))
}

/// The receiver: `POST /dingtalk/callback`, verified and decrypted with `crypto`.
pub fn router(crypto: CallbackCrypto) -> Router {
    Router::new()
        .route(CALLBACK_PATH, post(receive))
        .with_state(Arc::new(crypto))
}

/// One callback: verify, decrypt, handle, answer.
async fn receive(
    State(crypto): State<Arc<CallbackCrypto>>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
    body: Result<Json<CallbackBody>, JsonRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(query) => query,
        Err(rejection) => return refuse(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return refuse(rejection.status(), &rejection.body_text()),
    };
    let event = match crypto.decrypt_event(&query, &body) {
        Ok(event) => event,
        Err(error) => return refuse(status_for(&error), &error.to_string()),
    };
    handle(&event);
    // `success` for everything but the suite URL checks, which want their `Random` back.
    match crypto.reply_to(&event) {
        Ok(reply) => Json(reply).into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot encrypt the reply");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What the app does with an event: here, log it.
fn handle(event: &CallbackEvent) {
    match event {
        CallbackEvent::CheckUrl => tracing::info!("check_url: DingTalk is checking this URL"),
        // The contact, group chat, sign-in and approval events are typed; the user events
        // name the users, whose details the user API gives.
        CallbackEvent::UserAddOrg(change) | CallbackEvent::UserLeaveOrg(change) => {
            tracing::info!(
                event_type = event.event_type(),
                users = change.user_ids.len(),
                "contact change"
            );
        }
        CallbackEvent::Other { event_type, raw } => {
            // Event bodies hold user and organisation data: log their shape, not their values.
            let fields: Vec<&str> = raw
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            tracing::info!(event_type, ?fields, "event received");
        }
        other => tracing::info!(event_type = other.event_type(), "event received"),
    }
}

/// The status for a request that fails a check: 403 when it is not DingTalk's or not ours,
/// 400 when it is malformed.
fn status_for(error: &CallbackError) -> StatusCode {
    match error {
        CallbackError::SignatureMismatch | CallbackError::OwnerKeyMismatch { .. } => {
            StatusCode::FORBIDDEN
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

fn refuse(status: StatusCode, why: &str) -> Response {
    tracing::warn!(status = status.as_u16(), why, "callback refused");
    (status, why.to_owned()).into_response()
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let crypto = match crypto_from_env() {
        Ok(crypto) => crypto,
        Err(problem) => {
            eprintln!("error: {problem}");
            return std::process::ExitCode::from(2);
        }
    };
    let addr = std::env::var(env::ADDR).unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(
        "listening on http://{addr}{CALLBACK_PATH} for {}",
        crypto.owner_key()
    );
    if let Err(e) = axum::serve(listener, router(crypto)).await {
        eprintln!("error: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
