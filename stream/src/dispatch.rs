//! One message's way through the client: dedup claim, handlers, ack, then complete or release.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use crate::config::Shared;
use crate::dedup::Claim;
use crate::frame::{self, Frame, MessageType};
use crate::handler::{BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, Outcome};
use crate::message::{BotMessage, CardCallback, Event, RawMessage, parse_data};

/// What the writer task sends.
#[derive(Debug)]
pub(crate) enum Out {
    /// A text frame (an ack or a ping reply).
    Text(String),
    /// A WebSocket ping.
    Ping,
    /// A close frame; the writer stops after it.
    Close,
}

/// Handles one EVENT or CALLBACK message. Runs in its own task, holding a handler permit.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    frame: Frame,
    writer: mpsc::Sender<Out>,
    permits: (OwnedSemaphorePermit, OwnedSemaphorePermit),
) {
    let id = frame.message_id().to_owned();
    let cfg = &shared.config;
    let claim = match shared.store.claim(&id, cfg.claim_lease).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the dedup store failed to claim the message; handling it anyway");
            Claim::New
        }
    };
    match claim {
        Claim::Done => {
            tracing::debug!("a redelivery of a handled message: acked again, not handled");
            send(&writer, success_ack(&frame, Value::Null)).await;
            return;
        }
        Claim::InFlight => {
            tracing::debug!("a redelivery of a message being handled: left unacked");
            return;
        }
        _ => {}
    }
    let mut abort = shared.abort.subscribe();
    let outcome = tokio::select! {
        o = AssertUnwindSafe(run_handlers(&shared, &frame)).catch_unwind() => Some(o.unwrap_or_else(|_| {
            tracing::error!("the handler panicked; the message is left for a redelivery");
            Outcome::Later
        })),
        _ = abort.wait_for(|a| *a) => None,
    };
    match outcome {
        None => {
            tracing::warn!(
                "the handler did not finish within the shutdown bound; the message is left for a redelivery"
            );
            release(&shared, &id).await;
        }
        Some(Outcome::Later) => {
            release(&shared, &id).await;
            if frame.kind == MessageType::Event {
                send(&writer, frame::event_ack(&id, true)).await;
            }
            tracing::info!("handled: LATER");
        }
        Some(outcome) => {
            let response = match outcome {
                Outcome::Response(v) => v,
                _ => Value::Null,
            };
            if let Err(e) = shared.store.complete(&id, cfg.dedup_window).await {
                tracing::warn!(error = %e, "the dedup store failed to mark the message handled");
            }
            send(&writer, success_ack(&frame, response)).await;
            tracing::debug!("handled: SUCCESS");
        }
    }
    drop(permits);
}

fn success_ack(frame: &Frame, response: Value) -> String {
    match frame.kind {
        MessageType::Callback => frame::callback_ack(frame.message_id(), response),
        _ => frame::event_ack(frame.message_id(), false),
    }
}

async fn release(shared: &Shared, id: &str) {
    if let Err(e) = shared.store.release(id).await {
        tracing::warn!(error = %e, "the dedup store failed to release the message");
    }
}

async fn send(writer: &mpsc::Sender<Out>, ack: String) {
    if writer.send(Out::Text(ack)).await.is_err() {
        tracing::info!(
            "the connection of the message is gone: no ack sent, DingTalk will redeliver it"
        );
    }
}

/// The raw handler first (if any), then the typed one. The typed handler's outcome wins; a
/// raw handler's `Later` stops the message there.
async fn run_handlers(shared: &Shared, frame: &Frame) -> Outcome {
    let handlers = &shared.handlers;
    let mut raw_outcome = None;
    if let Some(raw) = &handlers.raw {
        let outcome = raw(RawMessage::from_frame(frame)).await;
        if outcome == Outcome::Later {
            return Outcome::Later;
        }
        raw_outcome = Some(outcome);
    }
    let id = frame.message_id();
    let typed = match frame.kind {
        MessageType::Event => {
            let event = Event::from_frame(frame);
            match handlers.event_handler(&event) {
                Some(h) => Some(h(event).await),
                None => None,
            }
        }
        MessageType::Callback => match frame.topic() {
            BOT_MESSAGE_TOPIC if handlers.bot.is_some() => {
                let msg = BotMessage::from_data(
                    id,
                    &frame.headers,
                    parse_data(&frame.data),
                    Some(shared.replier.clone()),
                );
                match &handlers.bot {
                    Some(h) => Some(h(msg).await),
                    None => None,
                }
            }
            CARD_CALLBACK_TOPIC if handlers.card.is_some() => {
                let cb = CardCallback::from_data(id, &frame.headers, parse_data(&frame.data));
                match &handlers.card {
                    Some(h) => Some(h(cb).await),
                    None => None,
                }
            }
            topic => match handlers.callbacks.get(topic) {
                Some(h) => Some(h(RawMessage::from_frame(frame)).await),
                None => None,
            },
        },
        _ => None,
    };
    typed.or(raw_outcome).unwrap_or_else(|| {
        tracing::warn!("no handler for this message; acked so that it is not redelivered");
        Outcome::Success
    })
}
