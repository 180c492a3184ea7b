//! What a test can make the Stream gateway do wrong ([`StreamFault`]), what it records of the
//! client's answers ([`RecordedAck`], [`SystemReply`]), and their JSON forms for the control API.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

/// The longest redelivery interval the control API takes (one day).
const MAX_REDELIVER_MS: u64 = 86_400_000;
/// The longest text field of a fault from the control API, in bytes.
const MAX_FAULT_TEXT: usize = 1_024;

/// One misbehaviour of DingTalk's Stream gateway; see [`Gateway::fault`](crate::Gateway::fault).
///
/// The connection faults (`Disconnect`, `AbruptClose`, `Close`, `PolicyClose`, `Zombie`) apply to the newest
/// live connection that is not already being closed, or, when there is none, to the next
/// connection accepted (right after its handshake).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamFault {
    /// Sends a SYSTEM `disconnect` frame, then closes the socket cleanly (1000) after a grace
    /// ([`MockBuilder::stream_disconnect_grace`](crate::MockBuilder::stream_disconnect_grace),
    /// default 1 s of tokio time). Nothing more is pushed on that connection meanwhile.
    Disconnect,
    /// Drops the TCP connection (a reset) without a close frame.
    AbruptClose,
    /// A clean WebSocket close (code 1000).
    Close,
    /// A WebSocket close with code 1008 (policy violation), as the gateway closes a connection it
    /// will not serve (a ticket it refuses after the upgrade).
    PolicyClose,
    /// The connection keeps answering WebSocket pings with pongs but sends nothing more: pushed
    /// messages wait for the next connection.
    Zombie,
    /// From now on, messages not acked with success within this are sent again (default 60 s).
    RedeliverAfter(Duration),
    /// The next pushed message is sent twice in a row, before any ack (a duplicate delivery on the
    /// same connection, as DingTalk makes when an ack arrives late).
    LateAckRedelivery,
    /// The next WebSocket upgrade with a valid ticket is refused (HTTP 403); the ticket is used up.
    RefuseTicket,
    /// The next `times` open calls fail with this HTTP status and DingTalk's v1.0 error envelope
    /// `{"code", "message", "requestid"}`.
    FailOpen {
        /// The HTTP status, e.g. 500 or 429.
        status: u16,
        /// The v1.0 `code`, e.g. `systemError`.
        code: String,
        /// The `message`.
        message: String,
        /// How many open calls fail.
        times: usize,
    },
}

/// An ack of an EVENT or CALLBACK message, as the gateway received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAck {
    /// The `headers.messageId` it acks.
    pub message_id: String,
    /// Its `code` (200 for success).
    pub code: i64,
    /// Its `message`.
    pub message: String,
    /// Its `data` string parsed as JSON (`Value::String` of the raw text if it is not JSON).
    pub data: Value,
    /// The 1-based index of the WebSocket connection it came on.
    pub connection: usize,
}

impl RecordedAck {
    /// The JSON form the control API shows.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "messageId": self.message_id,
            "code": self.code,
            "message": self.message,
            "data": self.data,
            "connection": self.connection,
        })
    }
}

/// The client's reply to a SYSTEM `ping` frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemReply {
    /// The ping's `messageId`, as the reply's `headers.messageId` names it.
    pub message_id: String,
    /// Its `code`.
    pub code: i64,
    /// Its `data` string parsed as JSON (`Value::String` of the raw text if it is not JSON).
    pub data: Value,
}

