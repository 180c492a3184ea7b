//! The server side of JSAPI mode, on axum: a micro-app's H5 page asks for its `dd.config`
//! object and gets it signed with the app's cached `jsapi_ticket`.
//!
//! ```sh
//! DINGTALK_APP_KEY=… DINGTALK_APP_SECRET=… DINGTALK_AGENT_ID=… DINGTALK_CORP_ID=… \
//!     cargo run -p tests --example jsapi_config
//! ```
//!
//! `GET /dingtalk/jsapi-config?url=<the page URL>` answers
//! `{"agentId", "corpId", "timeStamp", "nonceStr", "signature"}`; the page adds its `jsApiList`
//! and calls `dd.config`. The ticket is fetched once and shared by every request until shortly
//! before it expires; the app secret and the ticket never leave the server. In production, check
//! that `url` is one of your own pages before signing it. [`router`] is public so that
//! `tests/tests/jsapi_config.rs` serves exactly this code.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use dingtalk_openapi::Client;
use dingtalk_openapi::runtime::login::JsapiTickets;
use serde::Deserialize;

/// The path pages ask.
pub const CONFIG_PATH: &str = "/dingtalk/jsapi-config";

/// What the handlers share: the app's ids and its ticket cache.
pub struct App {
    /// The micro-app's AgentId.
    pub agent_id: String,
    /// The organization's CorpId.
    pub corp_id: String,
    /// The ticket cache of the app's client.
    pub tickets: JsapiTickets,
}

#[derive(Deserialize)]
struct PageQuery {
    url: String,
}

/// The config service.
pub fn router(app: App) -> Router {
    Router::new()
        .route(CONFIG_PATH, get(config))
        .with_state(Arc::new(app))
}

async fn config(State(app): State<Arc<App>>, Query(page): Query<PageQuery>) -> Response {
    match app
        .tickets
        .config(&app.agent_id, &app.corp_id, &page.url)
        .await
    {
        Ok(config) => Json(config).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot sign a dd.config");
            (StatusCode::BAD_GATEWAY, "cannot sign the page's config").into_response()
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let app = App {
        agent_id: var("DINGTALK_AGENT_ID")?,
        corp_id: var("DINGTALK_CORP_ID")?,
        tickets: JsapiTickets::new((*Client::from_env()?).clone()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, router(app)).await?;
    Ok(())
}
