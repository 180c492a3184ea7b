//! Reading the spec folder: every `*.yaml` file under it, bounded and located.
//!
//! The folder is data, not trusted: symbolic links to folders are not followed (no loop can make
//! the walk re-read files or never end), a link to a file must stay inside the folder, only
//! regular files are opened (a FIFO or a device is an error, never a hang), and a file is read
//! up to [`MAX_FILE_BYTES`]. A file that cannot be used is a located diagnostic naming it, like
//! every problem inside a file. `import-overrides.yaml` at the top of the folder is the data of
//! `cargo xtask import`, not a spec file, and is not read.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use codegen::diag::Pos;
use codegen::load::{MAX_FILE_BYTES, decode};
use codegen::{Diagnostic, SpecSource};

/// The spec files of `dir` that could be read, and a diagnostic for each that could not. Folder
/// problems (a missing or unreadable folder) are errors.
pub(crate) fn gather(dir: &Path, base: &Path) -> io::Result<(Vec<SpecSource>, Vec<Diagnostic>)> {
    let root = fs::canonicalize(dir)?;
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    // The importer's overrides sit beside the spec files but are not one.
    files.retain(|p| *p != dir.join(crate::import::OVERRIDES_FILE));
    files.sort();
    let mut specs = Vec::new();
    let mut problems = Vec::new();
    for p in files {
        let shown = slashed(p.strip_prefix(base).unwrap_or(&p));
        let name = slashed(p.strip_prefix(dir).unwrap_or(&p));
        match read_one(&p, &root) {
            Ok(bytes) => match decode(&shown, bytes) {
                Ok(text) => specs.push(SpecSource {
                    path: shown,
                    name,
                    text,
                }),
                Err(d) => problems.push(d),
            },
            Err(message) => problems.push(Diagnostic {
                pos: Pos::new(&shown, 1, 1),
                message,
            }),
        }
    }
    Ok((specs, problems))
}

fn slashed(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Every entry under `dir` that is not a folder, recursively; folders are entered only when they
/// are real folders, not symbolic links to one.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_symlink() && path.is_dir() {
            // A linked folder is not followed.
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// The bytes of one spec file, or why it cannot be read (lowercase, for a diagnostic).
fn read_one(path: &Path, root: &Path) -> Result<Vec<u8>, String> {
    let mut meta = fs::symlink_metadata(path).map_err(|e| cannot_read(&e))?;
    if meta.file_type().is_symlink() {
        let target = fs::canonicalize(path)
            .map_err(|e| format!("the symbolic link cannot be followed: {}", lower(&e)))?;
        if !target.starts_with(root) {
            return Err(format!(
                "the symbolic link leads outside the spec folder (to {})",
                target.display()
            ));
        }
        meta = fs::metadata(path).map_err(|e| cannot_read(&e))?;
    }
    if !meta.is_file() {
        return Err(
            "not a regular file (a FIFO, socket or device); a spec file must be a plain file"
                .to_owned(),
        );
    }
    let too_big = |len: u64| {
        format!(
            "the file is {len} bytes, over the limit of {MAX_FILE_BYTES} bytes (4 MiB) for a spec file"
        )
    };
    let limit = MAX_FILE_BYTES as u64;
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = File::open(path).map_err(|e| cannot_read(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte past the limit tells a file that grew since its size was read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

fn cannot_read(e: &io::Error) -> String {
    format!("cannot read the file: {}", lower(e))
}

/// An I/O error's text with a lowercase first letter.
fn lower(e: &io::Error) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}
