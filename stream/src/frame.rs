//! The wire format of Stream mode: the frames DingTalk sends, the acks the client answers with,
//! and the open call's request and response.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `type` of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// Connection control: `ping`, `disconnect`, `CONNECTED`…
    System,
    /// An event subscription (`EVENT`); acked with `{"status": "SUCCESS"|"LATER"}`.
    Event,
    /// A callback (`CALLBACK`): robot messages, card callbacks; acked with `{"response": …}`.
    Callback,
    /// A type this client does not know, as sent.
    Other(String),
}

impl MessageType {
    pub(crate) fn parse(s: &str) -> MessageType {
        match s {
            "SYSTEM" => MessageType::System,
            "EVENT" => MessageType::Event,
            "CALLBACK" => MessageType::Callback,
            other => MessageType::Other(other.to_owned()),
        }
    }

    /// The wire name: `SYSTEM`, `EVENT`, `CALLBACK`, or the unknown name as sent.
    pub fn as_str(&self) -> &str {
        match self {
            MessageType::System => "SYSTEM",
            MessageType::Event => "EVENT",
            MessageType::Callback => "CALLBACK",
            MessageType::Other(s) => s,
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The headers of a frame (`messageId`, `topic`, `contentType`, `time`, `eventType`…), each
/// value as a string (numbers and booleans are written out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(BTreeMap<String, String>);

impl Headers {
    /// A header's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A header's value, or `""`.
    pub(crate) fn get_or_empty(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// Every header, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The headers as a map.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    fn from_json(map: Map<String, Value>) -> Headers {
        Headers(
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Null => None,
                    other => Some((k, other.to_string())),
                })
                .collect(),
        )
    }
}

/// One frame from DingTalk, decoded.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) kind: MessageType,
    pub(crate) headers: Headers,
    /// The `data` string (a JSON document as a string, by the protocol).
    pub(crate) data: String,
}

#[derive(Deserialize)]
struct WireFrame {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    headers: Option<Map<String, Value>>,
    #[serde(default)]
    data: Value,
}

/// Why a text frame was not understood.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FrameError {
    #[error("the frame is not a JSON Stream frame: {0}")]
    Json(#[from] serde_json::Error),
}

impl Frame {
    pub(crate) fn parse(text: &str) -> Result<Frame, FrameError> {
        let wire: WireFrame = serde_json::from_str(text)?;
        let data = match wire.data {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        Ok(Frame {
            kind: MessageType::parse(&wire.kind),
            headers: Headers::from_json(wire.headers.unwrap_or_default()),
            data,
        })
    }

    pub(crate) fn message_id(&self) -> &str {
        self.headers.get_or_empty("messageId")
    }

    pub(crate) fn topic(&self) -> &str {
        self.headers.get_or_empty("topic")
    }
}

#[derive(Serialize)]
struct WireAck<'a> {
    code: u16,
    headers: AckHeaders<'a>,
    message: &'a str,
    data: String,
}

#[derive(Serialize)]
struct AckHeaders<'a> {
    #[serde(rename = "messageId")]
    message_id: &'a str,
    #[serde(rename = "contentType")]
    content_type: &'a str,
}

/// An ack frame: code 200, the message's id, `message: "OK"` and `data` as a string.
pub(crate) fn ack(message_id: &str, data: String) -> String {
    let ack = WireAck {
        code: 200,
        headers: AckHeaders {
            message_id,
            content_type: "application/json",
        },
        message: "OK",
        data,
    };
    serde_json::to_string(&ack).unwrap_or_default()
}

/// The ack of an EVENT: `{"status": "SUCCESS"|"LATER", "message": …}`.
pub(crate) fn event_ack(message_id: &str, later: bool) -> String {
    let data = if later {
        serde_json::json!({"status": "LATER", "message": "later"})
    } else {
        serde_json::json!({"status": "SUCCESS", "message": "success"})
    };
    ack(message_id, data.to_string())
}

/// The ack of a CALLBACK: `{"response": …}`.
pub(crate) fn callback_ack(message_id: &str, response: Value) -> String {
    ack(
        message_id,
        serde_json::json!({ "response": response }).to_string(),
    )
}

/// The kind of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SubscriptionType {
    /// `EVENT`: event subscriptions (topic `*` for all of them, or one event type).
    #[serde(rename = "EVENT")]
    Event,
    /// `CALLBACK`: robot messages, card callbacks and other callback topics.
    #[serde(rename = "CALLBACK")]
    Callback,
}

/// One subscription of the open call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Subscription {
    /// `EVENT` or `CALLBACK`.
    #[serde(rename = "type")]
    pub kind: SubscriptionType,
    /// The topic: `*`, an event type, `/v1.0/im/bot/messages/get`…
    pub topic: String,
}

