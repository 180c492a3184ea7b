//! Derives for the types of the `dingtalk-openapi` client, re-exported by its runtime.
//!
//! The generated client has thousands of request and response types. serde_derive writes, per
//! struct, a field enum with its visitors, a sequence visitor and a map visitor: rustc checks all
//! of it for every type, and it was most of the client's build time. These derives write one
//! short `Serialize` and one short `Deserialize` per struct instead, both handing the work to the
//! runtime's generic, table-driven `record` module (wire names, and a tuple of field slots), and
//! the impls of an open enum: a value set that keeps values it does not know.
//!
//! - `#[derive(Wire)]` on a struct with named fields: `Serialize` and `Deserialize` by wire name.
//!   An `Option<T>` field is optional (absent or `null` reads as `None`; `None` is not written);
//!   any other field is required. Attributes, all optional:
//!   - on the struct: `#[wire(deny_unknown_fields)]` refuses keys it does not know when read;
//!     `#[wire(serialize = "feature")]` and `#[wire(deserialize = "feature")]` compile that impl
//!     only with the named cargo feature of the crate using the derive;
//!   - on a field: `#[wire(rename = "deptList")]` gives its wire name (default: the field's
//!     name); `#[wire(lenient)]` on an `Option<i64>` also reads a numeric string.
//! - `#[derive(OpenEnum)]` on an enum of unit variants, each with its wire value
//!   (`#[open_enum(20)]` or `#[open_enum("markdown")]`), and one variant holding the value of
//!   any other (`Unknown(i64)` or `Unknown(String)`): the runtime's `OpenEnum` trait, equality and
//!   hashing by wire value, `From` the wire value, `Serialize` and `Deserialize`.
//!
//! The expansions name the runtime as `::dingtalk_openapi_runtime`, so the crate using them
//! depends on it.

mod attrs;
mod open_enum;
mod wire;

use proc_macro::TokenStream;

/// `Serialize` and `Deserialize` of a struct by wire name; see the crate docs.
#[proc_macro_derive(Wire, attributes(wire))]
pub fn derive_wire(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    wire::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The impls of an open enum; see the crate docs.
#[proc_macro_derive(OpenEnum, attributes(open_enum))]
pub fn derive_open_enum(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    open_enum::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
