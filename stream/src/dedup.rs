//! Dedup of redelivered messages by `messageId`: the [`DedupStore`] seam and the in-process
//! store.
//!
//! DingTalk redelivers a message whose ack came late or never came (within about a minute), on
//! the same connection or a new one. Before a message reaches a handler the client *claims* its
//! `messageId`; the answer says whether to handle it, to ack it again without handling it, or to
//! leave it unacked because it is being handled right now (here or, with a shared store, in
//! another instance).

use std::time::Duration;

use futures_util::future::BoxFuture;

/// An error of a [`DedupStore`], boxed so that any backend can report its own.
pub type DedupError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a [`DedupStore`] knows of a `messageId` when it is claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Not seen within the window (or its earlier handling was released): this caller now holds
    /// it and hands it to the handler.
    New,
    /// Some handler holds it now and has not finished: do not handle it and do not ack it, so
    /// that DingTalk delivers it again later.
    InFlight,
    /// Handled to completion within the window: ack it again, do not handle it.
    Done,
}

/// Where claims on `messageId`s are kept: in this process ([`MemoryDedupStore`], the default) or
/// shared by every instance of a service (a Redis store).
///
/// The three calls form one protocol per message: [`claim`](DedupStore::claim); then, for a
/// [`Claim::New`], exactly one of [`complete`](DedupStore::complete) (the handler finished and
/// the message is acked as handled) or [`release`](DedupStore::release) (the handler failed or
/// asked for a later delivery, so the next delivery must be handled again).
pub trait DedupStore: Send + Sync + 'static {
    /// Claims `message_id`. A claim that is never completed nor released lapses after `lease`
    /// (a crashed instance must not hold a message for ever).
    fn claim<'a>(
        &'a self,
        message_id: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, DedupError>>;

    /// Marks a claimed message handled; redeliveries within `window` answer [`Claim::Done`].
    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        window: Duration,
    ) -> BoxFuture<'a, Result<(), DedupError>>;

    /// Gives up a claim that did not complete, so that the next delivery is handled. A message
    /// already [`Claim::Done`] stays done.
    fn release<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), DedupError>>;
}

/// The in-process [`DedupStore`]: a map bounded in entries. When it is full, expired entries
/// go first, then the oldest ones.
///
/// ```
/// use dingtalk_openapi_stream::dedup::MemoryDedupStore;
/// let store = MemoryDedupStore::new(50_000);
/// ```
#[derive(Debug)]
pub struct MemoryDedupStore {
    inner: std::sync::Mutex<memory::Inner>,
    max_entries: usize,
}

/// The default bound of a [`MemoryDedupStore`].
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

impl Default for MemoryDedupStore {
    fn default() -> Self {
        MemoryDedupStore::new(DEFAULT_MAX_ENTRIES)
    }
}

impl MemoryDedupStore {
    /// A store keeping at most `max_entries` message ids (at least 1).
    pub fn new(max_entries: usize) -> MemoryDedupStore {
        MemoryDedupStore {
            inner: std::sync::Mutex::new(memory::Inner::default()),
            max_entries: max_entries.max(1),
        }
    }

    /// How many message ids it holds now (expired ones included until they are purged).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, memory::Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DedupStore for MemoryDedupStore {
    fn claim<'a>(
        &'a self,
        message_id: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, DedupError>> {
        let claim = self.lock().claim(message_id, lease, self.max_entries);
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        window: Duration,
    ) -> BoxFuture<'a, Result<(), DedupError>> {
        self.lock().complete(message_id, window, self.max_entries);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
        self.lock().release(message_id);
        Box::pin(std::future::ready(Ok(())))
    }
}

mod memory {
    //! The map behind [`MemoryDedupStore`](super::MemoryDedupStore), on tokio's clock so that
    //! paused-time tests can move it.

    use std::collections::{HashMap, VecDeque};
    use std::time::Duration;

    use tokio::time::Instant;

    use super::Claim;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum State {
        InFlight,
        Done,
    }

    #[derive(Debug)]
    struct Entry {
        state: State,
        until: Instant,
        seq: u64,
    }

    #[derive(Debug, Default)]
    pub(super) struct Inner {
        map: HashMap<String, Entry>,
        /// Insertion order, for eviction; stale pairs (whose seq no longer matches) are skipped.
        order: VecDeque<(String, u64)>,
        seq: u64,
    }

