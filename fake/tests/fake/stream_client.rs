//! A small raw Stream-mode client for the gateway tests: the open call over plain HTTP, a
//! WebSocket from tokio-tungstenite, and helpers to read frames and ack them. It sets no timers
//! of its own, so tests on tokio's paused clock see only the fake's.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::common::{Answer, Fake, builder};

/// The robot message topic.
pub(crate) const BOT: &str = "/v1.0/im/bot/messages/get";

/// A fake with a client that sets no timers.
pub(crate) async fn fake() -> Fake {
    Fake::start_timerless(builder()).await
}

/// The body of an open call with the fake's credentials and these `(type, topic)`s.
pub(crate) fn open_body(fake: &Fake, subscriptions: &[(&str, &str)]) -> Value {
    let subscriptions: Vec<Value> = subscriptions
        .iter()
        .map(|(kind, topic)| json!({"type": kind, "topic": topic}))
        .collect();
    json!({
        "clientId": fake.server.app_key(),
        "clientSecret": fake.server.app_secret(),
        "subscriptions": subscriptions,
        "ua": "dingtalk-openapi-fake-tests/1",
        "localIp": "127.0.0.1",
    })
}

/// POSTs `body` to the open endpoint.
pub(crate) async fn open_raw(fake: &Fake, body: &Value) -> Answer {
    let request = fake
        .http
        .post(fake.url("/v1.0/gateway/connections/open"))
        .header("accept", "application/json")
        .json(body);
    fake.send(request).await
}

/// Opens a connection for these subscriptions: the WebSocket URL with its ticket.
pub(crate) async fn open(fake: &Fake, subscriptions: &[(&str, &str)]) -> String {
    let answer = open_raw(fake, &open_body(fake, subscriptions)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let json = answer.json();
    let endpoint = json["endpoint"].as_str().expect("endpoint");
    let ticket = json["ticket"].as_str().expect("ticket");
    let ticket: String = form_urlencoded::byte_serialize(ticket.as_bytes()).collect();
    format!("{endpoint}?ticket={ticket}")
}

/// What the client saw next on its socket.
#[derive(Debug)]
pub(crate) enum Seen {
    /// A text frame, parsed.
    Frame(Value),
    /// A close frame.
    Closed(Option<CloseFrame>),
    /// The socket ended without a close frame (or failed), and how.
    Ended(#[expect(dead_code, reason = "shown by Debug in failed assertions")] String),
}

/// A raw Stream client on one WebSocket.
pub(crate) struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Connects to `url` (from [`open`]).
    pub(crate) async fn connect(url: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the WebSocket upgrade succeeds");
        Client { ws }
    }

    /// Opens and connects for these subscriptions.
    pub(crate) async fn start(fake: &Fake, subscriptions: &[(&str, &str)]) -> Client {
        let url = open(fake, subscriptions).await;
        Client::connect(&url).await
    }

    /// The next text frame, close or end (pings and pongs are skipped).
    pub(crate) async fn next(&mut self) -> Seen {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let value = serde_json::from_str(text.as_str()).expect("frames are JSON");
                    return Seen::Frame(value);
                }
                Some(Ok(Message::Close(frame))) => return Seen::Closed(frame),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Seen::Ended(e.to_string()),
                None => return Seen::Ended("the stream ended".to_owned()),
            }
        }
    }

    /// The next text frame; panics on anything else.
    pub(crate) async fn frame(&mut self) -> Value {
        match self.next().await {
            Seen::Frame(frame) => frame,
            other => panic!("expected a frame, saw {other:?}"),
        }
    }

    /// The next text frame if one comes within `wait` (of tokio's clock).
    pub(crate) async fn frame_within(&mut self, wait: Duration) -> Option<Value> {
        match tokio::time::timeout(wait, self.next()).await {
            Ok(Seen::Frame(frame)) => Some(frame),
            Ok(other) => panic!("expected a frame or nothing, saw {other:?}"),
            Err(_) => None,
        }
    }

    /// Sends an ack of `frame` with this code and data (sent as a JSON string).
    pub(crate) async fn ack(&mut self, frame: &Value, code: i64, data: Value) {
        let ack = json!({
            "code": code,
            "headers": {"messageId": id(frame), "contentType": "application/json"},
            "message": "OK",
            "data": data.to_string(),
        });
        self.send_text(ack.to_string()).await;
    }

    /// Acks an EVENT with `{"status": status}`.
    pub(crate) async fn ack_event(&mut self, frame: &Value, status: &str) {
        self.ack(frame, 200, json!({"status": status, "message": "ok"}))
            .await;
    }

    /// Sends a text frame.
    pub(crate) async fn send_text(&mut self, text: String) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send a frame");
    }

    /// Sends a WebSocket ping and waits for its pong (text frames meanwhile are returned).
    pub(crate) async fn ping_pong(&mut self) -> Vec<Value> {
        self.ws
            .send(Message::Ping(b"are you there".to_vec().into()))
            .await
            .expect("send a ping");
        let mut frames = Vec::new();
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Pong(payload))) => {
                    assert_eq!(&payload[..], b"are you there");
                    return frames;
                }
                Some(Ok(Message::Text(text))) => {
                    frames.push(serde_json::from_str(text.as_str()).expect("JSON"));
                }
                other => panic!("expected a pong, saw {other:?}"),
            }
        }
    }
}

/// A frame's `headers.messageId`.
pub(crate) fn id(frame: &Value) -> String {
    frame["headers"]["messageId"]
        .as_str()
        .expect("messageId")
        .to_owned()
}

/// A frame's `data` string, parsed.
pub(crate) fn data(frame: &Value) -> Value {
    serde_json::from_str(frame["data"].as_str().expect("data is a string")).expect("data is JSON")
}

/// Connects a WebSocket to `url` expecting a refused upgrade; returns the HTTP status.
pub(crate) async fn refused_status(url: &str) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("the upgrade was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
    }
}
