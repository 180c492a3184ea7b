//! The fake's connection limits, met the way an attacker probes them, over raw TCP, mostly on
//! tokio's paused clock (the fake's timers are then the only ones, and the clock jumps to them):
//! slowloris peers and silent connections are closed at the header-read timeout, kept-alive
//! connections at the idle timeout (which needs real time too), slow bodies answered 408, and
//! connections over the limit refused while the others go on.

use std::net::SocketAddr;
use std::time::Duration;

use dingtalk_openapi_fake::MockBuilder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout};

use crate::common::builder;

const HEADER_READ: Duration = Duration::from_secs(2);
const IDLE: Duration = Duration::from_secs(5);
/// How late after its deadline a connection may close: the paused clock jumps to the fake's
/// timers, so only the few milliseconds the test itself sleeps can slip in.
const SLACK: Duration = Duration::from_millis(150);

/// A cheap request with no body.
const CALLS: &str = "GET /__mock/calls HTTP/1.1\r\nhost: fake\r\n\r\n";

fn limited() -> MockBuilder {
    builder()
        .header_read_timeout(HEADER_READ)
        .idle_timeout(IDLE)
}

async fn start(builder: MockBuilder) -> (dingtalk_openapi_fake::MockServer, SocketAddr) {
    let server = builder.start().await.expect("start the fake");
    let addr = server.addr();
    (server, addr)
}

/// Reads until the fake closes the connection; `None` if it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let read_all = async {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return String::from_utf8_lossy(&all).into_owned(),
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    };
    timeout(within, read_all).await.ok()
}

/// Sends `request` and reads one answer (headers, then `content-length` bytes of body).
async fn exchange(stream: &mut TcpStream, request: &str) -> String {
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&all).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if all.len() >= end + 4 + length {
                return text;
            }
        }
        let n = timeout(Duration::from_secs(1), stream.read(&mut buf))
            .await
            .expect("the answer arrives")
            .expect("read the answer");
        assert!(n > 0, "closed before the answer: {text:?}");
        all.extend_from_slice(&buf[..n]);
    }
}

