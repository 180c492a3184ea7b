//! The fake's connections: how many it serves at once, how long each may take to send a
//! request's headers or sit idle between requests, and breaking one on purpose.
//!
//! The listener holds a slot per connection ([`ConnectionLimits::max_connections`]); a connection
//! beyond them is answered `503` (best effort, without reading it) and closed at once, and the
//! connections being served go on. Each connection is in one [`Phase`]: reading a request's
//! headers (a new connection starts there, and so does a kept-alive one when the next request's
//! first byte arrives), being served (a handler is running: no deadline, the body read has its own
//! limit in the handler), or idle (the answer was handed over; writing it out counts as activity).
//! A connection whose phase outlasts its limit is closed: its next read or write fails, and the
//! stream wakes itself at the deadline so that a silent peer cannot hold it.
//!
//! The header-read limit runs on tokio's clock, so tests can pause it. The idle limit needs the
//! time on the real clock as well: a test that pauses tokio's clock and advances it (to expire
//! tokens, or a robot's minute) keeps its kept-alive connections, where closing them under the
//! client would race its next request.
//!
//! A connection upgraded to a WebSocket (the Stream gateway's) leaves these phases for good: it
//! has no deadline, the gateway times it.
//!
//! Every connection also shares an abort flag with its handlers (reachable as
//! `ConnectInfo<Connection>`): once a handler raises it, the connection's reads and writes fail,
//! so the server drops it without sending the answer ([`Fault::Reset`](crate::Fault::Reset)).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use crate::shared::lock;

/// Limits longer than this are not timed at all (tokio's timer does not reach much further).
const FOREVER: Duration = Duration::from_secs(86_400 * 365 * 30);
/// How far the real clock may lag tokio's at an idle deadline and still count as keeping pace
/// (they are one clock unless a test paused tokio's).
const CLOCK_SLACK: Duration = Duration::from_millis(100);

/// The limits every connection of one fake is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnectionLimits {
    /// How long a request's headers may take to arrive, from its first byte (for a new
    /// connection, from the accept).
    pub(crate) header_read_timeout: Duration,
    /// How long a connection may sit idle between an answer and the next request.
    pub(crate) idle_timeout: Duration,
    /// How many connections are served at once.
    pub(crate) max_connections: usize,
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request's headers, since the first byte (or the accept).
    Headers { since: Instant },
    /// Handlers are running for this many requests.
    Serving(usize),
    /// The last answer was handed over (or written to) at `since` (`wall` on the real clock);
    /// no next request yet. Not `timed` once a test's clock jumped past the deadline.
    Idle {
        since: Instant,
        wall: std::time::Instant,
        timed: bool,
    },
    /// The connection became a WebSocket: it has no deadline, for good.
    Upgraded,
}

impl Phase {
    fn idle() -> Phase {
        Phase::Idle {
            since: Instant::now(),
            wall: std::time::Instant::now(),
            timed: true,
        }
    }
}

/// What a connection, its stream and its handlers share.
#[derive(Debug)]
struct Shared {
    /// A handler asked for the connection to be dropped.
    abort: AtomicBool,
    phase: Mutex<Phase>,
    /// The connection's task, woken when its phase changes so that it times the new one.
    waker: Mutex<Option<Waker>>,
}

/// What a handler knows about its connection.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    shared: Arc<Shared>,
}

impl Connection {
    fn new() -> Connection {
        Connection {
            shared: Arc::new(Shared {
                abort: AtomicBool::new(false),
                phase: Mutex::new(Phase::Headers {
                    since: Instant::now(),
                }),
                waker: Mutex::new(None),
            }),
        }
    }

    /// Drops the connection: the answer being written is not sent.
    pub(crate) fn abort(&self) {
        self.shared.abort.store(true, Ordering::SeqCst);
    }

    /// Marks the connection as upgraded (a WebSocket): no header-read or idle deadline applies to
    /// it any more.
    pub(crate) fn upgraded(&self) {
        *lock(&self.shared.phase) = Phase::Upgraded;
        if let Some(waker) = lock(&self.shared.waker).as_ref() {
            waker.wake_by_ref();
        }
    }

    /// Marks a request as being served until the guard is dropped (when the handler returns or
    /// is cancelled); then the connection is idle.
    pub(crate) fn serving(&self) -> Serving {
        let mut phase = lock(&self.shared.phase);
        *phase = match *phase {
            Phase::Serving(n) => Phase::Serving(n.saturating_add(1)),
            Phase::Upgraded => Phase::Upgraded,
            _ => Phase::Serving(1),
        };
        Serving {
            shared: self.shared.clone(),
        }
    }
}

/// A request being served; see [`Connection::serving`].
#[derive(Debug)]
pub(crate) struct Serving {
    shared: Arc<Shared>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        {
            let mut phase = lock(&self.shared.phase);
            *phase = match *phase {
                Phase::Serving(n) if n > 1 => Phase::Serving(n - 1),
                Phase::Upgraded => Phase::Upgraded,
                _ => Phase::idle(),
            };
        }
        if let Some(waker) = lock(&self.shared.waker).as_ref() {
            waker.wake_by_ref();
        }
    }
}

impl Connected<IncomingStream<'_, MockListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, MockListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener that serves a bounded number of connections, each held to its time limits and
/// breakable by its handlers.
#[derive(Debug)]
pub(crate) struct MockListener {
    inner: TcpListener,
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
}