impl Subscription {
    /// An `EVENT` subscription.
    pub fn event(topic: impl Into<String>) -> Subscription {
        Subscription {
            kind: SubscriptionType::Event,
            topic: topic.into(),
        }
    }

    /// A `CALLBACK` subscription.
    pub fn callback(topic: impl Into<String>) -> Subscription {
        Subscription {
            kind: SubscriptionType::Callback,
            topic: topic.into(),
        }
    }
}

/// The body of the open call.
#[derive(Serialize)]
pub(crate) struct OpenRequest<'a> {
    #[serde(rename = "clientId")]
    pub(crate) client_id: &'a str,
    #[serde(rename = "clientSecret")]
    pub(crate) client_secret: &'a str,
    pub(crate) subscriptions: &'a [Subscription],
    pub(crate) ua: &'a str,
    #[serde(rename = "localIp")]
    pub(crate) local_ip: String,
}

/// The answer of the open call. Its Debug hides the ticket.
#[derive(Deserialize)]
pub(crate) struct OpenResponse {
    #[serde(default)]
    pub(crate) endpoint: String,
    #[serde(default)]
    pub(crate) ticket: String,
}

impl fmt::Debug for OpenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenResponse")
            .field("endpoint", &self.endpoint)
            .field("ticket", &"<redacted>")
            .finish()
    }
}

/// DingTalk's v1.0 error envelope.
#[derive(Deserialize, Default)]
pub(crate) struct ErrorEnvelope {
    #[serde(default)]
    pub(crate) code: Option<Value>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default, alias = "requestId")]
    pub(crate) requestid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_frame_is_decoded_with_its_headers_and_data_string() {
        let text = json!({
            "specVersion": "1.0", "type": "EVENT",
            "headers": {"messageId": "m1", "topic": "*", "eventType": "user_add_org",
                        "eventBornTime": 1700000000000u64, "time": "1"},
            "data": "{\"a\":1}"
        })
        .to_string();
        let f = Frame::parse(&text).unwrap();
        assert_eq!(f.kind, MessageType::Event);
        assert_eq!(f.message_id(), "m1");
        assert_eq!(f.topic(), "*");
        assert_eq!(f.headers.get("eventBornTime"), Some("1700000000000"));
        assert_eq!(f.data, "{\"a\":1}");
    }

    #[test]
    fn odd_frames_do_not_panic() {
        assert!(Frame::parse("not json").is_err());
        let f = Frame::parse(r#"{"type":"WHAT","data":{"x":1}}"#).unwrap();
        assert_eq!(f.kind, MessageType::Other("WHAT".into()));
        assert_eq!(f.data, r#"{"x":1}"#);
        assert_eq!(f.message_id(), "");
        let f = Frame::parse(r#"{"headers":null}"#).unwrap();
        assert_eq!(f.kind, MessageType::Other(String::new()));
    }

    #[test]
    fn acks_follow_the_protocol() {
        let a: Value = serde_json::from_str(&event_ack("m1", false)).unwrap();
        assert_eq!(a["code"], 200);
        assert_eq!(a["message"], "OK");
        assert_eq!(a["headers"]["messageId"], "m1");
        assert_eq!(a["headers"]["contentType"], "application/json");
        let data: Value = serde_json::from_str(a["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["status"], "SUCCESS");

        let a: Value = serde_json::from_str(&event_ack("m2", true)).unwrap();
        let data: Value = serde_json::from_str(a["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["status"], "LATER");

        let a: Value = serde_json::from_str(&callback_ack("m3", json!({"x": 1}))).unwrap();
        let data: Value = serde_json::from_str(a["data"].as_str().unwrap()).unwrap();
        assert_eq!(data, json!({"response": {"x": 1}}));
    }

    #[test]
    fn the_open_request_has_the_documented_shape() {
        let subs = [
            Subscription::event("*"),
            Subscription::callback("/v1.0/im/bot/messages/get"),
        ];
        let body = serde_json::to_value(OpenRequest {
            client_id: "k",
            client_secret: "s",
            subscriptions: &subs,
            ua: "ua",
            local_ip: "10.0.0.1".into(),
        })
        .unwrap();
        assert_eq!(
            body,
            json!({"clientId": "k", "clientSecret": "s", "ua": "ua", "localIp": "10.0.0.1",
                   "subscriptions": [{"type": "EVENT", "topic": "*"},
                                     {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]})
        );
    }

    #[test]
    fn the_open_response_debug_hides_the_ticket() {
        let r: OpenResponse =
            serde_json::from_str(r#"{"endpoint":"wss://x","ticket":"TICKET-SECRET"}"#).unwrap();
        assert!(!format!("{r:?}").contains("TICKET-SECRET"));
    }
}
