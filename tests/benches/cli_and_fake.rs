//! How fast the `dingtalk` command starts, and how many calls per second the built-in fake
//! (`dingtalk_openapi_fake::MockServer`) answers for the typed `Client`.
//!
//! Run with `cargo bench -p tests --bench cli_and_fake`: about 20 s, plus the release build of
//! the binary the first time.
//! Nothing here asserts on time: it prints figures, and one table at the end.
//!
//! # 1. Start-up of the command
//!
//! The release binary is built once (`cargo build --release -p dingtalk-openapi-cli
//! --bin dingtalk`; its build time is printed but not part of any figure). Each command is then
//! run 5 times to warm the page cache and 50 times timed, wall clock from spawn to exit, stdout
//! and stderr to `/dev/null`, with no `DINGTALK_*` variables set:
//!
//! - `dingtalk list`: every operation, one a line (the target: median ≤ 20 ms, PASS/FAIL);
//! - `dingtalk describe blackboard.create`: one operation's parameters and examples;
//! - `dingtalk --help`: clap's help text only.
//!
//! The `true` row is the same measurement of `true` (from `PATH`): the cost of spawning and reaping
//! any process on this machine, which is part of every other row. min is the best case (warm
//! cache, no competing process); p50 is what a user sees; p90 shows the noise.
//!
//! # 2. The fake under concurrent load
//!
//! A `MockServer` with `dingtalk_openapi_fake::operations()` listens on 127.0.0.1; a `Client` is
//! aimed at it with the fake's credentials, client-side rate limiting off (`no_rate_limit()`)
//! and the default retries. Fake and client run in this one process on one multi-threaded tokio
//! runtime (one worker per core), so a figure is the cost of both ends together: the client's
//! validation, serialization, token cache and HTTP/1.1 over loopback, and the fake's routing,
//! credential check, typed request check, recording and answer.
//!
//! After a warm-up (the token is fetched, connections opened), each operation is called for
//! 2 s by N tasks in a loop (N = 1, 8, 32), each call timed separately:
//!
//! - `blackboard.get`: a cheap read with a token in the query, one small object answered;
//! - `report.list`: a paginated read, `size` 20, answering the 7 seeded reports with
//!   their contents in one page.
//!
//! calls/s counts completed calls over the wall time of the window; p50 and p99 are the latency
//! of one call as its task saw it (with N tasks, latency grows once the cores are busy while
//! calls/s levels off). `errors` counts calls that returned `Err` (the first message is printed);
//! `fake counted` is how many requests the fake itself counted for that operation in the
//! window. With no errors and no retries it equals the number of calls; more means the client
//! retried something. Token fetches in the window are printed too and should be 0.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dingtalk_openapi::blackboard::BlackboardGetRequest;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::EpochMillis;
use dingtalk_openapi::report::{ReportListRequest, ReportListRequestRequired};
use dingtalk_openapi::{Client, Error};
use dingtalk_openapi_fake::MockServer;
use serde_json::Value;

/// Warm-up runs of each command, not timed.
const WARM_UPS: usize = 5;
/// Timed runs of each command.
const RUNS: usize = 50;
/// The start-up target of `dingtalk list`, on the median.
const LIST_TARGET: Duration = Duration::from_millis(20);
/// How long each operation is called at each concurrency.
const WINDOW: Duration = Duration::from_secs(2);
/// How long the warm-up calls each operation.
const WARM_UP_WINDOW: Duration = Duration::from_millis(300);
/// Concurrent tasks calling the fake.
const CONCURRENCY: &[usize] = &[1, 8, 32];

/// The variables the command reads; removed so the developer's own do not change what it does.
const VARIABLES: &[&str] = &[
    "DINGTALK_APP_KEY",
    "DINGTALK_APP_SECRET",
    "DINGTALK_OAPI_BASE_URL",
    "DINGTALK_API_BASE_URL",
    "DINGTALK_ROBOT_TOKEN",
    "DINGTALK_ROBOT_SECRET",
];

/// One line of the final table.
struct Row {
    what: String,
    n: usize,
    min: Option<Duration>,
    p50: Duration,
    p90: Option<Duration>,
    p99: Option<Duration>,
    rate: Option<f64>,
    errors: u64,
    counted: Option<u64>,
    target: String,
}

