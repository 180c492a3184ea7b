//! Build benchmarks of a generated crate: written to `target/bench/<name>/` as its own workspace
//! (the root `Cargo.lock` copied in, `--offline`), dependencies built once in the shared
//! `CARGO_TARGET_DIR` `target/bench/target`, then a clean build of just the crate and a rebuild
//! after touching one area file, each timed wall-clock with its peak memory.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use codegen::Output;

use super::generation::{area_files, status_kb};

/// GNU time, whose `-v` report gives the peak RSS of a process tree.
const GNU_TIME: &str = "/usr/bin/time";

/// How peak memory of a build is measured.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rss {
    /// `/usr/bin/time -v`: the maximum RSS of the largest single process of the build (the
    /// kernel folds waited-for descendants into it), which is the crate's rustc.
    GnuTime,
    /// `/proc` sampled every 20 ms: the largest sum of `VmRSS` over the build's rustc processes.
    Sampled,
}

impl Rss {
    /// `/usr/bin/time -v` when it works here, else sampling.
    pub fn detect() -> Rss {
        let works = Command::new(GNU_TIME)
            .args(["-v", "-o", "/dev/null", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if works { Rss::GnuTime } else { Rss::Sampled }
    }

    /// How this method measures, for the report.
    pub fn describe(self) -> &'static str {
        match self {
            Rss::GnuTime => {
                "`/usr/bin/time -v cargo build`, \"Maximum resident set size\": the largest single process of the build \
                 (the kernel folds reaped descendants into it), i.e. the crate's rustc since its dependencies are fresh"
            }
            Rss::Sampled => {
                "the largest sum of VmRSS over the build's rustc processes, sampling /proc every 20 ms"
            }
        }
    }
}

/// What one crate's builds measured.
pub struct BuildStats {
    /// `cargo clean -p dingtalk-openapi` then `cargo build`.
    pub clean: Duration,
    /// `cargo build` after appending a comment to one area file.
    pub touch: Duration,
    /// CPU time (user + system) of the clean build's processes.
    pub clean_cpu: Option<Duration>,
    /// CPU time (user + system) of the touch build's processes.
    pub touch_cpu: Option<Duration>,
    /// Peak memory of the clean build, in kB.
    pub clean_peak_kb: Option<u64>,
    /// Peak memory of the touch build, in kB.
    pub touch_peak_kb: Option<u64>,
    /// The area file touched, relative to the crate.
    pub touched: String,
    /// The warm-up build (dependencies, the first time), for the log.
    pub warm: Duration,
}

/// Writes the crate (package `package`) to `target/bench/<name>/` and measures its builds.
pub fn bench(
    root: &Path,
    name: &str,
    package: &str,
    output: &Output,
    rss: Rss,
) -> Result<BuildStats, String> {
    let dir = root.join("target/bench").join(name);
    let target = root.join("target/bench/target");
    let mut crate_files = output.clone();
    let manifest = crate_files
        .get_mut("Cargo.toml")
        .ok_or("the crate has no Cargo.toml")?;
    manifest.extend_from_slice(
        b"\n# Added by `cargo xtask bench`: this copy is its own workspace.\n[workspace]\n",
    );
    xtask::write(&dir, &crate_files).map_err(|e| format!("writing {}: {e}", dir.display()))?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    let touched = area_files(output)
        .map(|(p, _)| p.clone())
        .next()
        .ok_or("the crate has no module besides src/lib.rs to touch")?;

    let build = ["build", "--offline"];
    let warm = cargo(&dir, &target, &build, None)?.wall;
    cargo(&dir, &target, &["clean", "--offline", "-p", package], None)?;
    let clean = cargo(&dir, &target, &build, Some(rss))?;
    fs::OpenOptions::new()
        .append(true)
        .open(dir.join(&touched))
        .and_then(|mut f| f.write_all(b"// touched by `cargo xtask bench`\n"))
        .map_err(|e| format!("touching {touched}: {e}"))?;
    let touch = cargo(&dir, &target, &build, Some(rss))?;
    Ok(BuildStats {
        clean: clean.wall,
        touch: touch.wall,
        clean_cpu: clean.cpu,
        touch_cpu: touch.cpu,
        clean_peak_kb: clean.peak_kb,
        touch_peak_kb: touch.peak_kb,
        touched,
        warm,
    })
}

/// The cargo that runs us (`CARGO`), else `cargo` from `PATH`.
fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// What one cargo command cost.
struct Run {
    wall: Duration,
    /// User + system time of the command and its reaped descendants (rustc, build scripts).
    cpu: Option<Duration>,
    /// Peak memory in kB, when asked.
    peak_kb: Option<u64>,
}

/// Runs one cargo command in `dir` and measures it.
fn cargo(dir: &Path, target: &Path, args: &[&str], rss: Option<Rss>) -> Result<Run, String> {
    let report = dir.join("time-v.txt");
    let mut cmd = if rss == Some(Rss::GnuTime) {
        let mut c = Command::new(GNU_TIME);
        c.arg("-v").arg("-o").arg(&report).arg(cargo_bin());
        c
    } else {
        Command::new(cargo_bin())
    };
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let shown = format!("cargo {} (in {})", args.join(" "), dir.display());
    let cpu_start = children_cpu();
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("{shown}: {e}"))?;
    let sampler = (rss == Some(Rss::Sampled)).then(|| Sampler::start(child.id()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{shown}: {e}"))?;
    let wall = start.elapsed();
    let cpu = children_cpu()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start));
    let sampled = sampler.map(Sampler::stop);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(format!(
            "{shown} failed ({}):\n{}",
            out.status,
            tail.join("\n")
        ));
    }
    let peak_kb = match rss {
        Some(Rss::GnuTime) => {
            let text = fs::read_to_string(&report)
                .map_err(|e| format!("reading {}: {e}", report.display()))?;
            Some(
                status_kb(
                    &text.replace('\t', ""),
                    "Maximum resident set size (kbytes):",
                )
                .ok_or("no maximum RSS in the time -v report")?,
            )
        }
        Some(Rss::Sampled) => sampled,
        None => None,
    };
    Ok(Run { wall, cpu, peak_kb })
}

