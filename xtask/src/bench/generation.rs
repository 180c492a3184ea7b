//! Our generation, measured: `codegen::generate` timed in-process on spec text already in memory
//! (median wall time, CPU time per run), the lines it emits, and its peak memory, measured in a
//! child process (`bench-gen-one`) that prints its own `VmHWM`.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use codegen::{Input, Output};
use xtask::{read_specs, runtime_path, workspace_root};

/// What one spec's generation measured.
pub struct GenStats {
    /// Operations in the spec.
    pub ops: usize,
    /// Timed runs (after one warm-up).
    pub runs: usize,
    /// Median wall time of `codegen::generate` (load, validate, lower, emit, prettyplease, the
    /// OpenAPI export).
    pub wall: Duration,
    /// CPU time (user + system, every thread) of one `codegen::generate`, averaged over the
    /// runs: unlike wall time it does not shrink with more cores nor grow when other processes
    /// compete for them. `None` without `/proc`.
    pub cpu: Option<Duration>,
    /// Lines of the generated Rust sources (`src/**/*.rs`).
    pub lines: usize,
    /// The generated crate, for the build benchmark and the OpenAPI document.
    pub output: Output,
}

/// Reads a spec folder into the generator's input for a crate written to `out_dir` (which
/// decides the runtime's `path =`), not timed.
pub fn input(spec_dir: &Path, out_dir: &Path) -> Result<Input, String> {
    let root = workspace_root();
    let specs = read_specs(spec_dir, &root).map_err(|e| e.to_string())?;
    if specs.is_empty() {
        return Err(format!("{} holds no spec file", spec_dir.display()));
    }
    Ok(Input {
        specs,
        runtime_path: runtime_path(out_dir),
    })
}

/// Times `codegen::generate` on an input already in memory: one warm-up, then `runs` timed
/// runs; the median wall time and the CPU time per run.
pub fn measure(input: &Input, runs: usize) -> Result<GenStats, String> {
    let problems = |d: Vec<codegen::Diagnostic>| {
        let shown: Vec<String> = d.iter().take(10).map(ToString::to_string).collect();
        format!("{} problem(s) in the spec:\n{}", d.len(), shown.join("\n"))
    };
    let api = codegen::check(&input.specs).map_err(problems)?;
    let ops = api.areas.values().map(|a| a.operations.len()).sum();
    drop(api);
    let mut output = codegen::generate(input).map_err(problems)?;
    let mut times = Vec::with_capacity(runs);
    let cpu_start = process_cpu();
    for _ in 0..runs {
        let start = Instant::now();
        output = codegen::generate(input).map_err(problems)?;
        times.push(start.elapsed());
    }
    let cpu = process_cpu()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start) / u32::try_from(runs.max(1)).unwrap_or(1));
    Ok(GenStats {
        ops,
        runs,
        wall: median(times),
        cpu,
        lines: rust_lines(&output),
        output,
    })
}

/// The median of a non-empty list (the lower middle for an even count).
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

/// CPU time (user + system) of this process so far, every thread included (generation runs on
/// all cores), from `/proc/self/stat`, in clock ticks of 10 ms (`USER_HZ` is 100 in the Linux
/// ABI).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let ticks = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Lines of the generated Rust sources: every `src/**/*.rs`.
pub fn rust_lines(output: &Output) -> usize {
    output
        .iter()
        .filter(|(path, _)| path.starts_with("src/") && path.ends_with(".rs"))
        .map(|(_, bytes)| bytes.iter().filter(|b| **b == b'\n').count())
        .sum()
}

/// Peak memory of generating one spec, from a child process.
pub struct GenMemory {
    /// `VmHWM` of the child after reading the spec, before generating, in kB.
    pub baseline_kb: u64,
    /// `VmHWM` of the child after one `codegen::generate`, in kB.
    pub peak_kb: u64,
}

/// Runs `<this executable> bench-gen-one <spec_dir>` and reads the `VmHWM` it reports.
pub fn peak_memory(spec_dir: &Path) -> Result<GenMemory, String> {
    let exe = std::env::current_exe().map_err(|e| format!("finding the xtask executable: {e}"))?;
    let out = Command::new(exe)
        .arg("bench-gen-one")
        .arg(spec_dir)
        .output()
        .map_err(|e| format!("running bench-gen-one: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "bench-gen-one {} failed: {}{}",
            spec_dir.display(),
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let field = |key: &str| {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(key)?.parse::<u64>().ok())
            .ok_or_else(|| format!("bench-gen-one printed no `{key}`: {stdout}"))
    };
    Ok(GenMemory {
        baseline_kb: field("baseline_kb=")?,
        peak_kb: field("peak_kb=")?,
    })
}

/// The hidden `bench-gen-one <spec_dir>` command: generate once, print `VmHWM` before and after.
pub fn child(args: &[String]) -> ExitCode {
    let [dir] = args else {
        eprintln!("usage: xtask bench-gen-one <spec-dir>");
        return ExitCode::from(2);
    };
    let dir = Path::new(dir);
    let result = input(dir, &workspace_root().join("generated")).and_then(|input| {
        let baseline_kb = vm_hwm_kb()?;
        let output =
            codegen::generate(&input).map_err(|d| format!("{} problem(s) in the spec", d.len()))?;
        let peak_kb = vm_hwm_kb()?;
        drop(output);
        Ok((baseline_kb, peak_kb))
    });
    match result {
        Ok((baseline_kb, peak_kb)) => {
            println!("baseline_kb={baseline_kb} peak_kb={peak_kb}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// This process's peak resident set size (`VmHWM` in `/proc/self/status`), in kB.
fn vm_hwm_kb() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("reading /proc/self/status: {e}"))?;
    status_kb(&status, "VmHWM:").ok_or_else(|| "no VmHWM in /proc/self/status".to_owned())
}

/// A `Key:   1234 kB` value from a `/proc/<pid>/status` text.
pub fn status_kb(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_status_fields() {
        let ms = Duration::from_millis;
        assert_eq!(median(vec![ms(5), ms(1), ms(3)]), ms(3));
        assert_eq!(median(vec![ms(4), ms(1), ms(3), ms(2)]), ms(2));
        assert_eq!(
            status_kb(
                "Name:\txtask\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n",
                "VmHWM:"
            ),
            Some(12345)
        );
        assert_eq!(status_kb("VmRSS:\t 100 kB\n", "VmHWM:"), None);
        let busy = Instant::now();
        let before = process_cpu().expect("/proc/self/stat");
        while busy.elapsed() < Duration::from_millis(60) {
            std::hint::black_box(busy.elapsed());
        }
        assert!(process_cpu().expect("/proc/self/stat") >= before);
    }

    #[test]
    fn rust_lines_count_the_sources_only() {
        let mut out = Output::new();
        for (p, text) in [
            ("src/lib.rs", "a\n"),
            ("src/auth.rs", "a\nb\n"),
            ("src/nested/x.rs", "a\n"),
            ("Cargo.toml", "a\n"),
            ("openapi.json", "{\n}\n"),
        ] {
            out.insert(p.into(), text.as_bytes().to_vec());
        }
        assert_eq!(rust_lines(&out), 4);
    }
}
