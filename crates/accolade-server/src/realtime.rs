//! Realtime delivery: the in-process hub of live WebSocket connections, and the dispatcher
//! that turns committed events into messages for them.
//!
//! Events are stored per recipient (`accolade_db::events`) before anything is sent. After the
//! transaction commits, the event id reaches every node: through `LISTEN/NOTIFY` on PostgreSQL
//! (several nodes share one database), through the commit hook on SQLite (one node). Each node
//! reads the rows and pushes them to its own connections of those users. Each connection has a
//! bounded queue: a client that does not keep up is disconnected (it resumes with `last_seq`),
//! and never slows anyone else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use accolade_db::events::StoredEvent;
use accolade_db::{Db, Notice};
use tokio::sync::mpsc;
use uuid::Uuid;

/// Capacity of each connection's send queue (messages).
pub const CONNECTION_QUEUE: usize = 256;

/// What the hub sends to a connection task.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A stored event for this connection's user.
    Event(Arc<StoredEvent>),
    /// Close the socket with this code and reason.
    Close(u16, &'static str),
}

struct Conn {
    id: u64,
    session_id: Uuid,
    tx: mpsc::Sender<Outgoing>,
}

/// Registry of live connections by user. Cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Default)]
struct HubInner {
    conns: RwLock<HashMap<Uuid, Vec<Conn>>>,
    next_id: AtomicU64,
    delivered: AtomicU64,
    dropped_slow: AtomicU64,
}

/// A registered connection; dropping it unregisters.
pub struct Registration {
    hub: Hub,
    user_id: Uuid,
    id: u64,
    /// Messages for this connection.
    pub rx: mpsc::Receiver<Outgoing>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.remove(self.user_id, self.id);
    }
}

impl Hub {
    /// Registers a connection of `user_id` (session `session_id`).
    pub fn register(&self, user_id: Uuid, session_id: Uuid) -> Registration {
        let (tx, rx) = mpsc::channel(CONNECTION_QUEUE);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.inner
            .conns
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(user_id)
            .or_default()
            .push(Conn { id, session_id, tx });
        Registration {
            hub: self.clone(),
            user_id,
            id,
            rx,
        }
    }

    fn remove(&self, user_id: Uuid, id: u64) {
        let mut map = self.inner.conns.write().unwrap_or_else(|p| p.into_inner());
        if let Some(list) = map.get_mut(&user_id) {
            list.retain(|c| c.id != id);
            if list.is_empty() {
                map.remove(&user_id);
            }
        }
    }

    /// Number of live connections.
    pub fn connections(&self) -> usize {
        self.inner
            .conns
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(Vec::len)
            .sum()
    }

    /// `(messages delivered, connections dropped as slow)` since start.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.inner.delivered.load(Ordering::Relaxed),
            self.inner.dropped_slow.load(Ordering::Relaxed),
        )
    }

    /// Queues an event for every local connection of its user; a full queue drops that
    /// connection (the task then closes the socket with 4008).
    pub fn deliver(&self, ev: Arc<StoredEvent>) {
        let mut slow = Vec::new();
        {
            let map = self.inner.conns.read().unwrap_or_else(|p| p.into_inner());
            if let Some(list) = map.get(&ev.user_id) {
                for c in list {
                    match c.tx.try_send(Outgoing::Event(ev.clone())) {
                        Ok(()) => {
                            self.inner.delivered.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(mpsc::error::TrySendError::Full(_)) => slow.push(c.id),
                        Err(mpsc::error::TrySendError::Closed(_)) => {}
                    }
                }
            }
        }
        for id in slow {
            self.inner.dropped_slow.fetch_add(1, Ordering::Relaxed);
            self.remove(ev.user_id, id);
        }
    }

    /// Closes every connection matching `pred` with `code`.
    fn close_where(&self, code: u16, reason: &'static str, pred: impl Fn(Uuid, &Conn) -> bool) {
        let mut gone = Vec::new();
        {
            let map = self.inner.conns.read().unwrap_or_else(|p| p.into_inner());
            for (user, list) in map.iter() {
                for c in list.iter().filter(|c| pred(*user, c)) {
                    if c.tx.try_send(Outgoing::Close(code, reason)).is_err() {
                        gone.push((*user, c.id));
                    }
                }
            }
        }
        for (user, id) in gone {
            self.remove(user, id);
        }
    }

    /// Applies a control message: `session:{id}` or `user:{id}` closes those sockets with 4001.
    pub fn control(&self, message: &str) {
        use accolade_proto::ws::close::UNAUTHENTICATED;
        if let Some(id) = message
            .strip_prefix("session:")
            .and_then(|s| s.parse::<Uuid>().ok())
        {
            self.close_where(UNAUTHENTICATED, "session ended", |_, c| c.session_id == id);
        } else if let Some(id) = message
            .strip_prefix("user:")
            .and_then(|s| s.parse::<Uuid>().ok())
        {
            self.close_where(UNAUTHENTICATED, "session ended", |u, _| u == id);
        }
    }

    /// Closes every socket with 1001 (server shutting down).
    pub fn shutdown(&self) {
        self.close_where(
            accolade_proto::ws::close::GOING_AWAY,
            "server shutting down",
            |_, _| true,
        );
    }
}

