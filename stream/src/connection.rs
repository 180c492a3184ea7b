//! One WebSocket connection: the reader (frames, system topics, the idle watchdog, keepalive
//! pings), the writer task, and the dispatcher that hands messages to handler tasks. Handlers
//! never run on the reader, so a slow one cannot delay a ping reply.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use tracing::Instrument;

use crate::config::Shared;
use crate::dispatch::{self, Out};
use crate::frame::{self, Frame, MessageType};
use crate::open::ConnectUrl;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Room for outgoing frames (acks, ping replies) waiting for the writer.
const OUT_CAPACITY: usize = 1024;
/// How long a closing connection may take to send what it has and its close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// How long the reader waits for room for a message before leaving it unacked.
const QUEUE_WAIT: Duration = Duration::from_secs(2);
/// How long a socket the server asked to leave stays open for running handlers' acks.
const LINGER: Duration = Duration::from_secs(30);
/// How long one frame may take to be written.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long aborted handlers get to release their claims at shutdown.
const ABORT_GRACE: Duration = Duration::from_secs(2);

/// Why a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// A shutdown: running handlers were finished (or given up) and their acks sent.
    Shutdown,
    /// Open a new connection: at once (`now`: a `disconnect`, a close from the server, the
    /// watchdog) or after a backoff (an error).
    Reconnect { now: bool, why: String },
}

/// Why an upgrade failed.
#[derive(Debug)]
pub(crate) enum ConnectFailure {
    /// The ticket was refused (401/403): open again.
    Refused(String),
    /// Anything else: retry after a backoff.
    Failed(String),
}

/// Connects to the endpoint (the ticket in the URL) with the size limits.
pub(crate) async fn connect(shared: &Shared, url: &ConnectUrl) -> Result<Ws, ConnectFailure> {
    let max = shared.config.max_message_size;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(max))
        .max_frame_size(Some(max));
    let connector = if url.url.starts_with("wss:") {
        Connector::Rustls(shared.tls.clone())
    } else {
        Connector::Plain
    };
    let attempt = tokio_tungstenite::connect_async_tls_with_config(
        url.url.as_str(),
        Some(ws_config),
        true,
        Some(connector),
    );
    match tokio::time::timeout(shared.config.open_timeout, attempt).await {
        Err(_) => Err(ConnectFailure::Failed(format!(
            "the upgrade at {} took longer than {:?}",
            url.endpoint, shared.config.open_timeout
        ))),
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(tungstenite::Error::Http(resp))) => {
            let status = resp.status().as_u16();
            let why = format!("the upgrade at {} answered HTTP {status}", url.endpoint);
            if status == 401 || status == 403 {
                Err(ConnectFailure::Refused(why))
            } else {
                Err(ConnectFailure::Failed(why))
            }
        }
        Ok(Err(e)) => Err(ConnectFailure::Failed(format!(
            "the upgrade at {} failed: {}",
            url.endpoint,
            describe(&e)
        ))),
    }
}

/// A tungstenite error without anything that could carry the URL.
fn describe(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Url(_) => "the URL was refused".to_owned(),
        tungstenite::Error::Http(r) => format!("HTTP {}", r.status()),
        other => other.to_string(),
    }
}

