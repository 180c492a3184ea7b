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

/// Everything the generator reads: the spec files, in a stable order. The runtime is a crate of
/// its own that the generated code depends on; nothing of it is read or copied.
#[derive(Debug, Clone)]
pub struct Input {
    /// The spec files, in a stable order.
    pub specs: Vec<SpecSource>,
    /// Where the generated `Cargo.toml` finds the runtime crate, relative to the generated
    /// crate (beside the exact version it pins): `../runtime` for `generated/`.
    pub runtime_path: String,
}

impl Input {
    /// The input for the repository's own layout: the crate in `generated/`, the runtime in
    /// `runtime/`.
    pub fn new(specs: Vec<SpecSource>) -> Input {
        Input {
            specs,
            runtime_path: "../runtime".to_owned(),
        }
    }
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
    emit::crate_files(&api, &input.runtime_path).map_err(|message| {
        vec![Diagnostic {
            pos: diag::Pos::new("codegen", 1, 1),
            message,
        }]
    })
}
