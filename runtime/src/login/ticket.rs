//! The app's `jsapi_ticket`, kept like the access token: fetched once for any number of callers
//! (`GET /get_jsapi_ticket`), reused while fresh, fetched again a margin before it expires.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::{JsapiConfig, JsapiError};
use crate::client::Client;
use crate::error::Error;
use crate::operation::{Host, Method, Operation, OperationInfo};
use crate::primitives::Secret;

/// How long before its expiry a ticket is replaced.
const MARGIN: Duration = Duration::from_secs(300);
/// DingTalk's lifetime of a ticket, when the answer does not say.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(7200);

/// `GET /get_jsapi_ticket`, sent with the client's access token.
#[derive(Serialize)]
struct GetJsapiTicket {}

static GET_JSAPI_TICKET: OperationInfo = OperationInfo::new(
    "get_jsapi_ticket",
    Method::Get,
    Host::Oapi,
    "/get_jsapi_ticket",
);

#[derive(Deserialize)]
struct TicketAnswer {
    ticket: Secret,
    #[serde(default)]
    expires_in: Option<i64>,
}

impl Operation for GetJsapiTicket {
    type Response = TicketAnswer;
    const INFO: &'static OperationInfo = &GET_JSAPI_TICKET;
}

/// Why a page config could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsapiConfigError {
    /// The ticket could not be fetched.
    #[error("cannot get the jsapi_ticket: {0}")]
    Ticket(#[from] Error),
    /// The config could not be signed.
    #[error(transparent)]
    Sign(#[from] JsapiError),
}

/// The app's `jsapi_ticket`, cached, and the page configs signed with it.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use dingtalk_openapi_runtime::login::JsapiTickets;
///
/// let tickets = JsapiTickets::new(client); // one per app, shared by every request handler
/// let config = tickets.config("123456789", "dingcorp", "https://app.example.com/page?x=1").await?;
/// // Hand `serde_json::to_string(&config)?` to the page for dd.config.
/// # Ok(()) }
/// ```
pub struct JsapiTickets {
    client: Client,
    cached: Mutex<Option<(Secret, SystemTime)>>,
}

impl fmt::Debug for JsapiTickets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsapiTickets").finish_non_exhaustive()
    }
}

impl JsapiTickets {
    /// Tickets of the app `client` holds the credentials of.
    pub fn new(client: Client) -> JsapiTickets {
        JsapiTickets {
            client,
            cached: Mutex::new(None),
        }
    }

    /// The current ticket, fetched when none is fresh. Callers that come while it is being
    /// fetched wait for that one fetch.
    pub async fn ticket(&self) -> Result<Secret, Error> {
        let mut cached = self.cached.lock().await;
        let now = self.client.now();
        if let Some((ticket, expires)) = cached.as_ref()
            && now + MARGIN < *expires
        {
            return Ok(ticket.clone());
        }
        let answer = self.client.execute(GetJsapiTicket {}).await?;
        let lifetime = answer
            .expires_in
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        *cached = Some((answer.ticket.clone(), now + lifetime));
        Ok(answer.ticket)
    }

    /// Forgets the cached ticket (for example when DingTalk says it is no longer valid).
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    /// The `dd.config` object of the page at `page_url`, signed now with a fresh random nonce.
    pub async fn config(
        &self,
        agent_id: impl Into<String>,
        corp_id: impl Into<String>,
        page_url: &str,
    ) -> Result<JsapiConfig, JsapiConfigError> {
        let ticket = self.ticket().await?;
        let now = self.client.now();
        let seconds = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(JsapiConfig::sign(
            agent_id,
            corp_id,
            &ticket,
            page_url,
            &nonce(),
            seconds,
        )?)
    }
}

/// 16 random letters and digits.
fn nonce() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = [0u8; 16];
    // The system's random source; were it to fail, a time-derived nonce still varies per call.
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).is_err() {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = t.to_le_bytes();
    }
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}
