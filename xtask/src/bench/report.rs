//! The printed report of `cargo xtask bench`: the generation and build tables, the targets with
//! PASS/FAIL, and how each figure is measured.

use std::fmt::Write as _;
use std::time::Duration;

use super::build::BuildStats;
use super::{PACKAGE, RUNTIME, RUNTIME_FOLDER, Results, Size, progenitor, replicate};

/// Target: our generation at least this many times faster than progenitor's (wall and CPU).
const GEN_SPEEDUP: f64 = 3.0;
/// Target: our per-operation clean build at most this share of progenitor's at ~1,000 ops.
const BUILD_SHARE: f64 = 1.0 / 8.0;
/// Target: the real crate's clean build, dependencies prebuilt, in seconds.
const REAL_CLEAN_S: f64 = 1.5;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

/// Why a figure is missing.
fn missing(r: &Results, size: &Size, needs_build: bool) -> &'static str {
    if needs_build && r.opts.no_build {
        "not measured (--no-build)"
    } else if needs_build && !size.build {
        "not measured (--quick)"
    } else if r.runner.is_none() {
        "not measured (progenitor skipped: --no-progenitor)"
    } else {
        "not measured"
    }
}

/// The whole report.
pub fn report(r: &Results) -> String {
    let mut out = String::from("\n");
    if r.runner.is_none() {
        out.push_str(
            "PROGENITOR SKIPPED (--no-progenitor): only our own figures are measured; every comparison is left out.\n\n",
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let busiest = [&r.load.0, &r.load.1]
        .iter()
        .filter_map(|l| l.parse::<f64>().ok())
        .fold(0.0, f64::max);
    if busiest >= 0.5 {
        let _ = writeln!(
            out,
            "NOTE: load average (1 min) up to {busiest:.2} on {cores} CPUs around this run: other processes competed for the CPUs, \
             so wall times are inflated (ours more, as it uses every core); the CPU columns are the steadier comparison.\n"
        );
    }
    out.push_str(&generation_table(r));
    out.push('\n');
    out.push_str(&build_table(r));
    out.push_str(&targets(r));
    out.push_str(&methods(r));
    out
}

fn generation_table(r: &Results) -> String {
    let header = [
        "generation",
        "ops",
        "ours ms",
        "ours CPU ms",
        "progenitor ms",
        "progenitor CPU ms",
        "x wall",
        "x CPU",
        "ours lines/op",
        "progenitor lines/op",
        "ours peak MB",
        "progenitor peak MB",
    ];
    let rows: Vec<Vec<String>> = r
        .sizes
        .iter()
        .map(|s| {
            let ours = s.ours.as_ref();
            let prog = s.progenitor.as_ref();
            let ops = s.ops().max(1) as f64;
            let (wall, cpu) = gen_ratios(s);
            vec![
                s.name.to_owned(),
                s.ops().to_string(),
                opt(ours.map(|g| ms(g.wall)), 1),
                opt(ours.and_then(|g| g.cpu).map(ms), 1),
                opt(prog.map(|p| ms(p.wall)), 1),
                opt(prog.and_then(|p| p.cpu).map(ms), 1),
                opt(wall, 2),
                opt(cpu, 2),
                opt(ours.map(|g| g.lines as f64 / ops), 0),
                opt(prog.map(|p| p.lib_rs.lines().count() as f64 / ops), 0),
                opt(s.memory.as_ref().map(|m| mb(m.peak_kb)), 1),
                opt(prog.and_then(|p| p.peak_kb).map(mb), 1),
            ]
        })
        .collect();
    let mut out = table(&header, &rows);
    out.push_str("  (x wall, x CPU: progenitor's time / ours, per run)\n");
    out
}

/// progenitor's generation time over ours, in wall and in CPU time.
fn gen_ratios(s: &Size) -> (Option<f64>, Option<f64>) {
    let (Some(ours), Some(prog)) = (&s.ours, &s.progenitor) else {
        return (None, None);
    };
    let ratio = |p: Duration, o: Duration| (o > Duration::ZERO).then(|| ms(p) / ms(o));
    (
        ratio(prog.wall, ours.wall),
        prog.cpu.zip(ours.cpu).and_then(|(p, o)| ratio(p, o)),
    )
}

fn build_table(r: &Results) -> String {
    let header = [
        "clean build",
        "ops",
        "wall s",
        "CPU s",
        "peak MB",
        "wall ms/op",
        "CPU ms/op",
        "builds",
    ];
    let row = |name: String, ops: Option<usize>, b: &BuildStats| {
        let per_op = |d: Duration| ops.map(|n| ms(d) / n.max(1) as f64);
        vec![
            name,
            ops.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            format!("{:.2}", b.wall.as_secs_f64()),
            opt(b.cpu.map(|c| c.as_secs_f64()), 2),
            opt(b.peak_kb.map(mb), 0),
            opt(per_op(b.wall), 1),
            opt(b.cpu.and_then(per_op), 1),
            b.runs.to_string(),
        ]
    };
    let mut rows = Vec::new();
    for s in &r.sizes {
        if let Some(b) = &s.ours_built {
            rows.push(row(format!("ours {}", s.name), Some(s.ops()), b));
        }
        if let Some(b) = &s.progenitor_built {
            rows.push(row(format!("progenitor {}", s.name), Some(s.ops()), b));
        }
    }
    if let Some(b) = &r.runtime {
        rows.push(row(format!("{RUNTIME} (reference)"), None, b));
    }
    if rows.is_empty() {
        return "clean builds: not measured (--no-build)\n".to_owned();
    }
    let mut out = table(&header, &rows);
    let redone: Vec<String> = r
        .sizes
        .iter()
        .flat_map(|s| {
            [
                (format!("ours {}", s.name), &s.ours_built),
                (format!("progenitor {}", s.name), &s.progenitor_built),
            ]
        })
        .chain([(RUNTIME.to_owned(), &r.runtime)])
        .filter_map(|(name, b)| {
            let b = b.as_ref()?;
            (!b.others.is_empty()).then(|| {
                let last = if b.unclean {
                    "; a reported build STILL compiled some of them (after 3 tries)"
                } else {
                    "; the reported builds compiled only the package"
                };
                format!(
                    "{name}: {} timed build(s) redone, they also compiled {}{last}",
                    b.redone,
                    b.others.join(", ")
                )
            })
        })
        .collect();
    if !redone.is_empty() {
        let _ = writeln!(
            out,
            "  measured again because a timed build compiled more than the package: {}",
            redone.join("; ")
        );
    }
    out
}

fn targets(r: &Results) -> String {
    let mut out = String::from("\ntargets:\n");
    let _ = writeln!(
        out,
        "  generation: ours at least {GEN_SPEEDUP:.0}x faster than progenitor (progenitor's time / ours), in wall and in CPU time:"
    );
    for s in &r.sizes {
        let label = format!("{} ({} ops)", s.name, s.ops());
        match gen_ratios(s) {
            (Some(wall), cpu) => {
                let cpu = cpu.map_or_else(
                    || "CPU not measured".to_owned(),
                    |c| format!("CPU {c:.2}x  {}", verdict(c >= GEN_SPEEDUP)),
                );
                let _ = writeln!(
                    out,
                    "    {label:<22} wall {wall:.2}x  {}   {cpu}",
                    verdict(wall >= GEN_SPEEDUP)
                );
            }
            (None, _) => {
                let _ = writeln!(out, "    {label:<22} {}", missing(r, s, false));
            }
        }
    }
    let _ = writeln!(
        out,
        "  build: our per-operation clean build cost at most 1/{:.0} of progenitor's at ~1,000 ops (ours / progenitor), in wall and in CPU time:",
        1.0 / BUILD_SHARE
    );
    for s in &r.sizes {
        let label = format!("{} ({} ops)", s.name, s.ops());
        let target = s.name == "replicated";
        let line = match (&s.ours_built, &s.progenitor_built) {
            (Some(o), Some(p)) => {
                let share = |o: Duration, p: Duration| {
                    let v = o.as_secs_f64() / p.as_secs_f64().max(f64::MIN_POSITIVE);
                    let judged = if target {
                        format!("  {}", verdict(v <= BUILD_SHARE))
                    } else {
                        String::new()
                    };
                    format!("{v:.3} (1/{:.1}){judged}", 1.0 / v.max(f64::MIN_POSITIVE))
                };
                let per_op = |d: Duration| ms(d) / s.ops().max(1) as f64;
                let cpu = match (o.cpu, p.cpu) {
                    (Some(oc), Some(pc)) => format!(
                        "CPU {} [{:.1} vs {:.1} ms/op]",
                        share(oc, pc),
                        per_op(oc),
                        per_op(pc)
                    ),
                    _ => "CPU not measured".to_owned(),
                };
                format!(
                    "wall {} [{:.1} vs {:.1} ms/op]   {cpu}{}",
                    share(o.wall, p.wall),
                    per_op(o.wall),
                    per_op(p.wall),
                    if target {
                        ""
                    } else {
                        "   (no target at this size)"
                    }
                )
            }
            _ => missing(r, s, true).to_owned(),
        };
        let _ = writeln!(out, "    {label:<22} {line}");
    }
    let real = r.sizes.iter().find(|s| s.name == "real");
    let line = match real.and_then(|s| s.ours_built.as_ref()) {
        Some(b) => {
            let v = b.wall.as_secs_f64();
            format!("{v:.2} s  {}", verdict(v <= REAL_CLEAN_S))
        }
        None => "not measured (--no-build)".to_owned(),
    };
    let _ = writeln!(
        out,
        "  real crate clean build ({PACKAGE}, {} ops, runtime prebuilt) <= {REAL_CLEAN_S} s: {line}",
        real.map_or(0, Size::ops)
    );
    out
}

fn methods(r: &Results) -> String {
    let mut out = String::from("\nmethods:\n");
    let build_kind = if cfg!(debug_assertions) {
        "a DEBUG xtask build (our timings are pessimistic)"
    } else {
        "an optimized xtask build (cargo run --profile generator: release, fat LTO, one codegen unit; mimalloc)"
    };
    let runs: Vec<String> = r
        .sizes
        .iter()
        .filter_map(|s| Some(format!("{} {}", s.name, s.ours.as_ref()?.runs)))
        .collect();
    let _ = writeln!(
        out,
        "  ours, generation: codegen::generate in-process on spec text already in memory (load YAML + validate + lower + emit + prettyplease \
         + the OpenAPI 3.1 export), in {build_kind}, using every core; one warm-up, then timed runs ({}), median wall time. CPU: user + \
         system time of the whole process (every thread) over the timed runs / runs, from /proc/self/stat (10 ms ticks).",
        runs.join(", ")
    );
    let _ = writeln!(
        out,
        "  replicated spec: spec/{} copied {} times with renamed areas (blackboard -> blackboard01..{:02}), operation ids, paths and declared \
         type names (suffix 01..{:02}); fn_name kept (per area client); checked by the generator; written to target/bench/specs/replicated/.",
        replicate::FILES.join(", spec/"),
        replicate::COPIES,
        replicate::COPIES,
        replicate::COPIES
    );
    match &r.runner {
        Some(runner) => {
            let _ = writeln!(
                out,
                "  progenitor, generation: {}; the OpenAPI document our generator exports for the same spec (openapi.json of the output \
                 timed above), converted to 3.0 in target/bench/progenitor-io/; each run: serde_json to openapiv3::OpenAPI from the \
                 text in memory, Generator::new(positional interface).generate_tokens, syn::parse2, prettyplease::unparse (its \
                 build.rs recipe); one warm-up, then timed runs ({}), median wall time; CPU per run from the helper's own \
                 /proc/self/stat over its timed runs. progenitor generates on one thread.",
                runner.describe(),
                r.sizes
                    .iter()
                    .filter_map(|s| Some(format!("{} {}", s.name, s.progenitor.as_ref()?.runs)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for s in &r.sizes {
                if let (Some(c), Some(p)) = (&s.conversion, &s.progenitor) {
                    let _ = writeln!(
                        out,
                        "  3.1 -> 3.0 for progenitor ({}): openapi 3.0.3; {}. Needed: the type lists and null members (openapiv3 \
                         cannot parse the first, progenitor panics on the second); the rest keeps the meaning 3.0 would lose. Ran: {}.",
                        s.name,
                        c.describe(),
                        p.generator
                    );
                }
            }
        }
        None => {
            let _ = writeln!(
                out,
                "  progenitor: skipped (--no-progenitor). Without the flag, the bench builds target/bench/progenitor-gen/ (crates.io needed \
                 the first time) or runs the command in ${}.",
                progenitor::ENV
            );
        }
    }
    let _ = writeln!(
        out,
        "  lines/op: lines of the generated Rust (ours: src/**/*.rs; progenitor: its lib.rs) / operations."
    );
    let baselines: Vec<String> = r
        .sizes
        .iter()
        .filter_map(|s| {
            Some(format!(
                "{} {:.1} MB",
                s.name,
                mb(s.memory.as_ref()?.baseline_kb)
            ))
        })
        .collect();
    let _ = writeln!(
        out,
        "  gen peak: ours, VmHWM of a child (this executable, bench-gen-one <spec-dir>) after one generation (before it: {}); \
         progenitor, the helper's VmHWM after all its runs.",
        baselines.join(", ")
    );
    if !r.opts.no_build {
        let client = r.sizes.iter().find_map(|s| s.client.as_ref()).map(|c| {
            let locked = r
                .client_versions
                .as_ref()
                .map_or_else(String::new, |v| format!("; locked: {v}"));
            format!("{}{locked}", progenitor::dependencies(c))
        });
        let _ = writeln!(
            out,
            "  clean build: cargo build --offline, dev profile, default features, of a crate written to target/bench/<folder>/ as its own \
             workspace, the dependencies prebuilt in the shared CARGO_TARGET_DIR target/bench/target by a warm-up build with an empty \
             src/lib.rs; then the real sources and, `builds` times, cargo clean -p <package> and a timed cargo build (redone if it \
             compiles anything else); medians of wall and CPU time, the largest peak. Ours: {PACKAGE} with the workspace's Cargo.lock, \
             {RUNTIME} and the model by path, prebuilt. progenitor's client: package {}{}, Cargo.lock from cargo fetch. {RUNTIME}: \
             our real crate's manifest with an empty src/lib.rs in target/bench/{RUNTIME_FOLDER} (the runtime gets the features and \
             profile it has as our crate's dependency), the runtime's fingerprint, incremental cache and artifacts removed by exact \
             name (cargo clean -p would also delete the tracing crate's: the runtime has an integration test named tracing), then \
             cargo build, which compiles the runtime and the empty crate. CPU: user + system time of cargo and every process it \
             waited for (rustc, build scripts). Per op: the crate's time / its operations.",
            progenitor::CLIENT_PACKAGE,
            client.map_or_else(String::new, |d| format!(" (dependencies: {d})"))
        );
        let _ = writeln!(out, "  build peak: {}.", r.rss.describe());
    }
    let _ = writeln!(
        out,
        "  machine: {} CPUs, load average (1 min) {} at the start, {} at the end; wall times grow with load, CPU times much less. \
         The measurements took {:.0} s.",
        std::thread::available_parallelism().map_or(0, usize::from),
        r.load.0,
        r.load.1,
        r.elapsed.as_secs_f64()
    );
    out
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
    fn tables_align() {
        let t = table(
            &["spec", "ops"],
            &[
                vec!["real".into(), "25".into()],
                vec!["replicated".into(), "1003".into()],
            ],
        );
        assert_eq!(
            t,
            "spec       |  ops\n-----------|-----\nreal       |   25\nreplicated | 1003\n"
        );
    }
}
