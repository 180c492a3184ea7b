//! Calls per second through `Client::execute` against a hand-written reqwest call of the same
//! request, both on one loopback axum server in this process and on the same reqwest client.
//!
//! The token is cached before measuring and pacing is off, so the difference is the runtime's own
//! work: validation, layout, the token lookup, envelope checks, decoding and tracing.
//! Run with `cargo bench -p dingtalk-runtime --bench throughput`; the closing lines print both
//! rates and their ratio (the target is at least 0.95).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use criterion::{Criterion, Throughput};
use dingtalk_openapi_runtime::Client;
use dingtalk_openapi_runtime::operation::{
    Effect, Host, Location, Method, Operation, OperationInfo, Param,
};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

const TOKEN: &str = "bench-token";
const PATH: &str = "/topapi/bench/get";
const ANSWER: &str = r#"{"errcode":0,"errmsg":"ok","result":{"id":"bb-1","title":"周五团建","read_count":12,"dept_list":[1,2,3]},"request_id":"r"}"#;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct BenchGet {
    operation_userid: String,
    blackboard_id: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct BenchAnswer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: Option<String>,
    result: BenchResult,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct BenchResult {
    id: String,
    title: String,
    read_count: i64,
    dept_list: Vec<i64>,
}

static BENCH_GET: OperationInfo = OperationInfo::new("bench.get", Method::Post, Host::Oapi, PATH)
    .with_effect(Effect::Read)
    .with_params(&[
        Param::new("operation_userid", Location::Body, true, false),
        Param::new("blackboard_id", Location::Body, true, false),
    ]);

impl Operation for BenchGet {
    type Response = BenchAnswer;
    const INFO: &'static OperationInfo = &BENCH_GET;
}

fn request() -> BenchGet {
    BenchGet {
        operation_userid: "manager1".into(),
        blackboard_id: "bb-1".into(),
    }
}

/// The same call written by hand: token in the query, JSON body, errcode check, typed decode.
async fn hand_written(
    http: &reqwest::Client,
    url: &reqwest::Url,
    request: BenchGet,
) -> BenchAnswer {
    let body = serde_json::to_vec(&request).unwrap();
    let response = http
        .post(url.clone())
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    let answer: BenchAnswer = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer.errcode, 0);
    answer
}

/// The reqwest client both sides use: the settings the runtime gives its own.
fn http_client() -> reqwest::Client {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_platform_verifier()
        .unwrap()
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(concat!("dingtalk-openapi/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn start_server() -> String {
    let app = Router::new()
        .route(
            PATH,
            post(|| async { ([("content-type", "application/json")], ANSWER) }),
        )
        .route(
            "/gettoken",
            get(|| async {
                let body = format!(
                    r#"{{"errcode":0,"errmsg":"ok","access_token":"{TOKEN}","expires_in":7200}}"#
                );
                ([("content-type", "application/json")], body)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Wall time and this process's CPU time (client and server alike) taken by `calls` calls,
/// `in_flight` at a time.
async fn timed<F, Fut>(calls: usize, in_flight: usize, call: F) -> (Duration, Duration)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cpu = process_cpu();
    let own = thread_cpu();
    let started = Instant::now();
    for _ in 0..calls / in_flight {
        join_all((0..in_flight).map(|_| call())).await;
    }
    if std::env::var_os("BENCH_THREAD_CPU").is_some() {
        eprintln!(
            "client thread CPU per call: {:.2} µs",
            thread_cpu().saturating_sub(own).as_secs_f64() * 1e6 / calls as f64
        );
    }
    (started.elapsed(), process_cpu().saturating_sub(cpu))
}

fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// CPU time used so far by every thread of this process (Linux; zero elsewhere). Unlike wall
/// time it does not count time other processes took from this one, so it is steady on a busy
/// machine.
fn process_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let base = rt.block_on(start_server());
    let http = http_client();
    let client = Client::builder()
        .app_credentials("bench-key", "bench-secret")
        .oapi_base_url(&base)
        .http_client(http.clone())
        .no_rate_limit()
        .build()
        .unwrap();
    rt.block_on(client.access_token()).unwrap();
    let url = reqwest::Url::parse(&format!("{base}{PATH}?access_token={TOKEN}")).unwrap();

    // For profilers: one side alone, 16 in flight, for a few seconds.
    if let Ok(side) = std::env::var("BENCH_ONLY") {
        let until = Instant::now() + Duration::from_secs(4);
        let mut calls = 0usize;
        while Instant::now() < until {
            if side == "sdk" {
                rt.block_on(timed(1600, 16, || async {
                    client.execute(request()).await.map(drop).unwrap()
                }));
            } else {
                rt.block_on(timed(1600, 16, || async {
                    drop(hand_written(&http, &url, request()).await)
                }));
            }
            calls += 1600;
        }
        println!("{side}: {calls} calls");
        return;
    }
    if std::env::var_os("BENCH_SIZES").is_some() {
        println!(
            "execute future: {} bytes",
            std::mem::size_of_val(&client.execute(request()))
        );
        println!(
            "hand-written future: {} bytes",
            std::mem::size_of_val(&hand_written(&http, &url, request()))
        );
    }
    let mut criterion = Criterion::default().configure_from_args();
    if full {
        criterion = criterion.measurement_time(Duration::from_secs(5));
    }
    let mut group = criterion.benchmark_group("throughput");
    group.throughput(Throughput::Elements(1));
    group.bench_function("execute", |b| {
        b.to_async(&rt).iter(|| client.execute(request()))
    });
    group.bench_function("reqwest", |b| {
        b.to_async(&rt)
            .iter(|| hand_written(&http, &url, request()))
    });
    group.finish();

    // Many short interleaved batches, alternating which side goes first, so drift in the
    // machine's load hits both sides alike.
    let (rounds, batch) = if full { (60, 400) } else { (2, 64) };
    for in_flight in [1, 16] {
        let (mut sdk, mut raw) = (
            (Duration::ZERO, Duration::ZERO),
            (Duration::ZERO, Duration::ZERO),
        );
        let add = |total: &mut (Duration, Duration), (wall, cpu): (Duration, Duration)| {
            total.0 += wall;
            total.1 += cpu;
        };
        for round in 0..rounds {
            let sdk_batch = || {
                timed(batch, in_flight, || async {
                    client.execute(request()).await.map(drop).unwrap()
                })
            };
            let raw_batch = || {
                timed(batch, in_flight, || async {
                    drop(hand_written(&http, &url, request()).await)
                })
            };
            if round % 2 == 0 {
                add(&mut sdk, rt.block_on(sdk_batch()));
                add(&mut raw, rt.block_on(raw_batch()));
            } else {
                add(&mut raw, rt.block_on(raw_batch()));
                add(&mut sdk, rt.block_on(sdk_batch()));
            }
        }
        let calls = (rounds * batch) as f64;
        let per_second = |d: Duration| calls / d.as_secs_f64();
        let per_call = |d: Duration| d.as_secs_f64() * 1e6 / calls;
        println!(
            "throughput ({in_flight} in flight): Client::execute {:.0} calls/s, hand-written reqwest {:.0} calls/s, ratio {:.3}; \
             CPU per call (client + server) {:.1} µs vs {:.1} µs, ratio {:.3}",
            per_second(sdk.0),
            per_second(raw.0),
            per_second(sdk.0) / per_second(raw.0),
            per_call(sdk.1),
            per_call(raw.1),
            raw.1.as_secs_f64() / sdk.1.as_secs_f64(),
        );
    }
    criterion.final_summary();
}
