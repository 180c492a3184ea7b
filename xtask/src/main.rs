//! `cargo xtask`: `gen` regenerates `generated/` from `spec/`, `check` fails when it is stale,
//! `import` reads DingTalk's v1.0 API description into spec files (see `import/mod.rs` of the
//! library), `bench` times generation and builds (see `bench/mod.rs`).

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{GenError, generate, stale, workspace_root, write};

const COMMANDS: &str = "usage: cargo xtask <command>

commands:
  gen [--spec DIR] [--out DIR]   regenerate the crate (default: spec/ into generated/)
  check [--spec DIR] [--out DIR] exit 1 when the generated files are stale";

/// The usage text: the commands here and the bench's own lines.
fn usage_text() -> String {
    format!("{COMMANDS}\n{}\n{}", xtask::import::USAGE, bench::USAGE)
}

/// mimalloc: generation allocates and frees millions of small token and syntax-tree nodes from
/// two threads, where glibc's allocator spent about 40% of the time (`perf record`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = bench::dispatch(&args) {
        return code;
    }
    let root = workspace_root();
    if args.first().map(String::as_str) == Some("import") {
        return xtask::import::command(&args[1..], &root);
    }
    let mut spec = root.join("spec");
    let mut out = root.join("generated");
    let mut rest = args.iter().skip(1);
    while let Some(flag) = rest.next() {
        let slot = match flag.as_str() {
            "--spec" => &mut spec,
            "--out" => &mut out,
            other => return usage(&format!("unknown argument `{other}`")),
        };
        match rest.next() {
            Some(v) => *slot = PathBuf::from(v),
            None => return usage(&format!("`{flag}` needs a folder")),
        }
    }
    match args.first().map(String::as_str) {
        Some("gen") => run_gen(&spec, &out),
        Some("check") => run_check(&spec, &out),
        Some("-h" | "--help" | "help") => {
            println!("{}", usage_text());
            ExitCode::SUCCESS
        }
        Some(other) => usage(&format!("unknown command `{other}`")),
        None => usage("missing command"),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\n\n{}", usage_text());
    ExitCode::from(2)
}

fn generated(spec: &std::path::Path, out: &std::path::Path) -> Result<codegen::Output, ExitCode> {
    generate(spec, out).map_err(|e| {
        match e {
            GenError::Io(e) => eprintln!("error: {e}"),
            GenError::NoSpecFiles(dir) => eprintln!(
                "error: {} holds no spec file (*.yaml); nothing was written",
                dir.display()
            ),
            GenError::Spec(diags) => {
                for d in &diags {
                    eprintln!("{d}");
                }
                eprintln!(
                    "error: {} problem(s) in the spec; nothing was written",
                    diags.len()
                );
            }
        }
        ExitCode::from(1)
    })
}

fn run_gen(spec: &std::path::Path, out: &std::path::Path) -> ExitCode {
    let output = match generated(spec, out) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match write(out, &output) {
        Ok(r) => {
            for f in &r.written {
                println!("wrote {f}");
            }
            for f in &r.removed {
                println!("removed {f}");
            }
            println!(
                "{} written, {} unchanged, {} removed ({})",
                r.written.len(),
                r.unchanged,
                r.removed.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run_check(spec: &std::path::Path, out: &std::path::Path) -> ExitCode {
    let output = match generated(spec, out) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match stale(out, &output) {
        Ok(files) if files.is_empty() => {
            println!("{} is up to date ({} files)", out.display(), output.len());
            ExitCode::SUCCESS
        }
        Ok(files) => {
            for f in &files {
                eprintln!("stale: {}", out.join(f).display());
            }
            eprintln!(
                "error: {} generated file(s) are stale; run `cargo xtask gen`",
                files.len()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: reading {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}
