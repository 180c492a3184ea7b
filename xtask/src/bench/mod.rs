//! `cargo xtask bench`: our generator and the crate it makes against progenitor 0.15.1, side by
//! side, at two sizes: the real spec (`spec/`) and about 1,000 real-shaped operations (three real
//! spec files replicated, see [`replicate`]).
//!
//! For each size: our generation timed in-process ([`generation`]); progenitor generating a
//! client from our own OpenAPI export of the same operations, converted to 3.0
//! ([`openapi30`]), timed in a helper process ([`progenitor`]); then clean builds of both
//! crates with their dependencies prebuilt ([`build`]), and of the runtime crate for reference.
//! The figures, targets and methods are printed by [`report`].
//!
//! `cargo xtask` runs a dev build of xtask, so `bench` re-runs itself as
//! `cargo run --profile generator -p xtask -- bench-inner ...`: our generation is timed in an
//! optimized build (the workspace's `generator` profile: release with fat LTO and one codegen
//! unit). Everything the bench writes goes under `target/bench/`.

mod build;
mod generation;
mod openapi30;
mod progenitor;
mod replicate;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use codegen::Output;
use xtask::workspace_root;

use build::{BuildStats, Crate, Lock, Rss};
use generation::{GenMemory, GenStats};
use openapi30::Changes;
use progenitor::{ProgenitorStats, Runner};

/// The `bench` lines of `cargo xtask --help`.
pub const USAGE: &str = "  bench [--quick] [--no-build] [--no-progenitor]
                                 time generation and clean builds of our crate against progenitor 0.15.1,
                                 for the real spec and ~1,000 real-shaped operations
                                 (--quick: no ~1,000-op builds; --no-build: no builds;
                                 --no-progenitor: ours only, no network needed)";

/// The cargo profile the bench re-runs itself in (defined in the workspace `Cargo.toml`).
const PROFILE: &str = "generator";
/// Our generated crate's package name, for `cargo clean -p`.
const PACKAGE: &str = "dingtalk-openapi";
/// The runtime crate's package name.
const RUNTIME: &str = "dingtalk-openapi-runtime";
/// The folder under `target/bench/` where the runtime's clean build is measured.
const RUNTIME_FOLDER: &str = "runtime-only";
/// Timed clean builds of the runtime.
const RUNTIME_RUNS: usize = 3;

/// Runs the bench commands; `None` when `args` is not one of them.
pub fn dispatch(args: &[String]) -> Option<ExitCode> {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str)? {
        "bench" => Some(outer(rest)),
        "bench-inner" => Some(inner(rest)),
        "bench-gen-one" => Some(generation::child(rest)),
        _ => None,
    }
}

/// Command-line options of `bench`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Options {
    /// Skip the ~1,000-operation builds.
    quick: bool,
    /// Skip every build.
    no_build: bool,
    /// Skip progenitor (its helper needs crates.io the first time).
    no_progenitor: bool,
    /// Measure build memory by sampling `/proc` even when `/usr/bin/time -v` works.
    sample_rss: bool,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        quick: false,
        no_build: false,
        no_progenitor: false,
        sample_rss: false,
    };
    for a in args {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--no-build" => o.no_build = true,
            "--no-progenitor" => o.no_progenitor = true,
            "--sample-rss" => o.sample_rss = true,
            other => {
                return Err(format!(
                    "unknown argument `{other}` to `bench`\n\nusage:\n{USAGE}"
                ));
            }
        }
    }
    Ok(o)
}

/// `bench`: re-runs itself optimized unless it already is.
fn outer(args: &[String]) -> ExitCode {
    if let Err(e) = options(args) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if !cfg!(debug_assertions) {
        return inner(args);
    }
    eprintln!(
        "bench: re-running optimized: cargo run --profile {PROFILE} -p xtask -- bench-inner {}",
        args.join(" ")
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--profile",
            PROFILE,
            "--quiet",
            "-p",
            "xtask",
            "--",
            "bench-inner",
        ])
        .args(args)
        .current_dir(workspace_root())
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: running cargo: {e}");
            ExitCode::from(1)
        }
    }
}

