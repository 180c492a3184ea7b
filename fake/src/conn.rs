//! Connections a handler can break: the listener hands every connection a shared [`Abort`]
//! flag (reachable from handlers as `ConnectInfo<Connection>`), and once a handler raises it the
//! connection's reads and writes fail, so the server drops it without sending the answer
//! ([`Fault::Reset`](crate::Fault::Reset)).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Whether a connection is to be dropped.
#[derive(Debug, Default)]
pub(crate) struct Abort(AtomicBool);

/// What a handler knows about its connection.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    abort: Arc<Abort>,
}

impl Connection {
    /// Drops the connection: the answer being written is not sent.
    pub(crate) fn abort(&self) {
        self.abort.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, MockListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, MockListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections can be broken by their handlers.
#[derive(Debug)]
pub(crate) struct MockListener {
    inner: TcpListener,
}

impl MockListener {
    pub(crate) fn new(inner: TcpListener) -> Self {
        MockListener { inner }
    }
}

impl Listener for MockListener {
    type Io = BreakableStream;
    type Addr = Connection;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let abort = Arc::new(Abort::default());
                    return (
                        BreakableStream {
                            stream,
                            abort: abort.clone(),
                        },
                        Connection { abort },
                    );
                }
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr().map(|_: SocketAddr| Connection {
            abort: Arc::default(),
        })
    }
}

/// A TCP stream that fails every read and write once its connection is aborted.
#[derive(Debug)]
pub(crate) struct BreakableStream {
    stream: TcpStream,
    abort: Arc<Abort>,
}

impl BreakableStream {
    fn broken(&self) -> Option<io::Error> {
        self.abort.0.load(Ordering::SeqCst).then(|| {
            // Close with a reset rather than an orderly shutdown, as a dropped connection does.
            let _ = self.stream.set_zero_linger();
            io::Error::new(
                io::ErrorKind::ConnectionReset,
                "mock fault: connection reset",
            )
        })
    }
}

impl AsyncRead for BreakableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for BreakableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
