//! Stream dedup on a real redis-server (feature `stream`): a message redelivered to two
//! instances is handled once; release drops an unfinished claim but leaves a done one alone.
#![cfg(feature = "stream")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::RedisServer;
use dingtalk_openapi_redis::{FaultPolicy, RedisDedupStore, RedisOptions};
use dingtalk_openapi_stream::dedup::{Claim, DedupStore};

const LEASE: Duration = Duration::from_secs(60);
const WINDOW: Duration = Duration::from_secs(600);

fn two(redis: &RedisServer) -> (RedisDedupStore, RedisDedupStore) {
    // Separate stores, separate connections: two instances.
    let a = RedisDedupStore::connect(&redis.url(), RedisOptions::new(), "dingapp").unwrap();
    let b = RedisDedupStore::connect(&redis.url(), RedisOptions::new(), "dingapp").unwrap();
    (a, b)
}

/// One instance's handling of a delivery: claim, and handle (count) and complete a new one.
async fn deliver(store: &RedisDedupStore, handled: &AtomicUsize) -> Claim {
    let claim = store.claim("msg-1", LEASE).await.unwrap();
    if claim == Claim::New {
        handled.fetch_add(1, Ordering::SeqCst);
        store.complete("msg-1", WINDOW).await.unwrap();
    }
    claim
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_redelivered_to_two_instances_is_handled_once() {
    let Some(redis) = RedisServer::start("a_message_redelivered_to_two_instances_is_handled_once")
    else {
        return;
    };
    let (a, b) = two(&redis);
    let handled = AtomicUsize::new(0);
    // Both instances receive the same delivery at once and race to claim it.
    let (ca, cb) = tokio::join!(deliver(&a, &handled), deliver(&b, &handled));
    assert_eq!(handled.load(Ordering::SeqCst), 1, "{ca:?} {cb:?}");
    assert!(matches!(
        (ca, cb),
        (Claim::New, Claim::InFlight | Claim::Done) | (Claim::InFlight | Claim::Done, Claim::New)
    ));
    // A later redelivery to either is acked without handling.
    assert_eq!(a.claim("msg-1", LEASE).await.unwrap(), Claim::Done);
    assert_eq!(b.claim("msg-1", LEASE).await.unwrap(), Claim::Done);
    // Release leaves a done message done.
    a.release("msg-1").await.unwrap();
    b.release("msg-1").await.unwrap();
    assert_eq!(b.claim("msg-1", LEASE).await.unwrap(), Claim::Done);
}

#[tokio::test]
async fn release_drops_an_unfinished_claim_and_a_lapsed_lease_frees_it() {
    let Some(redis) =
        RedisServer::start("release_drops_an_unfinished_claim_and_a_lapsed_lease_frees_it")
    else {
        return;
    };
    let (a, b) = two(&redis);
    assert_eq!(a.claim("msg-2", LEASE).await.unwrap(), Claim::New);
    assert_eq!(b.claim("msg-2", LEASE).await.unwrap(), Claim::InFlight);
    // B never claimed it: its release must not drop A's claim.
    b.release("msg-2").await.unwrap();
    assert_eq!(b.claim("msg-2", LEASE).await.unwrap(), Claim::InFlight);
    a.release("msg-2").await.unwrap();
    assert_eq!(b.claim("msg-2", LEASE).await.unwrap(), Claim::New);

    // A crashed holder: its claim lapses with its lease (checked by the key's TTL, no sleep).
    assert_eq!(
        a.claim("msg-3", Duration::from_millis(1500)).await.unwrap(),
        Claim::New
    );
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("dingtalk:dingapp:dedup:msg-3")
        .query(&mut conn)
        .unwrap();
    assert!(ttl > 0 && ttl <= 1500, "{ttl}");
}

#[tokio::test]
async fn without_redis_dedup_falls_back_in_process_or_fails_strictly() {
    let Some(mut redis) =
        RedisServer::start("without_redis_dedup_falls_back_in_process_or_fails_strictly")
    else {
        return;
    };
    let options = RedisOptions::new().op_timeout(Duration::from_millis(200));
    let fallback = RedisDedupStore::connect(&redis.url(), options.clone(), "dingapp").unwrap();
    let strict =
        RedisDedupStore::connect(&redis.url(), options.policy(FaultPolicy::Strict), "dingapp")
            .unwrap();
    redis.stop();
    assert_eq!(fallback.claim("msg-4", LEASE).await.unwrap(), Claim::New);
    assert_eq!(
        fallback.claim("msg-4", LEASE).await.unwrap(),
        Claim::InFlight
    );
    fallback.complete("msg-4", WINDOW).await.unwrap();
    assert_eq!(fallback.claim("msg-4", LEASE).await.unwrap(), Claim::Done);
    assert!(strict.claim("msg-5", LEASE).await.is_err());
}
