//! End-to-end tests of the Stream client against the fake DingTalk gateway, on paused tokio
//! time (client and fake in one runtime, real loopback sockets, no wall-clock sleeps).

mod common;
mod delivery;
mod reconnect;
mod replies;
mod shutdown;