impl MockListener {
    pub(crate) fn new(inner: TcpListener, limits: ConnectionLimits) -> Self {
        let slots = limits.max_connections.min(Semaphore::MAX_PERMITS);
        MockListener {
            inner,
            limits,
            slots: Arc::new(Semaphore::new(slots)),
        }
    }
}

impl Listener for MockListener {
    type Io = BreakableStream;
    type Addr = Connection;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, _)) => {
                    let Ok(slot) = self.slots.clone().try_acquire_owned() else {
                        // Full: say so if the socket takes it without waiting, and close.
                        let _ = stream.try_write(&busy(self.limits.max_connections));
                        tracing::debug!(
                            limit = self.limits.max_connections,
                            "the DingTalk fake refused a connection over its limit"
                        );
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let connection = Connection::new();
                    let io = BreakableStream {
                        stream,
                        shared: connection.shared.clone(),
                        limits: self.limits,
                        timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
                        armed: None,
                        timed_out: false,
                        _slot: slot,
                    };
                    return (io, connection);
                }
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner
            .local_addr()
            .map(|_: SocketAddr| Connection::new())
    }
}

/// A TCP stream that fails every read and write once its connection is aborted or has outlasted
/// a time limit; it holds its connection's slot until dropped.
#[derive(Debug)]
pub(crate) struct BreakableStream {
    stream: TcpStream,
    shared: Arc<Shared>,
    limits: ConnectionLimits,
    /// Wakes the connection's task at the current deadline.
    timer: Pin<Box<Sleep>>,
    /// The deadline `timer` is set to.
    armed: Option<Instant>,
    timed_out: bool,
    _slot: OwnedSemaphorePermit,
}

impl BreakableStream {
    fn broken(&self) -> Option<io::Error> {
        if self.timed_out {
            return Some(timed_out());
        }
        self.shared.abort.load(Ordering::SeqCst).then(|| {
            // Close with a reset rather than an orderly shutdown, as a dropped connection does.
            let _ = self.stream.set_zero_linger();
            io::Error::new(
                io::ErrorKind::ConnectionReset,
                "mock fault: connection reset",
            )
        })
    }

    /// When the connection's current phase runs out on tokio's clock, if it can.
    fn deadline(&self) -> Option<Instant> {
        let (since, limit) = match *lock(&self.shared.phase) {
            Phase::Headers { since } => (since, self.limits.header_read_timeout),
            Phase::Idle {
                since, timed: true, ..
            } => (since, self.limits.idle_timeout),
            Phase::Idle { .. } | Phase::Serving(_) | Phase::Upgraded => return None,
        };
        if limit > FOREVER {
            return None;
        }
        since.checked_add(limit)
    }

    /// Fails once the deadline has passed (for an idle connection, on the real clock too: when
    /// only tokio's clock got there, a test moved it, and this idle spell is no longer timed).
    fn check_deadline(&mut self) -> io::Result<()> {
        if self.timed_out {
            return Err(timed_out());
        }
        if self.deadline().is_none_or(|d| Instant::now() < d) {
            return Ok(());
        }
        let limit = self.limits.idle_timeout;
        if let Phase::Idle { wall, timed, .. } = &mut *lock(&self.shared.phase)
            && wall.elapsed().saturating_add(CLOCK_SLACK) < limit
        {
            *timed = false;
            return Ok(());
        }
        self.timed_out = true;
        tracing::debug!("the DingTalk fake closed a connection that outlasted its time limit");
        Err(timed_out())
    }

    /// Wakes the task at the current deadline (hyper polls a side of the stream only when it
    /// needs to, so every poll re-arms the timer), and fails if it is already there.
    fn wait_for_deadline(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        {
            let mut waker = lock(&self.shared.waker);
            if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *waker = Some(cx.waker().clone());
            }
        }
        let Some(deadline) = self.deadline() else {
            return Ok(());
        };
        if self.armed != Some(deadline) {
            self.timer.as_mut().reset(deadline);
            self.armed = Some(deadline);
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            return self.check_deadline();
        }
        Ok(())
    }

    /// Bytes arrived: an idle connection starts reading its next request's headers.
    fn on_read(&self) {
        let mut phase = lock(&self.shared.phase);
        if let Phase::Idle { .. } = *phase {
            *phase = Phase::Headers {
                since: Instant::now(),
            };
        }
    }

    /// Bytes left: an answer still being written keeps its connection from counting as idle.
    fn on_write(&self) {
        let mut phase = lock(&self.shared.phase);
        if let Phase::Idle { .. } = *phase {
            *phase = Phase::idle();
        }
    }

    /// The outcome of an inner poll, with the timer armed for the current deadline.
    fn timed<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match self.wait_for_deadline(cx) {
            Ok(()) => polled,
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

/// What a connection beyond the limit is told before it is closed: HTTP 503 in v1.0 form.
fn busy(limit: usize) -> Vec<u8> {
    let body = format!(
        r#"{{"code":"ServiceUnavailable","message":"the DingTalk fake serves at most {limit} connections at once"}}"#
    );
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json;charset=utf-8\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    [head.into_bytes(), body.into_bytes()].concat()
}

fn timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the connection outlasted the fake's time limit",
    )
}

impl AsyncRead for BreakableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        if let Err(e) = this.check_deadline() {
            return Poll::Ready(Err(e));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.on_read();
        }
        this.timed(cx, polled)
    }
}

impl AsyncWrite for BreakableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        if let Err(e) = this.check_deadline() {
            return Poll::Ready(Err(e));
        }
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.on_write();
        }
        this.timed(cx, polled)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        let polled = Pin::new(&mut this.stream).poll_flush(cx);
        this.timed(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
