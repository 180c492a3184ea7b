//! The generator against the real spec, mutated: byte flips, deleted lines, duplicated keys and
//! swapped types. Whatever the mutation, generation never panics; when it fails it gives
//! diagnostics (the command's exit 1), each one line of `FILE:LINE:COLUMN: error: message` at a
//! position inside the file; and the crate already in `--out` keeps every byte. Runs in-process
//! (`xtask::generate` and `xtask::write`, as `cargo xtask gen` does), a few hundred cases.

use std::collections::BTreeMap;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use xtask::GenError;

/// The real spec files, by name.
fn real_spec() -> Vec<(String, Vec<u8>)> {
    let dir = xtask::workspace_root().join("spec");
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .expect("spec/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, fs::read(&p).expect("spec file"))
        })
        .collect();
    files.sort();
    files
}

/// One change to one spec file.
#[derive(Debug, Clone)]
enum Mutation {
    /// XORs one byte (the n-th, modulo the length) with a non-zero mask.
    FlipByte(usize, u8),
    /// Deletes one line.
    DeleteLine(usize),
    /// Repeats a `key: value` line right after itself.
    DuplicateKey(usize),
    /// Replaces the value of a `type:` line.
    SwapType(usize, &'static str),
}

/// Types, right and wrong, for [`Mutation::SwapType`].
const TYPES: &[&str] = &[
    "string",
    "integer",
    "int32",
    "number",
    "boolean",
    "epoch_ms",
    "datetime",
    "json",
    "string[]",
    "integer[][]",
    "csv<integer>",
    "csv<json>",
    "csv<",
    "BlackboardVo",
    "Strng",
    "[]",
    "\"\"",
    "{a: 1}",
    "~",
    "12",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, m)| Mutation::FlipByte(i, m)),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateKey),
        (any::<usize>(), proptest::sample::select(TYPES))
            .prop_map(|(i, t)| Mutation::SwapType(i, t)),
    ]
}

/// The file's bytes after the mutation (unchanged when it finds nothing to change).
fn apply(text: &[u8], m: &Mutation) -> Vec<u8> {
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let pick = |i: &usize, pred: &dyn Fn(&str) -> bool| {
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&n| pred(&String::from_utf8_lossy(lines[n])))
            .collect();
        (!hits.is_empty()).then(|| hits[i % hits.len()])
    };
    let mut out = Vec::with_capacity(text.len() + 64);
    match m {
        Mutation::FlipByte(i, mask) => {
            out.extend_from_slice(text);
            let at = i % out.len();
            out[at] ^= mask;
        }
        Mutation::DeleteLine(i) => {
            let gone = i % lines.len();
            for (n, l) in lines.iter().enumerate() {
                if n != gone {
                    out.extend_from_slice(l);
                }
            }
        }
        Mutation::DuplicateKey(i) => {
            let key_line = |l: &str| {
                let t = l.trim_start().trim_start_matches("- ");
                !t.starts_with('#')
                    && t.split_once(':')
                        .is_some_and(|(k, _)| !k.is_empty() && !k.contains(' '))
            };
            let at = pick(i, &key_line);
            for (n, l) in lines.iter().enumerate() {
                out.extend_from_slice(l);
                if Some(n) == at {
                    // The same key again, at the key's own column (after a `- ` list marker).
                    let s = String::from_utf8_lossy(l).into_owned();
                    let indent = s.len() - s.trim_start().len();
                    let extra = if s.trim_start().starts_with("- ") {
                        2
                    } else {
                        0
                    };
                    let key = s.trim_start().trim_start_matches("- ").trim_end();
                    out.extend_from_slice(
                        format!("{}{key}\n", " ".repeat(indent + extra)).as_bytes(),
                    );
                }
            }
        }
        Mutation::SwapType(i, ty) => {
            let at = pick(i, &|l: &str| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .starts_with("type: ")
            });
            for (n, l) in lines.iter().enumerate() {
                if Some(n) == at {
                    let s = String::from_utf8_lossy(l);
                    let head = &s[..s.find("type: ").unwrap_or(0) + "type: ".len()];
                    out.extend_from_slice(format!("{head}{ty}\n").as_bytes());
                } else {
                    out.extend_from_slice(l);
                }
            }
        }
    }
    out
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// Checks one diagnostic line against the files it may point into; the problem, if any.
fn bad_diagnostic(line: &str, files: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let Some((at, message)) = line.split_once(": error: ") else {
        return Some(format!("not `FILE:LINE:COLUMN: error: ...`: {line}"));
    };
    let mut parts = at.rsplitn(3, ':');
    let (column, row, file) = (parts.next()?, parts.next()?, parts.next()?);
    let (Ok(row), Ok(column)) = (row.parse::<usize>(), column.parse::<usize>()) else {
        return Some(format!("no LINE:COLUMN: {line}"));
    };
    let Some(text) = files.get(file) else {
        return Some(format!("names no spec file: {line}"));
    };
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let in_file = row >= 1
        && row <= lines.len()
        && column >= 1
        && column <= lines[row - 1].chars().count() + 1;
    if !in_file {
        return Some(format!("position outside the file: {line}"));
    }
    if line.contains('\n') || message.is_empty() || message.ends_with('.') {
        return Some(format!(
            "not one lowercase line without a final period: {line}"
        ));
    }
    if message.starts_with(|c: char| c.is_uppercase()) {
        return Some(format!("message starts uppercase: {line}"));
    }
    None
}

