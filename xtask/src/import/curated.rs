//! The hand-curated spec files (`spec/*.yaml`, not the imported ones): their `host: api`
//! operations by method and path, which the import skips, and the names they take (areas, type
//! names), which imported names must not meet.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::yaml::MARKER;

#[derive(Deserialize)]
struct File {
    area: String,
    #[serde(default)]
    operations: Vec<Operation>,
    #[serde(default)]
    types: Vec<Named>,
    #[serde(default)]
    enums: Vec<Named>,
    #[serde(default)]
    unions: Vec<Named>,
}

#[derive(Deserialize)]
struct Operation {
    id: String,
    method: String,
    host: String,
    path: String,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

/// What the curated spec holds that the import must respect.
#[derive(Debug, Default)]
pub(crate) struct Curated {
    /// `(method, path)` of each `host: api` operation → `(id, file name)`.
    pub api_ops: BTreeMap<(String, String), (String, String)>,
    /// Area → file name.
    pub areas: BTreeMap<String, String>,
    /// Declared type, enum and union names → file name.
    pub names: BTreeMap<String, String>,
}

/// Reads every `*.yaml` directly in `dir` that the importer did not write, the overrides file
/// (`overrides`, or any file of its name) left out. A missing folder holds nothing; a file that
/// cannot be read is an error naming it.
pub(crate) fn read(dir: &Path, overrides: &Path) -> Result<Curated, String> {
    let overrides = fs::canonicalize(overrides).unwrap_or_else(|_| overrides.to_path_buf());
    let mut curated = Curated::default();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(curated),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml") && p.is_file())
        .filter(|p| {
            p.file_name().is_none_or(|n| n != super::OVERRIDES_FILE)
                && fs::canonicalize(p).is_ok_and(|c| c != overrides)
        })
        .collect();
    paths.sort();
    for path in paths {
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if text.starts_with(MARKER) {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file: File = serde_saphyr::from_str(&text).map_err(|e| {
            format!(
                "{}: not a spec file the importer can read: {}",
                path.display(),
                e.without_snippet()
            )
        })?;
        curated.areas.insert(file.area, name.clone());
        for op in file.operations.into_iter().filter(|o| o.host == "api") {
            curated
                .api_ops
                .insert((op.method, op.path), (op.id, name.clone()));
        }
        for n in file.types.into_iter().chain(file.enums).chain(file.unions) {
            curated.names.insert(n.name, name.clone());
        }
    }
    Ok(curated)
}
