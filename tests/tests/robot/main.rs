//! The group robot end to end: `client.robot().send(..)` against a loopback server that records
//! every request, for each message type, signed and unsigned; the robot's error answers (errcode
//! as a number and as a string) as typed errors; and the local guards (body size, the 20-a-minute
//! limiter with both policies), which send nothing.
//!
//! [`server`] is the recording server and the wire check, [`wire`] sends every message type,
//! [`answers`] reads the robot's refusals, and [`guards`] covers the local body-size and rate
//! guards.

mod answers;
mod guards;
mod server;
mod wire;
