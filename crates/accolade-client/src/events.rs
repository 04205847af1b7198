//! The event stream (`GET /api/v1/ws`, `docs/protocol.md`): a background task that gets a
//! ticket, connects, resumes after the last processed `seq`, updates the local store from the
//! events, and reconnects with exponential back-off (0.5 s doubling to 30 s, with jitter).
//!
//! Close codes: 4001 refreshes the tokens and reconnects at once; 4003 and 4400 stop the
//! stream (retrying cannot help); 1001, 4008, 1011 and dropped connections reconnect with
//! `last_seq`, so nothing is lost or repeated.

use std::time::Duration;

use accolade_proto::ws::{close, event_type};
use accolade_proto::{AwardEvent, Hello, NominationEvent, Ready, ResyncRequired, ServerMessage};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::error::ClientError;
use crate::store::NominationList;
use crate::Client;

/// What the stream reports.
#[derive(Debug)]
pub enum StreamItem {
    /// Connected and caught up: `replayed` stored events were delivered first.
    Connected {
        /// Backlog events sent before `ready`.
        replayed: u64,
    },
    /// An event (`award.issued`, `nomination.decided`, …), each `seq` exactly once.
    Event(ServerMessage),
    /// Events were missed beyond retention: cached lists were reloaded; continue from `seq`.
    ResyncRequired {
        /// The seq events continue after.
        seq: i64,
    },
    /// The connection dropped; reconnecting after `retry_in`.
    Disconnected {
        /// What happened.
        reason: String,
        /// Back-off before the next attempt.
        retry_in: Duration,
    },
    /// The stream stopped for good (signed out, or a protocol error that retrying cannot fix).
    Stopped(ClientError),
}

/// A running event stream; dropping it stops the background task.
#[derive(Debug)]
pub struct EventStream {
    rx: mpsc::Receiver<StreamItem>,
    task: JoinHandle<()>,
}

impl EventStream {
    /// The next item; `None` once the stream has stopped.
    pub async fn next(&mut self) -> Option<StreamItem> {
        self.rx.recv().await
    }