    impl Inner {
        pub(super) fn len(&self) -> usize {
            self.map.len()
        }

        #[cfg(test)]
        pub(super) fn order_len(&self) -> usize {
            self.order.len()
        }

        pub(super) fn claim(&mut self, id: &str, lease: Duration, max: usize) -> Claim {
            let now = Instant::now();
            if let Some(e) = self.map.get(id)
                && e.until > now
            {
                return match e.state {
                    State::InFlight => Claim::InFlight,
                    State::Done => Claim::Done,
                };
            }
            self.put(id, State::InFlight, now + lease, max);
            Claim::New
        }

        pub(super) fn complete(&mut self, id: &str, window: Duration, max: usize) {
            self.put(id, State::Done, Instant::now() + window, max);
        }

        pub(super) fn release(&mut self, id: &str) {
            if self.map.get(id).is_some_and(|e| e.state == State::InFlight) {
                self.map.remove(id);
            }
        }

        fn put(&mut self, id: &str, state: State, until: Instant, max: usize) {
            if !self.map.contains_key(id) && self.map.len() >= max {
                self.make_room(max);
            }
            self.seq += 1;
            let seq = self.seq;
            self.map.insert(id.to_owned(), Entry { state, until, seq });
            self.order.push_back((id.to_owned(), seq));
            if self.order.len() > max.saturating_mul(2).max(16) {
                let map = &self.map;
                self.order
                    .retain(|(id, seq)| map.get(id).is_some_and(|e| e.seq == *seq));
            }
        }

        fn make_room(&mut self, max: usize) {
            let now = Instant::now();
            self.map.retain(|_, e| e.until > now);
            while self.map.len() >= max {
                let Some((id, seq)) = self.order.pop_front() else {
                    break;
                };
                if self.map.get(&id).is_some_and(|e| e.seq == seq) {
                    self.map.remove(&id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);
    const WINDOW: Duration = Duration::from_secs(600);

    #[tokio::test(start_paused = true)]
    async fn claim_complete_release_follow_the_protocol() {
        let s = MemoryDedupStore::new(10);
        assert_eq!(s.claim("a", LEASE).await.unwrap(), Claim::New);
        assert_eq!(s.claim("a", LEASE).await.unwrap(), Claim::InFlight);
        s.release("a").await.unwrap();
        assert_eq!(s.claim("a", LEASE).await.unwrap(), Claim::New);
        s.complete("a", WINDOW).await.unwrap();
        assert_eq!(s.claim("a", LEASE).await.unwrap(), Claim::Done);
        s.release("a").await.unwrap();
        assert_eq!(
            s.claim("a", LEASE).await.unwrap(),
            Claim::Done,
            "done stays done"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn leases_and_windows_lapse() {
        let s = MemoryDedupStore::new(10);
        assert_eq!(s.claim("a", LEASE).await.unwrap(), Claim::New);
        tokio::time::advance(LEASE + Duration::from_millis(1)).await;
        assert_eq!(
            s.claim("a", LEASE).await.unwrap(),
            Claim::New,
            "lapsed lease"
        );
        s.complete("a", WINDOW).await.unwrap();
        tokio::time::advance(WINDOW + Duration::from_millis(1)).await;
        assert_eq!(
            s.claim("a", LEASE).await.unwrap(),
            Claim::New,
            "window over"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_store_stays_bounded_and_evicts_the_oldest() {
        let s = MemoryDedupStore::new(3);
        for id in ["a", "b", "c", "d", "e"] {
            assert_eq!(s.claim(id, LEASE).await.unwrap(), Claim::New);
            s.complete(id, WINDOW).await.unwrap();
            assert!(s.len() <= 3);
        }
        assert_eq!(s.claim("e", LEASE).await.unwrap(), Claim::Done);
        assert_eq!(
            s.claim("a", LEASE).await.unwrap(),
            Claim::New,
            "a was evicted"
        );
        for i in 0..1000 {
            let id = format!("x{i}");
            s.claim(&id, LEASE).await.unwrap();
            s.complete(&id, WINDOW).await.unwrap();
        }
        assert!(s.len() <= 3);
        assert!(s.lock().order_len() <= 16);
    }
}
