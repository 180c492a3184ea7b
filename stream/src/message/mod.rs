//! What handlers receive: [`Event`], [`BotMessage`], [`CardCallback`] and, for everything,
//! [`RawMessage`].

mod bot;
mod card;

pub(crate) use bot::Replier;
pub use bot::{AtUser, BotMessage, BotText, SessionWebhook};
pub use card::{CardAction, CardCallback};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::frame::{Frame, Headers, MessageType};

/// An `EVENT` message: an event subscription's delivery.
///
/// ```no_run
/// # use dingtalk_openapi_stream::{Event, Outcome};
/// # fn f(event: Event) {
/// #[derive(serde::Deserialize)]
/// struct UserAdd { #[serde(rename = "UserId")] user_id: Vec<String> }
/// if event.event_type == "user_add_org" {
///     let added: UserAdd = event.data_as().unwrap();
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event {
    /// The frame's `messageId` (the dedup key).
    pub message_id: String,
    /// The frame's topic (`*` for the catch-all subscription).
    pub topic: String,
    /// `eventType`, such as `user_add_org` or `chat_update_title`.
    pub event_type: String,
    /// `eventId`: the event's own id (a redelivery keeps it).
    pub event_id: String,
    /// `eventCorpId`: the organisation the event comes from.
    pub corp_id: String,
    /// `eventBornTime`: when the event happened, in ms since the Unix epoch.
    pub born_time_ms: Option<i64>,
    /// Every header of the frame.
    pub headers: Headers,
    /// The event's data (a JSON string that is not JSON is kept as a string value).
    pub data: Value,
}

impl Event {
    pub(crate) fn from_frame(frame: &Frame) -> Event {
        let h = &frame.headers;
        Event {
            message_id: frame.message_id().to_owned(),
            topic: frame.topic().to_owned(),
            event_type: h.get_or_empty("eventType").to_owned(),
            event_id: h.get_or_empty("eventId").to_owned(),
            corp_id: h.get_or_empty("eventCorpId").to_owned(),
            born_time_ms: h.get("eventBornTime").and_then(|t| t.trim().parse().ok()),
            headers: h.clone(),
            data: parse_data(&frame.data),
        }
    }

    /// The data decoded as `T`.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data)
    }
}

/// Any `EVENT` or `CALLBACK` message as it came: what the generic handler
/// ([`on_message`](crate::StreamClientBuilder::on_message)) sees.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawMessage {
    /// `EVENT` or `CALLBACK`.
    pub kind: MessageType,
    /// The topic header.
    pub topic: String,
    /// The `messageId` header.
    pub message_id: String,
    /// Every header.
    pub headers: Headers,
    /// The `data` string as sent (a JSON document by the protocol).
    pub data: String,
}

impl RawMessage {
    pub(crate) fn from_frame(frame: &Frame) -> RawMessage {
        RawMessage {
            kind: frame.kind.clone(),
            topic: frame.topic().to_owned(),
            message_id: frame.message_id().to_owned(),
            headers: frame.headers.clone(),
            data: frame.data.clone(),
        }
    }

    /// The data decoded as JSON (a string that is not JSON comes back as a string value).
    pub fn data_json(&self) -> Value {
        parse_data(&self.data)
    }

    /// The data decoded as `T`.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.data)
    }
}

pub(crate) fn parse_data(data: &str) -> Value {
    if data.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_reads_its_headers_and_data() {
        let frame = Frame::parse(
            r#"{"type":"EVENT","headers":{"messageId":"m","topic":"*","eventType":"t",
                "eventId":"e","eventCorpId":"c","eventBornTime":"1700000000000"},
                "data":"{\"UserId\":[\"u1\"]}"}"#,
        )
        .unwrap();
        let e = Event::from_frame(&frame);
        assert_eq!(
            (
                e.event_type.as_str(),
                e.event_id.as_str(),
                e.corp_id.as_str()
            ),
            ("t", "e", "c")
        );
        assert_eq!(e.born_time_ms, Some(1_700_000_000_000));
        #[derive(serde::Deserialize)]
        struct D {
            #[serde(rename = "UserId")]
            user_id: Vec<String>,
        }
        assert_eq!(e.data_as::<D>().unwrap().user_id, ["u1"]);
    }

    #[test]
    fn data_that_is_not_json_stays_a_string() {
        assert_eq!(parse_data("hello"), Value::String("hello".into()));
        assert_eq!(parse_data(""), Value::Null);
    }
}
