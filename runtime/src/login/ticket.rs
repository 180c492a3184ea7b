//! The app's `jsapi_ticket`, kept like the access token: fetched once for any number of callers
//! (`GET /get_jsapi_ticket`), reused while fresh, fetched again a margin before it expires; with
//! a shared [`TokenStore`] (Redis), once for every instance of the app.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::{JsapiConfig, JsapiError};
use crate::client::Client;
use crate::error::{BoxError, Error};
use crate::operation::{Host, Method, Operation, OperationInfo};
use crate::primitives::Secret;
use crate::token::{CachedToken, MemoryTokenStore, TokenLease, TokenStore};

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
    /// The ticket this process holds; its lock makes one fetch serve every caller here.
    cached: Mutex<Option<CachedToken>>,
    /// Where tickets are shared (this process's memory unless told otherwise).
    store: Arc<dyn TokenStore>,
    key: String,
}

impl fmt::Debug for JsapiTickets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsapiTickets").finish_non_exhaustive()
    }
}

impl JsapiTickets {
    /// Tickets of the app `client` holds the credentials of.
    pub fn new(client: Client) -> JsapiTickets {
        JsapiTickets::with_store(client, Arc::new(MemoryTokenStore::new()), "jsapi_ticket")
    }

    /// Tickets kept in `store` under `key` as well, so that every instance of the app that uses
    /// the same store and key shares one ticket and one fetch per expiry (the store's lease
    /// elects the fetcher). Name the app in the key, e.g. `"{app_key}:jsapi"`; the key is not a
    /// secret, the ticket is stored as DingTalk gave it. A Redis `TokenStore`
    /// (`dingtalk-openapi-redis`) serves tickets as it serves tokens.
    pub fn with_store(
        client: Client,
        store: Arc<dyn TokenStore>,
        key: impl Into<String>,
    ) -> JsapiTickets {
        JsapiTickets {
            client,
            cached: Mutex::new(None),
            store,
            key: key.into(),
        }
    }

    /// The current ticket, fetched when none is fresh. Callers that come while it is being
    /// fetched wait for that one fetch.
    pub async fn ticket(&self) -> Result<Secret, Error> {
        let wrap = |source: BoxError| Error::Token {
            operation: GET_JSAPI_TICKET.id,
            source,
        };
        let mut cached = self.cached.lock().await;
        let fresh = |t: &CachedToken| t.is_fresh_at(self.client.now(), MARGIN);
        if let Some(ticket) = cached.as_ref().filter(|t| fresh(t)) {
            return Ok(ticket.token.clone());
        }
        let key = self.key.as_str();
        let stored = self.store.get(key).await.map_err(wrap)?;
        let ticket = match stored.filter(|t| fresh(t)) {
            Some(shared) => shared,
            None => match self.store.lease(key, &fresh).await.map_err(wrap)? {
                TokenLease::Fetched(shared) => shared,
                _ => {
                    let fetched = self.fetch().await;
                    if let Ok(ticket) = &fetched {
                        self.store.put(key, ticket.clone()).await.map_err(wrap)?;
                    }
                    // A lease left behind lapses by itself; failing to hand it back is no error.
                    let _ = self.store.release(key).await;
                    fetched?
                }
            },
        };
        *cached = Some(ticket.clone());
        Ok(ticket.token.clone())
    }

    /// Asks DingTalk for a ticket.
    async fn fetch(&self) -> Result<CachedToken, Error> {
        let now = self.client.now();
        let answer = self.client.execute(GetJsapiTicket {}).await?;
        let lifetime = answer
            .expires_in
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        Ok(CachedToken::new(answer.ticket, now + lifetime))
    }

    /// Forgets the ticket (for example when DingTalk says it is no longer valid), here and, if
    /// it is still the stored one, in the shared store.
    pub async fn invalidate(&self) {
        let mut cached = self.cached.lock().await;
        if let Some(ticket) = cached.take() {
            let _ = self.store.invalidate(&self.key, &ticket.token).await;
        }
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
