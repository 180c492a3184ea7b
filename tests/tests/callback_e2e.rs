//! The callback receiver example (`examples/callback_receiver.rs`), served on 127.0.0.1 and fed
//! encrypted events as DingTalk would send them: both query spellings, a forged signature,
//! another app's event and malformed requests.

#[path = "../examples/callback_receiver.rs"]
#[allow(dead_code)] // The example's `main` and environment reading are not used here.
mod receiver;

use std::net::SocketAddr;

use dingtalk_openapi::callback::{
    CallbackBody, CallbackCrypto, CallbackQuery, EncryptedReply, OwnerKey,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "callback-token-7f3a";
const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
const APP_KEY: &str = "dingappkey0123456789";
const RANDOM: &[u8; 16] = b"1234567890123456";

fn crypto(owner: &str) -> CallbackCrypto {
    CallbackCrypto::new(TOKEN, AES_KEY, OwnerKey::AppKey(owner.to_owned())).expect("cipher")
}

async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = receiver::router(crypto(APP_KEY));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// POSTs `body` to `path_and_query` over plain HTTP/1.1; returns the status and the body.
async fn post(addr: SocketAddr, path_and_query: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8(answer).expect("UTF-8 answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, body.to_owned())
}

/// An event encrypted and signed as DingTalk sends it, by the cipher of `owner`.
fn encrypted(owner: &str, event: &Value, timestamp: &str, nonce: &str) -> EncryptedReply {
    crypto(owner)
        .encrypt_with_random(&event.to_string(), RANDOM, timestamp, nonce)
        .expect("encrypt")
}

fn callback_url(signature_name: &str, timestamp_name: &str, e: &EncryptedReply) -> String {
    format!(
        "{}?{signature_name}={}&{timestamp_name}={}&nonce={}",
        receiver::CALLBACK_PATH,
        e.msg_signature,
        e.timestamp,
        e.nonce
    )
}

fn body_of(e: &EncryptedReply) -> String {
    json!({"encrypt": e.encrypt}).to_string()
}

/// Checks an answer is DingTalk's encrypted reply holding `success`, correctly signed.
fn assert_success_reply(status: u16, body: &str) {
    assert_eq!(status, 200, "{body}");
    let value: Value = serde_json::from_str(body).expect("a JSON reply");
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["encrypt", "msg_signature", "nonce", "timeStamp"]);
    let reply: EncryptedReply = serde_json::from_value(value).expect("a reply");
    let ours = crypto(APP_KEY);
    ours.verify_signature(
        &reply.msg_signature,
        &reply.timestamp,
        &reply.nonce,
        &reply.encrypt,
    )
    .expect("the reply's signature verifies");
    let plain = ours
        .decrypt_callback(
            &CallbackQuery::new(
                reply.msg_signature.clone(),
                reply.timestamp.clone(),
                reply.nonce.clone(),
            ),
            &CallbackBody::new(reply.encrypt.clone()),
        )
        .expect("the reply decrypts");
    assert_eq!(plain, "success");
}

#[tokio::test]
async fn check_url_is_answered_with_an_encrypted_success() {
    let addr = start().await;
    let event = encrypted(
        APP_KEY,
        &json!({"EventType": "check_url"}),
        "1700000000000",
        "nEXhMP4r",
    );
    let (status, body) = post(
        addr,
        &callback_url("msg_signature", "timestamp", &event),
        &body_of(&event),
    )
    .await;
    assert_success_reply(status, &body);
}

#[tokio::test]
async fn the_older_query_spelling_works() {
    let addr = start().await;
    let event = encrypted(
        APP_KEY,
        &json!({"EventType": "check_url"}),
        "1445827045067",
        "abc123",
    );
    let (status, body) = post(
        addr,
        &callback_url("signature", "timeStamp", &event),
        &body_of(&event),
    )
    .await;
    assert_success_reply(status, &body);
}

#[tokio::test]
async fn other_events_are_acknowledged() {
    let addr = start().await;
    let event = encrypted(
        APP_KEY,
        &json!({"EventType": "user_add_org", "UserId": ["manager01"], "CorpId": "ding123", "TimeStamp": "1700000000000"}),
        "1700000000000",
        "n0nce",
    );
    let (status, body) = post(
        addr,
        &callback_url("msg_signature", "timestamp", &event),
        &body_of(&event),
    )
    .await;
    assert_success_reply(status, &body);
}

#[tokio::test]
async fn a_wrong_signature_is_refused_and_the_server_goes_on() {
    let addr = start().await;
    let event = encrypted(
        APP_KEY,
        &json!({"EventType": "check_url"}),
        "1700000000000",
        "nEXhMP4r",
    );
    let mut forged = event.clone();
    forged.msg_signature = "0".repeat(40);
    let (status, body) = post(
        addr,
        &callback_url("msg_signature", "timestamp", &forged),
        &body_of(&forged),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("signature"), "{body}");
    // The signature covers the ciphertext: a swapped body fails the same way.
    let other = encrypted(
        APP_KEY,
        &json!({"EventType": "user_leave_org"}),
        "1700000000000",
        "nEXhMP4r",
    );
    let (status, _) = post(
        addr,
        &callback_url("msg_signature", "timestamp", &event),
        &body_of(&other),
    )
    .await;
    assert_eq!(status, 403);
    // Still serving.
    let (status, body) = post(
        addr,
        &callback_url("msg_signature", "timestamp", &event),
        &body_of(&event),
    )
    .await;
    assert_success_reply(status, &body);
}

#[tokio::test]
async fn malformed_and_foreign_requests_get_4xx() {
    let addr = start().await;
    let event = encrypted(
        APP_KEY,
        &json!({"EventType": "check_url"}),
        "1700000000000",
        "nEXhMP4r",
    );
    let url = callback_url("msg_signature", "timestamp", &event);
    let ours = crypto(APP_KEY);
    let cases: Vec<(&str, String, String, u16)> = vec![
        (
            "no query",
            receiver::CALLBACK_PATH.to_owned(),
            body_of(&event),
            400,
        ),
        ("not JSON", url.clone(), "encrypt=abc".to_owned(), 400),
        ("no encrypt field", url.clone(), "{}".to_owned(), 422),
        ("empty body", url.clone(), String::new(), 400),
        // Signed correctly, but not ciphertext.
        {
            let garbage = "bm90IGEgY2lwaGVydGV4dA==";
            let signature = ours.signature("1", "n", garbage);
            (
                "signed garbage",
                format!(
                    "{}?msg_signature={signature}&timestamp=1&nonce=n",
                    receiver::CALLBACK_PATH
                ),
                json!({"encrypt": garbage}).to_string(),
                400,
            )
        },
        // Same token and key, but addressed to another app.
        {
            let foreign = encrypted(
                "another-app",
                &json!({"EventType": "check_url"}),
                "1700000000000",
                "nEXhMP4r",
            );
            (
                "another app's event",
                callback_url("msg_signature", "timestamp", &foreign),
                body_of(&foreign),
                403,
            )
        },
    ];
    for (name, url, body, expected) in cases {
        let (status, answer) = post(addr, &url, &body).await;
        assert_eq!(status, expected, "{name}: {answer}");
    }
}
