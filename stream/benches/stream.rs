//! Stream client figures against the fake gateway on loopback (real time, a multi-thread
//! runtime): messages per second through one connection (fake → handler → ack), and the time
//! from a dropped socket to the first message handled on the new connection.
//!
//! `cargo bench -p dingtalk-openapi-stream --bench stream` prints a table; nothing is asserted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dingtalk_openapi_fake::{MockServer, Push, StreamFault, operations};
use dingtalk_openapi_stream::{Event, StreamClient};
use serde_json::json;

const MESSAGES: usize = 5_000;
const ROUNDS: usize = 3;
const DROPS: usize = 10;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = MockServer::builder(operations()).start().await.expect("the fake");
        let gw = server.gateway().clone();
        let handled = Arc::new(AtomicUsize::new(0));
        let h = handled.clone();
        let client = StreamClient::builder(server.app_key(), server.app_secret())
            .api_base_url(server.base_url())
            .local_ip("127.0.0.1")
            .backoff(Duration::from_millis(100), Duration::from_secs(1))
            .max_concurrent_handlers(64)
            .on_event("*", move |_e: Event| {
                h.fetch_add(1, Ordering::Relaxed);
                async {}
            })
            .build()
            .expect("a client");
        let handle = client.shutdown_handle();
        let task = tokio::spawn(async move { client.run().await });
        gw.wait_connections(1).await;

        println!("| measure | value |");
        println!("| --- | --- |");
        // Latencies first: `wait_acks` clones the fake's ack log, which grows.
        let mut acked = 0;
        let mut round_trips = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            acked += 1;
            gw.push(Push::event("bench_event", json!({})));
            gw.wait_acks(acked).await;
            round_trips.push(start.elapsed());
        }
        println!(
            "| one message at a time, push → ack, median (min–max) of 200 | {} |",
            spread(&mut round_trips)
        );

        for (name, fault) in [
            ("clean close (reconnect at once)", StreamFault::Close),
            ("abrupt close (backoff ≥ 100 ms)", StreamFault::AbruptClose),
            ("disconnect frame", StreamFault::Disconnect),
        ] {
            let mut to_connection = Vec::new();
            let mut to_message = Vec::new();
            for _ in 0..DROPS {
                // A connection younger than 1 s is replaced after the backoff (anti-flapping).
                tokio::time::sleep(Duration::from_millis(1100)).await;
                let connections = gw.connections();
                let start = Instant::now();
                gw.fault(fault.clone());
                gw.wait_connections(connections + 1).await;
                to_connection.push(start.elapsed());
                acked += 1;
                gw.push(Push::event("bench_event", json!({})));
                gw.wait_acks(acked).await;
                to_message.push(start.elapsed());
            }
            println!(
                "| {name}: drop → new connection, median (min–max) of {DROPS} | {} |",
                spread(&mut to_connection)
            );
            println!(
                "| {name}: drop → first message acked on it | {} |",
                spread(&mut to_message)
            );
        }

        for round in 1..=ROUNDS {
            let start = Instant::now();
            for i in 0..MESSAGES {
                gw.push(Push::event("bench_event", json!({"i": i, "pad": "x".repeat(200)})));
            }
            acked += MESSAGES;
            gw.wait_acks(acked).await;
            let took = start.elapsed();
            println!(
                "| throughput, round {round} ({MESSAGES} events, fake → handler → ack) | {:.0} msg/s ({:.2} s) |",
                MESSAGES as f64 / took.as_secs_f64(),
                took.as_secs_f64()
            );
        }

        handle.shutdown(Duration::from_secs(5));
        let _ = task.await;
        println!("| handled in all | {} |", handled.load(Ordering::Relaxed));
    });
}

fn spread(samples: &mut [Duration]) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{:.1} ms ({:.1}–{:.1} ms)",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    )
}
