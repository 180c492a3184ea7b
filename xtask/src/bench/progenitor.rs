//! progenitor 0.15.1, the baseline of `cargo xtask bench`, run outside xtask.
//!
//! progenitor is not a dependency of xtask. The bench writes a helper project,
//! `target/bench/progenitor-gen/` (its own `[workspace]`, its own target directory), builds it
//! in release once (the first build downloads and compiles progenitor), and runs it as a child
//! process on each converted document ([`super::openapi30`]).
//!
//! The helper interface, also for a command of your own named by the environment variable
//! `DINGTALK_BENCH_PROGENITOR` (run through `sh -c`, so it may carry arguments):
//!
//! ```text
//! COMMAND <openapi-3.0.json> <out/lib.rs> <runs>
//! ```
//!
//! The command generates a client from the document once as a warm-up, then `runs` more times,
//! timing each run itself; it writes the generated source to `<out/lib.rs>` and prints, as the
//! last line of its standard output, one JSON object:
//!
//! ```text
//! {"generator":"progenitor 0.15.1","runs":9,"wall_ms":[812.4,...],"cpu_ms":7350,"peak_kb":245000}
//! ```
//!
//! `wall_ms` (required): the wall time of each timed run, in milliseconds; `cpu_ms`: user +
//! system CPU time of the process over all the timed runs together, or `null`; `peak_kb`: the
//! process's peak resident set size, or `null`; `generator`: what was run, for the report.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use codegen::Output;
use serde_json::Value;

/// The environment variable naming a command to run instead of the built helper.
pub const ENV: &str = "DINGTALK_BENCH_PROGENITOR";

/// The progenitor release compared against.
pub const VERSION: &str = "0.15.1";

/// The package name of the generated client crates, for `cargo clean -p`.
pub const CLIENT_PACKAGE: &str = "progenitor-dingtalk";

/// The helper's folder under `target/bench/`.
const HELPER_DIR: &str = "progenitor-gen";

/// The helper's `Cargo.toml`: progenitor and what its build.rs recipe needs, with the same
/// release settings and allocator as our generator (the `generator` profile and mimalloc).
const HELPER_MANIFEST: &str = r#"# Written by `cargo xtask bench`: times progenitor on one OpenAPI 3.0 document.
[package]
name = "progenitor-gen"
version = "0.1.0"
edition = "2024"
publish = false

# Not part of the dingtalk-openapi workspace.
[workspace]

[dependencies]
progenitor = { version = "=0.15.1", default-features = false }
openapiv3 = "2.2"
serde_json = "1"
syn = { version = "3", features = ["full"] }
prettyplease = "0.3"
mimalloc = { version = "0.1", default-features = false }

# As the `generator` profile `cargo xtask bench` times our generator in.
[profile.release]
lto = "fat"
codegen-units = 1
"#;

/// The helper's `src/main.rs`.
const HELPER_MAIN: &str = r#"//! `progenitor-gen`, written and built by `cargo xtask bench`: generates a client with
//! progenitor the way its README shows for a build.rs, timing each run itself.
//!
//! usage: progenitor-gen <openapi-3.0.json> <out/lib.rs> <runs>
//!
//! One warm-up, then <runs> timed runs of: serde_json::from_str::<openapiv3::OpenAPI> on the
//! text already in memory; Generator::new(&settings).generate_tokens(&spec) with the positional
//! interface; syn::parse2::<syn::File>; prettyplease::unparse. Prints one JSON line:
//! {"generator", "runs", "wall_ms": [each run], "cpu_ms": user + system over the runs
//! (/proc/self/stat, 10 ms ticks), "peak_kb": VmHWM}, and writes the last run's source.

use std::process::ExitCode;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("progenitor-gen: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out, runs] = args.as_slice() else {
        return Err("usage: progenitor-gen <openapi-3.0.json> <out/lib.rs> <runs>".into());
    };
    let runs: usize = runs.parse().map_err(|e| format!("runs `{runs}`: {e}"))?;
    let text = std::fs::read_to_string(input).map_err(|e| format!("reading {input}: {e}"))?;
    let mut code = generate(&text)?;
    let mut wall_ms = Vec::with_capacity(runs);
    let cpu_start = cpu_ms();
    for _ in 0..runs {
        let start = Instant::now();
        code = generate(&text)?;
        wall_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let cpu = cpu_start.zip(cpu_ms()).map(|(a, b)| b - a);
    let out = std::path::Path::new(out);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(out, code).map_err(|e| format!("writing {}: {e}", out.display()))?;
    let line = serde_json::json!({
        "generator": "progenitor 0.15.1",
        "runs": runs,
        "wall_ms": wall_ms,
        "cpu_ms": cpu,
        "peak_kb": peak_kb(),
    });
    Ok(line.to_string())
}

