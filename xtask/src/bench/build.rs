//! Clean-build benchmarks of a crate: written to `target/bench/<folder>/` as its own workspace
//! (a `Cargo.lock` copied in or fetched, then `--offline`), its dependencies built in the shared
//! `CARGO_TARGET_DIR` `target/bench/target` by a warm-up build, then `cargo clean -p <package>`
//! and a timed `cargo build`: wall time, CPU time of cargo and rustc, peak memory. A timed build
//! that compiles anything besides the package (a dependency edited meanwhile) is redone.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use codegen::Output;

use super::generation::{median, status_kb};

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

/// Where a crate's `Cargo.lock` comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// The workspace's own `Cargo.lock`, copied (our generated crate: the same versions as the
    /// workspace, no network).
    Root,
    /// Resolved in the crate's folder by `cargo fetch` (progenitor's client: its dependencies
    /// are not in the workspace; the network is needed the first time).
    Fetch,
}

/// One crate to build: files written to `target/bench/<folder>/`.
pub struct Crate<'a> {
    /// The folder under `target/bench/`.
    pub folder: &'a str,
    /// The package name, for `cargo clean -p`.
    pub package: &'a str,
    /// The crate's files; `Cargo.toml` gets a `[workspace]` table when it has none.
    pub files: &'a Output,
    /// Where its `Cargo.lock` comes from.
    pub lock: Lock,
    /// Timed clean builds (the medians are reported).
    pub runs: usize,
}

/// What the clean builds of one package measured.
pub struct BuildStats {
    /// Median wall time of the timed builds (`cargo build` after cleaning the package).
    pub wall: Duration,
    /// Median CPU time (user + system) of cargo, rustc and their other children in those builds.
    pub cpu: Option<Duration>,
    /// The largest peak memory of those builds, in kB.
    pub peak_kb: Option<u64>,
    /// Timed builds counted.
    pub runs: usize,
    /// The warm-up build (the dependencies, the first time), for the log.
    pub warm: Duration,
    /// Crates besides the measured ones that a timed build compiled (a dependency edited
    /// meanwhile); such a build is redone.
    pub others: Vec<String>,
    /// Timed builds redone because of them.
    pub redone: usize,
    /// Whether a counted build still compiled other crates (after [`ATTEMPTS`] tries).
    pub unclean: bool,
}

/// How often a timed build is redone when it compiled more than its package.
const ATTEMPTS: usize = 3;

/// Every build of the bench: the dev profile, the lock file as it is.
const BUILD: [&str; 2] = ["build", "--offline"];

/// Writes the crate to `target/bench/<folder>/` and measures its clean build: a warm-up build
/// of the dependencies with an empty `src/lib.rs` (so the crate itself is not built twice), then
/// the real files, `cargo clean -p <package>` and a timed `cargo build`.
pub fn bench(root: &Path, krate: &Crate, rss: Rss) -> Result<BuildStats, String> {
    let (dir, target, files) = set_up(root, krate)?;
    let warm = cargo(&dir, &target, &BUILD, None)?.wall;
    xtask::write_scratch(&dir, &files).map_err(|e| format!("writing {}: {e}", dir.display()))?;
    timed(
        &dir,
        &target,
        &[krate.package],
        Clean::Cargo,
        krate.runs,
        rss,
        warm,
    )
}

/// Measures the clean build of `dependency`, a dependency of `krate`, with the features and
/// profile it has there: the crate's manifest with an empty `src/lib.rs` is written to
/// `target/bench/<folder>/` and built, then the dependency's build products are removed
/// ([`forget`]) and a timed `cargo build` compiles the dependency and the empty crate.
/// (`cargo build -p` of the dependency alone would resolve other features and rebuild some of
/// its dependencies.)
pub fn dependency(
    root: &Path,
    krate: &Crate,
    dependency: &str,
    rss: Rss,
) -> Result<BuildStats, String> {
    let (dir, target, _) = set_up(root, krate)?;
    let warm = cargo(&dir, &target, &BUILD, None)?.wall;
    timed(
        &dir,
        &target,
        &[dependency, krate.package],
        Clean::Forget,
        krate.runs,
        rss,
        warm,
    )
}