/// Runs one connection until it ends.
pub(crate) async fn run(shared: Arc<Shared>, ws: Ws) -> End {
    let cfg = &shared.config;
    let (sink, mut stream) = ws.split();
    let (out_tx, out_rx) = mpsc::channel::<Out>(OUT_CAPACITY);
    let mut writer = tokio::spawn(write_loop(sink, out_rx).in_current_span());
    let (queue_tx, queue_rx) = mpsc::channel::<Queued>(cfg.queue_capacity);
    let (stop_tx, stop_rx) = watch::channel(false);
    let dispatcher = tokio::spawn(
        dispatch_loop(shared.clone(), queue_rx, out_tx.clone(), stop_rx).in_current_span(),
    );
    let mut shutdown = shared.shutdown.subscribe();
    let mut last_traffic = Instant::now();
    let mut ping = tokio::time::interval_at(last_traffic + cfg.ping_interval, cfg.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);

    let mut writer_done = false;
    let stop = loop {
        let idle_deadline = last_traffic + cfg.idle_timeout;
        tokio::select! {
            biased;
            bound = async { shutdown.wait_for(Option::is_some).await.ok().and_then(|b| *b) } => {
                break Stop::Shutdown(bound.unwrap_or(cfg.shutdown_timeout));
            }
            msg = stream.next() => {
                let msg = match msg {
                    None => break Stop::Lost("the socket ended without a close frame".to_owned()),
                    Some(Err(e)) => break Stop::Lost(format!("the socket failed: {}", describe(&e))),
                    Some(Ok(msg)) => msg,
                };
                match msg {
                    Message::Text(text) => {
                        last_traffic = Instant::now();
                        match on_text(&text, &out_tx, true) {
                            Action::Disconnect => break Stop::Disconnect,
                            Action::Enqueue(frame, size) => {
                                enqueue(&shared, &queue_tx, frame, size).await;
                            }
                            Action::Nothing => {}
                        }
                    }
                    Message::Close(close) => {
                        let why = match close {
                            Some(c) if c.code == CloseCode::Policy => {
                                format!("the server closed with 1008 ({}): the ticket was refused", c.reason)
                            }
                            Some(c) => format!("the server closed ({}, {})", u16::from(c.code), c.reason),
                            None => "the server closed".to_owned(),
                        };
                        break Stop::Replace(why);
                    }
                    Message::Pong(_) => {}
                    Message::Binary(_) | Message::Ping(_) | Message::Frame(_) => {
                        last_traffic = Instant::now();
                    }
                }
            }
            _ = &mut writer => {
                writer_done = true;
                break Stop::Lost("the socket stopped taking frames".to_owned());
            }
            _ = tokio::time::sleep_until(idle_deadline) => {
                break Stop::Replace(format!("no frame for {:?}: the connection is taken for dead", cfg.idle_timeout));
            }
            _ = ping.tick() => {
                let _ = out_tx.try_send(Out::Ping);
            }
        }
    };
    let _ = stop_tx.send(true);
    let _ = dispatcher.await;
    match stop {
        Stop::Disconnect => {
            // The server closes this socket after a grace: handlers still running may ack on it
            // meanwhile, while the next connection is opened.
            if !writer_done {
                tokio::spawn(linger(stream, writer, out_tx).in_current_span());
            }
            End::Reconnect {
                now: true,
                why: "the server asked to disconnect".to_owned(),
            }
        }
        Stop::Lost(why) => {
            writer.abort();
            End::Reconnect { now: false, why }
        }
        Stop::Replace(why) => {
            // Answer the server's close (or close a zombie) if the socket still takes it.
            let _ = out_tx.try_send(Out::Close);
            drop(out_tx);
            if !writer_done {
                let _ = tokio::time::timeout(Duration::from_secs(1), &mut writer).await;
            }
            writer.abort();
            End::Reconnect { now: true, why }
        }
        Stop::Shutdown(bound) => {
            drain(&shared, bound, &mut stream, &out_tx).await;
            let _ = out_tx.send(Out::Close).await;
            drop(out_tx);
            if !writer_done {
                let _ = tokio::time::timeout(CLOSE_GRACE, &mut writer).await;
            }
            writer.abort();
            // The server's close frame ends the exchange; do not wait for ever.
            let _ = tokio::time::timeout(CLOSE_GRACE, async {
                while let Some(Ok(msg)) = stream.next().await {
                    if matches!(msg, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
            End::Shutdown
        }
    }
}

/// Why the reader stopped.
enum Stop {
    Shutdown(Duration),
    /// The socket failed: reconnect after a backoff.
    Lost(String),
    /// A close from the server or the watchdog: reconnect at once.
    Replace(String),
    /// A SYSTEM `disconnect`: reconnect at once, letting running handlers ack on this socket.
    Disconnect,
}

/// Keeps a socket the server asked to leave open for the acks of the handlers still running
/// on it, until they are done (then it is closed), the server closes it, or [`LINGER`] passes.
async fn linger(
    mut stream: futures_util::stream::SplitStream<Ws>,
    mut writer: tokio::task::JoinHandle<()>,
    out_tx: mpsc::Sender<Out>,
) {
    // The writer ends, after a close frame, once the last handler of this socket drops its
    // sender.
    drop(out_tx);
    let read_until_closed = async {
        while let Some(Ok(msg)) = stream.next().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    };
    tokio::select! {
        _ = &mut writer => {}
        _ = read_until_closed => {}
        _ = tokio::time::sleep(LINGER) => {}
    }
    writer.abort();
}

/// Waits for running handlers (at most `bound`) while still answering system pings; new
/// messages are left unacked. Handlers still running at the bound are told to give up.
async fn drain(
    shared: &Shared,
    bound: Duration,
    stream: &mut futures_util::stream::SplitStream<Ws>,
    out_tx: &mpsc::Sender<Out>,
) {
    let deadline = Instant::now() + bound;
    let idle = shared.wait_idle(deadline);
    tokio::pin!(idle);
    let mut socket_open = true;
    let finished = loop {
        tokio::select! {
            done = &mut idle => break done,
            msg = stream.next(), if socket_open => match msg {
                Some(Ok(Message::Text(text))) => { on_text(&text, out_tx, false); }
                Some(Ok(_)) => {}
                _ => socket_open = false,
            },
        }
    };
    if !finished {
        tracing::warn!(
            ?bound,
            "handlers still running at the shutdown bound are given up"
        );
        let _ = shared.abort.send(true);
        shared.wait_idle(Instant::now() + ABORT_GRACE).await;
    }
}

/// What the reader does with a text frame.
enum Action {
    Nothing,
    /// The server asked to disconnect.
    Disconnect,
    /// Hand the message to a handler.
    Enqueue(Frame, u32),
}

/// Reads a text frame: system frames are answered here; messages are returned to be queued
/// (or, with `taking` false during a shutdown, left unacked).
fn on_text(text: &str, out_tx: &mpsc::Sender<Out>, taking: bool) -> Action {
    let frame = match Frame::parse(text) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(len = text.len(), error = %e, "an unreadable frame was ignored");
            return Action::Nothing;
        }
    };
    match frame.kind {
        MessageType::System => match frame.topic() {
            "ping" => {
                let reply = frame::ack(frame.message_id(), frame.data.clone());
                if out_tx.try_send(Out::Text(reply)).is_err() {
                    tracing::warn!("the outgoing queue is full: a system ping went unanswered");
                }
                Action::Nothing
            }
            "disconnect" => {
                let _ = out_tx.try_send(Out::Text(frame::ack(frame.message_id(), String::new())));
                Action::Disconnect
            }
            topic => {
                tracing::debug!(topic, "system frame");
                Action::Nothing
            }
        },
        MessageType::Event | MessageType::Callback => {
            if !taking {
                tracing::debug!(
                    message_id = frame.message_id(),
                    "shutting down: message left unacked"
                );
                return Action::Nothing;
            }
            if frame.message_id().is_empty() {
                tracing::warn!(
                    topic = frame.topic(),
                    "a message without messageId was ignored"
                );
                return Action::Nothing;
            }
            Action::Enqueue(frame, u32::try_from(text.len()).unwrap_or(u32::MAX))
        }
        MessageType::Other(ref kind) => {
            tracing::debug!(kind, "a frame of an unknown type was ignored");
            Action::Nothing
        }
    }
}

/// Queues a message for the handlers, waiting at most [`QUEUE_WAIT`] for room (in the queue
/// and in the bytes budget); past that it is left unacked and DingTalk redelivers it.
async fn enqueue(shared: &Shared, queue_tx: &mpsc::Sender<Queued>, frame: Frame, size: u32) {
    let deadline = Instant::now() + QUEUE_WAIT;
    let budget = shared.buffered.clone().acquire_many_owned(size);
    let Ok(Ok(budget)) = tokio::time::timeout_at(deadline, budget).await else {
        tracing::warn!(
            message_id = frame.message_id(),
            "the buffered-bytes budget stays spent: the message is left unacked for a redelivery"
        );
        return;
    };
    let queued = Queued { frame, budget };
    let left = deadline.saturating_duration_since(Instant::now());
    if let Err(e) = queue_tx.send_timeout(queued, left).await {
        let queued = match e {
            mpsc::error::SendTimeoutError::Timeout(q)
            | mpsc::error::SendTimeoutError::Closed(q) => q,
        };
        tracing::warn!(
            message_id = queued.frame.message_id(),
            "the handler queue stays full: the message is left unacked for a redelivery"
        );
    }
}

/// A received message waiting for a handler slot, with its share of the bytes budget.
struct Queued {
    frame: Frame,
    budget: OwnedSemaphorePermit,
}

/// Hands queued messages to handler tasks, one permit each.
async fn dispatch_loop(
    shared: Arc<Shared>,
    mut queue: mpsc::Receiver<Queued>,
    out_tx: mpsc::Sender<Out>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let Queued { frame, budget } = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            f = queue.recv() => match f { Some(f) => f, None => break },
        };
        let permit = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            p = shared.permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let span = tracing::info_span!(
            "stream_message",
            message_id = frame.message_id(),
            topic = frame.topic(),
            kind = frame.kind.as_str(),
        );
        tokio::spawn(
            dispatch::handle(shared.clone(), frame, out_tx.clone(), (permit, budget))
                .instrument(span),
        );
    }
}

/// Writes what it is given, each frame flushed; stops after a close frame or an error.
async fn write_loop(
    mut sink: futures_util::stream::SplitSink<Ws, Message>,
    mut rx: mpsc::Receiver<Out>,
) {
    loop {
        // Every sender gone (the last handler of a lingering socket finished): close.
        let out = rx.recv().await.unwrap_or(Out::Close);
        let message = match out {
            Out::Text(text) => Message::text(text),
            Out::Ping => Message::Ping(Default::default()),
            Out::Close => {
                let close = CloseFrame {
                    code: CloseCode::Normal,
                    reason: "client closing".into(),
                };
                let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
                    let _ = sink.send(Message::Close(Some(close))).await;
                    let _ = sink.flush().await;
                })
                .await;
                break;
            }
        };
        match tokio::time::timeout(WRITE_TIMEOUT, sink.send(message)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::debug!(error = %describe(&e), "the writer stopped");
                break;
            }
            Err(_) => {
                tracing::warn!(timeout = ?WRITE_TIMEOUT, "a write did not complete in time: the connection is taken for dead");
                break;
            }
        }
    }
}