fn generate(text: &str) -> Result<String, String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(text).map_err(|e| format!("reading the document: {e}"))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Positional);
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("parsing the generated tokens: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// User + system CPU time of this process, every thread, in ms (10 ms ticks).
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let ticks = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(ticks * 10)
}

/// Peak resident set size of this process (VmHWM), in kB.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:")?.split_whitespace().next()?.parse().ok())
}
"#;

/// The crates of the helper whose versions the report shows.
const HELPER_CRATES: &[&str] = &[
    "progenitor",
    "progenitor-impl",
    "typify-impl",
    "openapiv3",
    "syn",
    "prettyplease",
];

/// The crates of the generated client whose versions the report shows.
pub const CLIENT_CRATES: &[&str] = &[
    "progenitor-client",
    "reqwest",
    "serde",
    "serde_json",
    "regress",
];

/// How progenitor is run.
pub enum Runner {
    /// The helper built under `target/bench/progenitor-gen/`, and the versions of its main
    /// crates from its `Cargo.lock`.
    Helper(PathBuf, String),
    /// A command of the user's, from [`ENV`].
    Command(String),
}

impl Runner {
    /// What runs, for the report.
    pub fn describe(&self) -> String {
        match self {
            Runner::Helper(exe, versions) => format!(
                "the helper {} ({versions}; release with fat LTO, one codegen unit and mimalloc, as our generator)",
                exe.display()
            ),
            Runner::Command(cmd) => format!("`{cmd}` (from {ENV})"),
        }
    }
}

/// The command from [`ENV`], else the helper, written and built (in release) when needed.
pub fn prepare(root: &Path) -> Result<Runner, String> {
    if let Some(cmd) = std::env::var(ENV).ok().filter(|c| !c.trim().is_empty()) {
        return Ok(Runner::Command(cmd));
    }
    let dir = root.join("target/bench").join(HELPER_DIR);
    let mut files = Output::new();
    files.insert("Cargo.toml".into(), HELPER_MANIFEST.as_bytes().to_vec());
    files.insert("src/main.rs".into(), HELPER_MAIN.as_bytes().to_vec());
    xtask::write_scratch(&dir, &files).map_err(|e| format!("writing {}: {e}", dir.display()))?;
    let target = dir.join("target");
    let exe = target.join("release").join("progenitor-gen");
    eprintln!(
        "bench: building the progenitor helper in {} (the first time this downloads and compiles progenitor {VERSION}: several minutes)",
        dir.display()
    );
    let start = Instant::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--release", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running cargo for the progenitor helper: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the progenitor helper failed ({}); without network, run with --no-progenitor:\n{}",
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr), 30)
        ));
    }
    eprintln!(
        "bench:   progenitor helper ready ({:.1} s)",
        start.elapsed().as_secs_f64()
    );
    let lock = fs::read_to_string(dir.join("Cargo.lock")).unwrap_or_default();
    Ok(Runner::Helper(exe, locked(&lock, HELPER_CRATES)))
}

/// What one progenitor generation measured.
pub struct ProgenitorStats {
    /// Timed runs.
    pub runs: usize,
    /// Median wall time of one run.
    pub wall: Duration,
    /// CPU time (user + system) of one run, averaged over the runs.
    pub cpu: Option<Duration>,
    /// Peak resident set size of the helper, in kB.
    pub peak_kb: Option<u64>,
    /// What ran, as the helper says.
    pub generator: String,
    /// The generated `lib.rs`.
    pub lib_rs: String,
}

