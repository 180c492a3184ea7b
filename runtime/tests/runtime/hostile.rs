//! A hostile server: answers that never end, announce gigabytes, drip one byte at a time, or
//! carry an access token of megabytes. Every call ends within a generous bound with a typed
//! error, having read a bounded number of bytes: the servers count what they managed to write
//! before the client hung up, and the error and an interceptor say what the client read.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dingtalk_openapi_runtime::client::DEFAULT_MAX_RESPONSE_BYTES;
use dingtalk_openapi_runtime::hooks::{AttemptInfo, HttpResponse, Interceptor};
use dingtalk_openapi_runtime::{BoxError, Client, ClientBuilder, Error};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::common::*;
use crate::faults::NoAuthPing;

/// What must have happened by now, on a machine however busy.
const BOUND: Duration = Duration::from_secs(30);

const MIB: usize = 1 << 20;

/// What the kernel may buffer between the two ends of a loopback connection (send and receive
/// buffers) on top of what the client read: written by the server, never read by the client.
const SOCKET_SLACK: usize = 64 * MIB;

/// Where an endless body stops writing, so a client without a limit fails the test instead of
/// eating the machine's memory.
const ENDLESS_GUARD: usize = 4 * SOCKET_SLACK;

/// A raw server whose every connection is served by `serve` (which returns the bytes of body it
/// wrote before the client hung up); those counts arrive on the receiver, one per connection.
async fn hostile<F, Fut>(serve: F) -> (String, Arc<AtomicUsize>, mpsc::UnboundedReceiver<usize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = usize> + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let (addr, accepted) = raw_server(move |stream| {
        let tx = tx.clone();
        let served = serve(stream);
        async move {
            let _ = tx.send(served.await);
        }
    })
    .await;
    (format!("http://{addr}"), accepted, rx)
}

/// Reads the request up to the end of its head.
async fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
}

/// The bytes of body one connection wrote before the client hung up; it must have hung up.
async fn written(counts: &mut mpsc::UnboundedReceiver<usize>) -> usize {
    tokio::time::timeout(BOUND, counts.recv())
        .await
        .expect("the client hangs up")
        .expect("a count")
}

/// A client of the raw server at `url`: no pacing, quick retries.
fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .oapi_base_url(url)
        .api_base_url(url)
        .no_rate_limit()
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
}

/// `client.execute(NoAuthPing)`, which must end within [`BOUND`].
async fn ping(client: &Client) -> Result<serde_json::Value, Error> {
    tokio::time::timeout(BOUND, client.execute(NoAuthPing { n: 1 }))
        .await
        .expect("the call ends")
}

/// Checks an error names no URL.
fn assert_no_url(error: &Error) {
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("127.0.0.1") && !shown.contains("http://"),
        "{shown}"
    );
}

/// `{"pad":"xxx…"}` of exactly `len` bytes (at least 10).
fn json_of_len(len: usize) -> String {
    format!("{{\"pad\":\"{}\"}}", "x".repeat(len - 10))
}

/// An answer of chunks of 64 KiB of JSON whitespace, without end: stopped at the limit, not
/// retried, and the server could write only what the sockets buffer beyond it.
#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_default_limit() {
    let (url, accepted, mut counts) = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        let mut total = 0;
        while total < ENDLESS_GUARD {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return total;
            }
            total += 0x10000;
        }
        // Not endless after all, but the client must not learn it: hold until it hangs up.
        let _ = stream.read(&mut [0u8; 1]).await;
        total
    })
    .await;
    let client = builder(&url).build().unwrap();
    let error = ping(&client).await.unwrap_err();
    let Error::AnswerTooLarge {
        operation,
        status,
        limit,
        content_length,
        received,
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        (operation, status, limit, content_length),
        ("test.noauth_ping", 200, DEFAULT_MAX_RESPONSE_BYTES, None)
    );
    // Stopped by the read that went over the limit: hyper reads well under a MiB at once.
    assert!(
        received > limit && received <= limit + MIB,
        "read {received}"
    );
    assert!(!error.is_retryable());
    assert_no_url(&error);
    assert!(error.to_string().contains("16777216"), "{error}");
    let written = written(&mut counts).await;
    assert!(
        written <= limit + SOCKET_SLACK,
        "the server wrote {written} bytes"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "not retried");
}

