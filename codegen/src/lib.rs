//! The `dingtalk-openapi` generator: YAML spec → checked IR → Rust crate and OpenAPI document.
//!
//! The pipeline, each step its own module:
//! [`load`] parses the YAML (positions kept, unknown keys refused) → [`lower`] resolves and
//! checks everything, gathering every problem → [`ir`] is the resolved model → `emit` turns it
//! into token streams and JSON → `render` formats with prettyplease and adds the `@generated`
//! header. The library does no I/O: `xtask` reads the spec and writes the files.

pub mod diag;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod spec;

mod emit;
mod par;
mod render;

use std::collections::BTreeMap;

pub use diag::Diagnostic;
pub use load::SpecSource;

/// A hand-written runtime source file, shipped verbatim inside the generated crate.
#[derive(Debug, Clone)]
pub struct RuntimeFile {
    /// The path relative to the runtime's `src/` (e.g. `client.rs`, `callback/mod.rs`).
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// Everything the generator reads.
#[derive(Debug, Clone)]
pub struct Input {
    /// The spec files, in a stable order.
    pub specs: Vec<SpecSource>,
    /// The runtime's sources.
    pub runtime: Vec<RuntimeFile>,
    /// The runtime crate's `Cargo.toml`, whose dependencies and features the generated crate takes.
    pub runtime_manifest: String,
}

/// The generated crate: file paths relative to its root, and their bytes.
pub type Output = BTreeMap<String, Vec<u8>>;

/// Loads and checks the spec: the IR, or every problem found.
pub fn check(specs: &[SpecSource]) -> Result<ir::Api, Vec<Diagnostic>> {
    let mut diags = diag::Diagnostics::default();
    let files = load::parse_all(specs, &mut diags);
    let api = lower::lower(&files, &mut diags);
    diags.finish(api)
}

/// Generates the whole crate from the input: every file, or every problem found.
pub fn generate(input: &Input) -> Result<Output, Vec<Diagnostic>> {
    let api = check(&input.specs)?;
    emit::crate_files(&api, input).map_err(|message| {
        vec![Diagnostic {
            pos: diag::Pos::new("codegen", 1, 1),
            message,
        }]
    })
}