fn main() {
    println!(
        "cli_and_fake: {} core(s)",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    let mut rows = Vec::new();

    println!(
        "\n## 1. Start-up of the `dingtalk` command ({WARM_UPS} warm-ups, {RUNS} timed runs each)\n"
    );
    let binary = build_binary();
    if let Ok(meta) = std::fs::metadata(&binary) {
        println!(
            "binary: {} ({:.1} MB)",
            binary.display(),
            meta.len() as f64 / 1e6
        );
    }
    let commands: [(&str, PathBuf, &[&str]); 4] = [
        ("`true` (spawn floor)", PathBuf::from("true"), &[]),
        ("`dingtalk list`", binary.clone(), &["list"]),
        (
            "`dingtalk describe blackboard.create`",
            binary.clone(),
            &["describe", "blackboard.create"],
        ),
        ("`dingtalk --help`", binary, &["--help"]),
    ];
    for (name, program, args) in commands {
        rows.push(startup(name, &program, args));
    }

    println!(
        "\n## 2. The fake under load from the client ({} s per row)\n",
        WINDOW.as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rows.extend(runtime.block_on(fake_throughput()));

    println!("\n## Summary\n");
    print_table(&rows);
}

// -------------------------------------------------------------------------------------------
// 1. Start-up

/// Builds the release `dingtalk` binary and returns its path (from cargo's JSON messages).
fn build_binary() -> PathBuf {
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "-q",
            "-p",
            "dingtalk-openapi-cli",
            "--bin",
            "dingtalk",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(
        output.status.success(),
        "cargo build of the release dingtalk binary failed"
    );
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "dingtalk")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the dingtalk executable");
    println!(
        "built in {:.1} s (not part of any figure)",
        started.elapsed().as_secs_f64()
    );
    path
}

/// Runs `program args` after warm-ups and returns its row; a failing run is counted as an error.
fn startup(name: &str, program: &PathBuf, args: &[&str]) -> Row {
    let run = || {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for variable in VARIABLES {
            command.env_remove(variable);
        }
        let started = Instant::now();
        let ok = command.status().is_ok_and(|s| s.success());
        (started.elapsed(), ok)
    };
    let mut errors = 0;
    for _ in 0..WARM_UPS {
        errors += u64::from(!run().1);
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (time, ok) = run();
        errors += u64::from(!ok);
        times.push(time);
    }
    times.sort_unstable();
    let (min, p50, p90) = (times[0], percentile(&times, 0.50), percentile(&times, 0.90));
    let target = if name == "`dingtalk list`" {
        let verdict = if p50 <= LIST_TARGET { "PASS" } else { "FAIL" };
        format!("p50 ≤ {} ms: {verdict}", LIST_TARGET.as_millis())
    } else {
        String::new()
    };
    println!(
        "{name:40} min {} ms, p50 {} ms, p90 {} ms{}{}",
        ms(min),
        ms(p50),
        ms(p90),
        if errors > 0 {
            format!(", {errors} FAILED run(s)")
        } else {
            String::new()
        },
        if target.is_empty() {
            String::new()
        } else {
            format!("  [{target}]")
        },
    );
    Row {
        what: format!("start-up {name}"),
        n: RUNS,
        min: Some(min),
        p50,
        p90: Some(p90),
        p99: None,
        rate: None,
        errors,
        counted: None,
        target,
    }
}

// -------------------------------------------------------------------------------------------
// 2. The fake

/// One operation to call in a loop.
#[derive(Clone, Copy)]
enum Call {
    BlackboardGet,
    ReportList,
}

impl Call {
    fn id(self) -> &'static str {
        match self {
            Call::BlackboardGet => BlackboardGetRequest::INFO.id,
            Call::ReportList => ReportListRequest::INFO.id,
        }
    }
}

/// The requests, made once and cloned for each call.
struct Requests {
    get: BlackboardGetRequest,
    list: ReportListRequest,
}

impl Requests {
    fn new() -> Requests {
        // The documented example names a blackboard the fake seeds.
        let get = serde_json::from_str(BlackboardGetRequest::INFO.example_request)
            .expect("the blackboard.get example");
        // The fake seeds 7 reports a minute apart from the example's start time.
        let example: ReportListRequest =
            serde_json::from_str(ReportListRequest::INFO.example_request)
                .expect("the report.list example");
        let start = example.start_time;
        let list = ReportListRequest::new(ReportListRequestRequired {
            start_time: start,
            end_time: EpochMillis(start.0 + 86_400_000),
            cursor: 0,
            size: 20,
        });
        Requests { get, list }
    }

    async fn call(&self, client: &Client, call: Call) -> Result<usize, Error> {
        match call {
            Call::BlackboardGet => client
                .blackboard()
                .get(self.get.clone())
                .await
                .map(|r| usize::from(r.result.is_some())),
            Call::ReportList => client.report().list(self.list.clone()).await.map(|r| {
                r.result
                    .and_then(|p| p.data_list)
                    .map_or(0, |items| items.len())
            }),
        }
    }
}

