//! The hand-written runtime of `dingtalk-openapi`.
//!
//! This crate is ordinary, tested Rust. `cargo xtask gen` copies its sources verbatim into the
//! generated crate as `src/runtime/`, so every path between its modules is written `super::…`,
//! never `crate::…` (a tidy test checks this). The generated crate re-exports its public items.

pub mod operation;
pub mod primitives;
#[doc(hidden)]
pub mod record;
pub mod validate;

pub mod error;

pub mod client;
pub mod future;

pub mod paginate;
pub(crate) mod ratelimit;
pub(crate) mod retry;
pub mod token;
pub(crate) mod transport;

pub use client::{Client, ClientBuilder};
pub use error::{BoxError, Error, RateLimit};
pub use future::{Items, Pages, ResponseFuture};
pub use ratelimit::CallRate;
pub use token::{CachedToken, MemoryTokenStore, TokenStore};

#[cfg(feature = "callback")]
pub mod callback;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "robot")]
pub mod robot;