/// `bench-inner`: the measurements and the report.
fn inner(args: &[String]) -> ExitCode {
    let opts = match options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// One size of the comparison and what was measured at it.
struct Size {
    /// Folder names: our crate in `target/bench/<name>`, progenitor's in
    /// `target/bench/progenitor-<name>`.
    name: &'static str,
    /// The spec folder.
    spec_dir: PathBuf,
    /// Timed generation runs, ours and progenitor's alike.
    runs: usize,
    /// Whether both crates are built at this size.
    build: bool,
    /// Timed clean builds of each crate.
    build_runs: usize,
    ours: Option<GenStats>,
    memory: Option<GenMemory>,
    /// The 3.1 → 3.0 conversion of our export.
    conversion: Option<Changes>,
    progenitor: Option<ProgenitorStats>,
    /// progenitor's client crate.
    client: Option<Output>,
    ours_built: Option<BuildStats>,
    progenitor_built: Option<BuildStats>,
}

impl Size {
    fn new(
        name: &'static str,
        spec_dir: PathBuf,
        runs: usize,
        build: bool,
        build_runs: usize,
    ) -> Size {
        Size {
            name,
            spec_dir,
            runs,
            build,
            build_runs,
            ours: None,
            memory: None,
            conversion: None,
            progenitor: None,
            client: None,
            ours_built: None,
            progenitor_built: None,
        }
    }

    fn ops(&self) -> usize {
        self.ours.as_ref().map_or(0, |g| g.ops)
    }

    fn progenitor_folder(&self) -> String {
        format!("progenitor-{}", self.name)
    }
}

/// Everything measured, for the report.
struct Results {
    sizes: Vec<Size>,
    /// The runtime crate's clean build.
    runtime: Option<BuildStats>,
    /// How progenitor ran; `None` when skipped.
    runner: Option<Runner>,
    /// Versions of the main crates of progenitor's built client, from its `Cargo.lock`.
    client_versions: Option<String>,
    opts: Options,
    rss: Rss,
    /// The load average at the start and at the end.
    load: (String, String),
    /// How long the measurements took.
    elapsed: std::time::Duration,
}

fn run(opts: Options) -> Result<(), String> {
    let started = std::time::Instant::now();
    let root = workspace_root();
    let load_start = load_average();
    let replicated_dir = root.join("target/bench/specs/replicated");
    write_replicated(&root.join("spec"), &replicated_dir)?;
    let mut sizes = vec![
        Size::new("real", root.join("spec"), 41, true, 5),
        Size::new("replicated", replicated_dir, 9, !opts.quick, 1),
    ];

    for size in &mut sizes {
        let out_dir = root.join("target/bench").join(size.name);
        eprintln!(
            "bench: generating {} with ours ({} runs)",
            size.name, size.runs
        );
        let input = generation::input(&size.spec_dir, &out_dir)?;
        let stats =
            generation::measure(&input, size.runs).map_err(|e| format!("{}: {e}", size.name))?;
        drop(input);
        size.memory = Some(
            generation::peak_memory(&size.spec_dir).map_err(|e| format!("{}: {e}", size.name))?,
        );
        size.ours = Some(stats);
    }

    let runner = if opts.no_progenitor {
        eprintln!("bench: progenitor SKIPPED (--no-progenitor)");
        None
    } else {
        Some(progenitor::prepare(&root)?)
    };
    if let Some(runner) = &runner {
        for size in &mut sizes {
            progenitor_generation(&root, runner, size)?;
        }
    }

    let rss = if opts.sample_rss {
        Rss::Sampled
    } else {
        Rss::detect()
    };
    let mut runtime = None;
    if !opts.no_build {
        for size in sizes.iter_mut().filter(|s| s.build) {
            let output = &size.ours.as_ref().ok_or("no generation output")?.output;
            eprintln!(
                "bench: building our {} crate in target/bench/{} (the first time, the warm-up builds its dependencies)",
                size.name, size.name
            );
            let krate = Crate {
                folder: size.name,
                package: PACKAGE,
                files: output,
                lock: Lock::Root,
                runs: size.build_runs,
            };
            size.ours_built = Some(logged(build::bench(&root, &krate, rss), size.name)?);
            if size.name == "real" {
                eprintln!(
                    "bench: building {RUNTIME} as the real crate's dependency in target/bench/{RUNTIME_FOLDER}"
                );
                let krate = Crate {
                    folder: RUNTIME_FOLDER,
                    runs: RUNTIME_RUNS,
                    ..krate
                };
                runtime = Some(logged(
                    build::dependency(&root, &krate, RUNTIME, rss),
                    RUNTIME,
                )?);
            }
            if let Some(client) = &size.client {
                let folder = size.progenitor_folder();
                eprintln!(
                    "bench: building progenitor's {} client in target/bench/{folder}",
                    size.name
                );
                let krate = Crate {
                    folder: &folder,
                    package: progenitor::CLIENT_PACKAGE,
                    files: client,
                    lock: Lock::Fetch,
                    runs: size.build_runs,
                };
                size.progenitor_built = Some(logged(build::bench(&root, &krate, rss), &folder)?);
            }
        }
    }

    let client_versions = sizes
        .iter()
        .find(|s| s.progenitor_built.is_some())
        .and_then(|s| {
            let lock = root
                .join("target/bench")
                .join(s.progenitor_folder())
                .join("Cargo.lock");
            std::fs::read_to_string(lock).ok()
        })
        .map(|lock| progenitor::locked(&lock, progenitor::CLIENT_CRATES));
    let results = Results {
        sizes,
        runtime,
        runner,
        client_versions,
        opts,
        rss,
        load: (load_start, load_average()),
        elapsed: started.elapsed(),
    };
    print!("{}", report::report(&results));
    Ok(())
}

/// Converts our export of one size to OpenAPI 3.0 and has progenitor generate from it.
fn progenitor_generation(root: &Path, runner: &Runner, size: &mut Size) -> Result<(), String> {
    let io = root.join("target/bench/progenitor-io");
    std::fs::create_dir_all(&io).map_err(|e| format!("creating {}: {e}", io.display()))?;
    let ours = size.ours.as_ref().ok_or("no generation output")?;
    let export = ours
        .output
        .get("openapi.json")
        .ok_or("our output has no openapi.json")?;
    let mut doc: serde_json::Value =
        serde_json::from_slice(export).map_err(|e| format!("our openapi.json is not JSON: {e}"))?;
    let changes = openapi30::convert(&mut doc)?;
    let doc_path = io.join(format!("{}-openapi-3.0.json", size.name));
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&doc_path, text).map_err(|e| format!("writing {}: {e}", doc_path.display()))?;
    eprintln!(
        "bench: generating {} with progenitor ({} runs) from {}",
        size.name,
        size.runs,
        doc_path.display()
    );
    let lib_rs = io.join(format!("{}-lib.rs", size.name));
    let stats = progenitor::generate(runner, &doc_path, &lib_rs, size.runs)
        .map_err(|e| format!("{}: {e}", size.name))?;
    size.client = Some(progenitor::client_crate(&stats.lib_rs));
    size.progenitor = Some(stats);
    size.conversion = Some(changes);
    Ok(())
}

