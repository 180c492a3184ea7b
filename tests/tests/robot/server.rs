//! A loopback server standing in for the robot's webhook: it records every request and answers
//! from a queue (then `{"errcode":0,"errmsg":"ok"}`); and [`check_wire`], which checks a request's
//! method, path, content type, credential and signature.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::Json;
use dingtalk_openapi::robot::{RobotWebhook, sign};
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "robot-token-0c1d";
pub(crate) const SECRET: &str = "SECb2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2";

/// One request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    method: Method,
    path: String,
    /// The query string exactly as sent, still percent-encoded.
    raw_query: String,
    content_type: Option<String>,
    pub(crate) body: Vec<u8>,
    pub(crate) at: Instant,
}

impl Seen {
    /// The query's pairs, each decoded once.
    fn query(&self) -> Vec<(String, String)> {
        self.raw_query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_once(name), decode_once(value))
            })
            .collect()
    }

    /// The raw (still encoded) value of one query parameter.
    pub(crate) fn raw_value(&self, name: &str) -> &str {
        self.raw_query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no `{name}` in {:?}", self.raw_query))
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// Decodes `%XX` escapes (and `+` as a space) once.
fn decode_once(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("an escape");
                out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// The recorded requests and the answers still to give (then `{"errcode":0,"errmsg":"ok"}`).
#[derive(Clone, Default)]
pub(crate) struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    replies: Arc<Mutex<VecDeque<Value>>>,
    pub(crate) base: String,
}

impl Server {
    pub(crate) async fn start() -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let server = Server {
            base,
            ..Server::default()
        };
        let app = Router::new().fallback(record).with_state(server.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        server
    }

    fn webhook_url(&self) -> String {
        format!("{}/robot/send?access_token={TOKEN}", self.base)
    }

    pub(crate) fn reply_next(&self, reply: Value) {
        lock(&self.replies).push_back(reply);
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        lock(&self.seen).clone()
    }

    pub(crate) fn clear(&self) {
        lock(&self.seen).clear();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn record(
    State(server): State<Server>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    lock(&server.seen).push(Seen {
        method,
        path: uri.path().to_owned(),
        raw_query: uri.query().unwrap_or_default().to_owned(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.to_vec(),
        at: Instant::now(),
    });
    let reply = lock(&server.replies).pop_front();
    Json(reply.unwrap_or_else(|| json!({"errcode": 0, "errmsg": "ok"})))
}

pub(crate) fn webhook(server: &Server, signed: bool) -> RobotWebhook {
    let webhook = RobotWebhook::from_url(&server.webhook_url()).expect("webhook URL");
    if signed {
        webhook.with_secret(SECRET).expect("secret")
    } else {
        webhook
    }
}

fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_millis()).expect("fits")
}

/// Checks the wire form of a robot request: POST /robot/send, JSON, the credential in the query
/// (signed with a fresh timestamp and a signature encoded exactly once when `signed`).
pub(crate) fn check_wire(seen: &Seen, signed: bool) -> Option<i64> {
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path, "/robot/send");
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    let query = seen.query();
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    if !signed {
        assert_eq!(names, ["access_token"], "{}", seen.raw_query);
        assert_eq!(query[0].1, TOKEN);
        return None;
    }
    assert_eq!(
        names,
        ["access_token", "timestamp", "sign"],
        "{}",
        seen.raw_query
    );
    assert_eq!(query[0].1, TOKEN);
    let timestamp: i64 = query[1].1.parse().expect("a numeric timestamp");
    assert!(
        (now_ms() - timestamp).abs() < 5_000,
        "timestamp {timestamp} is not now"
    );
    // Decoded once, the signature is exactly the base64 of the HMAC: it was encoded once.
    assert_eq!(query[2].1, sign(SECRET, timestamp));
    let raw = seen.raw_value("sign");
    assert!(!raw.contains("%25"), "encoded twice: {raw}");
    assert!(!raw.contains(['+', '/', '=']), "not encoded: {raw}");
    // A 32-byte HMAC in base64 always ends with one `=`.
    assert!(raw.ends_with("%3D"), "{raw}");
    Some(timestamp)
}