/// An answer announcing 10 GB, then a byte now and then: refused on its head, before a byte of
/// the body is read, and not retried.
#[tokio::test]
async fn a_huge_content_length_is_refused_before_the_body_is_read() {
    let (url, accepted, mut counts) = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                    Content-Length: 10000000000\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let mut total = 0;
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if stream.write_all(b" ").await.is_err() {
                return total;
            }
            total += 1;
        }
    })
    .await;
    let client = builder(&url).max_response_bytes(MIB).build().unwrap();
    let error = ping(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::AnswerTooLarge {
                limit: MIB,
                content_length: Some(10_000_000_000),
                received: 0,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.status(), Some(200));
    assert_no_url(&error);
    assert!(
        error.to_string().contains("(Content-Length 10000000000)"),
        "{error}"
    );
    // A trickle: the server wrote a few bytes before the client hung up, nothing like the limit.
    assert!(written(&mut counts).await < MIB);
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "not retried");
}

/// One byte every 50 ms of an answer of 1000: the attempt's timeout ends each attempt, however
/// slow or quick the machine.
#[tokio::test]
async fn a_slow_drip_is_ended_by_the_request_timeout() {
    let (url, accepted, mut counts) = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                    Content-Length: 1000\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let mut total = 0;
        while total < 1000 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            total += 1;
        }
        total
    })
    .await;
    let client = builder(&url)
        .timeout(Duration::from_millis(300))
        .max_retries(1)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = ping(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                operation: "test.noauth_ping"
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < BOUND);
    // Each attempt hung up before the body was complete.
    for _ in 0..2 {
        assert!(written(&mut counts).await < 1000);
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "a timeout is retried");
}

/// What an interceptor saw of the token endpoint: the body lengths of its answers and the
/// figures of its oversized ones.
#[derive(Debug, Default)]
struct TokenWatch {
    bodies: Mutex<Vec<usize>>,
    too_large: Mutex<Vec<(usize, Option<u64>, usize)>>,
}

#[derive(Debug)]
struct Watch(Arc<TokenWatch>);

impl Interceptor for Watch {
    fn on_response(
        &self,
        attempt: &AttemptInfo,
        response: &mut HttpResponse,
    ) -> Result<(), BoxError> {
        if attempt.operation_id() == "gettoken" {
            self.0.bodies.lock().unwrap().push(response.body().len());
        }
        Ok(())
    }

    fn on_failure(&self, attempt: &AttemptInfo, error: &Error) {
        if let Error::AnswerTooLarge {
            operation: "gettoken",
            limit,
            content_length,
            received,
            ..
        } = *error
        {
            assert_eq!(attempt.operation_id(), "gettoken");
            self.0
                .too_large
                .lock()
                .unwrap()
                .push((limit, content_length, received));
        }
    }
}

/// A fake whose first token answer carries an access token of 10 MiB.
async fn fake_with_a_huge_token() -> Fake {
    let fake = Fake::start().await;
    let token = "a".repeat(10 * MIB);
    fake.script(
        "/gettoken",
        [Reply::json(
            json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}),
        )],
    );
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({"pong": true})));
    fake
}