/// User + system time of this process's reaped children and their reaped descendants
/// (`cutime` + `cstime` of `/proc/self/stat`, in 10 ms ticks).
fn children_cpu() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(13);
    let ticks = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Samples the summed `VmRSS` of the rustc processes under one process, every 20 ms.
struct Sampler {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<u64>,
}

impl Sampler {
    fn start(root: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::spawn(move || {
            let mut max = 0;
            while !flag.load(Ordering::Relaxed) {
                max = max.max(rustc_rss_kb(root));
                thread::sleep(Duration::from_millis(20));
            }
            max
        });
        Sampler { stop, handle }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or(0)
    }
}

/// The summed `VmRSS` (kB) of the `rustc` processes descending from `root`.
fn rustc_rss_kb(root: u32) -> u64 {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "rustc")
        })
        .filter(|pid| descends_from(*pid, root))
        .filter_map(|pid| {
            status_kb(
                &fs::read_to_string(format!("/proc/{pid}/status")).ok()?,
                "VmRSS:",
            )
        })
        .sum()
}

/// Whether `pid` has `root` among its ancestors (a few levels: time → cargo → rustc).
fn descends_from(mut pid: u32, root: u32) -> bool {
    for _ in 0..8 {
        let Some(parent) = parent_pid(pid) else {
            return false;
        };
        if parent == root {
            return true;
        }
        if parent <= 1 {
            return false;
        }
        pid = parent;
    }
    false
}

/// The parent of a process, from `/proc/<pid>/stat` (the field after the parenthesised name).
fn parent_pid(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_descends_from_its_parent() {
        let me = std::process::id();
        let parent = parent_pid(me).expect("a parent");
        assert!(descends_from(me, parent));
        assert!(!descends_from(me, me));
    }

    #[test]
    fn children_cpu_counts_reaped_children() {
        let before = children_cpu().expect("/proc/self/stat");
        let ok = Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .status()
            .expect("sh");
        assert!(ok.success());
        assert!(children_cpu().expect("/proc/self/stat") > before);
    }
}
