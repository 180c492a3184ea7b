//! The Stream gateway's part of the control API, under `/__mock/stream`:
//!
//! | request | effect | answer |
//! | --- | --- | --- |
//! | `POST /__mock/stream/push` `{"type": "EVENT" \| "CALLBACK", "topic", "data"?, "messageId"?}` | pushes a message | `{"messageId"}` |
//! | `GET /__mock/stream/acks` | | every recorded ack, oldest first: `[{"messageId", "code", "message", "data", "connection"}]` |
//! | `POST /__mock/stream/faults` `{"fault": …}` | applies a [`StreamFault`] | `{"ok": true}` |
//! | `GET /__mock/stream` | | `{"opens", "connections", "live", "pending", "acks"}` |
//!
//! A fault is one of the strings `"disconnect"`, `"abrupt_close"`, `"close"`, `"zombie"`,
//! `"late_ack_redelivery"`, `"refuse_ticket"`, or `{"redeliver_after_ms": N}` (at most one day),
//! or `{"fail_open": {"status": 500, "code"?, "message"?, "times"?}}`.
//!
//! Limits, each a 400 naming it: at most 10,000 messages pending (queued or in flight) for a
//! push; a topic of 1 to 1,024 bytes; a `messageId` of at most 256 bytes; data of at most
//! 1 MiB as JSON; at most 100 connection faults waiting for the next connection.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::gateway::Gateway;
use crate::gateway::core::MAX_NEXT_FAULTS;
use crate::gateway::fault::{FaultSpec, StreamFault};
use crate::gateway::push::Push;

/// How many messages may be pending when the control API pushes another.
const MAX_PENDING: usize = 10_000;
/// The longest topic, in bytes.
const MAX_TOPIC: usize = 1_024;
/// The longest message id, in bytes.
const MAX_ID: usize = 256;
/// The largest data, as JSON text.
const MAX_DATA: usize = 1 << 20;

/// `POST /__mock/stream/push`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PushSpec {
    #[serde(rename = "type")]
    kind: String,
    topic: String,
    #[serde(default)]
    data: Value,
    #[serde(rename = "messageId")]
    message_id: Option<String>,
}

/// `POST /__mock/stream/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    fault: FaultSpec,
}

/// Answers `/__mock/stream/{action}`; `None` when there is no such action.
pub(crate) fn handle(
    gateway: &Gateway,
    post: bool,
    action: &str,
    body: &[u8],
) -> Option<Result<Value, String>> {
    Some(match (post, action) {
        (true, "push") => push(gateway, body),
        (false, "acks") => Ok(gateway.acks().iter().map(|a| a.to_json()).collect()),
        (true, "faults") => fault(gateway, body),
        (false, "") => Ok(json!({
            "opens": gateway.opens(),
            "connections": gateway.connections(),
            "live": gateway.is_live(),
            "pending": gateway.inner().read(|core| core.pending()),
            "acks": gateway.inner().read(|core| core.acks_total),
        })),
        _ => return None,
    })
}

fn push(gateway: &Gateway, body: &[u8]) -> Result<Value, String> {
    let spec: PushSpec =
        serde_json::from_slice(body).map_err(|e| format!("bad stream push: {e}"))?;
    if spec.topic.is_empty() || spec.topic.len() > MAX_TOPIC {
        return Err(format!("`topic` must be 1 to {MAX_TOPIC} bytes"));
    }
    if spec.data.to_string().len() > MAX_DATA {
        return Err(format!("`data` is over {MAX_DATA} bytes as JSON"));
    }
    let mut push = match spec.kind.as_str() {
        "EVENT" => Push::event(spec.topic, spec.data),
        "CALLBACK" => Push::callback(spec.topic, spec.data),
        other => return Err(format!("unknown type `{other}` (EVENT, CALLBACK)")),
    };
    if let Some(id) = spec.message_id {
        if id.is_empty() || id.len() > MAX_ID {
            return Err(format!("`messageId` must be 1 to {MAX_ID} bytes"));
        }
        push = push.with_message_id(id);
    }
    let pending = gateway.inner().read(|core| core.pending());
    if pending >= MAX_PENDING {
        return Err(format!(
            "{pending} messages are pending: at most {MAX_PENDING} are held at once \
             (ack them, or POST /__mock/reset)"
        ));
    }
    Ok(json!({"messageId": gateway.push(push)}))
}

fn fault(gateway: &Gateway, body: &[u8]) -> Result<Value, String> {
    let request: FaultRequest =
        serde_json::from_slice(body).map_err(|e| format!("bad stream fault: {e}"))?;
    let fault = request.fault.into_fault()?;
    let connection_fault = matches!(
        fault,
        StreamFault::Disconnect
            | StreamFault::AbruptClose
            | StreamFault::Close
            | StreamFault::PolicyClose
            | StreamFault::Zombie
    );
    let waiting = gateway.inner().read(|core| core.next_faults.len());
    if connection_fault && !gateway.is_live() && waiting >= MAX_NEXT_FAULTS {
        return Err(format!(
            "{waiting} connection faults wait for the next connection: at most {MAX_NEXT_FAULTS} \
             (POST /__mock/reset drops them)"
        ));
    }
    gateway.fault(fault);
    Ok(json!({"ok": true}))
}