/// A slowloris peer: the headers of a request one byte every 100 ms, never finished. How long
/// the fake kept the connection open, or `None` if it never closed it (100 s of dribbling).
async fn dribble(addr: SocketAddr) -> Option<Duration> {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let closed = async {
        let mut buf = [0u8; 64];
        while let Ok(n) = reader.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    let header = "GET /__mock/calls HTTP/1.1\r\nhost: fake\r\nx-slow: ";
    let bytes = header.bytes().chain(std::iter::repeat(b'a')).take(1000);
    let dribbling = async {
        for byte in bytes {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            sleep(Duration::from_millis(100)).await;
        }
        std::future::pending::<()>().await;
    };
    let outlasted = async {
        sleep(Duration::from_secs(100)).await;
    };
    tokio::select! {
        () = closed => Some(started.elapsed()),
        () = dribbling => Some(started.elapsed()),
        () = outlasted => None,
    }
}

#[tokio::test(start_paused = true)]
async fn slowloris_connections_are_closed_at_the_header_read_timeout() {
    let (server, addr) = start(limited()).await;
    let peers = (0..100).map(|_| tokio::spawn(dribble(addr)));
    for peer in peers {
        let held = peer.await.expect("the peer runs");
        assert!(
            held.is_some_and(|held| held >= HEADER_READ && held < HEADER_READ + SLACK),
            "held for {held:?}, the limit is {HEADER_READ:?}"
        );
    }
    // A connection that says nothing at all is closed at the same limit.
    let started = Instant::now();
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    assert_eq!(
        closed_within(&mut silent, Duration::from_secs(100)).await,
        Some(String::new())
    );
    assert!(started.elapsed() < HEADER_READ + SLACK);
    // And the fake still serves.
    let mut normal = TcpStream::connect(addr).await.expect("connect");
    assert!(
        exchange(&mut normal, CALLS)
            .await
            .starts_with("HTTP/1.1 200")
    );
    server.shutdown().await;
}

/// The idle limit needs real time to pass (see the next test), so this one runs on the real
/// clock with a short limit: the lower bound is the fake's own check, the upper bound generous.
#[tokio::test]
async fn a_kept_alive_connection_is_closed_at_the_idle_timeout() {
    let idle = Duration::from_millis(300);
    let (server, addr) = start(builder().idle_timeout(idle)).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    assert!(
        exchange(&mut stream, CALLS)
            .await
            .starts_with("HTTP/1.1 200")
    );
    let answered = std::time::Instant::now();
    assert_eq!(
        closed_within(&mut stream, Duration::from_secs(30)).await,
        Some(String::new()),
        "closed"
    );
    // The fake allows the clocks 100 ms of disagreement.
    let waited = answered.elapsed();
    assert!(waited >= idle - Duration::from_millis(100), "{waited:?}");
    server.shutdown().await;
}

/// A test that pauses tokio's clock and moves it on (to expire a token, or a robot's minute)
/// keeps its kept-alive connection: closing it under the client would race its next request.
/// Reading headers is timed on tokio's clock alone.
#[tokio::test(start_paused = true)]
async fn advancing_a_paused_clock_keeps_idle_connections() {
    let (server, addr) = start(limited()).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    assert!(
        exchange(&mut stream, CALLS)
            .await
            .starts_with("HTTP/1.1 200")
    );
    for _ in 0..3 {
        tokio::time::advance(Duration::from_secs(7200)).await;
        sleep(IDLE * 2).await;
        assert!(
            exchange(&mut stream, CALLS)
                .await
                .starts_with("HTTP/1.1 200")
        );
    }
    // Half a request is still cut off at the header-read limit.
    stream
        .write_all(b"GET /__mock/calls HTTP/1.1\r\n")
        .await
        .expect("send half a request");
    let started = Instant::now();
    assert_eq!(
        closed_within(&mut stream, Duration::from_secs(100)).await,
        Some(String::new())
    );
    assert!(started.elapsed() < HEADER_READ + SLACK);
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let limit = Duration::from_secs(3);
    let (server, addr) = start(limited().body_read_timeout(limit)).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now();
    stream
        .write_all(
            b"POST /__mock/faults HTTP/1.1\r\nhost: fake\r\ncontent-type: application/json\r\n\
              content-length: 100\r\n\r\n{",
        )
        .await
        .expect("send the start of the request");
    let answer = closed_within(&mut stream, Duration::from_secs(100))
        .await
        .expect("answered and closed");
    assert!(
        answer.starts_with("HTTP/1.1 408") && answer.contains("RequestTimeout"),
        "{answer}"
    );
    let waited = started.elapsed();
    assert!(waited >= limit && waited < limit + SLACK, "{waited:?}");
    assert_eq!(server.faults().pending(), 0);
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn connections_over_the_limit_are_refused_and_the_others_go_on() {
    let (server, addr) = start(
        limited()
            .idle_timeout(Duration::from_secs(600))
            .max_connections(4),
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        assert!(
            exchange(&mut stream, CALLS)
                .await
                .starts_with("HTTP/1.1 200")
        );
        held.push(stream);
    }
    // Closed at once: well before the header-read limit would close it.
    let mut over = TcpStream::connect(addr).await.expect("connect");
    let refused = closed_within(&mut over, HEADER_READ / 2).await;
    assert!(
        refused
            .as_deref()
            .is_some_and(|a| a.starts_with("HTTP/1.1 503") && a.contains("at most 4 connections")),
        "{refused:?}"
    );
    for stream in &mut held {
        assert!(exchange(stream, CALLS).await.starts_with("HTTP/1.1 200"));
    }
    // A closed connection frees its slot.
    drop(held.pop());
    sleep(Duration::from_millis(10)).await;
    let mut next = TcpStream::connect(addr).await.expect("connect");
    assert!(exchange(&mut next, CALLS).await.starts_with("HTTP/1.1 200"));
    server.shutdown().await;
}