/// Runs progenitor on `doc` (an OpenAPI 3.0 file), `runs` timed runs, the source written to
/// `lib_rs`.
pub fn generate(
    runner: &Runner,
    doc: &Path,
    lib_rs: &Path,
    runs: usize,
) -> Result<ProgenitorStats, String> {
    let mut cmd = match runner {
        Runner::Helper(exe, _) => Command::new(exe),
        Runner::Command(line) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("{line} \"$@\""))
                .arg("progenitor-gen");
            c
        }
    };
    let _ = fs::remove_file(lib_rs);
    let out = cmd
        .arg(doc)
        .arg(lib_rs)
        .arg(runs.to_string())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running progenitor: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "progenitor failed on {} ({}):\n{}{}",
            doc.display(),
            out.status,
            tail(&stdout, 10),
            tail(&String::from_utf8_lossy(&out.stderr), 30)
        ));
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| format!("progenitor printed no JSON line: {}", tail(&stdout, 10)))?;
    let report = parse_line(line)?;
    let lib_rs = fs::read_to_string(lib_rs)
        .map_err(|e| format!("reading what progenitor wrote, {}: {e}", lib_rs.display()))?;
    Ok(ProgenitorStats {
        runs: report.wall.len(),
        wall: super::generation::median(report.wall),
        cpu: report
            .cpu_total
            .map(|c| c / u32::try_from(report.runs.max(1)).unwrap_or(u32::MAX)),
        peak_kb: report.peak_kb,
        generator: report.generator,
        lib_rs,
    })
}

/// The JSON line of the helper, read.
#[derive(Debug, PartialEq)]
pub struct HelperReport {
    /// Timed runs (the length of `wall_ms` when `runs` is missing).
    pub runs: usize,
    /// Wall time of each timed run.
    pub wall: Vec<Duration>,
    /// CPU time over all the timed runs.
    pub cpu_total: Option<Duration>,
    /// Peak resident set size, kB.
    pub peak_kb: Option<u64>,
    /// What ran.
    pub generator: String,
}

/// Reads the helper's JSON line (see the module documentation).
pub fn parse_line(line: &str) -> Result<HelperReport, String> {
    let v: Value = serde_json::from_str(line.trim())
        .map_err(|e| format!("progenitor's line is not JSON ({e}): {line}"))?;
    let ms = |x: &Value| {
        x.as_f64()
            .filter(|m| m.is_finite() && *m >= 0.0)
            .map(|m| Duration::from_secs_f64(m / 1e3))
    };
    let wall: Vec<Duration> = v
        .get("wall_ms")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("progenitor's line has no `wall_ms` list: {line}"))?
        .iter()
        .map(|x| ms(x).ok_or_else(|| format!("`wall_ms` holds {x}, not a duration")))
        .collect::<Result<_, _>>()?;
    if wall.is_empty() {
        return Err(format!("progenitor's line has no timed run: {line}"));
    }
    let runs = v
        .get("runs")
        .and_then(Value::as_u64)
        .map_or(wall.len(), |r| usize::try_from(r).unwrap_or(usize::MAX));
    Ok(HelperReport {
        runs,
        cpu_total: v.get("cpu_ms").and_then(ms),
        peak_kb: v.get("peak_kb").and_then(Value::as_u64),
        generator: v
            .get("generator")
            .and_then(Value::as_str)
            .unwrap_or("progenitor")
            .to_owned(),
        wall,
    })
}

/// The crate around a progenitor-generated `lib.rs`: what its README lists for generated code
/// (progenitor-client, reqwest with `json`, `query` and `stream`, serde, serde_json), plus the
/// crates the code names (`regress` for patterns, `chrono`, `uuid`, `futures`, `base64`, `rand`).
pub fn client_crate(lib_rs: &str) -> Output {
    let mut manifest = format!(
        "# Written by `cargo xtask bench`: the client progenitor {VERSION} generated.\n\
         [package]\nname = \"{CLIENT_PACKAGE}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n\
         progenitor-client = \"={VERSION}\"\n\
         reqwest = {{ version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"stream\"] }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\n"
    );
    for (needle, dep) in [
        ("regress::", "regress = \"0.12\""),
        (
            "chrono::",
            "chrono = { version = \"0.4\", default-features = false, features = [\"serde\"] }",
        ),
        (
            "uuid::",
            "uuid = { version = \"1\", features = [\"serde\", \"v4\"] }",
        ),
        ("futures::", "futures = \"0.3\""),
        ("base64::", "base64 = \"0.22\""),
        ("rand::", "rand = \"0.8\""),
    ] {
        if lib_rs.contains(needle) {
            let _ = writeln!(manifest, "{dep}");
        }
    }
    manifest.push_str("\n# Its own workspace.\n[workspace]\n");
    let mut files = Output::new();
    files.insert("Cargo.toml".into(), manifest.into_bytes());
    files.insert("src/lib.rs".into(), lib_rs.as_bytes().to_vec());
    files
}

