//! The runtime of the `dingtalk-openapi` client.
//!
//! `dingtalk-openapi` is generated from a spec of DingTalk's documented endpoints: one request
//! type, one response type and one method per operation. Everything those need at run time is
//! here, written by hand and tested on its own: the [`Client`] (tokens fetched once and cached,
//! retries with backoff, per-operation pacing, typed [`Error`]s), the [`Operation`] trait every
//! generated request implements, pagination streams, the group robot and event-callback crypto.
//!
//! Several instances of one app can share their token and their rate budget through the
//! [`TokenStore`] and [`CallLimiter`] seams (`dingtalk-openapi-redis` implements both on Redis).
//!
//! Most programs depend on `dingtalk-openapi` alone, which re-exports what a caller needs. Depend
//! on this crate directly to send an endpoint the generated crate lacks: implement
//! [`Operation`] on a request type of your own and pass it to [`Client::execute`].
//!
//! [`login`] signs what JSAPI mode and the SNS and login-free calls need: the `dd.config` object of
//! a micro-app page, and the `accessKey`/`timestamp`/`signature` query.
//!
//! Items under `__private` exist for generated code only; they are not part of the API and may
//! change in any release (the generated crate pins this crate at one exact version).
//!
//! [`Operation`]: operation::Operation
//!
//! # Features
//!
//! | feature | default | what |
//! | --- | --- | --- |
//! | `robot` | yes | the custom group robot: [`robot::RobotWebhook`], signing, the robot limiter |
//! | `callback` | yes | event-callback crypto: [`callback::CallbackCrypto`] and typed events |
//! | `dynamic` | no | operations reached by id at run time: `dynamic::DynOperation` (the generated crate's `deserialize-requests` turns it on) |
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod operation;
pub mod primitives;
pub(crate) mod record;
pub mod validate;

pub mod error;

pub mod client;
pub mod future;
pub mod hooks;
pub mod login;

pub mod paginate;
pub mod ratelimit;
pub(crate) mod retry;
pub mod time;
pub mod token;
pub(crate) mod transport;
pub mod upload;

pub use client::{Client, ClientBuilder};
pub use error::{BoxError, Error, RateLimit};
pub use future::{Items, Pages, ResponseFuture};
pub use ratelimit::{CallLimiter, CallRate, LimitPolicy};
pub use token::{CachedToken, MemoryTokenStore, TokenLease, TokenStore};
pub use upload::FilePart;

#[cfg(feature = "callback")]
#[cfg_attr(docsrs, doc(cfg(feature = "callback")))]
pub mod callback;
#[cfg(feature = "dynamic")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
pub mod dynamic;
#[cfg(feature = "robot")]
#[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
pub mod robot;

/// For generated code only: the serde plumbing of generated types and the constructors of
/// static operation facts. Not part of the API; it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::primitives::{
        deserialize_lenient_i64, deserialize_open_enum, serialize_open_enum,
    };
    /// The serde plumbing of generated objects; see the module's own docs.
    pub mod record {
        pub use crate::record::*;
    }
    pub use dingtalk_openapi_derive::Wire;
    pub use dingtalk_openapi_model::__private::OperationParts;
    pub use serde;
}
