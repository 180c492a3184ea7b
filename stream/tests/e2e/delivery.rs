//! Acks, dedup of redeliveries, nothing lost across a drop, concurrency, system pings.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dingtalk_openapi_fake::{Push, StreamFault};
use dingtalk_openapi_stream::{CardCallback, Event, Outcome, RawMessage};
use serde_json::json;
use tokio::sync::Notify;

use crate::common::*;

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[tokio::test(start_paused = true)]
async fn an_event_is_handled_and_acked_success() {
    let server = fake().await;
    let gw = server.gateway();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let client = builder(&server)
        .on_event("*", move |e: Event| {
            s.lock().unwrap().push(e.clone());
            async {}
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({"UserId": ["u1"]})));
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert_eq!(acks[0].message_id, id);
    assert_eq!(acks[0].code, 200);
    assert_eq!(acks[0].message, "OK");
    assert_eq!(status(&acks[0]), "SUCCESS");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let e = &seen[0];
    assert_eq!(e.event_type, "user_add_org");
    assert_eq!(e.message_id, id);
    assert!(!e.event_id.is_empty() && !e.corp_id.is_empty() && e.born_time_ms.is_some());
    #[derive(serde::Deserialize)]
    struct D {
        #[serde(rename = "UserId")]
        user_id: Vec<String>,
    }
    assert_eq!(e.data_as::<D>().unwrap().user_id, ["u1"]);
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_late_ack_duplicate_is_handled_once_and_acked_again() {
    let server = fake().await;
    let gw = server.gateway();
    let (calls, client) = counting(builder(&server), Duration::ZERO);
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    gw.fault(StreamFault::LateAckRedelivery);
    let id = gw.push(Push::event("user_add_org", json!({})));
    let acks = within("two acks", gw.wait_acks(2)).await;
    assert_eq!(gw.deliveries(&id), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "handled once");
    assert!(
        acks.iter()
            .all(|a| a.message_id == id && status(a) == "SUCCESS")
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_redelivery_while_handling_is_left_unacked_then_done_is_acked_again() {
    let server = fake().await;
    let gw = server.gateway();
    gw.fault(StreamFault::RedeliverAfter(Duration::from_secs(5)));
    let (calls, client) = counting(builder(&server), Duration::from_secs(12));
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert!(gw.deliveries(&id) >= 2, "redelivered while the handler ran");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(acks.len(), 1, "the redelivery in flight was not acked");
    assert_eq!(status(&acks[0]), "SUCCESS");

    // DingTalk sends it again (its ack lost, say): acked from the dedup store, not handled.
    gw.push(Push::event("user_add_org", json!({})).with_message_id(id.clone()));
    let acks = within("the second ack", gw.wait_acks(2)).await;
    assert_eq!(acks[1].message_id, id);
    assert_eq!(status(&acks[1]), "SUCCESS");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_message_in_progress_when_the_socket_drops_is_redelivered_and_acked() {
    let server = fake().await;
    let gw = server.gateway();
    let calls = counter();
    let started = Arc::new(Notify::new());
    let (c, st) = (calls.clone(), started.clone());
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            c.fetch_add(1, Ordering::SeqCst);
            st.notify_one();
            tokio::time::sleep(Duration::from_secs(10))
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    within("the handler starts", started.notified()).await;
    gw.fault(StreamFault::AbruptClose);
    within("a new connection", gw.wait_connections(2)).await;
    assert!(
        gw.acks().is_empty(),
        "nothing was acked on the dropped socket"
    );
    let acks = within("the ack after the redelivery", gw.wait_acks(1)).await;
    assert_eq!(acks[0].message_id, id);
    assert_eq!(acks[0].connection, 2);
    assert_eq!(status(&acks[0]), "SUCCESS");
    assert_eq!(gw.deliveries(&id), 2);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the handler's work was not repeated"
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_failed_handler_lost_with_its_socket_is_handled_again_on_redelivery() {
    let server = fake().await;
    let gw = server.gateway();
    let calls = counter();
    let started = Arc::new(Notify::new());
    let (c, st) = (calls.clone(), started.clone());
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            st.notify_one();
            async move {
                if n == 0 {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    return Err("the database was down".into());
                }
                Ok::<_, dingtalk_openapi_stream::HandlerError>(())
            }
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    within("the handler starts", started.notified()).await;
    gw.fault(StreamFault::AbruptClose);
    let acks = within("the ack after the redelivery", gw.wait_acks(1)).await;
    assert_eq!(
        (acks[0].message_id.as_str(), status(&acks[0])),
        (id.as_str(), "SUCCESS")
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the released claim let the redelivery in"
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn later_is_acked_later_and_the_redelivery_is_handled() {
    let server = fake().await;
    let gw = server.gateway();
    gw.fault(StreamFault::RedeliverAfter(Duration::from_secs(5)));
    let calls = counter();
    let c = calls.clone();
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Outcome::Later
                } else {
                    Outcome::Success
                }
            }
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    let acks = within("two acks", gw.wait_acks(2)).await;
    assert_eq!(status(&acks[0]), "LATER");
    assert_eq!(acks[0].code, 200);
    assert_eq!(status(&acks[1]), "SUCCESS");
    assert!(acks.iter().all(|a| a.message_id == id));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn card_callbacks_are_acked_with_the_handlers_response() {
    let server = fake().await;
    let gw = server.gateway();
    let client = builder(&server)
        .on_card_callback(|cb: CardCallback| async move {
            let choice = cb.param_str("choice").unwrap_or("none").to_owned();
            json!({"cardData": {"cardParamMap": {"choice": choice, "track": cb.out_track_id}}})
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let content = json!({"cardPrivateData": {"actionIds": ["ok"], "params": {"choice": "yes"}}});
    gw.push(Push::card_callback(json!({
        "outTrackId": "track-1", "corpId": "c", "userId": "u", "type": "actionCallback",
        "content": content.to_string()
    })));
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert_eq!(
        acks[0].data,
        json!({"response": {"cardData": {"cardParamMap": {"choice": "yes", "track": "track-1"}}}})
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn the_raw_handler_sees_every_event_and_callback() {
    let server = fake().await;
    let gw = server.gateway();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let client = builder(&server)
        .subscribe(dingtalk_openapi_stream::Subscription::event("*"))
        .subscribe(dingtalk_openapi_stream::Subscription::callback(
            "/v1.0/my/topic",
        ))
        .on_message(move |m: RawMessage| {
            s.lock().unwrap().push(json!({
                "type": m.kind.as_str(), "topic": m.topic, "messageId": m.message_id, "data": m.data
            }));
            async {}
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let e = gw.push(Push::event("user_add_org", json!({"a": 1})));
    let c = gw.push(Push::callback("/v1.0/my/topic", json!({"b": 2})));
    let acks = within("two acks", gw.wait_acks(2)).await;
    assert!(acks.iter().all(|a| a.code == 200));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(seen.contains(
        &json!({"type": "EVENT", "topic": "user_add_org", "messageId": e, "data": "{\"a\":1}"})
    ));
    assert!(seen.contains(
        &json!({"type": "CALLBACK", "topic": "/v1.0/my/topic", "messageId": c, "data": "{\"b\":2}"})
    ));
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_system_ping_is_answered_with_its_message_id_and_data() {
    let server = fake().await;
    let gw = server.gateway();
    let client = builder(&server)
        .on_event("*", |_e: Event| async {})
        .build()
        .unwrap();
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    let id = gw.send_system_ping();
    until("the ping reply", || !gw.system_replies().is_empty()).await;
    let reply = &gw.system_replies()[0];
    assert_eq!(reply.message_id, id);
    assert_eq!(reply.code, 200);
    assert!(
        reply.data.get("opaque").is_some(),
        "the ping's data is echoed: {:?}",
        reply.data
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_limit_holds_and_pings_are_answered_while_handlers_are_slow() {
    let server = fake().await;
    let gw = server.gateway();
    let running = counter();
    let peak = counter();
    let (r, p) = (running.clone(), peak.clone());
    let client = builder(&server)
        .max_concurrent_handlers(2)
        .on_event("*", move |_e: Event| {
            let (r, p) = (r.clone(), p.clone());
            async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(10)).await;
                r.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .build()
        .unwrap();
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    for i in 0..6 {
        gw.push(Push::event("user_add_org", json!({"i": i})));
    }
    until("two handlers run", || running.load(Ordering::SeqCst) == 2).await;
    let ping = gw.send_system_ping();
    until("the ping reply", || {
        gw.system_replies().iter().any(|r| r.message_id == ping)
    })
    .await;
    assert_eq!(
        running.load(Ordering::SeqCst),
        2,
        "answered while both handlers were busy"
    );
    assert!(gw.acks().is_empty());
    let acks = within("six acks", gw.wait_acks(6)).await;
    assert!(acks.iter().all(|a| status(a) == "SUCCESS"));
    assert_eq!(peak.load(Ordering::SeqCst), 2);
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_frame_over_the_size_limit_is_refused_not_buffered() {
    let server = fake().await;
    let gw = server.gateway();
    let (calls, client) = counting(builder(&server).max_message_size(16 * 1024), Duration::ZERO);
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    gw.push(Push::event(
        "user_add_org",
        json!({"blob": "x".repeat(64 * 1024)}),
    ));
    within(
        "the oversized frame ends the connection",
        gw.wait_connections(2),
    )
    .await;
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert!(gw.acks().is_empty());
    let small = gw.push(Push::event("user_add_org", json!({"small": true})));
    let acks = within("a normal message still goes through", gw.wait_acks(1)).await;
    assert_eq!(acks[0].message_id, small);
    run.stop().await;
}

/// A store shared with another instance that holds the message: this client must neither handle
/// nor ack it while the other holds it, and ack it without handling once the other is done.
#[tokio::test(start_paused = true)]
async fn a_shared_store_claim_held_elsewhere_is_respected() {
    use dingtalk_openapi_stream::dedup::{Claim, DedupError, DedupStore};
    use futures_util::future::BoxFuture;

    #[derive(Default)]
    struct Elsewhere {
        done: std::sync::atomic::AtomicBool,
        claims: AtomicUsize,
    }
    impl DedupStore for Elsewhere {
        fn claim<'a>(
            &'a self,
            _id: &'a str,
            _l: Duration,
        ) -> BoxFuture<'a, Result<Claim, DedupError>> {
            self.claims.fetch_add(1, Ordering::SeqCst);
            let c = if self.done.load(Ordering::SeqCst) {
                Claim::Done
            } else {
                Claim::InFlight
            };
            Box::pin(async move { Ok(c) })
        }
        fn complete<'a>(
            &'a self,
            _id: &'a str,
            _w: Duration,
        ) -> BoxFuture<'a, Result<(), DedupError>> {
            Box::pin(async { Ok(()) })
        }
        fn release<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
            Box::pin(async { Ok(()) })
        }
    }

    let server = fake().await;
    let gw = server.gateway();
    gw.fault(StreamFault::RedeliverAfter(Duration::from_secs(5)));
    let store = Arc::new(Elsewhere::default());
    let (calls, client) = counting(builder(&server).dedup_store(store.clone()), Duration::ZERO);
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    until("a redelivery", || gw.deliveries(&id) >= 2).await;
    assert!(gw.acks().is_empty(), "held elsewhere: no ack");
    store.done.store(true, Ordering::SeqCst);
    let acks = within("the ack once done elsewhere", gw.wait_acks(1)).await;
    assert_eq!(
        (acks[0].message_id.as_str(), status(&acks[0])),
        (id.as_str(), "SUCCESS")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "never handled here");
    run.stop().await;
}
