//! A fake DingTalk whose Stream gateway has a robot message and an event waiting, for trying a
//! Stream client (such as the official Python SDK in `fake/interop/python_stream.sh`) against it.
//!
//! It prints `BASE_URL=…`, `APP_KEY=…` and `APP_SECRET=…` lines on stdout, queues a robot text
//! message (with a session webhook on the fake) and an event, then waits up to
//! `STREAM_WAIT_SECONDS` (default 60) for both to be acked and the robot's session reply to
//! arrive, and up to 10 s more for the client to hang up. It prints each recorded ack and reply as a JSON line (`ACK {…}`, `REPLY {…}`) and
//! exits 0 when every ack has code 200 and a reply came, 1 otherwise.
//!
//! ```text
//! cargo run -p dingtalk-openapi-fake --example stream_gateway
//! ```

use std::io::Write as _;
use std::time::Duration;

use dingtalk_openapi_fake::{MockServer, Push, operations};
use serde_json::json;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let wait = std::env::var("STREAM_WAIT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let server = MockServer::builder(operations()).start().await?;
    let gateway = server.gateway().clone();
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "BASE_URL={}", server.base_url())?;
        writeln!(out, "APP_KEY={}", server.app_key())?;
        writeln!(out, "APP_SECRET={}", server.app_secret())?;
        out.flush()?;
    }
    let bot = gateway.push(gateway.bot_text("hello from the fake", Duration::from_secs(3600)));
    let event = gateway.push(Push::event(
        "chat_update_title",
        json!({"chatId": "chat-1", "title": "renamed"}),
    ));
    eprintln!("queued robot message {bot} and event {event}; waiting up to {wait} s for acks");
    let done = async {
        gateway.wait_connections(1).await;
        eprintln!("a Stream client connected");
        gateway.wait_acks(2).await;
        while gateway.session_replies().is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let finished = tokio::time::timeout(Duration::from_secs(wait), done)
        .await
        .is_ok();
    // Let the client look at the control API and hang up before the fake goes away.
    let _ = tokio::time::timeout(Duration::from_secs(10), gateway.wait_disconnected()).await;
    let acks = gateway.acks();
    let replies = gateway.session_replies();
    {
        let mut out = std::io::stdout().lock();
        for ack in &acks {
            let line = json!({
                "messageId": ack.message_id,
                "code": ack.code,
                "message": ack.message,
                "data": ack.data,
                "connection": ack.connection,
            });
            writeln!(out, "ACK {line}")?;
        }
        for reply in &replies {
            writeln!(out, "REPLY {reply}")?;
        }
        for request in gateway.open_requests() {
            writeln!(out, "OPEN {request}")?;
        }
        out.flush()?;
    }
    let acked = [&bot, &event]
        .iter()
        .all(|id| acks.iter().any(|a| &&a.message_id == id && a.code == 200));
    server.shutdown().await;
    if finished && acked && !replies.is_empty() {
        eprintln!("the client acked both messages and replied through the session webhook");
        Ok(())
    } else {
        eprintln!("timed out or an ack failed (finished={finished}, acked={acked})");
        std::process::exit(1);
    }
}
