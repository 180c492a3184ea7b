//! Handlers: async closures registered on the builder, and what they return.
//!
//! A handler is any `Fn(T) -> impl Future<Output = R>` where `R` is [`IntoOutcome`]: `()`,
//! [`Outcome`], a [`serde_json::Value`] (a callback's response), or a `Result` of those whose
//! error becomes [`Outcome::Later`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::message::{BotMessage, CardCallback, Event, RawMessage};

/// The error a handler may return: any error. It is logged and the message is left for a
/// redelivery ([`Outcome::Later`]).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What became of a message in a handler; it decides the ack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Handled. `EVENT`: acked `SUCCESS`; `CALLBACK`: acked `{"response": null}`.
    Success,
    /// Handled, with a response: a `CALLBACK` is acked `{"response": <value>}`; an `EVENT` is
    /// acked `SUCCESS`.
    Response(Value),
    /// Not handled now, deliver it again later: an `EVENT` is acked `LATER`; a `CALLBACK` is left
    /// unacked. Either way the dedup claim is released so that the redelivery is handled.
    Later,
}

/// What a handler may return.
pub trait IntoOutcome {
    /// The outcome.
    fn into_outcome(self) -> Outcome;
}

impl IntoOutcome for Outcome {
    fn into_outcome(self) -> Outcome {
        self
    }
}

impl IntoOutcome for () {
    fn into_outcome(self) -> Outcome {
        Outcome::Success
    }
}

impl IntoOutcome for Value {
    fn into_outcome(self) -> Outcome {
        Outcome::Response(self)
    }
}

impl<T: IntoOutcome, E: Into<HandlerError>> IntoOutcome for Result<T, E> {
    fn into_outcome(self) -> Outcome {
        match self {
            Ok(t) => t.into_outcome(),
            Err(e) => {
                let e: HandlerError = e.into();
                tracing::warn!(error = %e, "the handler failed; the message is left for a redelivery");
                Outcome::Later
            }
        }
    }
}

/// A registered handler, boxed.
pub(crate) type BoxHandler<T> = Arc<dyn Fn(T) -> BoxFuture<'static, Outcome> + Send + Sync>;

pub(crate) fn boxed<T, F, Fut, R>(f: F) -> BoxHandler<T>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoOutcome + 'static,
{
    Arc::new(move |t| {
        let fut = f(t);
        Box::pin(async move { fut.await.into_outcome() })
    })
}

/// The topic of robot messages.
pub const BOT_MESSAGE_TOPIC: &str = "/v1.0/im/bot/messages/get";
/// The topic of card callbacks.
pub const CARD_CALLBACK_TOPIC: &str = "/v1.0/card/instances/callback";

/// Every registered handler.
#[derive(Default, Clone)]
pub(crate) struct Handlers {
    /// By event type or topic; `*` catches every event.
    pub(crate) events: HashMap<String, BoxHandler<Event>>,
    pub(crate) bot: Option<BoxHandler<BotMessage>>,
    pub(crate) card: Option<BoxHandler<CardCallback>>,
    /// Other callback topics.
    pub(crate) callbacks: HashMap<String, BoxHandler<RawMessage>>,
    /// Sees every EVENT and CALLBACK first.
    pub(crate) raw: Option<BoxHandler<RawMessage>>,
}

impl Handlers {
    pub(crate) fn event_handler(&self, event: &Event) -> Option<&BoxHandler<Event>> {
        self.events
            .get(&event.event_type)
            .or_else(|| self.events.get(&event.topic))
            .or_else(|| self.events.get("*"))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.bot.is_none()
            && self.card.is_none()
            && self.callbacks.is_empty()
            && self.raw.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_map_to_outcomes() {
        assert_eq!(().into_outcome(), Outcome::Success);
        assert_eq!(Ok::<_, HandlerError>(()).into_outcome(), Outcome::Success);
        assert_eq!(Err::<(), _>("boom").into_outcome(), Outcome::Later);
        assert_eq!(
            Ok::<_, std::io::Error>(serde_json::json!({"a": 1})).into_outcome(),
            Outcome::Response(serde_json::json!({"a": 1}))
        );
    }
}
