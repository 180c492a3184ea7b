//! House rules of the hand-written code, checked on every test run: every Rust file opens with a
//! module doc (`//!`), no file grows past [`MAX_LINES`] lines, and the published crates cite no
//! document of this repository's own process in their docs (readers of docs.rs cannot open it),
//! and their code includes no file from outside its own crate (a package holds only its crate's
//! folder, and CI builds the fake and the command from the workspace, not from their packages).
//!
//! `generated/` and the generator's snapshot fixtures are output, not hand-written: skipped.

use std::fs;
use std::path::{Path, PathBuf};

/// About 600 lines: past it a module wants splitting by concern.
const MAX_LINES: usize = 650;

/// The hand-written crates, and whether each is published.
const CRATES: &[(&str, bool)] = &[
    ("model", true),
    ("derive", true),
    ("runtime", true),
    ("fake", true),
    ("stream", true),
    ("redis", true),
    ("cli", true),
    ("codegen", false),
    ("xtask", false),
    ("tests", false),
];

/// Folders that hold output, not hand-written code.
const SKIPPED: &[&str] = &["codegen/tests/fixtures", "tests/compile/trybuild"];

/// Names of the project's own documents, which published docs must not cite.
const INTERNAL_DOCUMENTS: &[&str] = &["GUIDE §", "GUIDE.md", "DINGTALK-FACTS", "DEVELOPERS.md"];

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        if SKIPPED.iter().any(|s| rel.starts_with(s)) || rel.ends_with("/target") {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every hand-written Rust file with whether its crate is published, sorted.
fn files() -> Vec<(String, String, bool)> {
    let root = xtask::workspace_root();
    let mut out = Vec::new();
    for (krate, published) in CRATES {
        let mut paths = Vec::new();
        rust_files(&root.join(krate), &root, &mut paths);
        assert!(!paths.is_empty(), "no Rust files under {krate}/");
        for path in paths {
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
            out.push((rel, text, *published));
        }
    }
    out.sort();
    out
}

#[test]
fn every_file_opens_with_a_module_doc() {
    let missing: Vec<String> = files()
        .into_iter()
        .filter(|(_, text, _)| {
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty() && !l.starts_with("#!["))
                .unwrap_or_default();
            !first.starts_with("//!")
        })
        .map(|(rel, ..)| rel)
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not start with a `//!` module doc: {missing:#?}"
    );
}

#[test]
fn no_file_is_longer_than_the_limit() {
    let long: Vec<String> = files()
        .into_iter()
        .filter_map(|(rel, text, _)| {
            let lines = text.lines().count();
            (lines > MAX_LINES).then(|| format!("{rel}: {lines} lines"))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these files by concern (at most {MAX_LINES} lines): {long:#?}"
    );
}

#[test]
fn published_crates_cite_no_internal_document() {
    let mut cited = Vec::new();
    for (rel, text, published) in files() {
        if !published || rel.contains("/tests/") || rel.contains("/benches/") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if INTERNAL_DOCUMENTS.iter().any(|d| line.contains(d)) {
                cited.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        cited.is_empty(),
        "published docs cite documents their readers cannot open: {cited:#?}"
    );
}

/// The folder a `..`-laden path names, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn published_crates_include_no_file_from_outside_their_folder() {
    const MACROS: &[&str] = &["include_str!(", "include_bytes!(", "include!(", "#[path"];
    let mut outside = Vec::new();
    for (rel, text, published) in files() {
        if !published || rel.contains("/tests/") || rel.contains("/benches/") {
            continue;
        }
        let krate = rel.split('/').next().unwrap_or_default().to_owned();
        let dir = Path::new(&rel).parent().unwrap_or(Path::new(""));
        for (n, line) in text.lines().enumerate() {
            let Some(at) = MACROS.iter().find_map(|m| line.find(m)) else {
                continue;
            };
            // The first string literal after the macro: a file relative to this one.
            let literal = line[at..].split('"').nth(1);
            let inside = literal.is_some_and(|l| {
                !line[at..].contains("env!(") && normalize(&dir.join(l)).starts_with(&krate)
            });
            if !inside {
                outside.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "published crates include files their packages would not hold: {outside:#?}"
    );
}

#[test]
fn a_path_that_climbs_out_of_its_crate_is_seen() {
    let inside = normalize(&Path::new("fake/src/a").join("../data/x.json"));
    assert!(inside.starts_with("fake"), "{inside:?}");
    let outside = normalize(&Path::new("fake/src").join("../../generated/openapi.json"));
    assert!(!outside.starts_with("fake"), "{outside:?}");
}
