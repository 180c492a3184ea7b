//! Messages to push to a Stream client ([`Push`]), the frames they travel in, and fresh ids.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// The topic of robot messages.
pub(crate) const BOT_TOPIC: &str = "/v1.0/im/bot/messages/get";
/// The topic of card callbacks.
pub(crate) const CARD_TOPIC: &str = "/v1.0/card/instances/callback";

/// The two kinds of message a Stream client subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `EVENT`: acked with `{"status": "SUCCESS" | "LATER"}`.
    Event,
    /// `CALLBACK`: acked with `{"response": …}`.
    Callback,
}

impl Kind {
    /// The frame's `type`.
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Kind::Event => "EVENT",
            Kind::Callback => "CALLBACK",
        }
    }
}

/// A message for [`Gateway::push`](crate::Gateway::push): an EVENT or a CALLBACK with its topic
/// and data.
#[derive(Debug, Clone)]
#[must_use = "a push does nothing until given to `Gateway::push`"]
pub struct Push {
    pub(crate) kind: Kind,
    pub(crate) topic: String,
    pub(crate) data: Value,
    pub(crate) message_id: Option<String>,
}

impl Push {
    /// An EVENT: `headers.topic` and `headers.eventType` are `topic`; `eventId`,
    /// `eventBornTime`, `eventCorpId` and `eventUnifiedAppId` are filled in when it is pushed.
    pub fn event(topic: impl Into<String>, data: Value) -> Push {
        Push::new(Kind::Event, topic.into(), data)
    }

    /// A robot message: a CALLBACK on `/v1.0/im/bot/messages/get` with `data` as given (see
    /// [`Gateway::bot_text`](crate::Gateway::bot_text) for a realistic one).
    pub fn bot_message(data: Value) -> Push {
        Push::new(Kind::Callback, BOT_TOPIC.to_owned(), data)
    }

    /// A card callback: a CALLBACK on `/v1.0/card/instances/callback`.
    pub fn card_callback(data: Value) -> Push {
        Push::new(Kind::Callback, CARD_TOPIC.to_owned(), data)
    }

    /// A CALLBACK on any topic.
    pub fn callback(topic: impl Into<String>, data: Value) -> Push {
        Push::new(Kind::Callback, topic.into(), data)
    }

    /// The `messageId` to send it with (default: a fresh unique one). Pushing an id that is still
    /// pending sends that message again.
    pub fn with_message_id(mut self, id: impl Into<String>) -> Push {
        self.message_id = Some(id.into());
        self
    }

    fn new(kind: Kind, topic: String, data: Value) -> Push {
        Push {
            kind,
            topic,
            data,
            message_id: None,
        }
    }
}

/// A message the gateway holds until it is acked: everything its frame needs but the
/// connection.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) kind: Kind,
    pub(crate) topic: String,
    /// Headers beyond the common ones (an event's `eventId` and the like).
    pub(crate) extra: Vec<(&'static str, String)>,
    /// The data as a JSON string.
    pub(crate) data: String,
}

impl Message {
    /// The message a push becomes, for an app with this key in this corp.
    pub(crate) fn from_push(push: Push, app_key: &str, corp_id: &str) -> Message {
        let id = push.message_id.unwrap_or_else(|| fresh_id("msg"));
        let mut extra = Vec::new();
        if push.kind == Kind::Event {
            extra.push(("eventType", push.topic.clone()));
            extra.push(("eventId", random_hex(32)));
            extra.push(("eventBornTime", now_millis().to_string()));
            extra.push(("eventCorpId", corp_id.to_owned()));
            extra.push(("eventUnifiedAppId", app_key.to_owned()));
        }
        Message {
            id,
            kind: push.kind,
            topic: push.topic,
            extra,
            data: push.data.to_string(),
        }
    }

    /// Its frame for the connection `connection_id` of the app `app_id`.
    pub(crate) fn frame(&self, app_id: &str, connection_id: &str) -> String {
        let mut headers = common_headers(&self.id, &self.topic, app_id, connection_id);
        for (name, value) in &self.extra {
            headers.insert((*name).to_owned(), Value::String(value.clone()));
        }
        frame(self.kind.wire(), headers, &self.data)
    }
}

/// A SYSTEM frame on `topic` with `data` (a JSON object).
pub(crate) fn system_frame(
    id: &str,
    topic: &str,
    data: &Value,
    app_id: &str,
    connection_id: &str,
) -> String {
    let headers = common_headers(id, topic, app_id, connection_id);
    frame("SYSTEM", headers, &data.to_string())
}

/// The headers every frame carries; all values are strings, as the SDKs read them.
fn common_headers(id: &str, topic: &str, app_id: &str, connection_id: &str) -> Map<String, Value> {
    let mut headers = Map::new();
    for (name, value) in [
        ("appId", app_id),
        ("connectionId", connection_id),
        ("contentType", "application/json"),
        ("messageId", id),
        ("time", &now_millis().to_string()),
        ("topic", topic),
    ] {
        headers.insert(name.to_owned(), Value::String(value.to_owned()));
    }
    headers
}

fn frame(kind: &str, headers: Map<String, Value>, data: &str) -> String {
    json!({"specVersion": "1.0", "type": kind, "headers": headers, "data": data}).to_string()
}

/// The wall clock in milliseconds since the epoch.
pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `len` hex digits that a peer cannot guess from the ones it has seen (std's randomly keyed
/// SipHash over a counter; good enough for a fake's tickets and sessions).
pub(crate) fn random_hex(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out.truncate(len);
    out
}

/// A fresh id such as `mock-msg-1f0c…`: unique within the process.
pub(crate) fn fresh_id(what: &str) -> String {
    format!("mock-{what}-{}", random_hex(24))
}