/// Checks the error of a call whose token request got the huge token: a token error, not
/// retried, the call never sent, and nothing of the token shown.
fn assert_token_refused(fake: &Fake, error: &Error) {
    assert!(
        matches!(
            error,
            Error::Token {
                operation: "test.ping",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("aaaa") && shown.len() < 1000, "{shown}");
    assert!(fake.requests().is_empty(), "the call was not sent");
    assert_eq!(
        fake.token_requests(),
        1,
        "the token request was not retried"
    );
}

/// Under the default limit a 10 MiB answer is read whole, and the token in it refused by length.
#[tokio::test]
async fn a_ten_megabyte_access_token_is_refused_by_its_length() {
    let fake = fake_with_a_huge_token().await;
    let watch = Arc::new(TokenWatch::default());
    let client = fake
        .builder()
        .interceptor(Watch(watch.clone()))
        .build()
        .unwrap();
    let call = client.execute(Ping { n: 1 });
    let error = tokio::time::timeout(BOUND, call)
        .await
        .unwrap()
        .unwrap_err();
    assert_token_refused(&fake, &error);
    assert!(
        error.to_string().contains("access token of 10485760 bytes"),
        "{error}"
    );
    let bodies = watch.bodies.lock().unwrap().clone();
    assert!(
        matches!(bodies[..], [n] if n > 10 * MIB && n <= DEFAULT_MAX_RESPONSE_BYTES),
        "{bodies:?}"
    );
}

/// Under a limit of 1 MiB the token answer is refused on its `Content-Length`, unread.
#[tokio::test]
async fn a_ten_megabyte_token_answer_is_refused_by_the_answer_limit() {
    let fake = fake_with_a_huge_token().await;
    let watch = Arc::new(TokenWatch::default());
    let client = fake
        .builder()
        .max_response_bytes(MIB)
        .interceptor(Watch(watch.clone()))
        .build()
        .unwrap();
    let call = client.execute(Ping { n: 1 });
    let error = tokio::time::timeout(BOUND, call)
        .await
        .unwrap()
        .unwrap_err();
    assert_token_refused(&fake, &error);
    assert!(
        error
            .to_string()
            .contains("gettoken: the HTTP 200 answer is larger than the limit of 1048576 bytes"),
        "{error}"
    );
    assert!(watch.bodies.lock().unwrap().is_empty());
    let too_large = watch.too_large.lock().unwrap().clone();
    assert!(
        matches!(too_large[..], [(MIB, Some(n), 0)] if n > 10 * MIB as u64),
        "{too_large:?}"
    );
}

/// An answer of exactly the limit is read; one byte more is refused, whether its length is
/// announced or it arrives in chunks.
#[tokio::test]
async fn the_limit_is_inclusive_with_and_without_content_length() {
    let fake = Fake::start().await;
    let body = json_of_len(100_000);
    fake.on("/v1.0/test/ping", move |_| {
        Reply::raw(200, "application/json", &body)
    });
    let exact = fake.builder().max_response_bytes(100_000).build().unwrap();
    exact.execute(Ping { n: 1 }).await.unwrap();
    let under = fake.builder().max_response_bytes(99_999).build().unwrap();
    let error = under.execute(Ping { n: 2 }).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::AnswerTooLarge {
                operation: "test.ping",
                limit: 99_999,
                content_length: Some(100_000),
                received: 0,
                ..
            }
        ),
        "{error:?}"
    );

    // Chunked: the same body in chunks of 1000 bytes, no length announced.
    let (url, _, _counts) = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        let body = json_of_len(100_000);
        let mut answer = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        for piece in body.as_bytes().chunks(1000) {
            answer.push_str(&format!("{:x}\r\n", piece.len()));
            answer.push_str(std::str::from_utf8(piece).unwrap());
            answer.push_str("\r\n");
        }
        answer.push_str("0\r\n\r\n");
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.read(&mut [0u8; 1]).await;
        body.len()
    })
    .await;
    let exact = builder(&url).max_response_bytes(100_000).build().unwrap();
    let answer = ping(&exact).await.unwrap();
    assert_eq!(answer["pad"].as_str().map(str::len), Some(99_990));
    let under = builder(&url).max_response_bytes(99_999).build().unwrap();
    let error = ping(&under).await.unwrap_err();
    let Error::AnswerTooLarge {
        content_length: None,
        received,
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert!(received > 99_999, "{received}");
}

#[test]
fn a_limit_of_zero_is_a_configuration_error() {
    let error = Client::builder().max_response_bytes(0).build().unwrap_err();
    assert!(
        matches!(&error, Error::Config(m) if m.contains("max_response_bytes")),
        "{error:?}"
    );
}
