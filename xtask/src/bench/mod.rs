//! `cargo xtask bench`: how fast and how big generation is, and how fast the generated crate
//! builds, for the real spec and for synthetic specs of 100, 1,000 and 5,000 operations, printed
//! side by side in one table with the targets.
//!
//! `cargo xtask` runs a dev build of xtask, so `bench` re-runs itself as
//! `cargo run --profile generator -p xtask -- bench-inner ...`: generation is timed in an optimized
//! build (the workspace's `generator` profile: release with fat LTO and one codegen unit).
//! Peak memory of generation comes from a child (`bench-gen-one <spec-dir>`, the same executable)
//! that prints its own `VmHWM`. Synthetic specs ([`synth`]) are built in memory and written to
//! `target/bench/specs/` so they load like the real one; generated crates are built from
//! `target/bench/<name>/`.

mod build;
mod floor;
mod generation;
pub mod synth;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use xtask::workspace_root;

use build::{BuildStats, Rss};
use floor::Floors;
use generation::{GenMemory, GenStats};

/// The `bench` lines of `cargo xtask --help`.
pub const USAGE: &str = "  bench [--quick] [--no-build]   time generation and builds of the real and synthetic specs
                                 (--quick: no 5,000-op generation, no 1,000-op build; --no-build: no builds)";

/// The cargo profile the bench re-runs itself in (defined in the workspace `Cargo.toml`).
const PROFILE: &str = "generator";
/// The generated crate's package name, for `cargo clean -p`.
const PACKAGE: &str = "dingtalk-openapi";
/// The case whose output the formatting floor parses and prints.
const FLOOR_CASE: &str = "synth-1000";

