//! The work behind `cargo xtask`: read the spec, run the generator, write or compare
//! `generated/`. Kept as a library so the freshness test and the benchmarks share it.

pub mod import;
mod read;
mod write;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Diagnostic, Input, Output, SpecSource};

pub use write::{MARKER, WriteError, WriteReport, is_generated, stale, write, write_scratch};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every `*.yaml` file under `dir`, sorted, named relative to `base` when inside it; the
/// problems of files that cannot be used (a link out of the folder, a FIFO, a file over 4 MiB,
/// text that is not UTF-8) are located diagnostics, all of them at once.
pub fn read_specs(dir: &Path, base: &Path) -> Result<Vec<SpecSource>, GenError> {
    let (specs, problems) = read::gather(dir, base).map_err(|e| folder_error(dir, &e))?;
    if problems.is_empty() {
        Ok(specs)
    } else {
        Err(GenError::Spec(problems))
    }
}

fn folder_error(dir: &Path, e: &io::Error) -> GenError {
    GenError::Io(io::Error::new(
        e.kind(),
        format!("reading {}: {e}", dir.display()),
    ))
}

/// Why generation did not produce files.
#[derive(Debug)]
pub enum GenError {
    /// Reading the inputs failed.
    Io(io::Error),
    /// The spec has problems; each printed as `FILE:LINE:COLUMN: error: ...`.
    Spec(Vec<Diagnostic>),
    /// The spec folder holds no spec file: generating from it would write an empty crate over
    /// the real one.
    NoSpecFiles(PathBuf),
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::Io(e) => write!(f, "{e}"),
            GenError::Spec(diags) => {
                for d in diags {
                    writeln!(f, "{d}")?;
                }
                write!(f, "{} problem(s) in the spec", diags.len())
            }
            GenError::NoSpecFiles(dir) => {
                write!(f, "{} holds no spec file (*.yaml)", dir.display())
            }
        }
    }
}

impl From<io::Error> for GenError {
    fn from(e: io::Error) -> Self {
        GenError::Io(e)
    }
}

/// How the crate written to `out_dir` reaches the workspace's runtime crate: a relative path
/// (`../runtime` for `generated/`) when `out_dir` shares the workspace's root, else absolute.
pub fn runtime_path(out_dir: &Path) -> String {
    let runtime = workspace_root().join("runtime");
    let out = if out_dir.is_absolute() {
        out_dir.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(out_dir)
    };
    let (out, runtime) = (normalize(&out), normalize(&runtime));
    let common = out
        .components()
        .zip(runtime.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return runtime.to_string_lossy().replace('\\', "/");
    }
    let ups = out.components().count() - common;
    let mut rel: Vec<String> = vec!["..".to_owned(); ups];
    rel.extend(
        runtime
            .components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    rel.join("/")
}

/// `path` without `.` and with each `..` applied, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Generates the crate for `out_dir` in memory from a spec folder. When some spec file cannot
/// be read, the others are still checked, so one run reports every problem.
pub fn generate(spec_dir: &Path, out_dir: &Path) -> Result<Output, GenError> {
    let root = workspace_root();
    let base = std::env::current_dir().unwrap_or_else(|_| root.clone());
    let (specs, mut problems) =
        read::gather(spec_dir, &base).map_err(|e| folder_error(spec_dir, &e))?;
    if specs.is_empty() && problems.is_empty() {
        return Err(GenError::NoSpecFiles(spec_dir.to_path_buf()));
    }
    if !problems.is_empty() {
        if let Err(more) = codegen::check(&specs) {
            problems.extend(more);
        }
        problems.sort();
        return Err(GenError::Spec(problems));
    }
    codegen::generate(&Input {
        specs,
        runtime_path: runtime_path(out_dir),
    })
    .map_err(GenError::Spec)
}
