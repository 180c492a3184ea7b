//! A fake of DingTalk's Stream gateway (Stream mode: the app opens an outbound WebSocket and
//! receives events and callbacks on it), always on beside the rest of the fake.
//!
//! The protocol, as the official SDKs (open-dingtalk/dingtalk-stream-sdk-go and -python) speak
//! it:
//!
//! 1. `POST {base_url}/v1.0/gateway/connections/open` with `{"clientId", "clientSecret",
//!    "subscriptions": [{"type", "topic"}], "ua", "localIp"}` answers `{"endpoint", "ticket"}`
//!    (see the `open` module for the refusals). The endpoint is `ws://127.0.0.1:PORT/connect`,
//!    on the fake's own listener.
//! 2. The client connects a WebSocket to `{endpoint}?ticket={url-encoded ticket}`. A ticket is
//!    good for one connection of the app it was issued to; an unknown or used one is refused
//!    with HTTP 403 `{"code": "invalidTicket", …}`. At most 16 connections are live at once
//!    (HTTP 503 beyond). The gateway sends nothing on connect: neither SDK waits for a frame.
//! 3. Frames are JSON text `{"specVersion": "1.0", "type": "SYSTEM" | "EVENT" | "CALLBACK",
//!    "headers": {"appId", "connectionId", "contentType": "application/json", "messageId",
//!    "time", "topic", …}, "data": "<JSON as a string>"}`, every header a string. Events also
//!    carry `eventType` (the topic), `eventId`, `eventBornTime`, `eventCorpId` and
//!    `eventUnifiedAppId`.
//! 4. The client acks every EVENT and CALLBACK with `{"code": 200, "headers": {"messageId",
//!    "contentType"}, "message", "data": "<JSON string>"}`, and answers a SYSTEM `ping` the same
//!    way with the ping's data.
//!
//! # Delivery
//!
//! A pushed message is sent on the newest live connection that subscribed its topic (`EVENT`
//! topic `*` takes every event; otherwise topics match exactly), and waits in a queue while there
//! is none. It is in flight until acked with code 200 (and, for an EVENT, a `status` of
//! `SUCCESS`, or no status at all: the Python SDK's event acks echo the event's data instead).
//! A message not so acked within the redelivery interval (default 60 s of tokio time;
//! [`StreamFault::RedeliverAfter`]) is sent again, on whatever connection is live then; an ack
//! with another code or `status: "LATER"` starts the interval again from the ack; a connection
//! that drops leaves its messages in flight, so they come again after the interval. Everything
//! is timed on tokio's clock: tests pause it (`#[tokio::test(start_paused = true)]`).
//!
//! # Limits
//!
//! Client frames and messages are at most 1 MiB; acks, system replies, open requests and
//! session replies keep the newest 10,000 each; tickets the newest 1,000, robot sessions the
//! newest 10,000, delivery counts the newest 100,000 message ids. The control API refuses a
//! push past 10,000 pending messages (see the `control` module); pushes from Rust are not capped.
//! A live WebSocket is not subject to the fake's header-read and idle timeouts.

mod control;
mod core;
mod fault;
mod inner;
mod open;
mod push;
mod session;
mod socket;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

pub use fault::{RecordedAck, StreamFault, SystemReply};
pub use push::Push;

pub(crate) use control::handle as control;
pub(crate) use open::{OPEN_PATH, open};
pub(crate) use session::{SESSION_PATH, send as session_send};
pub(crate) use socket::{CONNECT_PATH, upgrade};

use self::core::Settings;
use self::inner::Inner;
use self::push::{BOT_TOPIC, Message, now_millis, random_hex};

/// The default of [`MockBuilder::stream_disconnect_grace`](crate::MockBuilder::stream_disconnect_grace).
pub(crate) const DISCONNECT_GRACE: Duration = Duration::from_secs(1);

/// The fake's Stream gateway; see [`MockServer::gateway`](crate::MockServer::gateway).
///
/// A cheap handle: clones share the gateway.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tickets and sessions are credentials: only counts are shown.
        self.inner.read(|core| {
            f.debug_struct("Gateway")
                .field("opens", &core.opens)
                .field("connections", &core.accepted)
                .field("live", &core.is_live())
                .field("pending", &core.pending())
                .finish_non_exhaustive()
        })
    }
}

