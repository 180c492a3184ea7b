//! The latency the Redis limiter and token store add per call, against the in-process ones,
//! side by side in one run: p50 and p99 of `CallLimiter::admit` (a budget that never makes a
//! call wait, so only the decision is timed) and of `TokenStore::get`, on a real
//! `redis-server` started on a free loopback port. Prints a table; without `redis-server` on
//! PATH it says so and prints nothing else.
//!
//! `cargo bench -p dingtalk-openapi-redis` (`DINGTALK_BENCH_ITERATIONS`, default 5000).

#[path = "../tests/common/mod.rs"]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use dingtalk_openapi_redis::{RedisOptions, SharedState};
use dingtalk_openapi_runtime::primitives::Secret;
use dingtalk_openapi_runtime::ratelimit::{LimitKey, MemoryLimiter};
use dingtalk_openapi_runtime::{
    CachedToken, CallLimiter, CallRate, LimitPolicy, MemoryTokenStore, TokenStore,
};

/// p50 and p99 of `iterations` runs of `op`, after a tenth as many to warm up.
async fn time<F, Fut>(iterations: usize, mut op: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..iterations / 10 {
        op().await;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        op().await;
        samples.push(started.elapsed());
    }
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i.min(samples.len() - 1)]
    };
    (at(0.50), at(0.99))
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let Some(redis) = common::RedisServer::start("shared_state bench") else {
        return;
    };
    let iterations = std::env::var("DINGTALK_BENCH_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000usize)
        .max(10);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // No rate padding: the budget below is per millisecond, and padding is for seconds.
        let options = RedisOptions::new().rate_padding(Duration::ZERO);
        let shared = SharedState::connect(&redis.url(), options)
            .await
            .expect("connect");
        let key = LimitKey::new("dingbench", "report.list");
        // 100 calls a millisecond: far more than one connection makes, so nothing waits.
        let rate = CallRate::new(100, Duration::from_millis(1));

        let memory = Arc::new(MemoryLimiter::new());
        let limiter_memory = time(iterations, || {
            let memory = memory.clone();
            async move {
                memory
                    .admit(key, rate, LimitPolicy::Wait)
                    .await
                    .expect("admit");
            }
        })
        .await;
        let redis_limiter = shared.limiter();
        let limiter_redis = time(iterations, || {
            let redis_limiter = redis_limiter.clone();
            async move {
                redis_limiter
                    .admit(key, rate, LimitPolicy::Wait)
                    .await
                    .expect("admit");
            }
        })
        .await;

        let token = CachedToken::new(
            Secret::new("bench-token-value-0123456789abcdef"),
            SystemTime::now() + Duration::from_secs(7200),
        );
        let memory_store = Arc::new(MemoryTokenStore::new());
        memory_store
            .put("dingbench", token.clone())
            .await
            .expect("put");
        let store_memory = time(iterations, || {
            let store = memory_store.clone();
            async move {
                store.get("dingbench").await.expect("get");
            }
        })
        .await;
        let redis_store = shared.token_store();
        redis_store.put("dingbench", token).await.expect("put");
        let store_redis = time(iterations, || {
            let store = redis_store.clone();
            async move {
                store.get("dingbench").await.expect("get");
            }
        })
        .await;
        assert!(!shared.is_degraded(), "Redis went away during the run");

        println!("shared state, {iterations} calls each, one connection, loopback redis-server");
        println!(
            "| {:<22} | {:>12} | {:>12} | {:>12} | {:>12} | {:>14} |",
            "what", "memory p50", "memory p99", "redis p50", "redis p99", "added p50"
        );
        println!(
            "|{:-<24}|{:->14}|{:->14}|{:->14}|{:->14}|{:->16}|",
            "", "", "", "", "", ""
        );
        for (what, (m50, m99), (r50, r99)) in [
            ("limiter admit", limiter_memory, limiter_redis),
            ("token store get", store_memory, store_redis),
        ] {
            println!(
                "| {:<22} | {:>12} | {:>12} | {:>12} | {:>12} | {:>14} |",
                what,
                us(m50),
                us(m99),
                us(r50),
                us(r99),
                us(r50.saturating_sub(m50))
            );
        }
        println!(
            "The client asks the token store only when its own copy of the token is stale (about \
             once per token lifetime); the limiter is asked once per call."
        );
    });
}