/// Writes the crate's manifest (made its own workspace) with an empty `src/lib.rs` to
/// `target/bench/<folder>/` and gets its `Cargo.lock`: the folder, the target directory and the
/// crate's files with that manifest.
fn set_up(root: &Path, krate: &Crate) -> Result<(PathBuf, PathBuf, Output), String> {
    let dir = root.join("target/bench").join(krate.folder);
    let target = root.join("target/bench/target");
    let mut files = krate.files.clone();
    let manifest = files
        .get_mut("Cargo.toml")
        .ok_or("the crate has no Cargo.toml")?;
    if !String::from_utf8_lossy(manifest).contains("\n[workspace]") {
        manifest.extend_from_slice(
            b"\n# Added by `cargo xtask bench`: this copy is its own workspace.\n[workspace]\n",
        );
    }
    let mut stub = Output::new();
    stub.insert("Cargo.toml".into(), files["Cargo.toml"].clone());
    stub.insert("src/lib.rs".into(), Vec::new());
    xtask::write_scratch(&dir, &stub).map_err(|e| format!("writing {}: {e}", dir.display()))?;
    match krate.lock {
        Lock::Root => {
            fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
                .map_err(|e| format!("copying Cargo.lock: {e}"))?;
        }
        Lock::Fetch => {
            cargo(&dir, &target, &["fetch", "--quiet"], None)?;
        }
    }
    Ok((dir, target, files))
}

/// How the measured package's build products are removed before a timed build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clean {
    /// `cargo clean -p <package>`.
    Cargo,
    /// [`forget`]: `cargo clean -p` removes the files of every target of the package by name,
    /// and the runtime has an integration test named `tracing`, so it would also remove the
    /// `tracing` crate's artifacts and the timed build would rebuild half the HTTP stack.
    Forget,
}

