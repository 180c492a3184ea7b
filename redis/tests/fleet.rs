//! The acceptance run: one Redis and 8 client instances as separate processes (this test
//! binary started again as `fleet_member`), each calling the fake's `report.getunreadcount`
//! in a loop through a runtime `Client` with the Redis token store and limiter.
//!
//! - One token fetch per expiry across the fleet (the fake issues 4 s tokens, the members
//!   refresh 1 s before expiry: one fetch about every 3 s).
//! - The fake never sees more than the configured QPS within one second (the fake's call count
//!   is sampled every 5 ms; every pair of samples at most 1 s apart is checked).
//! - A Redis stopped and restarted mid-run costs no failed call under the default policy.
//!
//! `DINGTALK_FLEET_SECONDS` sets how long each run calls (default 10). The two runs take turns,
//! so they never load the machine together.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::RedisServer;
use dingtalk_openapi::Client;
use dingtalk_openapi::report::ReportGetunreadcountRequest;
use dingtalk_openapi_fake::{Faults, MockServer};
use dingtalk_openapi_redis::{RedisOptions, SharedState};
use dingtalk_openapi_runtime::CallRate;

const MEMBERS: usize = 8;
/// The budget of the operation, per second, for the whole fleet.
const QPS: u32 = 10;
/// Concurrent callers in each member: enough to keep the budget spent all the time.
const CALLERS: usize = 3;
const OPERATION: &str = "report.getunreadcount";
const TOKEN_TTL: Duration = Duration::from_secs(4);
const REFRESH_MARGIN: Duration = Duration::from_secs(1);

/// The runs take turns.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn run_length() -> Duration {
    let seconds = std::env::var("DINGTALK_FLEET_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(10);
    Duration::from_secs(seconds.max(2))
}

/// One member of the fleet: does nothing unless started by a fleet run.
#[test]
fn fleet_member() {
    if std::env::var("DINGTALK_FLEET_MEMBER").as_deref() != Ok("1") {
        return;
    }
    let env = |name: &str| std::env::var(name).expect(name);
    // The shared state's warnings (an outage, a lease not kept) go to stderr, which the fleet
    // run shows when a member fails.
    let _log = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .finish(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (ok, failed) = runtime.block_on(async {
        let shared = SharedState::connect(
            &env("FLEET_REDIS_URL"),
            RedisOptions::new()
                .fleet_size(u32::try_from(MEMBERS).unwrap())
                // Nine processes on a busy CI machine delay a request now and then by more
                // than a network would: a wider margin between a second's last call and the
                // next second's first.
                .rate_padding(Duration::from_millis(50))
                .retry_after(Duration::from_millis(200)),
        )
        .await
        .unwrap();
        let client: Client = shared
            .install(
                Client::builder()
                    .app_credentials(env("FLEET_APP_KEY"), env("FLEET_APP_SECRET"))
                    .oapi_base_url(env("FLEET_BASE_URL"))
                    .api_base_url(env("FLEET_BASE_URL"))
                    .token_refresh_margin(REFRESH_MARGIN)
                    .operation_rate_limit(OPERATION, Some(CallRate::per_second(QPS))),
            )
            .build()
            .unwrap();
        let until = Instant::now() + Duration::from_millis(env("FLEET_RUN_MS").parse().unwrap());
        let callers = (0..CALLERS).map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let (mut ok, mut failed) = (0u64, 0u64);
                while Instant::now() < until {
                    match client
                        .report()
                        .getunreadcount(ReportGetunreadcountRequest::new("user123"))
                        .await
                    {
                        Ok(_) => ok += 1,
                        Err(error) => {
                            failed += 1;
                            eprintln!("FLEET-FAILURE {error}");
                        }
                    }
                }
                (ok, failed)
            })
        });
        let mut totals = (0, 0);
        for caller in futures_util::future::join_all(callers).await {
            let (ok, failed) = caller.unwrap();
            totals = (totals.0 + ok, totals.1 + failed);
        }
        totals
    });
    println!("FLEET-RESULT ok={ok} failed={failed}");
}

/// The fake's counts over time, sampled every 5 ms on a thread of its own.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<(Instant, u64, u64)>>,
}

impl Sampler {
    fn start(faults: Arc<Faults>) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                samples.push((
                    Instant::now(),
                    faults.calls(OPERATION),
                    faults.token_requests(),
                ));
                std::thread::sleep(Duration::from_millis(5));
            }
            samples
        });
        Sampler { stop, thread }
    }

    fn finish(self) -> Vec<(Instant, u64, u64)> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

/// The most calls the fake counted between two samples at most one second apart.
fn busiest_second(samples: &[(Instant, u64, u64)]) -> u64 {
    let mut most = 0;
    let mut j = 0;
    for i in 0..samples.len() {
        j = j.max(i);
        while j + 1 < samples.len() && samples[j + 1].0 - samples[i].0 <= Duration::from_secs(1) {
            j += 1;
        }
        most = most.max(samples[j].1 - samples[i].1);
    }
    most
}

/// When the token count went up, and by how much.
fn token_fetches(samples: &[(Instant, u64, u64)]) -> Vec<(Instant, u64)> {
    samples
        .windows(2)
        .filter(|w| w[1].2 > w[0].2)
        .map(|w| (w[1].0, w[1].2 - w[0].2))
        .collect()
}

