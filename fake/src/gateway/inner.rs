//! The gateway behind its lock: [`Inner`] runs changes to the [`Core`] state, starts the
//! redelivery timers they ask for, and wakes whoever waits for a change.

use std::sync::{Arc, Mutex, Weak};

use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::gateway::core::{Core, Settings, Timer};
use crate::shared::lock;

/// The gateway: its settings, its state, and what waits on changes to it.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) settings: Settings,
    core: Mutex<Core>,
    runtime: Handle,
    /// Bumped on every change waiters may care about.
    changed: watch::Sender<()>,
    /// Set when the fake stops: every connection's task ends.
    pub(crate) stopping: watch::Sender<bool>,
}

impl Inner {
    pub(crate) fn new(settings: Settings) -> Inner {
        Inner {
            settings,
            core: Mutex::new(Core::new()),
            runtime: Handle::current(),
            changed: watch::channel(()).0,
            stopping: watch::channel(false).0,
        }
    }

    /// Runs `f` on the state, then starts the timers it returns and wakes the waiters.
    pub(crate) fn with<T>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Core, &Settings) -> (T, Vec<Timer>),
    ) -> T {
        let (out, timers) = {
            let mut core = lock(&self.core);
            f(&mut core, &self.settings)
        };
        self.start(timers);
        self.changed.send_replace(());
        out
    }

    /// Reads the state.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Core) -> T) -> T {
        f(&lock(&self.core))
    }

    /// Waits until `ready` holds of the state.
    pub(crate) async fn wait_until(&self, ready: impl Fn(&Core) -> bool) {
        let mut changes = self.changed.subscribe();
        loop {
            if self.read(&ready) {
                return;
            }
            if changes.changed().await.is_err() {
                return;
            }
        }
    }

    fn start(self: &Arc<Self>, timers: Vec<Timer>) {
        for timer in timers {
            let inner: Weak<Inner> = Arc::downgrade(self);
            self.runtime.spawn(async move {
                tokio::time::sleep(timer.after).await;
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                inner.with(|core, settings| {
                    if core.expire(&timer.id, timer.generation) {
                        ((), core.pump(settings))
                    } else {
                        ((), Vec::new())
                    }
                });
            });
        }
    }
}