/// Logs a finished build.
fn logged(built: Result<BuildStats, String>, what: &str) -> Result<BuildStats, String> {
    let b = built.map_err(|e| format!("{what}: {e}"))?;
    eprintln!(
        "bench:   warm-up {:.1} s, clean build {:.2} s (median of {})",
        b.warm.as_secs_f64(),
        b.wall.as_secs_f64(),
        b.runs
    );
    Ok(b)
}

/// Writes the replicated spec ([`replicate`]) into `dir`, replacing what was there.
fn write_replicated(spec: &Path, dir: &Path) -> Result<(), String> {
    let files = replicate::FILES
        .iter()
        .map(|f| {
            let path = spec.join(f);
            std::fs::read_to_string(&path)
                .map(|text| ((*f).to_owned(), text))
                .map_err(|e| format!("reading {}: {e}", path.display()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let copies = replicate::replicate(&files, replicate::COPIES)?;
    let fail = |e: std::io::Error| format!("writing {}: {e}", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(fail)?;
    }
    std::fs::create_dir_all(dir).map_err(fail)?;
    for (name, text) in copies {
        std::fs::write(dir.join(name), text).map_err(fail)?;
    }
    Ok(())
}

/// The 1-minute load average, from `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = options(&args(&["--quick", "--no-build", "--no-progenitor"])).unwrap();
        assert!(o.quick && o.no_build && o.no_progenitor && !o.sample_rss);
        assert_eq!(
            options(&args(&[])).unwrap(),
            Options {
                quick: false,
                no_build: false,
                no_progenitor: false,
                sample_rss: false,
            }
        );
        let err = options(&args(&["--fast"])).unwrap_err();
        assert!(err.contains("--no-progenitor"), "{err}");
    }
}
