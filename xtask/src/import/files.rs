//! Writing the imported files: only into the output folder, only the files whose bytes change,
//! never over a file the importer did not write, and removing the files it wrote before that
//! the new import no longer makes.

use std::fs;
use std::io;
use std::path::Path;

use super::yaml::MARKER;

/// What writing changed.
#[derive(Debug, Default)]
pub struct Written {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
}

/// Whether the regular file at `path` begins with the importer's mark.
fn ours(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        && fs::read(path).is_ok_and(|b| b.starts_with(MARKER.as_bytes()))
}

/// Writes `files` (name → text) into `out`. Every target is checked before a byte is written:
/// an existing file there must be one the importer wrote.
pub(crate) fn write(out: &Path, files: &[(String, String)]) -> Result<Written, String> {
    let shown = |name: &str| out.join(name).display().to_string();
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut report = Written::default();
    let mut changed = Vec::new();
    for (name, text) in files {
        let path = out.join(name);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => changed.push((name, text)),
            Err(e) => return Err(format!("{}: {e}", shown(name))),
            Ok(m) if !m.is_file() => {
                return Err(format!(
                    "{}: not a regular file; nothing was written",
                    shown(name)
                ));
            }
            Ok(_) if !ours(&path) => {
                return Err(format!(
                    "{}: exists and was not written by `cargo xtask import` (it does not begin with `{MARKER}`); \
                     refusing to replace it, nothing was written",
                    shown(name)
                ));
            }
            Ok(_) if fs::read(&path).is_ok_and(|b| b == text.as_bytes()) => report.unchanged += 1,
            Ok(_) => changed.push((name, text)),
        }
    }
    for (name, text) in changed {
        let path = out.join(name);
        let temp = out.join(format!(".{name}.import-{}.new", std::process::id()));
        fs::write(&temp, text)
            .and_then(|()| fs::rename(&temp, &path))
            .map_err(|e| {
                let _ = fs::remove_file(&temp);
                format!("{}: {e}", shown(name))
            })?;
        report.written.push(name.clone());
    }
    let mut stale: Vec<String> = fs::read_dir(out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") && !files.iter().any(|(f, _)| f == n))
        .filter(|n| ours(&out.join(n)))
        .collect();
    stale.sort();
    for name in stale {
        fs::remove_file(out.join(&name)).map_err(|e| format!("{}: {e}", shown(&name)))?;
        report.removed.push(name);
    }
    Ok(report)
}
