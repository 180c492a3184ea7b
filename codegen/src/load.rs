//! Reading spec files: YAML text → [`SpecFile`], with syntax and shape errors located.
//!
//! Spec files are data from anywhere, so reading them is bounded: a file is at most
//! [`MAX_FILE_BYTES`], one scalar (a description, a name, an example string) at most
//! [`MAX_SCALAR_BYTES`], and serde-saphyr's own budget caps events, nesting and aliases. Each
//! limit, when broken, is a located diagnostic like any other problem.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::spec::SpecFile;

/// The largest spec file read, in bytes (4 MiB; the largest real one is about 40 KiB).
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// The largest single scalar of a spec file, in bytes (64 KiB): a description longer than that
/// is a mistake, and the generated docs would carry it everywhere.
pub const MAX_SCALAR_BYTES: usize = 64 << 10;

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

/// The file at the top of the spec folder that holds `cargo xtask import`'s overrides: data
/// beside the spec files, not one of them, so every reader of the folder leaves it out.
pub const IMPORT_OVERRIDES: &str = "import-overrides.yaml";

/// The text of a spec file read as `bytes`, or a diagnostic at the first byte that is not UTF-8
/// (line and column counted in characters, as the YAML positions are).
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8 by construction.
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Diagnostic {
            pos: Pos::new(path, line as u64, column as u64),
            message: format!(
                "the file is not UTF-8 text (byte 0x{:02x} at offset {})",
                e.as_bytes()[valid.len()],
                valid.len()
            ),
        }
    })
}

/// Parses every file; a file that does not parse records its problem and is skipped, so the
/// others are still checked.
pub(crate) fn parse_all(sources: &[SpecSource], diags: &mut Diagnostics) -> Vec<Parsed> {
    let mut out = Vec::new();
    let parsed = crate::par::all(sources, parse_one);
    for (src, result) in sources.iter().zip(parsed) {
        match result {
            Ok(spec) => out.push(Parsed {
                path: src.path.clone(),
                name: src.name.clone(),
                spec,
            }),
            Err((line, column, message)) => {
                diags.error(&Pos::new(&src.path, line, column), message);
            }
        }
    }
    out
}

/// One file: its content, or where and why it cannot be read.
fn parse_one(src: &SpecSource) -> Result<SpecFile, (u64, u64, String)> {
    if src.name.chars().any(char::is_control) || src.path.chars().any(char::is_control) {
        return Err((
            1,
            1,
            "the file name holds a control character (a line break, a tab, ...); rename the file"
                .to_owned(),
        ));
    }
    if src.text.len() > MAX_FILE_BYTES {
        return Err((
            1,
            1,
            format!(
                "the file is {} bytes, over the limit of {MAX_FILE_BYTES} bytes (4 MiB)",
                src.text.len()
            ),
        ));
    }
    let located = |e: serde_saphyr::Error| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        (line, column, first_line(&e.without_snippet().to_string()))
    };
    // First every scalar's size, on the raw YAML tree, so an oversized one is refused wherever
    // it stands; then the typed parse. A value is at most 1.5 times its spelling (the escape
    // `\L` is 2 bytes of YAML and 3 of text; nothing grows more), so a short file needs no scan.
    if src.text.len() > MAX_SCALAR_BYTES / 3 * 2 {
        serde_saphyr::from_str_with_options::<Scan>(&src.text, options()).map_err(located)?;
    }
    serde_saphyr::from_str_with_options::<SpecFile>(&src.text, options()).map_err(located)
}

/// serde-saphyr's options: its default budget, with the scalar total bounded by the file size
/// (aliases cannot multiply text past it) and no source snippets (the messages are one line).
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// Any YAML value, read only to check the size of every scalar (keys included).
struct Scan;

impl<'de> Deserialize<'de> for Scan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScanVisitor)
    }
}

struct ScanVisitor;

impl<'de> Visitor<'de> for ScanVisitor {
    type Value = Scan;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Scan, E> {
        if s.len() > MAX_SCALAR_BYTES {
            return Err(E::custom(format!(
                "a value of {} bytes, over the limit of {MAX_SCALAR_BYTES} bytes (64 KiB) for one value",
                s.len()
            )));
        }
        Ok(Scan)
    }

    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Scan, E> {
        if b.len() > MAX_SCALAR_BYTES {
            return Err(E::custom(format!(
                "a value of {} bytes, over the limit of {MAX_SCALAR_BYTES} bytes (64 KiB) for one value",
                b.len()
            )));
        }
        Ok(Scan)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_i128<E>(self, _: i128) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_u128<E>(self, _: u128) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_char<E>(self, _: char) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_unit<E>(self) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_none<E>(self) -> Result<Scan, E> {
        Ok(Scan)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scan, D::Error> {
        Scan::deserialize(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Scan, D::Error> {
        Scan::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scan, A::Error> {
        while seq.next_element::<Scan>()?.is_some() {}
        Ok(Scan)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scan, A::Error> {
        while map.next_entry::<Scan, Scan>()?.is_some() {}
        Ok(Scan)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_located() {
        let d = decode(
            "spec/a.yaml",
            b"area: a\ntitle: \xe4\xb8\x80\xff\n".to_vec(),
        )
        .expect_err("not UTF-8");
        assert_eq!(
            d.to_string(),
            "spec/a.yaml:2:9: error: the file is not UTF-8 text (byte 0xff at offset 18)"
        );
        assert_eq!(decode("x", b"fine".to_vec()).as_deref(), Ok("fine"));
    }
}