/// Removes what cargo keeps for one package in `target/debug`, matching names exactly
/// (`<name>-<hash>`, no other package whose name merely starts the same): its fingerprints,
/// build script outputs, incremental caches and artifacts. The next build compiles it from
/// scratch, like after `cargo clean -p`. The number of entries removed.
fn forget(target: &Path, package: &str) -> Result<usize, String> {
    let krate = package.replace('-', "_");
    let lib = format!("lib{krate}");
    let debug = target.join("debug");
    let own = |name: &str, stem: &str| {
        name.strip_prefix(stem)
            .and_then(|r| r.strip_prefix('-'))
            .map(|r| r.split('.').next().unwrap_or(r))
            .is_some_and(|hash| {
                !hash.is_empty()
                    && hash
                        .chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
            })
    };
    let mut removed = 0;
    for (sub, stems) in [
        (".fingerprint", [package, package]),
        ("build", [package, package]),
        ("incremental", [krate.as_str(), krate.as_str()]),
        ("deps", [krate.as_str(), lib.as_str()]),
    ] {
        let Ok(entries) = fs::read_dir(debug.join(sub)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !stems.iter().any(|stem| own(&name, stem)) {
                continue;
            }
            let path = entry.path();
            let gone = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            gone.map_err(|e| format!("removing {}: {e}", path.display()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// `runs` timed builds, each after removing `packages[0]`'s build products; a build that
/// compiles other crates than `packages` is redone (up to [`ATTEMPTS`] tries). Medians of the
/// wall and CPU times, the largest peak memory.
fn timed(
    dir: &Path,
    target: &Path,
    packages: &[&str],
    clean: Clean,
    runs: usize,
    rss: Rss,
    warm: Duration,
) -> Result<BuildStats, String> {
    let package = packages[0];
    let mut stats = BuildStats {
        wall: Duration::ZERO,
        cpu: None,
        peak_kb: None,
        runs: 0,
        warm,
        others: Vec::new(),
        redone: 0,
        unclean: false,
    };
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        for attempt in 1..=ATTEMPTS {
            match clean {
                Clean::Cargo => {
                    cargo(dir, target, &["clean", "--offline", "-p", package], None)?;
                }
                Clean::Forget => {
                    forget(target, package)?;
                }
            }
            let run = cargo(dir, target, &BUILD, Some(rss))?;
            let others: Vec<String> = run
                .compiled
                .into_iter()
                .filter(|c| !packages.contains(&c.as_str()))
                .collect();
            for o in &others {
                if !stats.others.contains(o) {
                    stats.others.push(o.clone());
                }
            }
            if others.is_empty() || attempt == ATTEMPTS {
                stats.unclean |= !others.is_empty();
                walls.push(run.wall);
                cpus.extend(run.cpu);
                stats.peak_kb = stats.peak_kb.max(run.peak_kb);
                break;
            }
            stats.redone += 1;
            eprintln!(
                "bench:   the timed build of {package} also compiled {}; measuring again",
                others.join(", ")
            );
        }
    }
    stats.runs = walls.len();
    stats.wall = median(walls);
    stats.cpu = (cpus.len() == stats.runs).then(|| median(cpus));
    Ok(stats)
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
    /// The packages cargo compiled (its `Compiling <name> ...` lines).
    compiled: Vec<String>,
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
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .take(15)
            .collect();
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = &lines[lines.len().saturating_sub(25)..];
        return Err(format!(
            "{shown} failed ({}):\n{}\n...\n{}",
            out.status,
            errors.join("\n"),
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
    Ok(Run {
        wall,
        cpu,
        peak_kb,
        compiled: compiled(&String::from_utf8_lossy(&out.stderr)),
    })
}

/// The package names of cargo's `Compiling <name> v<version> (...)` lines.
fn compiled(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .strip_prefix("Compiling ")?
                .split_whitespace()
                .next()
        })
        .map(str::to_owned)
        .collect()
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
    fn compiled_crates_are_read_from_cargo_output() {
        let err = "   Compiling dingtalk-openapi-runtime v0.1.0 (/w/runtime)\n   Compiling dingtalk-openapi v0.1.0 (/w/target/bench/real)\n    Finished `dev` profile [unoptimized + debuginfo] target(s) in 1.20s\n";
        assert_eq!(
            compiled(err),
            ["dingtalk-openapi-runtime", "dingtalk-openapi"]
        );
        assert!(compiled("    Finished `dev` profile\n").is_empty());
    }

    #[test]
    fn forget_removes_exactly_one_package() {
        let target = std::env::temp_dir().join(format!("xtask-forget-{}", std::process::id()));
        let debug = target.join("debug");
        let files = [
            ".fingerprint/dingtalk-openapi-runtime-b97f60ac9864a5d4/lib",
            ".fingerprint/dingtalk-openapi-325d796e23ed1496/lib",
            ".fingerprint/tracing-1611cf8d5b125c26/lib",
            "incremental/dingtalk_openapi_runtime-0urc3k6pjfrpv/s",
            "incremental/dingtalk_openapi-3hcak2vzhzs7n/s",
            "deps/libdingtalk_openapi_runtime-b97f60ac9864a5d4.rlib",
            "deps/libdingtalk_openapi_runtime-b97f60ac9864a5d4.rmeta",
            "deps/dingtalk_openapi_runtime-b97f60ac9864a5d4.d",
            "deps/libdingtalk_openapi-325d796e23ed1496.rlib",
            "deps/tracing-eb8ffde175eb0e46.d",
            "deps/libtracing-1611cf8d5b125c26.rmeta",
        ];
        for f in files {
            let path = debug.join(f);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b"x").unwrap();
        }
        assert_eq!(forget(&target, "dingtalk-openapi-runtime").unwrap(), 5);
        let left: Vec<&str> = files
            .iter()
            .copied()
            .filter(|f| debug.join(f).exists())
            .collect();
        assert_eq!(
            left,
            [
                ".fingerprint/dingtalk-openapi-325d796e23ed1496/lib",
                ".fingerprint/tracing-1611cf8d5b125c26/lib",
                "incremental/dingtalk_openapi-3hcak2vzhzs7n/s",
                "deps/libdingtalk_openapi-325d796e23ed1496.rlib",
                "deps/tracing-eb8ffde175eb0e46.d",
                "deps/libtracing-1611cf8d5b125c26.rmeta",
            ]
        );
        assert_eq!(forget(&target, "dingtalk-openapi").unwrap(), 3);
        fs::remove_dir_all(&target).unwrap();
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
