//! Snapshot tests of the generator over small fixture specs, and checks of the real spec.
//!
//! - `tests/fixtures/ok/<case>/spec/*.yaml` are small valid specs, each exercising one feature.
//!   The generated area modules (`src/<area>.rs`) and `openapi.json` are compared byte for byte
//!   with `tests/fixtures/ok/<case>/expected/`; every generated Rust file must also parse with
//!   `syn`. `src/lib.rs`, `Cargo.toml`, the README and the licenses are not snapshotted: they
//!   change with the crate's layout, not with the fixture.
//! - `tests/fixtures/err/<case>/spec/*.yaml` are broken specs; `generate` must return exactly the
//!   diagnostic lines of `tests/fixtures/err/<case>/expected.txt` (sorted, one run), and never
//!   panic. Files are named relative to the case folder (`spec/a.yaml`).
//! - The real spec (`spec/` at the workspace root) generates without diagnostics, and twice in a
//!   row gives byte-identical output.
//!
//! After an intended change of the generator, run
//! `UPDATE_SNAPSHOTS=1 cargo test -p codegen --test fixtures` to rewrite the snapshots, then read
//! the diff before committing it.

use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use codegen::{Diagnostic, Input, Output, SpecSource};

/// The `codegen/` directory.
fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root.
fn workspace_root() -> PathBuf {
    manifest_dir()
        .parent()
        .map(Path::to_path_buf)
        .expect("codegen/ has a parent")
}

fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures")
}

/// Whether the snapshots are to be rewritten rather than compared.
fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Every file under `dir`, recursively, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `path` relative to `base`, with `/` separators.
fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The `*.yaml` files of `<dir>/spec`, sorted, shown in diagnostics as `spec/<file>`.
fn read_specs(dir: &Path) -> Vec<SpecSource> {
    let spec_dir = dir.join("spec");
    walk(&spec_dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        // `cargo xtask import`'s overrides sit beside the spec files but are not one.
        .filter(|p| *p != spec_dir.join(codegen::load::IMPORT_OVERRIDES))
        .map(|p| SpecSource {
            path: relative(&p, dir),
            name: relative(&p, &spec_dir),
            text: fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display())),
        })
        .collect()
}

/// The generator's input for the spec folder `<dir>/spec`.
fn input(dir: &Path) -> Input {
    Input::new(read_specs(dir))
}