struct Bench {
    spec: PathBuf,
    out: PathBuf,
    real: Vec<(String, Vec<u8>)>,
    crate_files: codegen::Output,
    before: BTreeMap<PathBuf, Vec<u8>>,
}

fn bench() -> Bench {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutations");
    let _ = fs::remove_dir_all(&dir);
    let (spec, out) = (dir.join("spec"), dir.join("out"));
    fs::create_dir_all(&spec).expect("mkdir");
    let real = real_spec();
    for (name, bytes) in &real {
        fs::write(spec.join(name), bytes).expect("write spec");
    }
    let crate_files = xtask::generate(&spec, &out).expect("the real spec generates");
    xtask::write(&out, &crate_files).expect("write the crate");
    let before = snapshot(&out);
    Bench {
        spec,
        out,
        real,
        crate_files,
        before,
    }
}

/// Runs one mutated spec the way `cargo xtask gen` does; the problems found, if any.
fn run_case(b: &Bench, file: usize, m: &Mutation) -> Vec<String> {
    let (name, original) = &b.real[file];
    let mutated = apply(original, m);
    fs::write(b.spec.join(name), &mutated).expect("write the mutated file");
    let shown: BTreeMap<String, Vec<u8>> = b
        .real
        .iter()
        .map(|(n, bytes)| {
            let bytes = if n == name {
                mutated.clone()
            } else {
                bytes.clone()
            };
            (format!("{}", b.spec.join(n).display()), bytes)
        })
        .collect();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        xtask::generate(&b.spec, &b.out).map(|files| xtask::write(&b.out, &files))
    }));
    let mut problems = Vec::new();
    match result {
        Err(_) => problems.push("the generator panicked".to_owned()),
        Ok(Ok(Ok(_))) => {
            // The mutation was harmless: put the crate back for the next case.
            xtask::write(&b.out, &b.crate_files).expect("restore the crate");
        }
        Ok(Ok(Err(e))) => problems.push(format!("writing failed: {e}")),
        Ok(Err(GenError::Spec(diags))) => {
            if diags.is_empty() {
                problems.push("a failure without diagnostics".to_owned());
            }
            for d in &diags {
                problems.extend(bad_diagnostic(&d.to_string(), &shown));
            }
        }
        Ok(Err(other)) => problems.push(format!("not a spec error: {other}")),
    }
    if snapshot(&b.out) != b.before {
        problems.push("the crate in --out changed".to_owned());
    }
    fs::write(b.spec.join(name), original).expect("restore the file");
    problems
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_specs_fail_cleanly_and_write_nothing(file in any::<usize>(), m in mutation()) {
        thread_local!(static BENCH: Bench = bench());
        let problems = BENCH.with(|b| run_case(b, file % b.real.len(), &m));
        prop_assert!(problems.is_empty(), "{m:?}: {}", problems.join("\n"));
    }
}

/// The checks above can fail: a diagnostic without a position, or past the end of its file, is
/// caught; the mutations change what they say.
#[test]
fn the_checks_can_fail() {
    let files: BTreeMap<String, Vec<u8>> =
        [("spec/a.yaml".to_owned(), b"area: a\ntitle: x\n".to_vec())].into();
    assert!(bad_diagnostic("spec/a.yaml:2:3: error: fine", &files).is_none());
    for bad in [
        "error: reading spec: stream did not contain valid UTF-8",
        "spec/a.yaml:9:1: error: past the end",
        "spec/a.yaml:1:40: error: past the line",
        "spec/b.yaml:1:1: error: another file",
        "spec/a.yaml:1:1: error: Uppercase",
    ] {
        assert!(bad_diagnostic(bad, &files).is_some(), "{bad}");
    }
    let text = b"area: a\ntitle: x\nops:\n  - type: string\n";
    let i = 0;
    assert_eq!(
        apply(text, &Mutation::DeleteLine(i)),
        b"title: x\nops:\n  - type: string\n"
    );
    assert_eq!(
        apply(text, &Mutation::SwapType(i, "Strng")),
        b"area: a\ntitle: x\nops:\n  - type: Strng\n"
    );
    assert_eq!(
        apply(text, &Mutation::DuplicateKey(3)),
        b"area: a\ntitle: x\nops:\n  - type: string\n    type: string\n"
    );
}