/// Starts the fleet and waits for it; returns every member's (ok, failed).
async fn run_fleet(redis_url: &str, fake: &MockServer, run: Duration) -> Vec<(u64, u64)> {
    let exe = std::env::current_exe().unwrap();
    let members: Vec<_> = (0..MEMBERS)
        .map(|_| {
            tokio::process::Command::new(&exe)
                .args([
                    "fleet_member",
                    "--exact",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env("DINGTALK_FLEET_MEMBER", "1")
                .env("FLEET_REDIS_URL", redis_url)
                .env("FLEET_BASE_URL", fake.base_url())
                .env("FLEET_APP_KEY", fake.app_key())
                .env("FLEET_APP_SECRET", fake.app_secret())
                .env("FLEET_RUN_MS", run.as_millis().to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("start a fleet member")
        })
        .collect();
    let mut results = Vec::new();
    let mut logs = String::new();
    for member in members {
        let output = tokio::time::timeout(run + Duration::from_secs(60), member.wait_with_output())
            .await
            .expect("a fleet member did not finish")
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stdout
            .lines()
            .find_map(|l| l.split("FLEET-RESULT ").nth(1))
            .unwrap_or_else(|| panic!("no result from a member:\n{stdout}\n{stderr}"));
        let mut numbers = line
            .split_whitespace()
            .take(2)
            .map(|kv| kv.split_once('=').unwrap().1.parse::<u64>().unwrap());
        let (ok, failed) = (numbers.next().unwrap(), numbers.next().unwrap());
        assert!(failed == 0, "a member had {failed} failed calls:\n{stderr}");
        logs.push_str(&stderr);
        results.push((ok, failed));
    }
    let logs: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("dingtalk_openapi_redis"))
        .collect();
    eprintln!("fleet members' shared-state log:\n{}", logs.join("\n"));
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_fetch_one_token_per_expiry_and_share_one_budget() {
    let _turn = SERIAL.lock().await;
    let Some(redis) =
        RedisServer::start("eight_processes_fetch_one_token_per_expiry_and_share_one_budget")
    else {
        return;
    };
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .token_ttl(TOKEN_TTL)
        .start()
        .await
        .unwrap();
    let run = run_length();
    let sampler = Sampler::start(fake.faults_handle());
    let started = Instant::now();
    let results = run_fleet(&redis.url(), &fake, run).await;
    let samples = sampler.finish();
    let elapsed = started.elapsed();

    let calls: u64 = results.iter().map(|r| r.0).sum();
    let busiest = busiest_second(&samples);
    let fetches = token_fetches(&samples);
    eprintln!(
        "fleet: {calls} calls in {elapsed:?}, busiest second {busiest} (budget {QPS}), \
         token fetches {fetches:?}"
    );
    assert_eq!(calls, fake.faults().calls(OPERATION));
    assert!(results.iter().all(|r| r.0 > 0), "{results:?}");
    assert!(
        busiest <= u64::from(QPS),
        "the fake saw {busiest} calls within one second"
    );
    // The budget was spent, not idle: the limiter, not the callers, set the pace.
    assert!(
        calls >= u64::from(QPS) * run.as_secs() * 6 / 10,
        "only {calls} calls in {run:?}"
    );
    // One fetch per expiry: never two at once, at least (TTL - margin - slack) apart, and about
    // one per (TTL - margin) in all.
    assert!(fetches.iter().all(|(_, n)| *n == 1), "{fetches:?}");
    for pair in fetches.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert!(
            gap >= Duration::from_secs(2),
            "two fetches {gap:?} apart: {fetches:?}"
        );
    }
    let cycle = TOKEN_TTL - REFRESH_MARGIN;
    let most = 2 + u64::try_from(elapsed.as_millis() / cycle.as_millis()).unwrap();
    let total = fake.faults().token_requests();
    assert!(
        (1..=most).contains(&total),
        "{total} token fetches in {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_run_costs_no_failed_call() {
    let _turn = SERIAL.lock().await;
    let Some(mut redis) = RedisServer::start("a_redis_restart_mid_run_costs_no_failed_call") else {
        return;
    };
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();
    let run = run_length();
    let sampler = Sampler::start(fake.faults_handle());
    let url = redis.url();
    let fleet = run_fleet(&url, &fake, run);
    let outage = async {
        tokio::time::sleep(run * 3 / 10).await;
        redis.stop();
        tokio::time::sleep(run / 4).await;
        redis.restart();
    };
    let (results, ()) = tokio::join!(fleet, outage);
    let samples = sampler.finish();
    let calls: u64 = results.iter().map(|r| r.0).sum();
    let busiest = busiest_second(&samples);
    eprintln!("fleet with a Redis restart: {calls} calls, busiest second {busiest} (budget {QPS})");
    // run_fleet asserted that no member had a failed call.
    assert!(results.iter().all(|r| r.0 > 0), "{results:?}");
    // Every member kept its token through the outage: still the one fetch.
    assert_eq!(fake.faults().token_requests(), 1);
    // While Redis is away each member paces itself at max(1, QPS / 8) a second. Around the
    // switches the shared window (emptied by the restart) does not know of the members' local
    // calls, so a second may hold the budget plus one call per member (and a little jitter),
    // never the 8x of unshared pacing.
    let share = (QPS / u32::try_from(MEMBERS).unwrap()).max(1);
    let bound = u64::from(QPS + share * u32::try_from(MEMBERS).unwrap()) + 2;
    assert!(busiest <= bound, "busiest second {busiest}, bound {bound}");
}