/// Runs the generator, turning a panic into an error message.
fn generate(input: &Input) -> Result<Result<Output, Vec<Diagnostic>>, String> {
    panic::catch_unwind(AssertUnwindSafe(|| codegen::generate(input))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// The case folders under `tests/fixtures/<kind>`, sorted.
fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = fixtures_dir().join(kind);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no cases under {}", dir.display());
    out
}

fn case_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The generated files an ok case pins: the area modules and the OpenAPI document.
fn snapshotted(path: &str) -> bool {
    if path == "openapi.json" {
        return true;
    }
    path.strip_prefix("src/")
        .is_some_and(|rest| !rest.contains('/') && rest != "lib.rs" && rest.ends_with(".rs"))
}

/// How many lines of context the diff shows around the first difference.
const CONTEXT: usize = 3;
/// How many differing lines of each side the diff shows at most.
const SHOWN: usize = 20;

/// A unified-style hunk around the first differing lines of `expected` (labelled `old`) and
/// `actual` (labelled `new`).
fn diff(old_label: &str, new_label: &str, expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let start = prefix.saturating_sub(CONTEXT);
    let mut out = format!(
        "--- {old_label}\n+++ {new_label}\n@@ line {} @@\n",
        prefix + 1
    );
    for line in &old[start..prefix] {
        let _ = writeln!(out, " {line}");
    }
    for (sign, lines) in [('-', old_mid), ('+', new_mid)] {
        for line in lines.iter().take(SHOWN) {
            let _ = writeln!(out, "{sign}{line}");
        }
        if lines.len() > SHOWN {
            let _ = writeln!(out, "{sign}... ({} more lines)", lines.len() - SHOWN);
        }
    }
    for line in old.iter().skip(old.len() - suffix).take(CONTEXT) {
        let _ = writeln!(out, " {line}");
    }
    if old_mid.is_empty() && new_mid.is_empty() {
        out.push_str("(the files differ only in their final newline)\n");
    }
    out
}

/// Checks (or, when updating, writes) one ok case; the problems found, if any.
fn check_ok_case(dir: &Path) -> Vec<String> {
    let name = case_name(dir);
    let output = match generate(&input(dir)) {
        Err(panic) => return vec![format!("{name}: the generator panicked: {panic}")],
        Ok(Err(diags)) => {
            let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
            return vec![format!(
                "{name}: expected no diagnostics, got:\n{}",
                lines.join("\n")
            )];
        }
        Ok(Ok(output)) => output,
    };
    let mut problems = Vec::new();
    for (path, bytes) in &output {
        if path.ends_with(".rs") {
            let text = String::from_utf8_lossy(bytes);
            if let Err(e) = syn::parse_file(&text) {
                problems.push(format!("{name}: generated {path} does not parse: {e}"));
            }
        }
    }
    let expected_dir = dir.join("expected");
    let pinned: Vec<(&String, &Vec<u8>)> = output.iter().filter(|(p, _)| snapshotted(p)).collect();
    let on_disk: Vec<String> = if expected_dir.is_dir() {
        walk(&expected_dir)
            .iter()
            .map(|p| relative(p, &expected_dir))
            .collect()
    } else {
        Vec::new()
    };
    if updating() {
        for stale in on_disk
            .iter()
            .filter(|p| !pinned.iter().any(|(q, _)| q == p))
        {
            fs::remove_file(expected_dir.join(stale)).expect("removing a stale snapshot");
        }
        for (path, bytes) in &pinned {
            let target = expected_dir.join(path);
            fs::create_dir_all(target.parent().expect("snapshot has a folder"))
                .expect("creating the snapshot folder");
            if fs::read(&target).ok().as_deref() != Some(bytes.as_slice()) {
                fs::write(&target, bytes).expect("writing a snapshot");
            }
        }
        return problems;
    }
    for extra in on_disk
        .iter()
        .filter(|p| !pinned.iter().any(|(q, _)| q == p))
    {
        problems.push(format!("{name}: expected/{extra} is no longer generated"));
    }
    for (path, bytes) in pinned {
        let Ok(want) = fs::read(expected_dir.join(path)) else {
            problems.push(format!(
                "{name}: generated {path} has no snapshot in expected/"
            ));
            continue;
        };
        if want != *bytes {
            let old = format!("expected/{path}");
            let new = format!("generated {path}");
            let hunk = diff(
                &old,
                &new,
                &String::from_utf8_lossy(&want),
                &String::from_utf8_lossy(bytes),
            );
            problems.push(format!(
                "{name}: generated {path} differs from its snapshot\n{hunk}"
            ));
        }
    }
    problems
}

/// Checks (or, when updating, writes) one err case; the problems found, if any.
fn check_err_case(dir: &Path) -> Vec<String> {
    let name = case_name(dir);
    let input = input(dir);
    let diags = match generate(&input) {
        Err(panic) => return vec![format!("{name}: the generator panicked: {panic}")],
        Ok(Ok(_)) => {
            return vec![format!(
                "{name}: expected diagnostics, but the spec generated"
            )];
        }
        Ok(Err(diags)) => diags,
    };
    let mut problems = Vec::new();
    if diags.windows(2).any(|w| w[0] > w[1]) {
        problems.push(format!("{name}: the diagnostics are not sorted"));
    }
    match panic::catch_unwind(AssertUnwindSafe(|| codegen::check(&input.specs))) {
        Ok(Err(checked)) if checked == diags => {}
        Ok(_) => problems.push(format!("{name}: `check` and `generate` disagree")),
        Err(_) => problems.push(format!("{name}: `check` panicked")),
    }
    let mut actual: String = diags.iter().map(|d| format!("{d}\n")).collect();
    if actual.is_empty() {
        actual.push('\n');
    }
    let path = dir.join("expected.txt");
    if updating() {
        if fs::read_to_string(&path).ok().as_deref() != Some(actual.as_str()) {
            fs::write(&path, &actual).expect("writing expected.txt");
        }
        return problems;
    }
    match fs::read_to_string(&path) {
        Err(e) => problems.push(format!("{name}: reading expected.txt: {e}")),
        Ok(want) if want != actual => {
            problems.push(format!(
                "{name}: diagnostics differ from expected.txt\n{}",
                diff("expected.txt", "diagnostics", &want, &actual)
            ));
        }
        Ok(_) => {}
    }
    problems
}

/// Fails with every problem of every case, so one run shows them all.
fn report(kind: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problem(s) in the {kind} fixtures (UPDATE_SNAPSHOTS=1 rewrites the snapshots):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn ok_fixtures_match_their_snapshots() {
    let problems: Vec<String> = cases("ok")
        .iter()
        .flat_map(|dir| check_ok_case(dir))
        .collect();
    report("ok", &problems);
}

#[test]
fn err_fixtures_report_exactly_their_diagnostics() {
    let problems: Vec<String> = cases("err")
        .iter()
        .flat_map(|dir| check_err_case(dir))
        .collect();
    report("err", &problems);
}

#[test]
fn real_spec_generates_without_diagnostics() {
    let input = input(&workspace_root());
    assert!(!input.specs.is_empty(), "no spec files under spec/");
    match generate(&input) {
        Err(panic) => panic!("the generator panicked on the real spec: {panic}"),
        Ok(Err(diags)) => {
            let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
            panic!(
                "the real spec has {} problem(s):\n{}",
                lines.len(),
                lines.join("\n")
            );
        }
        Ok(Ok(output)) => {
            for (path, bytes) in output.iter().filter(|(p, _)| p.ends_with(".rs")) {
                let text = String::from_utf8_lossy(bytes);
                if let Err(e) = syn::parse_file(&text) {
                    panic!("generated {path} does not parse: {e}");
                }
            }
        }
    }
}

#[test]
fn real_spec_generates_the_same_bytes_twice() {
    let input = input(&workspace_root());
    let first = codegen::generate(&input)
        .map_err(|d| d.len())
        .expect("the real spec generates");
    let second = codegen::generate(&input)
        .map_err(|d| d.len())
        .expect("the real spec generates");
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>(),
        "different file sets"
    );
    for (path, bytes) in &first {
        if second[path] != *bytes {
            let hunk = diff(
                "first run",
                "second run",
                &String::from_utf8_lossy(bytes),
                &String::from_utf8_lossy(&second[path]),
            );
            panic!("{path} differs between two runs\n{hunk}");
        }
    }
}

/// The field a request path reaches: through the request's fields, then the fields of the named
/// objects on the way.
fn request_field<'a>(
    area: &'a codegen::ir::Area,
    op: &'a codegen::ir::Operation,
    path: &codegen::ir::FieldPath,
) -> Option<&'a codegen::ir::Field> {
    let mut fields = &op.request.fields;
    let mut found = None;
    for step in &path.steps {
        let field = fields.iter().find(|f| f.wire == step.wire)?;
        if let codegen::ir::Type::Named(n) = &field.ty
            && let Some(codegen::ir::TypeDef::Object(o)) = area.type_def(&n.name)
        {
            fields = &o.fields;
        }
        found = Some(field);
    }
    found
}

/// `validate()` refuses a page size below 1 and a cursor, offset, token or page number below its
/// first value: every paginated curated operation of the real spec states both minimums. (The
/// imported ones state what DingTalk's package says, which has no limits; a text token has no
/// minimum.)
#[test]
fn real_spec_bounds_every_page_size_and_cursor() {
    use codegen::ir::{Bound, PaginationStyle};
    let api = codegen::check(&input(&workspace_root()).specs).expect("the real spec checks");
    let mut missing = Vec::new();
    let mut checked = 0;
    for (area, op) in api.operations() {
        let Some(p) = &op.pagination else { continue };
        if op.action.is_some() {
            continue;
        }
        checked += 1;
        let first = if p.style == PaginationStyle::PageNumber {
            1
        } else {
            0
        };
        for (path, least) in [(&p.size, 1), (&p.cursor, first)] {
            let min = request_field(area, op, path).and_then(|f| f.limits.min);
            if min != Some(Bound::Int(least)) {
                missing.push(format!(
                    "{}: `{}` has min {min:?}, not {least}",
                    op.id,
                    path.wire()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(checked >= 10, "only {checked} curated paginated operations");
}
