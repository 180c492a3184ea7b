//! Shared by the runtime's test binaries: a scriptable fake DingTalk on 127.0.0.1 ([`fake`]), and
//! hand-written operations shaped like real ones ([`operations`]).

mod fake;
mod operations;

pub use fake::*;
pub use operations::*;
