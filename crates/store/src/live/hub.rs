//! One hub per instance: it reads the event log as it grows and broadcasts
//! each new event to the instance's subscribers.
//!
//! It reads when this instance commits (the store's signal), when another
//! instance commits (PostgreSQL `LISTEN openprm_live`, notified by a trigger at
//! commit), and every [`POLL_EVERY`] regardless, so a dropped listener or a
//! writer in another process (the import command on SQLite) delays an event
//! by at most that long and loses none.

use std::{
    collections::{HashSet, VecDeque},
    sync::{
        Arc, Weak,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use openprm_domain::{
    Viewer,
    live::{Hearing, Listener, LiveEvent, Notice},
};
use tokio::sync::broadcast;

use super::gaps::{GAP_PATIENCE, Progress};
use crate::{Db, Store, StoreError};

/// The longest an event waits when no signal arrives.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Events read per round; a full round reads again at once.
const BATCH: i64 = 500;
/// Events a subscriber may fall behind before it must catch up from the log.
const BUFFER: usize = 4096;
/// A resuming subscriber catches up at most this many events; further behind,
/// it is told to start afresh.
const CATCH_UP_LIMIT: i64 = 2000;

/// This instance's hub. Cheap to clone; the reader stops when the last clone
/// is dropped.
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    sender: broadcast::Sender<Arc<LiveEvent>>,
    safe_through: AtomicI64,
}

impl LiveHub {
    /// Starts reading the log from its current end.
    pub async fn start(store: Store) -> Result<LiveHub, StoreError> {
        let last = store.live_last_id().await?;
        let (sender, _) = broadcast::channel(BUFFER);
        let inner = Arc::new(Inner {
            store: store.clone(),
            sender,
            safe_through: AtomicI64::new(last),
        });
        let (wake_tx, wake_rx) = tokio::sync::mpsc::channel::<()>(1);
        if let Db::Postgres(pool) = &store.db {
            tokio::spawn(listen(pool.clone(), wake_tx, Arc::downgrade(&inner)));
        }
        tokio::spawn(read_log(Arc::downgrade(&inner), store, last, wake_rx));
        Ok(LiveHub { inner })
    }

    /// Every id up to this one has reached the subscribers.
    pub fn safe_through(&self) -> i64 {
        self.inner.safe_through.load(Ordering::Acquire)
    }

    /// A subscription for `viewer`. With `resume_after` (the `Last-Event-ID`
    /// a reconnecting client sends) it first replays what the subscriber may
    /// hear of the events after that id.
    pub async fn subscribe(
        &self,
        viewer: &Viewer,
        resume_after: Option<i64>,
    ) -> Result<Subscription, StoreError> {
        let rx = self.inner.sender.subscribe();
        let listener = self.inner.store.live_listener(viewer).await?;
        let mut subscription = Subscription {
            hub: self.clone(),
            listener,
            rx,
            backlog: VecDeque::new(),
            replayed: HashSet::new(),
            position: self.safe_through(),
            reset_due: false,
        };
        if let Some(after) = resume_after.filter(|after| *after < subscription.position) {
            subscription.position = after.max(0);
            subscription.replay().await?;
        }
        Ok(subscription)
    }
}

/// Reads new events and broadcasts them, until the hub is dropped.
async fn read_log(
    hub: Weak<Inner>,
    store: Store,
    last: i64,
    mut pg_wake: tokio::sync::mpsc::Receiver<()>,
) {
    let mut committed = store.live.committed.subscribe();
    let mut progress = Progress::new(last);
    let mut more = false;
    loop {
        if !more {
            tokio::select! {
                Ok(()) = committed.changed() => {}
                Some(()) = pg_wake.recv() => {}
                () = tokio::time::sleep(POLL_EVERY) => {}
            }
        }
        let Some(inner) = hub.upgrade() else { return };
        match store
            .live_events_after(progress.last(), &progress.pending(), BATCH)
            .await
        {
            Ok(mut events) => {
                more = events.len() as i64 >= BATCH;
                events.sort_by_key(|e| e.id);
                let now = Instant::now();
                progress.saw(events.iter().map(|e| e.id), now);
                progress.expire(now, GAP_PATIENCE);
                inner
                    .safe_through
                    .store(progress.safe_through(), Ordering::Release);
                for event in events {
                    // No receivers is not an error: nobody is listening yet.
                    let _ = inner.sender.send(Arc::new(event));
                }
            }
            Err(e) => {
                more = false;
                tracing::warn!(error = %e, "reading live events failed; retrying");
                drop(inner);
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
    }
}

/// Turns PostgreSQL notifications into wake-ups, reconnecting when the
/// connection drops (the reader's poll covers the time in between).
///
/// The listener holds one of the pool's connections, so it must let go once
/// nobody needs it: when the pool closes (closing waits for every
/// connection) or the hub is gone, which it checks every
/// [`LISTENER_CHECK`] even when no notification comes.
async fn listen(pool: sqlx::PgPool, wake: tokio::sync::mpsc::Sender<()>, hub: Weak<Inner>) {
    loop {
        if hub.strong_count() == 0 || pool.is_closed() {
            return;
        }
        let listener = async {
            let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
            listener.listen("openprm_live").await?;
            // Whatever committed while no one listened is read now.
            let _ = wake.try_send(());
            loop {
                // A wait cut short loses no event: the reader's poll reads
                // the log regardless.
                match tokio::time::timeout(LISTENER_CHECK, listener.try_recv()).await {
                    Ok(Ok(Some(_))) => {
                        let _ = wake.try_send(());
                    }
                    // The connection dropped: start over with a fresh one.
                    Ok(Ok(None)) => return Ok::<(), sqlx::Error>(()),
                    Ok(Err(e)) => return Err(e),
                    Err(_quiet) => {}
                }
                if hub.strong_count() == 0 {
                    return Ok(());
                }
            }
        };
        if let Err(e) = listener.await
            && !pool.is_closed()
        {
            tracing::warn!(error = %e, "listening for live events failed; reconnecting");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How often a quiet listener checks that its hub still exists.
const LISTENER_CHECK: Duration = Duration::from_secs(2);

/// One subscriber's stream of what it may hear.
pub struct Subscription {
    hub: LiveHub,
    listener: Listener,
    rx: broadcast::Receiver<Arc<LiveEvent>>,
    backlog: VecDeque<Arc<LiveEvent>>,
    /// Ids replayed from the log, which the broadcast may bring again.
    replayed: HashSet<i64>,
    /// Everything up to here has been handed over or was not for this subscriber.
    position: i64,
    reset_due: bool,
}

/// An event as one subscriber hears it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub event: Arc<LiveEvent>,
    pub hearing: Hearing,
    pub notice: Option<Notice>,
    /// What the client should send as `Last-Event-ID` to resume after this.
    pub resume_id: i64,
}

#[derive(Clone, Debug)]
pub enum SubscriptionItem {
    Event(Delivery),
    /// Too much was missed to replay: the client should reload what it shows.
    Reset {
        resume_id: i64,
    },
    /// The subscriber's sessions were ended: check whether theirs still holds.
    SignedOut,
}

impl Subscription {
    /// The next thing to tell the subscriber; `None` when the hub is gone.
    pub async fn next(&mut self) -> Option<SubscriptionItem> {
        loop {
            if self.reset_due {
                self.reset_due = false;
                return Some(SubscriptionItem::Reset {
                    resume_id: self.position,
                });
            }
            let event = match self.backlog.pop_front() {
                Some(event) => event,
                None => match self.rx.recv().await {
                    Ok(event) if self.replayed.remove(&event.id) => continue,
                    Ok(event) => {
                        // Replayed events that had already passed by never come
                        // again; forget them rather than keep them forever.
                        if self.replayed.len() > BUFFER {
                            self.replayed.clear();
                        }
                        event
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if let Err(e) = self.replay().await {
                            tracing::warn!(error = %e, "live catch-up failed");
                            self.reset_due = true;
                        }
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            let resume_id = event.id.min(self.hub.safe_through()).max(self.position);
            self.position = resume_id;
            if self.listener.is_signed_out_by(&event) {
                return Some(SubscriptionItem::SignedOut);
            }
            if let Some(hearing) = self.listener.hears(&event) {
                let notice = self.listener.notice(&event);
                return Some(SubscriptionItem::Event(Delivery {
                    event,
                    hearing,
                    notice,
                    resume_id,
                }));
            }
        }
    }

    /// Re-reads the subscriber's rights (company queues change), e.g. when its
    /// session is checked again.
    pub async fn refresh(&mut self, viewer: &Viewer) -> Result<(), StoreError> {
        self.listener = self.hub.inner.store.live_listener(viewer).await?;
        Ok(())
    }

    /// Reads what was missed since `position` from the log.
    async fn replay(&mut self) -> Result<(), StoreError> {
        let events = self
            .hub
            .inner
            .store
            .live_events_after(self.position, &[], CATCH_UP_LIMIT + 1)
            .await?;
        if events.len() as i64 > CATCH_UP_LIMIT {
            self.backlog.clear();
            self.replayed.clear();
            self.position = self.hub.safe_through();
            self.reset_due = true;
            return Ok(());
        }
        for event in events {
            self.replayed.insert(event.id);
            self.backlog.push_back(Arc::new(event));
        }
        Ok(())
    }
}