impl Gateway {
    /// A gateway for the app `app_key` of `corp_id`, served at `addr` (the open call checks the
    /// fake's app credentials).
    pub(crate) fn new(
        app_key: String,
        corp_id: String,
        addr: SocketAddr,
        disconnect_grace: Duration,
    ) -> Gateway {
        Gateway {
            inner: Arc::new(Inner::new(Settings {
                app_key,
                corp_id,
                addr,
                disconnect_grace,
            })),
        }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// Ends every live connection (with a clean close) and stops taking new ones' frames.
    pub(crate) fn stop(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Forgets queued and in-flight messages, records, tickets, sessions and faults, and puts
    /// the redelivery interval back to 60 s; live connections stay.
    pub(crate) fn reset(&self) {
        self.inner.with(|core, _| {
            core.reset();
            ((), Vec::new())
        });
    }

    /// Pushes a message: sent on the live connection that subscribed its topic, or queued until
    /// one connects. Returns its `messageId`.
    pub fn push(&self, push: Push) -> String {
        let settings = &self.inner.settings;
        let message = Message::from_push(push, &settings.app_key, &settings.corp_id);
        self.inner.with(|core, settings| {
            let id = core.push(message);
            (id, core.pump(settings))
        })
    }

    /// Applies a fault to the live connection now, or to the next one if none is live
    /// ([`StreamFault::FailOpen`] applies to the open endpoint, [`StreamFault::RefuseTicket`] to
    /// the next upgrade, [`StreamFault::RedeliverAfter`] and
    /// [`StreamFault::LateAckRedelivery`] to the messages that follow).
    pub fn fault(&self, fault: StreamFault) {
        self.inner.with(|core, settings| {
            core.fault(fault, settings);
            ((), core.pump(settings))
        });
    }

    /// Every EVENT and CALLBACK ack received, in arrival order (the newest 10,000).
    pub fn acks(&self) -> Vec<RecordedAck> {
        self.inner.read(|core| core.acks.iter().cloned().collect())
    }

    /// Resolves once at least `n` acks have been received in all (it has no timeout of its own:
    /// wrap it in `tokio::time::timeout`), with [`acks`](Gateway::acks).
    pub async fn wait_acks(&self, n: usize) -> Vec<RecordedAck> {
        self.inner.wait_until(|core| core.acks_total >= n).await;
        self.acks()
    }

    /// How many times the message `message_id` was sent, on any connection.
    pub fn deliveries(&self, message_id: &str) -> usize {
        self.inner.read(|core| core.deliveries(message_id))
    }

    /// Successful open calls (tickets issued).
    pub fn opens(&self) -> usize {
        self.inner.read(|core| core.opens)
    }

    /// WebSocket connections accepted (with a valid ticket).
    pub fn connections(&self) -> usize {
        self.inner.read(|core| core.accepted)
    }

    /// Resolves once [`connections`](Gateway::connections) is at least `n`.
    pub async fn wait_connections(&self, n: usize) {
        self.inner.wait_until(|core| core.accepted >= n).await;
    }

    /// Resolves once no connection is live (every accepted connection has ended).
    pub async fn wait_disconnected(&self) {
        self.inner.wait_until(|core| !core.is_live()).await;
    }

    /// Whether a connection is open now.
    pub fn is_live(&self) -> bool {
        self.inner.read(|core| core.is_live())
    }

    /// The `(type, topic)` subscriptions of the last successful open call.
    pub fn subscriptions(&self) -> Vec<(String, String)> {
        self.inner.read(|core| core.last_subscriptions.clone())
    }

    /// The bodies of the open calls (the newest 10,000), `clientSecret` replaced by
    /// `"<redacted>"`; a body that is not a JSON object is shown as a string saying so.
    pub fn open_requests(&self) -> Vec<Value> {
        self.inner
            .read(|core| core.open_requests.iter().cloned().collect())
    }

    /// Sends a SYSTEM `ping` frame (data `{"opaque": "<random>"}`) on the newest live connection
    /// that still sends (none if there is none); returns its `messageId`.
    pub fn send_system_ping(&self) -> String {
        self.inner
            .with(|core, settings| (core.ping(settings), Vec::new()))
    }

    /// The replies to SYSTEM pings, in arrival order (the newest 10,000).
    pub fn system_replies(&self) -> Vec<SystemReply> {
        self.inner
            .read(|core| core.system_replies.iter().cloned().collect())
    }

    /// The JSON bodies POSTed to the robot session webhooks of [`bot_text`](Gateway::bot_text)
    /// messages, in arrival order (the newest 10,000).
    pub fn session_replies(&self) -> Vec<Value> {
        self.inner
            .read(|core| core.session_replies.iter().cloned().collect())
    }

    /// A realistic robot text message from a user in a one-to-one chat, whose `sessionWebhook`
    /// is `{base_url}/robot/sendBySession?session=<random>` on this fake, expiring `valid_for`
    /// after now (`sessionWebhookExpiredTime`, wall clock, ms since the epoch).
    pub fn bot_text(&self, text: &str, valid_for: Duration) -> Push {
        let settings = &self.inner.settings;
        let now = now_millis();
        let valid_ms = u64::try_from(valid_for.as_millis()).unwrap_or(u64::MAX);
        let expires = now.saturating_add(valid_ms);
        let session = self
            .inner
            .with(|core, _| (core.open_session(expires), Vec::new()));
        let webhook = format!("http://{}{SESSION_PATH}?session={session}", settings.addr);
        let data = json!({
            "conversationId": format!("cid{}", random_hex(24)),
            "atUsers": [{"dingtalkId": format!("$:LWCP_v1:${}", random_hex(24))}],
            "chatbotCorpId": settings.corp_id,
            "chatbotUserId": format!("$:LWCP_v1:${}", random_hex(24)),
            "msgId": format!("msg{}", random_hex(24)),
            "senderNick": "Mock User",
            "isAdmin": false,
            "senderStaffId": "mock-staff-001",
            "sessionWebhookExpiredTime": expires,
            "createAt": now,
            "senderCorpId": settings.corp_id,
            "conversationType": "1",
            "senderId": format!("$:LWCP_v1:${}", random_hex(24)),
            "sessionWebhook": webhook,
            "text": {"content": text},
            "robotCode": settings.app_key,
            "msgtype": "text",
            "isInAtList": true,
        });
        Push::callback(BOT_TOPIC, data)
    }
}