/// A fault as the control API takes it: one of the strings `"disconnect"`, `"abrupt_close"`,
/// `"close"`, `"policy_close"`, `"zombie"`, `"late_ack_redelivery"`, `"refuse_ticket"`, or
/// `{"redeliver_after_ms": N}`, or
/// `{"fail_open": {"status", "code"?, "message"?, "times"?}}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum FaultSpec {
    Named(String),
    Redeliver(RedeliverSpec),
    FailOpen(FailOpenWrapper),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedeliverSpec {
    redeliver_after_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FailOpenWrapper {
    fail_open: FailOpenSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FailOpenSpec {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    times: Option<u32>,
}

impl FaultSpec {
    /// The fault, or what is wrong with it.
    pub(crate) fn into_fault(self) -> Result<StreamFault, String> {
        Ok(match self {
            FaultSpec::Named(name) => match name.as_str() {
                "disconnect" => StreamFault::Disconnect,
                "abrupt_close" => StreamFault::AbruptClose,
                "close" => StreamFault::Close,
                "policy_close" => StreamFault::PolicyClose,
                "zombie" => StreamFault::Zombie,
                "late_ack_redelivery" => StreamFault::LateAckRedelivery,
                "refuse_ticket" => StreamFault::RefuseTicket,
                other => {
                    return Err(format!(
                        "unknown stream fault `{other}` (disconnect, abrupt_close, close, policy_close, zombie, \
                         late_ack_redelivery, refuse_ticket, {{\"redeliver_after_ms\"}}, \
                         {{\"fail_open\"}})"
                    ));
                }
            },
            FaultSpec::Redeliver(r) if r.redeliver_after_ms > MAX_REDELIVER_MS => {
                return Err(format!(
                    "redeliver_after_ms {} is over the limit of {MAX_REDELIVER_MS} (one day)",
                    r.redeliver_after_ms
                ));
            }
            FaultSpec::Redeliver(r) => {
                StreamFault::RedeliverAfter(Duration::from_millis(r.redeliver_after_ms))
            }
            FaultSpec::FailOpen(FailOpenWrapper { fail_open: f }) => {
                if !(400..=599).contains(&f.status) {
                    return Err(format!(
                        "fail_open status {} is not an HTTP error status",
                        f.status
                    ));
                }
                for (name, text) in [("code", &f.code), ("message", &f.message)] {
                    if let Some(text) = text
                        && text.len() > MAX_FAULT_TEXT
                    {
                        return Err(format!(
                            "fail_open `{name}` is {} bytes, at most {MAX_FAULT_TEXT} are taken",
                            text.len()
                        ));
                    }
                }
                StreamFault::FailOpen {
                    status: f.status,
                    code: f.code.unwrap_or_else(|| "systemError".to_owned()),
                    message: f
                        .message
                        .unwrap_or_else(|| format!("mock fault: HTTP {}", f.status)),
                    times: usize::try_from(f.times.unwrap_or(1)).unwrap_or(usize::MAX),
                }
            }
        })
    }
}

/// The `data` string of a frame parsed as JSON, or the raw text as a JSON string.
pub(crate) fn parse_data(data: Option<&Value>) -> Value {
    match data {
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: Value) -> Result<StreamFault, String> {
        serde_json::from_value::<FaultSpec>(json)
            .map_err(|e| e.to_string())?
            .into_fault()
    }

    #[test]
    fn every_fault_has_a_json_form() {
        let cases = [
            (json!("disconnect"), StreamFault::Disconnect),
            (json!("abrupt_close"), StreamFault::AbruptClose),
            (json!("close"), StreamFault::Close),
            (json!("policy_close"), StreamFault::PolicyClose),
            (json!("zombie"), StreamFault::Zombie),
            (json!("late_ack_redelivery"), StreamFault::LateAckRedelivery),
            (json!("refuse_ticket"), StreamFault::RefuseTicket),
            (
                json!({"redeliver_after_ms": 1500}),
                StreamFault::RedeliverAfter(Duration::from_millis(1500)),
            ),
            (
                json!({"fail_open": {"status": 429, "code": "Throttling", "times": 3}}),
                StreamFault::FailOpen {
                    status: 429,
                    code: "Throttling".into(),
                    message: "mock fault: HTTP 429".into(),
                    times: 3,
                },
            ),
        ];
        for (json, fault) in cases {
            assert_eq!(parse(json.clone()), Ok(fault), "{json}");
        }
    }

    #[test]
    fn bad_faults_name_the_problem() {
        for (json, expected) in [
            (json!("explode"), "unknown stream fault `explode`"),
            (
                json!({"redeliver_after_ms": 86_400_001u64}),
                "over the limit",
            ),
            (
                json!({"fail_open": {"status": 200}}),
                "not an HTTP error status",
            ),
            (
                json!({"fail_open": {"status": 500, "code": "x".repeat(2000)}}),
                "`code` is 2000 bytes",
            ),
        ] {
            let error = parse(json.clone()).expect_err("refused");
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn data_strings_are_parsed_when_they_are_json() {
        assert_eq!(parse_data(Some(&json!("{\"a\":1}"))), json!({"a": 1}));
        assert_eq!(parse_data(Some(&json!("plain"))), json!("plain"));
        assert_eq!(parse_data(None), Value::Null);
    }
}
