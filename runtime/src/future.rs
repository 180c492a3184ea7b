//! The named future and streams every operation method returns.
//!
//! A generated method could return `impl Future` (or `impl Stream`), but then the compiler
//! checks a separate opaque type per operation, proving each one `Send` through the whole call
//! path: a large share of the generated crate's build time, paid again for every operation.
//! Returning these named types instead, each a boxed future or stream built once in the generic
//! runtime, makes an operation method a plain function. The box costs one allocation per call
//! (or walk), which is nothing next to the HTTP exchange, and makes the results `Unpin`: a
//! stream can be polled with `StreamExt::next` without pinning it first.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;

use crate::error::Error;

/// The answer of one call, on its way: what [`Client::execute`](crate::Client::execute) and
/// every operation method return. Await it.
#[must_use = "a call is sent only when its future is awaited"]
pub struct ResponseFuture<'a, T> {
    inner: Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>,
}

impl<'a, T> ResponseFuture<'a, T> {
    pub(crate) fn new(future: impl Future<Output = Result<T, Error>> + Send + 'a) -> Self {
        ResponseFuture {
            inner: Box::pin(future),
        }
    }
}

impl<T> Future for ResponseFuture<'_, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for ResponseFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

/// Every page of a paginated operation, as a stream: what
/// [`Client::pages`](crate::Client::pages) and the generated `…_pages` methods return.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>,
}

/// Every item of every page of a paginated operation, as a stream: what
/// [`Client::items`](crate::Client::items) and the generated `…_items` methods return.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>,
}

/// Construction, `Stream` and `Debug` for the two boxed stream types.
macro_rules! boxed_stream {
    ($($name:ident),*) => {$(
        impl<T> $name<T> {
            pub(crate) fn new(stream: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
                $name {
                    inner: Box::pin(stream),
                }
            }
        }

        impl<T> Stream for $name<T> {
            type Item = Result<T, Error>;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.inner.as_mut().poll_next(cx)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    )*};
}

boxed_stream!(Pages, Items);
