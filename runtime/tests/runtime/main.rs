//! Integration tests of the client runtime against a fake DingTalk on 127.0.0.1.
//!
//! One test binary (faster to build than one per file); each module covers one concern.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The robot's credentials and operation are used only by the tests of the `robot` feature.
#[cfg_attr(not(feature = "robot"), allow(dead_code))]
mod common;

mod faults;
mod hooks;
mod hostile;
mod jsapi;
mod paginate;
mod ratelimit;
mod shapes;
mod signed;
mod text_tokens;
mod tokens;
mod wire;
