//! The WebSocket side of the gateway: the upgrade at [`CONNECT_PATH`] (checking the ticket) and
//! the task that serves one connection, sending what the gateway queues for it and handing the
//! client's frames to the gateway.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::conn::Connection;
use crate::gateway::core::{MAX_LIVE, Out, Refusal};
use crate::gateway::inner::Inner;
use crate::gateway::open::v1_error;
use crate::shared::Shared;

/// Where the endpoint the open call hands out points (the real one is `wss://…/connect`).
pub(crate) const CONNECT_PATH: &str = "/connect";
/// The largest frame or message a client may send.
const MAX_FRAME: usize = 1 << 20;
/// How long a clean close waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// `GET /connect?ticket=…` with a WebSocket upgrade.
pub(crate) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    uri: Uri,
    ws: WebSocketUpgrade,
) -> Response {
    let inner = shared.gateway.inner().clone();
    let ticket = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let accepted = inner.with(|core, settings| match core.accept(&ticket, settings) {
        Ok((accepted, timers)) => (Ok(accepted), timers),
        Err(refusal) => (Err(refusal), Vec::new()),
    });
    let accepted = match accepted {
        Ok(accepted) => accepted,
        Err(refusal) => return refuse(refusal),
    };
    tracing::debug!(
        connection = accepted.index,
        "the Stream fake accepted a WebSocket connection"
    );
    // From here on the connection is a WebSocket: no header or idle deadline applies to it.
    connection.upgraded();
    let index = accepted.index;
    let guard = Gone {
        inner: inner.clone(),
        index,
    };
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(socket, guard, accepted.rx, connection))
        .into_response()
}

/// Forgets the connection when its task ends, or when the upgrade never completed.
struct Gone {
    inner: Arc<Inner>,
    index: usize,
}

impl Drop for Gone {
    fn drop(&mut self) {
        let index = self.index;
        self.inner.with(|core, _| {
            core.gone(index);
            ((), Vec::new())
        });
        tracing::debug!(connection = index, "a Stream fake connection ended");
    }
}

fn refuse(refusal: Refusal) -> Response {
    let (status, code, message) = match refusal {
        Refusal::Ticket => (
            StatusCode::FORBIDDEN,
            "invalidTicket",
            "the ticket is unknown or was used already; open a connection again",
        ),
        Refusal::Refused => (
            StatusCode::FORBIDDEN,
            "invalidTicket",
            "mock fault: the ticket was refused",
        ),
        Refusal::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "the DingTalk fake's Stream gateway has its limit of live connections",
        ),
    };
    let message = if refusal == Refusal::Busy {
        format!("{message} ({MAX_LIVE})")
    } else {
        message.to_owned()
    };
    v1_error(status, code, &message)
}

/// Serves one connection until it closes, a fault ends it, or the fake stops.
async fn serve(
    mut socket: WebSocket,
    guard: Gone,
    mut rx: mpsc::UnboundedReceiver<Out>,
    connection: Connection,
) {
    let inner = guard.inner.clone();
    let index = guard.index;
    let mut stopping = inner.stopping.subscribe();
    if *stopping.borrow_and_update() {
        close(&mut socket, 1000).await;
        return;
    }
    let mut close_at: Option<Instant> = None;
    let mut close_code = 1000;
    loop {
        let close_timer = async {
            match close_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            out = rx.recv() => match out {
                Some(Out::Text(text)) => {
                    if socket.send(WsMessage::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Out::CloseAfter(grace, code)) => {
                    let at = Instant::now() + grace;
                    if close_at.is_none_or(|earlier| at < earlier) {
                        close_code = code;
                    }
                    close_at = Some(close_at.map_or(at, |earlier| earlier.min(at)));
                }
                Some(Out::Abort) => {
                    connection.abort();
                    break;
                }
                None => break,
            },
            frame = socket.recv() => match frame {
                Some(Ok(WsMessage::Text(text))) => {
                    inner.with(|core, _| ((), core.on_text(index, text.as_str())));
                }
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                // Pings are answered by the WebSocket layer; binary frames mean nothing here.
                Some(Ok(_)) => {}
            },
            () = close_timer => {
                close(&mut socket, close_code).await;
                break;
            }
            _ = stopping.changed() => {
                close(&mut socket, 1000).await;
                break;
            }
        }
    }
    drop(guard);
}

/// Sends a close frame (1000 clean, 1008 policy) and waits a moment for the client's.
async fn close(socket: &mut WebSocket, code: u16) {
    let frame = CloseFrame {
        code,
        reason: if code == 1000 { "bye" } else { "policy" }.into(),
    };
    if socket.send(WsMessage::Close(Some(frame))).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(Ok(frame)) = socket.recv().await {
            if matches!(frame, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
}
