//! Compile tests of the generated `dingtalk-openapi` API, driven by [trybuild].
//!
//! `trybuild/pass/*.rs` are programs a user would write: for every operation of the area each is
//! named after (the six areas of the documented tables, and `event_callback`; the other oapi
//! areas are covered by the example round trips of `tests/tests/examples` instead) they build a
//! request through its constructor, setters, open enums and primitives, call `validate()`
//! through the `Operation` trait, and type-check the client call (and the `_pages` / `_items`
//! streams of paginated operations) inside an `async fn` that is never run. They must compile
//! and run.
//!
//! `trybuild/fail/*.rs` are mistakes the types must reject, each with the one compiler error it
//! should produce in the `.stderr` beside it: a required field left out of `new`, an integer
//! where an open enum is expected, a setter for a field that does not exist, a
//! `#[non_exhaustive]` response built by struct literal, a request handed to another
//! operation's method, and misuses of the `Wire` and `OpenEnum` derives (each an error at the
//! mistake).
//!
//! Run with `cargo test -p compile-tests`; regenerate the expected errors after a deliberate
//! change with `TRYBUILD=overwrite cargo test -p compile-tests` and read the diff. The first run
//! builds the crate's dependencies for trybuild's own project. That project has this package's
//! dependencies only, so the client is built with its default areas: the cases use those.
//!
//! [trybuild]: https://docs.rs/trybuild

#[test]
fn compile() {
    let t = trybuild::TestCases::new();
    t.pass("trybuild/pass/*.rs");
    t.compile_fail("trybuild/fail/*.rs");
}
