//! DingTalk Stream mode: one outbound WebSocket carries events, robot messages and card
//! callbacks.
//!
//! A [`StreamClient`] opens a connection (`POST /v1.0/gateway/connections/open` for an
//! endpoint and a single-use ticket), hands each message to its handler with at most
//! [`max_concurrent_handlers`](StreamClientBuilder::max_concurrent_handlers) running at once,
//! acks it by the handler's [`Outcome`], answers the gateway's pings, and reconnects (a fresh
//! ticket each time, with jittered backoff after failures) until it is shut down.
//!
//! Guarantees:
//! - **Dedup**: a `messageId` is claimed in a [`DedupStore`](dedup::DedupStore) before its
//!   handler runs; a redelivery within the window is acked again without being handled, and a
//!   redelivery of a message still being handled is left unacked.
//! - **Nothing lost on reconnect**: a message is acked only once its handler finished; one not
//!   yet handled when the socket drops stays unacked and DingTalk redelivers it.
//! - **Graceful shutdown**: [`ShutdownHandle::shutdown`] stops taking messages, lets running
//!   handlers finish within the bound, sends their acks, then closes the socket.
//!
//! ```no_run
//! use dingtalk_openapi_stream::{BotMessage, StreamClient};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let client = StreamClient::builder("ding-app-key", "app-secret")
//!     .on_bot_message(|msg: BotMessage| async move { msg.reply_text("pong").await })
//!     .build()?;
//! client.run_until(async { tokio::signal::ctrl_c().await.ok(); }).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod dedup;

mod backoff;
mod builder;
mod client;
mod config;
mod connection;
mod dispatch;
mod error;
mod frame;
mod handler;
mod message;
mod open;

pub use builder::{DEFAULT_API_BASE, StreamClientBuilder};
pub use client::{ShutdownHandle, StreamClient};
pub use error::{ReplyError, StreamError};
pub use frame::{Headers, MessageType, Subscription, SubscriptionType};
pub use handler::{BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, HandlerError, IntoOutcome, Outcome};
pub use message::{
    AtUser, BotMessage, BotText, CardAction, CardCallback, Event, RawMessage, SessionWebhook,
};