/// Target: generating the real spec.
const REAL_GEN_MS: f64 = 20.0;
/// Target: generating 1,000 operations.
const GEN_1000_MS: f64 = 300.0;
/// Target: a clean build of the real crate, dependencies built.
const REAL_CLEAN_S: f64 = 1.5;
/// progenitor's clean build of a 1,000-operation client: 162–208 s.
const PROGENITOR_S_PER_OP: (f64, f64) = (0.162, 0.208);
/// Target: at most a quarter of progenitor's best per-operation build cost.
const BUILD_S_PER_OP: f64 = PROGENITOR_S_PER_OP.0 / 4.0;
/// Linear: the per-operation cost may grow at most this much from one size to the next.
const LINEAR_SLACK: f64 = 1.25;

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
#[derive(Clone, Copy)]
struct Options {
    /// Skip the 5,000-op generation and the 1,000-op build.
    quick: bool,
    /// Skip every build.
    no_build: bool,
    /// Measure build memory by sampling `/proc` even when `/usr/bin/time -v` works.
    sample_rss: bool,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        quick: false,
        no_build: false,
        sample_rss: false,
    };
    for a in args {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--no-build" => o.no_build = true,
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

/// One spec of the benchmark.
struct Case {
    /// Shown in the table, and the folder name under `target/bench/`.
    name: String,
    /// The spec folder.
    dir: PathBuf,
    /// Timed generation runs.
    runs: usize,
    /// Whether its crate is built.
    build: bool,
    generated: Option<GenStats>,
    memory: Option<GenMemory>,
    built: Option<BuildStats>,
}

/// `bench-inner`: the measurements and the table.
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

fn run(opts: Options) -> Result<(), String> {
    let root = workspace_root();
    let load_start = load_average();
    let mut cases = vec![Case::new("real", root.join("spec"), 21, true)];
    let sizes: &[(usize, usize, bool)] =
        &[(100, 11, true), (1_000, 5, !opts.quick), (5_000, 3, false)];
    for &(ops, runs, build) in sizes {
        if ops == 5_000 && opts.quick {
            continue;
        }
        let name = format!("synth-{ops}");
        let dir = root.join("target/bench/specs").join(&name);
        write_synth(&dir, ops)?;
        cases.push(Case::new(&name, dir, runs, build));
    }

    for case in &mut cases {
        eprintln!("bench: generating {} ({} runs)", case.name, case.runs);
        let input = generation::input(&case.dir)?;
        let stats =
            generation::measure(&input, case.runs).map_err(|e| format!("{}: {e}", case.name))?;
        drop(input);
        case.memory =
            Some(generation::peak_memory(&case.dir).map_err(|e| format!("{}: {e}", case.name))?);
        case.generated = Some(stats);
    }
    let format_floor = match cases.iter().find(|c| c.name == FLOOR_CASE) {
        Some(case) => {
            eprintln!("bench: formatting floor of {FLOOR_CASE} (parse + print its area modules)");
            let output = &case
                .generated
                .as_ref()
                .ok_or("no generation output")?
                .output;
            Some(floor::format(output, 3)?)
        }
        None => None,
    };

    let rss = if opts.sample_rss {
        Rss::Sampled
    } else {
        Rss::detect()
    };
    let mut build_floors = Vec::new();
    if !opts.no_build {
        for (i, case) in cases.iter_mut().filter(|c| c.build).enumerate() {
            let deps = if i == 0 {
                "; its warm-up build also builds the dependencies when they are not built yet"
            } else {
                ""
            };
            eprintln!(
                "bench: building {} in target/bench/{}{deps}",
                case.name, case.name
            );
            let output = &case
                .generated
                .as_ref()
                .ok_or("no generation output")?
                .output;
            let built = build::bench(&root, &case.name, PACKAGE, output, rss)
                .map_err(|e| format!("{}: {e}", case.name))?;
            eprintln!(
                "bench:   warm-up build {:.1} s, clean {:.2} s, touch {:.2} s",
                built.warm.as_secs_f64(),
                built.clean.as_secs_f64(),
                built.touch.as_secs_f64()
            );
            case.built = Some(built);
        }
        for floor in floor::crates() {
            let name = floor.name;
            eprintln!("bench: building the floor crate {name} in target/bench/{name}");
            let built = build::bench(&root, name, &floor.package, &floor.files, rss)?;
            build_floors.push((name, built.clean, built.clean_cpu));
        }
    }
    let load = format!(
        "load average (1 min) {} at the start, {} at the end",
        load_start,
        load_average()
    );
    let floors = Floors {
        format: format_floor,
        builds: build_floors,
    };
    print!("{}", report(&cases, &floors, opts, rss, &load));
    Ok(())
}

impl Case {
    fn new(name: &str, dir: PathBuf, runs: usize, build: bool) -> Case {
        Case {
            name: name.to_owned(),
            dir,
            runs,
            build,
            generated: None,
            memory: None,
            built: None,
        }
    }

    fn ops(&self) -> usize {
        self.generated.as_ref().map_or(0, |g| g.ops)
    }

    fn gen_ms(&self) -> Option<f64> {
        self.generated.as_ref().map(|g| ms(g.total))
    }

    fn gen_ms_per_op(&self) -> Option<f64> {
        Some(self.gen_ms()? / self.ops().max(1) as f64)
    }
}

/// Writes a synthetic spec's files into `dir`, replacing what was there.
fn write_synth(dir: &Path, ops: usize) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("writing {}: {e}", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(fail)?;
    }
    std::fs::create_dir_all(dir).map_err(fail)?;
    for (name, text) in synth::spec(ops) {
        std::fs::write(dir.join(name), text).map_err(fail)?;
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The table, the phase split, the targets and the methods.
fn report(cases: &[Case], floors: &Floors, opts: Options, rss: Rss, load: &str) -> String {
    let header = [
        "spec",
        "ops",
        "gen ms",
        "gen ms/op",
        "lines/op",
        "gen peak MB",
        "build clean s",
        "build touch s",
        "build peak MB",
    ];
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            let g = c.generated.as_ref();
            let b = c.built.as_ref();
            vec![
                c.name.clone(),
                c.ops().to_string(),
                opt(c.gen_ms(), 1),
                opt(c.gen_ms_per_op(), 3),
                opt(g.map(|g| g.area_lines as f64 / g.ops.max(1) as f64), 0),
                opt(c.memory.as_ref().map(|m| mb(m.peak_kb)), 1),
                opt(b.map(|b| b.clean.as_secs_f64()), 2),
                opt(b.map(|b| b.touch.as_secs_f64()), 2),
                opt(
                    b.and_then(|b| b.clean_peak_kb.max(b.touch_peak_kb)).map(mb),
                    0,
                ),
            ]
        })
        .collect();
    let mut out = String::from("\n");
    out.push_str(&table(&header, &rows));

    let _ = writeln!(
        out,
        "\nphases (medians): check = load + validate + lower; the rest = emit + prettyplease + openapi.json"
    );
    for c in cases {
        if let Some(g) = &c.generated {
            let (total, check) = (ms(g.total), ms(g.check));
            let _ = writeln!(
                out,
                "  {:<11} check {:>7.1} ms ({:>4.1}%)   emit+format {:>7.1} ms   fastest gen {:>7.1} ms   gen CPU time {:>7} ms/run   {} runs",
                c.name,
                check,
                100.0 * check / total.max(f64::MIN_POSITIVE),
                (total - check).max(0.0),
                ms(g.fastest),
                opt(g.cpu.map(ms), 1),
                g.runs
            );
        }
    }

    let builds: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let b = c.built.as_ref()?;
            let s = |d: Option<Duration>| opt(d.map(|d| d.as_secs_f64()), 2);
            Some(format!(
                "  {:<11} clean {:>7} s CPU   touch {:>7} s CPU",
                c.name,
                s(b.clean_cpu),
                s(b.touch_cpu)
            ))
        })
        .collect();
    if !builds.is_empty() {
        let _ = writeln!(
            out,
            "\nbuild CPU time (user + system of cargo and rustc; the wall clock above also waits for the CPU):\n{}",
            builds.join("\n")
        );
    }

    let _ = writeln!(out, "\ntargets:");
    let find = |name: &str| cases.iter().find(|c| c.name == name);
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    let real = find("real");
    let (s100, s1000, s5000) = (find("synth-100"), find("synth-1000"), find("synth-5000"));
    if let Some(v) = real.and_then(Case::gen_ms) {
        let _ = writeln!(
            out,
            "  real spec gen <= {REAL_GEN_MS} ms: {v:.1} ms  {}",
            verdict(v <= REAL_GEN_MS)
        );
    }
    if let Some(v) = s1000.and_then(Case::gen_ms) {
        let _ = writeln!(
            out,
            "  1,000 ops gen <= {GEN_1000_MS} ms: {v:.1} ms  {}",
            verdict(v <= GEN_1000_MS)
        );
    }
    let _ = writeln!(out, "  {}", linearity(s100, s1000, s5000));
    match real.and_then(|c| c.built.as_ref()) {
        Some(b) => {
            let v = b.clean.as_secs_f64();
            let _ = writeln!(
                out,
                "  real crate clean build <= {REAL_CLEAN_S} s: {v:.2} s  {}",
                verdict(v <= REAL_CLEAN_S)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  real crate clean build <= {REAL_CLEAN_S} s: not measured (--no-build)"
            );
        }
    }
    match s1000.and_then(|c| Some((c.built.as_ref()?, c.ops()))) {
        Some((b, ops)) => {
            let per_op = b.clean.as_secs_f64() / ops as f64;
            let _ = writeln!(
                out,
                "  build cost at 1,000 ops <= {BUILD_S_PER_OP:.4} s/op (a quarter of progenitor's {:.3}-{:.3} s/op): {per_op:.4} s/op, \
                 {:.1}-{:.1}x cheaper than progenitor  {}",
                PROGENITOR_S_PER_OP.0,
                PROGENITOR_S_PER_OP.1,
                PROGENITOR_S_PER_OP.0 / per_op,
                PROGENITOR_S_PER_OP.1 / per_op,
                verdict(per_op <= BUILD_S_PER_OP)
            );
            let cpu = b
                .clean_cpu
                .map(|c| format!("; in CPU time {:.4} s/op", c.as_secs_f64() / ops as f64))
                .unwrap_or_default();
            if let Some(b100) = s100.and_then(|c| c.built.as_ref()) {
                let marginal =
                    (b.clean.as_secs_f64() - b100.clean.as_secs_f64()) / (ops as f64 - 100.0);
                let _ = writeln!(
                    out,
                    "    (marginal wall cost from 100 to 1,000 ops: {marginal:.4} s/op{cpu})"
                );
            } else if !cpu.is_empty() {
                let _ = writeln!(out, "    ({})", &cpu[2..]);
            }
        }
        None => {
            let why = if opts.no_build {
                "--no-build"
            } else {
                "--quick"
            };
            let _ = writeln!(
                out,
                "  build cost at 1,000 ops <= {BUILD_S_PER_OP:.4} s/op: not measured ({why})"
            );
        }
    }

    out.push_str(&floors.report(
        find(FLOOR_CASE).and_then(|c| Some(c.generated.as_ref()?.check)),
        real.and_then(|c| Some(c.built.as_ref()?.clean)),
    ));

    let _ = writeln!(out, "\nmethods:");
    let build_kind = if cfg!(debug_assertions) {
        "a DEBUG xtask build (timings are pessimistic)"
    } else {
        "an optimized xtask build (cargo run --profile generator: release, fat LTO, one codegen unit)"
    };
    let _ = writeln!(
        out,
        "  gen: codegen::generate in-process on spec text already in memory (load + validate + lower + emit + prettyplease), \
         median of the runs after one warm-up, in {build_kind}; on every core (parts of the crate are \
         formatted in parallel). gen CPU time: user + system of all the process's threads, per run."
    );
    let _ = writeln!(
        out,
        "  synthetic specs: {} operations per area, 5 per resource (create with a wrapper object, update, get, GET search on the api host, paginated list); written to target/bench/specs/.",
        synth::AREA_SIZE
    );
    let _ = writeln!(
        out,
        "  lines/op: lines of the generated src/<area>.rs modules / operations (lib.rs and the runtime copy excluded)."
    );
    let baselines: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            Some(format!(
                "{} {:.1} MB",
                c.name,
                mb(c.memory.as_ref()?.baseline_kb)
            ))
        })
        .collect();
    let _ = writeln!(
        out,
        "  gen peak: VmHWM of a child (this executable, bench-gen-one <spec-dir>) after one generation; its VmHWM before generating: {}.",
        baselines.join(", ")
    );
    if !opts.no_build {
        let touched: Vec<String> = cases
            .iter()
            .filter_map(|c| Some(format!("{} {}", c.name, c.built.as_ref()?.touched)))
            .collect();
        let _ = writeln!(
            out,
            "  build: cargo build --offline, dev profile, default features, of a copy in target/bench/<spec> with its own [workspace] and the root \
             Cargo.lock; dependencies prebuilt in the shared CARGO_TARGET_DIR target/bench/target. clean = cargo clean -p dingtalk-openapi, then \
             build; touch = append a comment to one area file ({}), then build. Wall clock, one run each.",
            touched.join(", ")
        );
        let _ = writeln!(
            out,
            "  build peak: {}; the larger of the clean and touch builds.",
            rss.describe()
        );
    }
    let _ = writeln!(
        out,
        "  machine: {} CPUs, {load}; wall-clock times grow with load, the CPU time per run does not (10 ms ticks, averaged).",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    out
}

