//! `DINGTALK_REDIS_URL`: many `dingtalk call` processes at once share one access token and one
//! rate budget through a real `redis-server` (started on a free loopback port; skipped with a
//! message without one, a failure when `DINGTALK_REQUIRE_REDIS=1`, as in CI).

#[path = "../../../redis/tests/common/mod.rs"]
mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::calls::serve;
use crate::{dingtalk, http};
use common::RedisServer;

/// How many processes call at once.
const PROCESSES: usize = 100;
/// The runtime's default budget of an operation: 20 calls a second per app and API.
const BUDGET: usize = 20;
/// How much later than its admission a call may reach the fake, in milliseconds: a hundred
/// processes starting on two cores are scheduled late, between the limiter's yes and the send.
/// The limiter's guarantee is on admissions; arrivals are checked over a window this much
/// shorter than a second.
const TRANSIT_JITTER_MS: f64 = 250.0;
/// How long a child may take before the test gives up on it.
const PATIENCE: Duration = Duration::from_secs(180);

/// Waits for every child; their exit statuses and stderr.
fn wait_all(children: Vec<Child>) -> Vec<(Option<i32>, String)> {
    let started = Instant::now();
    children
        .into_iter()
        .map(|mut child| {
            loop {
                if child.try_wait().expect("wait").is_some() {
                    break;
                }
                if started.elapsed() > PATIENCE {
                    let _ = child.kill();
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let out = child.wait_with_output().expect("output");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

#[test]
fn a_hundred_processes_fetch_one_token_and_keep_to_one_budget() {
    let Some(redis) = RedisServer::start("a_hundred_processes_fetch_one_token") else {
        return;
    };
    let served = serve();
    let base = served.env["DINGTALK_OAPI_BASE_URL"].clone();
    let children: Vec<Child> = (0..PROCESSES)
        .map(|i| {
            dingtalk(&[
                "call",
                "report.getunreadcount",
                "--body",
                &format!(r#"{{"userid":"user{i}"}}"#),
            ])
            .envs(&served.env)
            .env("DINGTALK_REDIS_URL", redis.url())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dingtalk call")
        })
        .collect();
    let failures: Vec<String> = wait_all(children)
        .into_iter()
        .filter(|(code, _)| *code != Some(0))
        .map(|(code, stderr)| format!("exit {code:?}: {stderr}"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");

    let calls: Value =
        serde_json::from_str(&http(&base, "GET", "/__mock/calls", "")).expect("calls JSON");
    assert_eq!(calls["token_requests"], 1, "{calls}");
    assert_eq!(
        calls["calls"]["report.getunreadcount"], PROCESSES,
        "{calls}"
    );

    // Arrival times at the fake: no window of a second less the transit jitter holds more than
    // the budget, give or take the one call that may arrive at the window's edge.
    let requests: Value =
        serde_json::from_str(&http(&base, "GET", "/__mock/requests", "")).expect("requests");
    let mut arrivals: Vec<f64> = requests
        .as_array()
        .expect("a list")
        .iter()
        .filter(|r| r["operation"] == "report.getunreadcount")
        .map(|r| r["received_ms"].as_f64().expect("received_ms"))
        .collect();
    arrivals.sort_by(f64::total_cmp);
    assert_eq!(arrivals.len(), PROCESSES);
    let busiest = arrivals
        .iter()
        .map(|start| {
            arrivals
                .iter()
                .filter(|t| **t >= *start && **t < start + 1000.0 - TRANSIT_JITTER_MS)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        busiest <= BUDGET + 1,
        "{busiest} calls arrived within {} ms (budget {BUDGET} a second): {arrivals:?}",
        1000.0 - TRANSIT_JITTER_MS
    );
    // And the budget was used, not starved: 100 calls at 20 a second take about 4 to 5 s.
    let span = arrivals[PROCESSES - 1] - arrivals[0];
    assert!(span >= 3000.0, "100 calls in {span} ms");

    // No credential in a key name.
    let secret = &served.env["DINGTALK_APP_SECRET"];
    for key in redis.keys() {
        assert!(!key.contains(secret.as_str()), "{key}");
    }
}

#[test]
fn a_redis_url_that_cannot_be_read_is_a_usage_error_without_its_password() {
    let out: crate::Run = dingtalk(&[
        "call",
        "report.getunreadcount",
        "--body",
        r#"{"userid":"u"}"#,
        "--app-key",
        "k",
        "--app-secret",
        "s3cr3t-value",
    ])
    .env("DINGTALK_REDIS_URL", "redis://alice:hunter22@[::1:6379")
    .output()
    .expect("run")
    .into();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("DINGTALK_REDIS_URL"), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter22"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}
