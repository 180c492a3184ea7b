//! House rules of the hand-written code, checked on every test run: every Rust file opens with a
//! module doc (`//!`), no file grows past [`MAX_LINES`] lines, and the published crates cite no
//! document of this repository's own process in their docs (readers of docs.rs cannot open it).
//!
//! `generated/` and the generator's snapshot fixtures are output, not hand-written: skipped.

use std::fs;
use std::path::{Path, PathBuf};

/// About 600 lines: past it a module wants splitting by concern.
const MAX_LINES: usize = 650;

/// The hand-written crates, and whether each is published.
const CRATES: &[(&str, bool)] = &[
    ("model", true),
    ("runtime", true),
    ("fake", true),
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
