//! The work behind `cargo xtask`: read the spec, run the generator, write or compare
//! `generated/`. Kept as a library so the freshness test and the benchmarks share it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Diagnostic, Input, Output, SpecSource};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every `*.yaml` file under `dir`, sorted, named relative to `base` when inside it.
pub fn read_specs(dir: &Path, base: &Path) -> io::Result<Vec<SpecSource>> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p)?;
            let shown = p
                .strip_prefix(base)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let name = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            Ok(SpecSource {
                path: shown,
                name,
                text,
            })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
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

/// Generates the crate for `out_dir` in memory from a spec folder.
pub fn generate(spec_dir: &Path, out_dir: &Path) -> Result<Output, GenError> {
    let root = workspace_root();
    let base = std::env::current_dir().unwrap_or_else(|_| root.clone());
    let specs = read_specs(spec_dir, &base)
        .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", spec_dir.display())))?;
    if specs.is_empty() {
        return Err(GenError::NoSpecFiles(spec_dir.to_path_buf()));
    }
    codegen::generate(&Input {
        specs,
        runtime_path: runtime_path(out_dir),
    })
    .map_err(GenError::Spec)
}

/// What writing changed.
#[derive(Debug, Default)]
pub struct WriteReport {
    /// Files written because their bytes changed or they were new.
    pub written: Vec<String>,
    /// Files left alone.
    pub unchanged: usize,
    /// Files under `src/` that the generator no longer makes, removed.
    pub removed: Vec<String>,
}

/// Writes only the files whose bytes change, and removes generated sources no longer made.
pub fn write(out_dir: &Path, output: &Output) -> io::Result<WriteReport> {
    let mut report = WriteReport::default();
    for (rel, bytes) in output {
        let path = out_dir.join(rel);
        if fs::read(&path).ok().as_deref() == Some(bytes.as_slice()) {
            report.unchanged += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, bytes)?;
        report.written.push(rel.clone());
    }
    for rel in extra_files(out_dir, output)? {
        fs::remove_file(out_dir.join(&rel))?;
        report.removed.push(rel);
    }
    remove_empty_dirs(&out_dir.join("src"))?;
    Ok(report)
}

/// Removes the folders under `dir` that hold nothing (left by removed files), deepest first;
/// `dir` itself stays.
fn remove_empty_dirs(dir: &Path) -> io::Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            remove_empty_dirs(&path)?;
            if fs::read_dir(&path)?.next().is_none() {
                fs::remove_dir(&path)?;
            }
        }
    }
    Ok(())
}

/// Files under `out_dir/src` that the output does not contain.
fn extra_files(out_dir: &Path, output: &Output) -> io::Result<Vec<String>> {
    let src = out_dir.join("src");
    let mut files = Vec::new();
    if src.is_dir() {
        walk(&src, &mut files)?;
    }
    Ok(files
        .into_iter()
        .filter_map(|p| {
            p.strip_prefix(out_dir)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        })
        .filter(|rel| !output.contains_key(rel))
        .collect())
}

/// The files of `out_dir` that differ from `output`, are missing, or should not be there.
pub fn stale(out_dir: &Path, output: &Output) -> io::Result<Vec<String>> {
    let mut stale: Vec<String> = output
        .iter()
        .filter(|(rel, bytes)| {
            fs::read(out_dir.join(rel)).ok().as_deref() != Some(bytes.as_slice())
        })
        .map(|(rel, _)| rel.clone())
        .collect();
    stale.extend(extra_files(out_dir, output)?);
    stale.sort();
    Ok(stale)
}
