//! Actions that can be taken offline: nominate, decide, claim a static or sheet code. Each is
//! sent with an `Idempotency-Key` (a UUID made when the action is taken), so sending it again
//! after a lost answer never acts twice; while the server cannot be reached the action waits
//! in the store's `outbox` table, and [`Client::flush`] sends the waiting ones in order and
//! reports each one's outcome.

use accolade_proto::{
    ClaimRequest, ClaimResponse, CreateNominationRequest, CreateNominationsResponse,
    DecisionRequest, Nomination,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ClientError, Result};
use crate::scan::Scan;
use crate::store::NominationList;
use crate::{Client, Sent};

/// An action that may wait in the offline queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// `POST /api/v1/nominations`.
    Nominate(CreateNominationRequest),
    /// `POST /api/v1/nominations/{id}/decision`.
    Decide {
        /// The nomination.
        nomination_id: Uuid,
        /// The decision.
        request: DecisionRequest,
    },
    /// `POST /api/v1/claims` (static or sheet tokens only when queued).
    Claim(ClaimRequest),
}

impl Action {
    /// `nominate`, `decide` or `claim`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Nominate(_) => "nominate",
            Action::Decide { .. } => "decide",
            Action::Claim(_) => "claim",
        }
    }

    /// Why this action cannot wait for a connection, if it cannot.
    fn needs_connection(&self, base: &str) -> Option<&'static str> {
        let Action::Claim(req) = self else {
            return None;
        };
        if req.code.is_some() {
            return Some("typed claim codes may be rotating ones; claim while online");
        }
        let token = req.token.as_deref().unwrap_or("");
        let rotating = match crate::scan::parse(base, token) {
            Some(s @ Scan::Claim { .. }) => s.is_rotating_claim(),
            _ => token.starts_with('r'),
        };
        rotating.then_some(
            "rotating QR codes change every few seconds; scan the code again while online",
        )
    }
}

/// The server's answer to an action.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionResult {
    /// Nominations made.
    Nominated(CreateNominationsResponse),
    /// The nomination after the decision.
    Decided(Nomination),
    /// The claim.
    Claimed(ClaimResponse),
}

/// A queued action, as listed by [`Client::queued_actions`].
#[derive(Debug, Clone)]
pub struct Queued {
    /// Its `Idempotency-Key`.
    pub key: String,
    /// The action.
    pub action: Action,
    /// When it was queued (RFC 3339).
    pub queued_at: String,
}

/// The outcome of one queued action sent by [`Client::flush`].
#[derive(Debug)]
pub struct FlushReport {
    /// Its `Idempotency-Key` (as returned by [`Sent::Queued`]).
    pub key: String,
    /// The action.
    pub action: Action,
    /// What the server said.
    pub result: Result<ActionResult>,
}

impl Client {
    async fn send_action(&self, action: &Action, key: &str) -> Result<ActionResult> {
        Ok(match action {
            Action::Nominate(req) => {
                let r: CreateNominationsResponse =
                    self.post("/nominations", req, Some(key)).await?;
                for n in &r.nominations {
                    let (id, json, at) = crate::nomination_row(n)?;
                    self.store()
                        .upsert_nomination(NominationList::Mine, &id, &json, &at)?;
                }
                ActionResult::Nominated(r)
            }
            Action::Decide {
                nomination_id,
                request,
            } => {
                let n: Nomination = self
                    .post(
                        &format!("/nominations/{nomination_id}/decision"),
                        request,
                        Some(key),
                    )
                    .await?;
                self.store()
                    .remove_nomination(NominationList::Queue, &nomination_id.to_string())?;
                ActionResult::Decided(n)
            }
            Action::Claim(req) => {
                let c: ClaimResponse = self.post("/claims", req, Some(key)).await?;
                let (id, json, at) = crate::award_row(&c.award)?;
                self.store().upsert_award(&id, &json, &at)?;
                ActionResult::Claimed(c)
            }
        })
    }

    /// Sends `action` now, or queues it when the server cannot be reached (see [`Action`]).
    pub async fn act(&self, action: Action) -> Result<Sent<ActionResult>> {
        if self.current_user().is_none() {
            return Err(ClientError::SignedOut);
        }
        let key = Uuid::new_v4().to_string();
        match self.send_action(&action, &key).await {
            Ok(r) => Ok(Sent::Done(r)),
            Err(e) if e.is_offline() => {
                if let Some(why) = action.needs_connection(self.base_url()) {
                    return Err(ClientError::NeedsConnection(why));
                }
                let body = serde_json::to_string(&action)
                    .map_err(|e| ClientError::Protocol(e.to_string()))?;
                self.store().enqueue(&key, action.kind(), &body)?;
                Ok(Sent::Queued { key })
            }
            Err(e) => Err(e),
        }
    }

    /// The actions waiting for a connection, oldest first.
    pub fn queued_actions(&self) -> Result<Vec<Queued>> {
        self.store()
            .queued()?
            .into_iter()
            .map(|row| {
                Ok(Queued {
                    action: serde_json::from_str(&row.body)
                        .map_err(|e| ClientError::Protocol(format!("outbox: {e}")))?,
                    key: row.key,
                    queued_at: row.created_at,
                })
            })
            .collect()
    }

    /// Sends the queued actions in order, each with its own `Idempotency-Key`, and reports
    /// each one's outcome; an action with an outcome (done or refused) leaves the queue.
    /// Stops at the first one that still cannot get through (offline, 5xx, 429), leaving it
    /// and the rest queued; an empty report then means nothing could be sent.
    pub async fn flush(&self) -> Result<Vec<FlushReport>> {
        let mut out = Vec::new();
        for q in self.queued_actions()? {
            let result = self.send_action(&q.action, &q.key).await;
            match &result {
                Err(ClientError::SignedOut) => return Err(ClientError::SignedOut),
                Err(e) if e.is_transient() => break,
                _ => {}
            }
            self.store().dequeue(&q.key)?;
            out.push(FlushReport {
                key: q.key,
                action: q.action,
                result,
            });
        }
        Ok(out)
    }
}