/// Loads a committed event's rows and delivers them locally.
pub async fn dispatch(db: &Db, hub: &Hub, event_id: Uuid) {
    match accolade_db::events::by_event(db.conn(), event_id).await {
        Ok(rows) => {
            for r in rows {
                hub.deliver(Arc::new(r));
            }
        }
        Err(e) => tracing::error!(error = %e, %event_id, "cannot load event for delivery"),
    }
}

/// Wires delivery for `db`: the commit hook on SQLite, a `LISTEN` task on PostgreSQL. Also
/// starts the retention pruner. Returns the background tasks.
pub fn start(
    db: &Db,
    hub: &Hub,
    retention: Duration,
    keep_per_user: i64,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    match db.pg_pool() {
        None => {
            let (tx, mut rx) = mpsc::unbounded_channel::<Notice>();
            db.set_commit_hook(Arc::new(move |notices| {
                for n in notices {
                    let _ = tx.send(n);
                }
            }));
            let (db2, hub2) = (db.clone(), hub.clone());
            tasks.push(tokio::spawn(async move {
                while let Some(n) = rx.recv().await {
                    match n {
                        Notice::Event(id) => dispatch(&db2, &hub2, id).await,
                        Notice::Control(c) => hub2.control(&c),
                    }
                }
            }));
        }
        Some(pool) => {
            let (pool, db2, hub2) = (pool.clone(), db.clone(), hub.clone());
            tasks.push(tokio::spawn(async move { listen(pool, db2, hub2).await }));
        }
    }
    let db3 = db.clone();
    tasks.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let cutoff = accolade_db::ts(
                chrono::Utc::now() - chrono::Duration::from_std(retention).unwrap_or_default(),
            );
            match db3.begin_write().await {
                Ok(txn) => {
                    let r = accolade_db::events::prune(&*txn, cutoff, keep_per_user).await;
                    let t = accolade_db::events::prune_tickets(&*txn, accolade_db::now()).await;
                    if let Err(e) = r.and(t) {
                        tracing::warn!(error = %e, "event retention pruning failed");
                    }
                    let _ = txn.commit().await;
                }
                Err(e) => tracing::warn!(error = %e, "event retention pruning failed"),
            }
        }
    }));
    tasks
}

async fn listen(pool: sqlx::PgPool, db: Db, hub: Hub) {
    use accolade_db::events::{CONTROL_CHANNEL, EVENTS_CHANNEL};
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "LISTEN connection failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([EVENTS_CHANNEL, CONTROL_CHANNEL]).await {
            tracing::error!(error = %e, "LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        tracing::info!("listening for events from every node");
        loop {
            match listener.recv().await {
                Ok(n) if n.channel() == EVENTS_CHANNEL => {
                    if let Ok(id) = n.payload().parse::<Uuid>() {
                        let (db, hub) = (db.clone(), hub.clone());
                        // Deliver concurrently so one slow read does not hold up the next.
                        tokio::spawn(async move { dispatch(&db, &hub, id).await });
                    }
                }
                Ok(n) => hub.control(n.payload()),
                Err(e) => {
                    // Sockets connected meanwhile could miss live events: close them so the
                    // clients resume from their last seq.
                    tracing::error!(error = %e, "LISTEN connection lost; reconnecting");
                    hub.close_where(
                        accolade_proto::ws::close::GOING_AWAY,
                        "reconnect and resume",
                        |_, _| true,
                    );
                    break;
                }
            }
        }
    }
}
