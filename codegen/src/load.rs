//! Reading spec files: YAML text → [`SpecFile`], with syntax and shape errors located.

use crate::diag::{Diagnostics, Pos};
use crate::spec::SpecFile;

/// One spec file's text and the name to report it by.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// The path as shown in diagnostics (e.g. `spec/blackboard.yaml`, relative to where the
    /// command runs).
    pub path: String,
    /// The name relative to the spec folder (e.g. `blackboard.yaml`), used in generated files so
    /// their bytes do not depend on where the command runs.
    pub name: String,
    /// The YAML text.
    pub text: String,
}

/// A parsed spec file.
pub(crate) struct Parsed {
    /// The diagnostic path.
    pub path: String,
    /// The name relative to the spec folder.
    pub name: String,
    /// The content.
    pub spec: SpecFile,
}

/// Parses every file; a file that does not parse records its problem and is skipped, so the
/// others are still checked.
pub(crate) fn parse_all(sources: &[SpecSource], diags: &mut Diagnostics) -> Vec<Parsed> {
    let mut out = Vec::new();
    let parsed = crate::par::all(sources, |src| serde_saphyr::from_str::<SpecFile>(&src.text));
    for (src, result) in sources.iter().zip(parsed) {
        match result {
            Ok(spec) => out.push(Parsed {
                path: src.path.clone(),
                name: src.name.clone(),
                spec,
            }),
            Err(e) => {
                let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                let message = first_line(&e.without_snippet().to_string());
                diags.error(&Pos::new(&src.path, line, column), message);
            }
        }
    }
    out
}

/// The message without serde-saphyr's own location suffix or snippet, lowercase first letter.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("invalid spec").trim();
    let line = match line.find(" at line ") {
        Some(i) => &line[..i],
        None => line,
    };
    let mut chars = line.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid spec".to_owned(),
    }
}