/// The 1-minute load average, from `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// Whether the per-operation generation cost stays flat from 100 to 1,000 (to 5,000) operations.
fn linearity(s100: Option<&Case>, s1000: Option<&Case>, s5000: Option<&Case>) -> String {
    let (Some(a), Some(b)) = (s100, s1000) else {
        return "linear: not measured".to_owned();
    };
    let (Some(ta), Some(tb)) = (a.gen_ms(), b.gen_ms()) else {
        return "linear: not measured".to_owned();
    };
    let (na, nb) = (a.ops() as f64, b.ops() as f64);
    let ratio = (tb / nb) / (ta / na);
    let mut text = format!(
        "linear (ms/op grows at most {LINEAR_SLACK}x per size step): ms/op 1,000 vs 100 = {ratio:.2}x"
    );
    let mut ok = ratio <= LINEAR_SLACK;
    if let Some((tc, nc)) = s5000.and_then(|c| Some((c.gen_ms()?, c.ops() as f64))) {
        let ratio2 = (tc / nc) / (tb / nb);
        let marginal1 = (tb - ta) / (nb - na);
        let marginal2 = (tc - tb) / (nc - nb);
        ok &= ratio2 <= LINEAR_SLACK;
        let _ = write!(
            text,
            ", 5,000 vs 1,000 = {ratio2:.2}x; marginal ms/op 100→1,000 {marginal1:.3}, 1,000→5,000 {marginal2:.3}"
        );
    }
    let _ = write!(text, "  {}", if ok { "PASS" } else { "FAIL" });
    text
}

/// A plain-text table: the first column left-aligned, the others right-aligned.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        format!("{}\n", parts.join(" | ").trim_end())
    };
    let mut out = line(header.to_vec());
    out.push_str(&format!(
        "{}\n",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-|-")
    ));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_table() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = options(&args(&["--quick", "--no-build"])).unwrap();
        assert!(o.quick && o.no_build && !o.sample_rss);
        assert!(options(&args(&["--fast"])).is_err());
        let t = table(
            &["spec", "ops"],
            &[
                vec!["real".into(), "24".into()],
                vec!["synth-1000".into(), "1000".into()],
            ],
        );
        assert_eq!(
            t,
            "spec       |  ops\n-----------|-----\nreal       |   24\nsynth-1000 | 1000\n"
        );
    }
}