/// The dependency lines of a client crate's manifest, for the report.
pub fn dependencies(files: &Output) -> String {
    let manifest = files
        .get("Cargo.toml")
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .unwrap_or_default();
    manifest
        .lines()
        .skip_while(|l| *l != "[dependencies]")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split(" = ").next().unwrap_or(l).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `name version` of each of `names` in a `Cargo.lock` text (every version when several), in
/// the order of `names`.
pub fn locked(lock: &str, names: &[&str]) -> String {
    let mut found: Vec<(&str, Vec<&str>)> = names.iter().map(|n| (*n, Vec::new())).collect();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("name = \"")
            .and_then(|r| r.strip_suffix('"'))
        else {
            continue;
        };
        let version = lines
            .next()
            .and_then(|l| l.strip_prefix("version = \"")?.strip_suffix('"'));
        if let (Some(slot), Some(v)) = (found.iter_mut().find(|(n, _)| *n == name), version) {
            slot.1.push(v);
        }
    }
    found
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(n, v)| format!("{n} {}", v.join("/")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last `n` lines of a text.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_line_is_read() {
        let r = parse_line(
            r#"{"generator":"progenitor 0.15.1","runs":3,"wall_ms":[10.5,9.0,11.0],"cpu_ms":40,"peak_kb":51200}"#,
        )
        .unwrap();
        assert_eq!(r.runs, 3);
        assert_eq!(r.wall[0], Duration::from_micros(10_500));
        assert_eq!(r.cpu_total, Some(Duration::from_millis(40)));
        assert_eq!(r.peak_kb, Some(51_200));
        assert_eq!(r.generator, "progenitor 0.15.1");
        let minimal = parse_line(r#"{"wall_ms":[2], "cpu_ms": null}"#).unwrap();
        assert_eq!(
            minimal,
            HelperReport {
                runs: 1,
                wall: vec![Duration::from_millis(2)],
                cpu_total: None,
                peak_kb: None,
                generator: "progenitor".into(),
            }
        );
        assert!(parse_line("took 3 ms").is_err());
        assert!(parse_line(r#"{"wall_ms":[]}"#).is_err());
        assert!(parse_line(r#"{"wall_ms":["x"]}"#).is_err());
        assert!(parse_line(r#"{"runs":2}"#).is_err());
    }

    #[test]
    fn the_client_crate_lists_the_crates_its_code_names() {
        let plain = client_crate("pub mod types {}\n");
        let manifest = String::from_utf8(plain["Cargo.toml"].clone()).unwrap();
        assert!(manifest.contains(&format!("name = \"{CLIENT_PACKAGE}\"")));
        assert!(manifest.contains("progenitor-client = \"=0.15.1\""));
        assert!(manifest.contains("\n[workspace]\n"));
        assert!(!manifest.contains("regress"));
        assert_eq!(
            dependencies(&plain),
            "progenitor-client, reqwest, serde, serde_json"
        );
        let with = client_crate("static R: ::regress::Regex; fn f(_: ::chrono::NaiveDate) {}");
        assert_eq!(
            dependencies(&with),
            "progenitor-client, reqwest, serde, serde_json, regress, chrono"
        );
        assert_eq!(
            with["src/lib.rs"],
            b"static R: ::regress::Regex; fn f(_: ::chrono::NaiveDate) {}"
        );
    }

    #[test]
    fn locked_versions_are_read() {
        let lock = "version = 4\n\n[[package]]\nname = \"syn\"\nversion = \"2.0.119\"\n\n[[package]]\nname = \"progenitor\"\n\
                    version = \"0.15.1\"\nsource = \"registry\"\n\n[[package]]\nname = \"syn\"\nversion = \"3.0.10\"\n";
        assert_eq!(
            locked(lock, &["progenitor", "typify", "syn"]),
            "progenitor 0.15.1, syn 2.0.119/3.0.10"
        );
        assert_eq!(locked("", &["syn"]), "");
    }

    #[test]
    fn tails() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