    /// The next [`StreamItem::Event`] within `timeout`, skipping the other items.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<ServerMessage> {
        tokio::time::timeout(timeout, async {
            loop {
                match self.rx.recv().await? {
                    StreamItem::Event(m) => return Some(m),
                    StreamItem::Stopped(_) => return None,
                    _ => continue,
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits (up to `timeout`) until the stream is connected and caught up.
    pub async fn connected(&mut self, timeout: Duration) -> bool {
        tokio::time::timeout(timeout, async {
            loop {
                match self.rx.recv().await {
                    Some(StreamItem::Connected { .. }) => return true,
                    Some(StreamItem::Stopped(_)) | None => return false,
                    Some(_) => continue,
                }
            }
        })
        .await
        .unwrap_or(false)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why one connection ended.
enum End {
    /// Reconnect after the back-off.
    Retry(String),
    /// Reconnect at once (tokens refreshed).
    Now,
    /// Stop.
    Fatal(ClientError),
    /// The consumer went away.
    Gone,
}

pub(crate) fn spawn(client: Client) -> EventStream {
    let (tx, rx) = mpsc::channel(256);
    let task = tokio::spawn(run(client, tx));
    EventStream { rx, task }
}

async fn run(client: Client, tx: mpsc::Sender<StreamItem>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let mut caught_up = false;
        match connect_once(&client, &tx, &mut caught_up).await {
            End::Gone => return,
            End::Fatal(e) => {
                let _ = tx.send(StreamItem::Stopped(e)).await;
                return;
            }
            End::Now => continue,
            End::Retry(reason) => {
                if caught_up {
                    backoff = Duration::from_millis(500);
                }
                // Up to 25% jitter so a school's phones don't reconnect in lockstep.
                let jitter = backoff.mul_f64(rand_fraction() * 0.25);
                let wait = backoff + jitter;
                if tx
                    .send(StreamItem::Disconnected {
                        reason,
                        retry_in: wait,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

fn rand_fraction() -> f64 {
    // Good enough for jitter; no need for a CSPRNG.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1000) / 1000.0
}

fn ws_base(base: &str) -> String {
    if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    }
}

async fn connect_once(client: &Client, tx: &mpsc::Sender<StreamItem>, caught_up: &mut bool) -> End {
    let ticket = match client.ws_ticket().await {
        Ok(t) => t,
        Err(ClientError::SignedOut) => return End::Fatal(ClientError::SignedOut),
        Err(e) if e.is_transient() => return End::Retry(e.to_string()),
        Err(e) => return End::Fatal(e),
    };
    let last_seq = match client.last_seq() {
        Ok(s) => s,
        Err(e) => return End::Fatal(e),
    };
    let mut url = format!(
        "{}/api/v1/ws?v=1&ticket={}",
        ws_base(client.base_url()),
        ticket.ticket
    );
    if let Some(s) = last_seq {
        url.push_str(&format!("&last_seq={s}"));
    }
    let (mut ws, _) = match tokio_tungstenite::connect_async(url.as_str()).await {
        Ok(c) => c,
        Err(e) => return End::Retry(format!("connect: {e}")),
    };
    let mut last = last_seq;
    while let Some(msg) = ws.next().await {
        let msg = match msg {
            Ok(m) => m,
            Err(e) => return End::Retry(format!("read: {e}")),
        };
        let text = match msg {
            Message::Text(t) => t,
            Message::Close(frame) => {
                let code = frame.as_ref().map(|f| u16::from(f.code)).unwrap_or(1005);
                return match code {
                    close::UNAUTHENTICATED => {
                        let access = client.access_token().unwrap_or_default();
                        match client.refresh(&access).await {
                            Ok(_) => End::Now,
                            Err(ClientError::SignedOut) => End::Fatal(ClientError::SignedOut),
                            Err(e) => End::Retry(e.to_string()),
                        }
                    }
                    close::FORBIDDEN_TOPIC | close::PROTOCOL_ERROR => End::Fatal(
                        ClientError::Protocol(format!("event stream closed with {code}")),
                    ),
                    _ => End::Retry(format!("closed with {code}")),
                };
            }
            _ => continue,
        };
        let Ok(m) = serde_json::from_str::<ServerMessage>(&text) else {
            continue;
        };
        let item = match (m.kind.as_str(), m.seq) {
            ("hello", None) => {
                // First connection: remember where the user's events stand, so the next
                // reconnect resumes from here instead of starting with live events only.
                if last.is_none() {
                    if let Ok(h) = serde_json::from_value::<Hello>(m.data.clone()) {
                        last = Some(h.latest_seq);
                        if let Err(e) = client.set_last_seq(h.latest_seq) {
                            return End::Fatal(e);
                        }
                    }
                }
                continue;
            }
            ("ready", None) => {
                *caught_up = true;
                let replayed = serde_json::from_value::<Ready>(m.data.clone())
                    .map(|r| r.replayed)
                    .unwrap_or(0);
                StreamItem::Connected { replayed }
            }
            ("resync_required", None) => {
                let seq = serde_json::from_value::<ResyncRequired>(m.data.clone())
                    .map(|r| r.seq)
                    .unwrap_or(0);
                // Best effort: reload what may have been missed (each failure leaves the old cache).
                let _ = client.my_awards().await;
                let _ = client.my_nominations().await;
                if client.current_user().is_some_and(|me| me.role.is_staff()) {
                    let _ = client.queue().await;
                }
                last = Some(seq);
                if let Err(e) = client.set_last_seq(seq) {
                    return End::Fatal(e);
                }
                StreamItem::ResyncRequired { seq }
            }
            (_, Some(seq)) => {
                if last.is_some_and(|l| seq <= l) {
                    continue;
                }
                if let Err(e) = apply(client, &m) {
                    return End::Fatal(e);
                }
                last = Some(seq);
                if let Err(e) = client.set_last_seq(seq) {
                    return End::Fatal(e);
                }
                StreamItem::Event(m)
            }
            _ => continue,
        };
        if tx.send(item).await.is_err() {
            return End::Gone;
        }
    }
    End::Retry("connection ended".into())
}

/// Keeps the local store in step with an event.
fn apply(client: &Client, m: &ServerMessage) -> crate::Result<()> {
    let store = client.store();
    match m.kind.as_str() {
        event_type::AWARD_ISSUED | event_type::AWARD_REVOKED => {
            if let Ok(e) = serde_json::from_value::<AwardEvent>(m.data.clone()) {
                let (id, json, at) = crate::award_row(&e.award)?;
                store.upsert_award(&id, &json, &at)?;
            }
        }
        event_type::NOMINATION_CREATED => {
            if let Ok(e) = serde_json::from_value::<NominationEvent>(m.data.clone()) {
                let (id, json, at) = crate::nomination_row(&e.nomination)?;
                store.upsert_nomination(NominationList::Queue, &id, &json, &at)?;
            }
        }
        event_type::NOMINATION_DECIDED => {
            if let Ok(e) = serde_json::from_value::<NominationEvent>(m.data.clone()) {
                let (id, json, at) = crate::nomination_row(&e.nomination)?;
                store.upsert_nomination(NominationList::Mine, &id, &json, &at)?;
                store.remove_nomination(NominationList::Queue, &id)?;
            }
        }
        _ => {}
    }
    Ok(())
}
