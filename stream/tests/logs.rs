//! Logs carry a span per message and never a secret: not the app secret, not a ticket, not a
//! session webhook's token. Its own test binary: the subscriber is the process's global one, so
//! no other test's callsite cache can hide events from it.

#[path = "e2e/common.rs"]
#[allow(dead_code)]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dingtalk_openapi_fake::{Push, StreamFault};
use dingtalk_openapi_stream::BotMessage;
use serde_json::json;

use common::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn logs_have_message_spans_and_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = fake().await;
    let gw = server.gateway();
    let client = builder(&server)
        .on_bot_message(|msg: BotMessage| async move {
            tracing::info!(?msg, "handler got");
            msg.reply_text("ok").await
        })
        .on_event("*", |_e: dingtalk_openapi_stream::Event| async {
            Err::<(), _>("a failing handler")
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let push = gw.bot_text("hello", Duration::from_secs(3600));
    let push_debug = format!("{push:?}");
    let start = push_debug.find("session=").unwrap() + "session=".len();
    let session: String = push_debug[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    gw.push(push);
    within("the ack", gw.wait_acks(1)).await;
    gw.push(Push::event("user_add_org", json!({})));
    within("the LATER ack", gw.wait_acks(2)).await;
    gw.fault(StreamFault::AbruptClose);
    within("a reconnect", gw.wait_connections(2)).await;
    run.stop().await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    if let Ok(path) = std::env::var("STREAM_LOG_DUMP") {
        std::fs::write(path, &logs).unwrap();
    }
    assert!(logs.contains("stream_message"), "a span per message");
    assert!(logs.contains("message_id="), "spans name the message");
    assert!(!logs.contains(server.app_secret()), "the app secret leaked");
    assert!(!logs.contains(&session), "a session token leaked");
    for (i, _) in logs.match_indices("ticket=") {
        assert!(
            logs[i..].starts_with("ticket=<redacted>"),
            "a ticket leaked: {}",
            &logs[i..(i + 60).min(logs.len())]
        );
    }
}
