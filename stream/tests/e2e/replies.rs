//! Robot replies over the session webhook, the endpoint checks, and secrets kept out of Debug.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use dingtalk_openapi_runtime::time::ManualClock;
use dingtalk_openapi_stream::{BotMessage, ReplyError, StreamClient, StreamError};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn a_bot_reply_lands_on_the_session_webhook() {
    let server = fake().await;
    let gw = server.gateway();
    let debug = Arc::new(Mutex::new(String::new()));
    let d = debug.clone();
    let client = builder(&server)
        .on_bot_message(move |msg: BotMessage| {
            *d.lock().unwrap() = format!("{msg:?}");
            async move {
                let text = msg
                    .text
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default();
                msg.reply_text(format!("echo: {text}")).await?;
                msg.reply_markdown("t", "**bold**").await
            }
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let push = gw.bot_text("hello", Duration::from_secs(3600));
    let session = push_session(&push);
    gw.push(push);
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert_eq!(acks[0].code, 200);
    assert_eq!(
        gw.session_replies(),
        [
            json!({"msgtype": "text", "text": {"content": "echo: hello"}}),
            json!({"msgtype": "markdown", "markdown": {"title": "t", "text": "**bold**"}})
        ]
    );
    let debug = debug.lock().unwrap().clone();
    assert!(debug.contains("sendBySession"), "{debug}");
    assert!(
        !debug.contains(&session),
        "the session token leaked: {debug}"
    );
    run.stop().await;
}

/// The session token of a bot push, read back from its Debug (the fake's own type).
fn push_session(push: &dingtalk_openapi_fake::Push) -> String {
    let text = format!("{push:?}");
    let start = text.find("session=").expect("a session webhook") + "session=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_expired_webhook_is_refused_before_sending() {
    let server = fake().await;
    let gw = server.gateway();
    let clock = ManualClock::new(SystemTime::now() + Duration::from_secs(7200));
    let result = Arc::new(Mutex::new(None));
    let r = result.clone();
    let client = builder(&server)
        .time_source(Arc::new(clock))
        .on_bot_message(move |msg: BotMessage| {
            let r = r.clone();
            async move {
                let outcome = msg.reply_text("too late").await;
                *r.lock().unwrap() = Some(outcome);
            }
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let push = gw.bot_text("hello", Duration::from_secs(3600));
    let session = push_session(&push);
    gw.push(push);
    within("the ack", gw.wait_acks(1)).await;
    let outcome = result.lock().unwrap().take().expect("the handler ran");
    let err = outcome.unwrap_err();
    assert!(matches!(err, ReplyError::WebhookExpired { .. }), "{err:?}");
    assert!(!err.to_string().contains(&session));
    assert!(gw.session_replies().is_empty(), "nothing was sent");
    run.stop().await;
}

/// A one-shot HTTP server answering the open call with a plain ws:// endpoint elsewhere.
async fn open_answering(endpoint: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = json!({"endpoint": endpoint, "ticket": "TICKET-SHOULD-NOT-LEAK"}).to_string();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut read = 0;
        loop {
            let n = socket.read(&mut buf[read..]).await.unwrap();
            read += n;
            let text = String::from_utf8_lossy(&buf[..read]);
            if let Some(head_end) = text.find("\r\n\r\n") {
                let len = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if read >= head_end + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        socket.shutdown().await.ok();
    });
    format!("http://{addr}")
}

#[tokio::test(start_paused = true)]
async fn plain_ws_to_a_host_that_is_not_loopback_is_refused() {
    let base = open_answering("ws://gateway.example.com/connect").await;
    let client = StreamClient::builder("key", "secret")
        .api_base_url(base)
        .local_ip("127.0.0.1")
        .on_event("*", |_e: dingtalk_openapi_stream::Event| async {})
        .build()
        .unwrap();
    let err = within("the refusal", client.run()).await.unwrap_err();
    assert!(
        matches!(err, StreamError::InsecureEndpoint { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("ws://gateway.example.com"), "{text}");
    assert!(!text.contains("TICKET-SHOULD-NOT-LEAK"));
}

#[tokio::test(start_paused = true)]
async fn secrets_are_absent_from_debug_output() {
    let server = fake().await;
    let client = builder(&server)
        .on_event("*", |_e: dingtalk_openapi_stream::Event| async {})
        .build()
        .unwrap();
    let debug = format!("{client:?} {:?}", client.shutdown_handle());
    assert!(!debug.contains(server.app_secret()), "{debug}");
    assert!(debug.contains(server.app_key()));
}