/// What one window of calls measured.
struct Window {
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
    /// Items in the last answer (1 for a blackboard found, the page length for reports).
    items: usize,
}

/// Calls `call` from `tasks` tasks until `window` has passed.
async fn run_window(
    client: &Client,
    requests: &Arc<Requests>,
    call: Call,
    tasks: usize,
    window: Duration,
) -> Window {
    let started = Instant::now();
    let deadline = started + window;
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let client = client.clone();
            let requests = requests.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(16_384);
                let (mut errors, mut first_error, mut items) = (0u64, None, 0);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let result = requests.call(&client, call).await;
                    latencies.push(t.elapsed());
                    match result {
                        Ok(n) => items = n,
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                (latencies, errors, first_error, items)
            })
        })
        .collect();
    let mut out = Window {
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
        items: 0,
    };
    for handle in handles {
        let (latencies, errors, first_error, items) =
            handle.await.expect("a calling task panicked");
        out.latencies.extend(latencies);
        out.errors += errors;
        out.first_error = out.first_error.or(first_error);
        out.items = out.items.max(items);
    }
    out.elapsed = started.elapsed();
    out.latencies.sort_unstable();
    out
}

async fn fake_throughput() -> Vec<Row> {
    let server = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .expect("start the fake");
    let client = Client::builder()
        .app_credentials(server.app_key(), server.app_secret())
        .oapi_base_url(server.base_url())
        .api_base_url(server.base_url())
        .no_rate_limit()
        .build()
        .expect("a client aimed at the fake");
    let requests = Arc::new(Requests::new());
    let faults = server.faults();
    println!("fake on {}", server.base_url());

    // Warm-up: fetch the token, open as many connections as the largest row uses.
    let widest = CONCURRENCY.iter().copied().max().unwrap_or(1);
    for call in [Call::BlackboardGet, Call::ReportList] {
        let w = run_window(&client, &requests, call, widest, WARM_UP_WINDOW).await;
        if let Some(e) = &w.first_error {
            println!("warm-up {}: {} error(s), first: {e}", call.id(), w.errors);
        }
    }

    let mut rows = Vec::new();
    for call in [Call::BlackboardGet, Call::ReportList] {
        for &tasks in CONCURRENCY {
            let (counted_before, tokens_before) =
                (faults.calls(call.id()), faults.token_requests());
            let w = run_window(&client, &requests, call, tasks, WINDOW).await;
            let counted = faults.calls(call.id()) - counted_before;
            let tokens = faults.token_requests() - tokens_before;
            let n = w.latencies.len();
            let rate = n as f64 / w.elapsed.as_secs_f64();
            let (p50, p99) = (
                percentile(&w.latencies, 0.50),
                percentile(&w.latencies, 0.99),
            );
            println!(
                "{:15} ×{tasks:<2}  {rate:8.0} calls/s  p50 {} ms  p99 {} ms  ({n} calls, {} item(s) per answer, \
                 {} error(s), fake counted {counted}, token fetches {tokens})",
                call.id(),
                ms(p50),
                ms(p99),
                w.items,
                w.errors,
            );
            if let Some(e) = &w.first_error {
                println!("    first error: {e}");
            }
            let mismatch = if counted == n as u64 {
                String::new()
            } else {
                format!("fake ≠ calls ({counted} vs {n})")
            };
            rows.push(Row {
                what: format!("fake `{}` ×{tasks}", call.id()),
                n,
                min: None,
                p50,
                p90: None,
                p99: Some(p99),
                rate: Some(rate),
                errors: w.errors,
                counted: Some(counted),
                target: mismatch,
            });
        }
    }
    server.shutdown().await;
    rows
}

// -------------------------------------------------------------------------------------------
// Figures

/// The nearest-rank percentile `p` (0..=1) of sorted `times`; zero when there are none.
fn percentile(times: &[Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn print_table(rows: &[Row]) {
    let opt = |d: Option<Duration>| d.map_or_else(|| "–".to_owned(), ms);
    println!(
        "| measurement | n | min ms | p50 ms | p90 ms | p99 ms | calls/s | errors | fake counted | target / note |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.what,
            r.n,
            opt(r.min),
            ms(r.p50),
            opt(r.p90),
            opt(r.p99),
            r.rate.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}")),
            r.errors,
            r.counted.map_or_else(|| "–".to_owned(), |c| c.to_string()),
            r.target,
        );
    }
}
