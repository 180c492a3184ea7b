//! The group robot end to end: `client.robot().send(..)` against a loopback server that records
//! every request, for each message type, signed and unsigned; the robot's error answers (errcode
//! as a number and as a string) as typed errors; and the local guards (body size, the 20-a-minute
//! limiter with both policies), which send nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::Json;
use dingtalk_openapi::blackboard::BlackboardCategoryListRequest;
use dingtalk_openapi::robot::*;
use dingtalk_openapi::{CallRate, Client, ClientBuilder, Error, RateLimit};
use serde_json::{Value, json};

const TOKEN: &str = "robot-token-0c1d";
const SECRET: &str = "SECb2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2f4c6e8a0d2";

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    /// The query string exactly as sent, still percent-encoded.
    raw_query: String,
    content_type: Option<String>,
    body: Vec<u8>,
    at: Instant,
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
    fn raw_value(&self, name: &str) -> &str {
        self.raw_query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no `{name}` in {:?}", self.raw_query))
    }

    fn json(&self) -> Value {
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
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    replies: Arc<Mutex<VecDeque<Value>>>,
    base: String,
}

impl Server {
    async fn start() -> Server {
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

    fn reply_next(&self, reply: Value) {
        lock(&self.replies).push_back(reply);
    }

    fn seen(&self) -> Vec<Seen> {
        lock(&self.seen).clone()
    }

    fn clear(&self) {
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

fn webhook(server: &Server, signed: bool) -> RobotWebhook {
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
fn check_wire(seen: &Seen, signed: bool) -> Option<i64> {
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

/// Every message type, with the exact body DingTalk expects for it.
fn messages() -> Vec<(&'static str, RobotSendRequest, Value)> {
    vec![
        (
            "text with at",
            RobotSendRequest::new(RobotText::new("我就是我, @user123 是不一样的烟火")).at(
                RobotAt::new()
                    .at_mobiles(["150XXXXXXXX"])
                    .at_user_ids(["user123"])
                    .is_at_all(false),
            ),
            json!({
                "msgtype": "text",
                "text": {"content": "我就是我, @user123 是不一样的烟火"},
                "at": {"atMobiles": ["150XXXXXXXX"], "atUserIds": ["user123"], "isAtAll": false}
            }),
        ),
        (
            "link",
            RobotSendRequest::new(
                RobotLink::new(
                    "时代的火车向前开",
                    "这个即将发布的新版本",
                    "https://www.dingtalk.com/s?a=1&b=2",
                )
                .pic_url("https://img.example.com/a.png"),
            ),
            json!({
                "msgtype": "link",
                "link": {
                    "title": "时代的火车向前开",
                    "text": "这个即将发布的新版本",
                    "messageUrl": "https://www.dingtalk.com/s?a=1&b=2",
                    "picUrl": "https://img.example.com/a.png"
                }
            }),
        ),
        (
            "markdown with at",
            RobotSendRequest::new(RobotMarkdown::new(
                "杭州天气",
                "#### 杭州天气 @150XXXXXXXX\n> 9度，西北风1级",
            ))
            .at(RobotAt::new().at_mobiles(["150XXXXXXXX"]).is_at_all(true)),
            json!({
                "msgtype": "markdown",
                "markdown": {"title": "杭州天气", "text": "#### 杭州天气 @150XXXXXXXX\n> 9度，西北风1级"},
                "at": {"atMobiles": ["150XXXXXXXX"], "isAtAll": true}
            }),
        ),
        (
            "actionCard with one button",
            RobotSendRequest::new(
                RobotActionCard::new(
                    "乔布斯 20 年前想打造一间苹果咖啡厅",
                    "![screenshot](https://img.example.com/b.png)",
                )
                .btn_orientation(RobotBtnOrientation::Vertical)
                .single_title("阅读全文")
                .single_url("https://www.dingtalk.com/")
                .hide_avatar(RobotHideAvatar::Hide),
            ),
            json!({
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "乔布斯 20 年前想打造一间苹果咖啡厅",
                    "text": "![screenshot](https://img.example.com/b.png)",
                    "btnOrientation": "0",
                    "singleTitle": "阅读全文",
                    "singleURL": "https://www.dingtalk.com/",
                    "hideAvatar": "1"
                }
            }),
        ),
        (
            "actionCard with buttons",
            RobotSendRequest::new(
                RobotActionCard::new("标题", "正文")
                    .btn_orientation(RobotBtnOrientation::Horizontal)
                    .btns([
                        RobotActionCardButton::new("内容不错", "https://www.dingtalk.com/yes"),
                        RobotActionCardButton::new("不感兴趣", "https://www.dingtalk.com/no"),
                    ])
                    .hide_avatar(RobotHideAvatar::Show),
            ),
            json!({
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "标题",
                    "text": "正文",
                    "btnOrientation": "1",
                    "btns": [
                        {"title": "内容不错", "actionURL": "https://www.dingtalk.com/yes"},
                        {"title": "不感兴趣", "actionURL": "https://www.dingtalk.com/no"}
                    ],
                    "hideAvatar": "0"
                }
            }),
        ),
        (
            "feedCard",
            RobotSendRequest::new(RobotFeedCard::new([
                RobotFeedCardLink::new(
                    "时代的火车向前开1",
                    "https://www.dingtalk.com/1",
                    "https://img.example.com/1.png",
                ),
                RobotFeedCardLink::new(
                    "时代的火车向前开2",
                    "https://www.dingtalk.com/2",
                    "https://img.example.com/2.png",
                ),
            ])),
            json!({
                "msgtype": "feedCard",
                "feedCard": {"links": [
                    {
                        "title": "时代的火车向前开1",
                        "messageURL": "https://www.dingtalk.com/1",
                        "picURL": "https://img.example.com/1.png"
                    },
                    {
                        "title": "时代的火车向前开2",
                        "messageURL": "https://www.dingtalk.com/2",
                        "picURL": "https://img.example.com/2.png"
                    }
                ]}
            }),
        ),
    ]
}

#[tokio::test]
async fn every_message_type_reaches_the_wire_exactly_signed_and_unsigned() {
    let server = Server::start().await;
    for signed in [false, true] {
        server.clear();
        let client = Client::for_robot(webhook(&server, signed)).expect("robot client");
        let messages = messages();
        for (name, request, _) in &messages {
            let response = client
                .robot()
                .send(request.clone())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(response.errcode, Some(0));
        }
        let seen = server.seen();
        assert_eq!(seen.len(), messages.len());
        for (seen, (name, _, expected)) in seen.iter().zip(&messages) {
            check_wire(seen, signed);
            assert_eq!(&seen.json(), expected, "{name} (signed: {signed})");
        }
    }
}

#[tokio::test]
async fn a_robot_on_an_app_client_goes_to_the_oapi_base_url() {
    let server = Server::start().await;
    let client = Client::builder()
        .oapi_base_url(&server.base)
        .robot_webhook(
            RobotWebhook::new(TOKEN)
                .expect("token")
                .with_secret(SECRET)
                .expect("secret"),
        )
        .build()
        .expect("client");
    client
        .robot()
        .send(RobotSendRequest::new(RobotText::new("hi")))
        .await
        .expect("sent");
    let [seen] = <[Seen; 1]>::try_from(server.seen()).expect("one request");
    check_wire(&seen, true);
}

#[tokio::test]
async fn a_robot_client_refuses_other_operations_without_sending() {
    let server = Server::start().await;
    let client = Client::for_robot(webhook(&server, false)).expect("robot client");
    let error = client
        .blackboard()
        .category_list(BlackboardCategoryListRequest::new("manager01"))
        .await
        .expect_err("not a robot operation");
    assert!(
        matches!(&error, Error::Config(m) if m.contains("blackboard.category.list") && m.contains("for_robot")),
        "{error}"
    );
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn each_attempt_is_signed_afresh() {
    let server = Server::start().await;
    // System busy: the one robot answer that is retried.
    server.reply_next(json!({"errcode": -1, "errmsg": "系统繁忙"}));
    let client = ClientBuilder::for_robot(webhook(&server, true))
        .retry_base_delay(Duration::from_millis(40))
        .build()
        .expect("robot client");
    client
        .robot()
        .send(RobotSendRequest::new(RobotText::new("retried")))
        .await
        .expect("sent on the second attempt");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let first = check_wire(&seen[0], true).expect("signed");
    let second = check_wire(&seen[1], true).expect("signed");
    assert!(second > first, "the retry reused timestamp {first}");
    assert_ne!(seen[0].raw_value("sign"), seen[1].raw_value("sign"));
}

/// An answer with `errcode` as a number, or as the same number in a string.
fn answer(errcode: i64, errmsg: &str, as_string: bool) -> Value {
    if as_string {
        json!({"errcode": errcode.to_string(), "errmsg": errmsg})
    } else {
        json!({"errcode": errcode, "errmsg": errmsg})
    }
}

#[tokio::test]
async fn robot_answers_are_typed_errors() {
    const MORE: &str = "more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]";
    let refusals: Vec<(i64, String, RobotErrorKind)> = vec![
        (
            310000,
            format!("sign not match, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::SignMismatch),
        ),
        (
            310000,
            format!("keywords not in content, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::KeywordsNotInContent),
        ),
        (
            310000,
            format!("invalid timestamp, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::InvalidTimestamp),
        ),
        (
            310000,
            format!("ip 203.0.113.7 not in whitelist, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::IpNotAllowed {
                ip: Some("203.0.113.7".into()),
            }),
        ),
        (
            300005,
            "token is not exist".into(),
            RobotErrorKind::TokenNotFound,
        ),
        (
            460101,
            "message too long, exceed 20000 bytes".into(),
            RobotErrorKind::BodyTooLarge,
        ),
    ];
    let server = Server::start().await;
    let client = ClientBuilder::for_robot(webhook(&server, true))
        .no_rate_limit()
        .build()
        .expect("robot client");
    let robot = client.robot();
    let send = || robot.send(RobotSendRequest::new(RobotText::new("hi")));
    for as_string in [false, true] {
        for (code, errmsg, kind) in &refusals {
            server.clear();
            server.reply_next(answer(*code, errmsg, as_string));
            let error = send().await.expect_err("refused");
            match &error {
                Error::Robot {
                    operation,
                    kind: got,
                    errcode,
                    errmsg: got_msg,
                    ..
                } => {
                    assert_eq!(*operation, "robot.send");
                    assert_eq!(got, kind, "{errmsg}");
                    assert_eq!(errcode, code);
                    assert_eq!(got_msg, errmsg);
                }
                other => panic!("{code} {errmsg} (string: {as_string}): {other:?}"),
            }
            assert_eq!(error.robot_kind(), Some(kind));
            assert_eq!(error.errcode(), Some(*code));
            assert!(!error.is_retryable() && !error.is_rate_limited(), "{error}");
            assert!(error.to_string().contains(&code.to_string()), "{error}");
            assert_eq!(server.seen().len(), 1, "{code} is not retried");
        }
        for code in [130101, 660026] {
            server.clear();
            server.reply_next(answer(
                code,
                "send too fast, exceed 20 times per minute",
                as_string,
            ));
            let error = send().await.expect_err("throttled");
            assert!(
                matches!(
                    error,
                    Error::RateLimited {
                        operation: "robot.send",
                        limit: RateLimit::Robot,
                        errcode: Some(c),
                        ..
                    } if c == code
                ),
                "{error:?}"
            );
            assert!(error.is_rate_limited());
            assert!(!error.is_retryable(), "retrying at once is pointless");
            assert_eq!(error.robot_kind(), Some(&RobotErrorKind::TooManyMessages));
            assert_eq!(server.seen().len(), 1, "{code} is not retried");
        }
    }
}

#[tokio::test]
async fn a_body_over_20000_bytes_is_refused_before_sending() {
    let server = Server::start().await;
    let client = Client::for_robot(webhook(&server, true)).expect("robot client");
    let overhead = serde_json::to_vec(&RobotSendRequest::new(RobotText::new("")))
        .expect("JSON")
        .len();
    let of_size = |size: usize| RobotSendRequest::new(RobotText::new("x".repeat(size - overhead)));
    assert_eq!(
        serde_json::to_vec(&of_size(20_001)).expect("JSON").len(),
        20_001
    );

    let error = client
        .robot()
        .send(of_size(20_001))
        .await
        .expect_err("too large");
    assert!(
        matches!(
            error,
            Error::RobotGuard {
                operation: "robot.send",
                source: RobotError::BodyTooLarge {
                    size: 20_001,
                    limit: MAX_BODY_BYTES
                },
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.robot_kind(), Some(&RobotErrorKind::BodyTooLarge));
    assert!(!error.is_retryable());
    assert!(server.seen().is_empty(), "nothing reached the server");

    // Exactly at the limit it is sent.
    client
        .robot()
        .send(of_size(20_000))
        .await
        .expect("20,000 bytes are allowed");
    let [seen] = <[Seen; 1]>::try_from(server.seen()).expect("one request");
    assert_eq!(seen.body.len(), 20_000);
}

#[tokio::test]
async fn the_21st_message_in_a_minute_fails_locally_under_the_fail_policy() {
    let server = Server::start().await;
    let client = ClientBuilder::for_robot(webhook(&server, false))
        .robot_limit_policy(LimitPolicy::Fail)
        .build()
        .expect("robot client");
    for i in 0..20 {
        client
            .robot()
            .send(RobotSendRequest::new(RobotText::new(format!(
                "message {i}"
            ))))
            .await
            .unwrap_or_else(|e| panic!("message {i}: {e}"));
    }
    let error = client
        .robot()
        .send(RobotSendRequest::new(RobotText::new("one too many")))
        .await
        .expect_err("over the limit");
    match &error {
        Error::RobotGuard {
            source:
                RobotError::RateLimited {
                    max_messages,
                    window,
                    retry_after,
                },
            ..
        } => {
            assert_eq!(*max_messages, MESSAGES_PER_WINDOW);
            assert_eq!(*window, RATE_WINDOW);
            assert!(*retry_after > Duration::from_secs(50), "{retry_after:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_rate_limited() && !error.is_retryable());
    assert_eq!(error.robot_kind(), Some(&RobotErrorKind::TooManyMessages));
    assert_eq!(server.seen().len(), 20, "the 21st was not sent");

    // Clones share the limiter: the budget is the client's, not the handle's.
    let clone = client.clone();
    let error = clone
        .robot()
        .send(RobotSendRequest::new(RobotText::new("still too many")))
        .await
        .expect_err("over the limit");
    assert!(error.is_rate_limited(), "{error}");
    assert_eq!(server.seen().len(), 20);
}

#[tokio::test]
async fn the_21st_message_waits_under_the_wait_policy() {
    let window = Duration::from_millis(700);
    let server = Server::start().await;
    let client = ClientBuilder::for_robot(webhook(&server, true))
        .robot_rate_limit(Some(CallRate::new(MESSAGES_PER_WINDOW, window)))
        .robot_limit_policy(LimitPolicy::Wait)
        .build()
        .expect("robot client");
    let started = Instant::now();
    for i in 0..21 {
        client
            .robot()
            .send(RobotSendRequest::new(RobotText::new(format!(
                "message {i}"
            ))))
            .await
            .unwrap_or_else(|e| panic!("message {i}: {e}"));
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 21, "all sent, none refused");
    let first_20 = seen[19].at.duration_since(seen[0].at);
    assert!(first_20 < window, "the first 20 went at once: {first_20:?}");
    let waited = seen[20].at.duration_since(seen[0].at);
    assert!(
        waited >= window - Duration::from_millis(20),
        "the 21st left {waited:?} after the first"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // Signed after the wait: its timestamp is fresh, not from before it.
    let ts_first = check_wire(&seen[0], true).expect("signed");
    let ts_last = check_wire(&seen[20], true).expect("signed");
    assert!(ts_last - ts_first >= 600, "{ts_first} → {ts_last}");
}
