//! The realtime protocol (`GET /api/v1/ws`), version [`PROTOCOL_VERSION`]; see
//! `docs/protocol.md`.
//!
//! Every server message is `{"type": …, "seq": N | null, "data": {…}}`. Events carry the
//! recipient's own increasing `seq`; control messages (`hello`, `ready`, `resync_required`,
//! `pong`, `error`) have `seq: null` except where noted.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::badges::{Award, Nomination};
use crate::roster::ImportCounts;

/// Protocol version spoken by this server (`?v=1`).
pub const PROTOCOL_VERSION: u32 = 1;

/// WebSocket close codes used by the server.
pub mod close {
    /// The server is shutting down; reconnect (with `last_seq`) later.
    pub const GOING_AWAY: u16 = 1001;
    /// The access token expired, or the session was ended (logout, revocation).
    pub const UNAUTHENTICATED: u16 = 4001;
    /// The client asked for a topic it may not see.
    pub const FORBIDDEN_TOPIC: u16 = 4003;
    /// The client did not keep up; reconnect with `last_seq` to resume.
    pub const SLOW_CONSUMER: u16 = 4008;
    /// The client sent something that is not a protocol message.
    pub const PROTOCOL_ERROR: u16 = 4400;
}

/// `POST /api/v1/ws-ticket` response: a single-use ticket for browsers, which cannot send an
/// `Authorization` header on a WebSocket handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WsTicket {
    /// Pass as `?ticket=` to `GET /api/v1/ws`; works once.
    pub ticket: String,
    /// Seconds until it expires (60).
    pub expires_in: u64,
}

/// A message from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServerMessage {
    /// Message type, e.g. `award.issued` or `hello`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The recipient's event sequence number; `null` for control messages.
    pub seq: Option<i64>,
    /// Payload.
    pub data: serde_json::Value,
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Subscribe to a topic. Allowed: `user:{own id}` (always on). Any other user's topic closes
    /// the socket with 4003.
    Subscribe {
        /// Topic name.
        topic: String,
    },
    /// Application-level ping; answered with `pong`.
    Ping,
}

/// `hello` data: sent first on every connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Hello {
    /// Protocol version.
    pub protocol: u32,
    /// The signed-in user.
    pub user_id: Uuid,
    /// The user's latest event `seq` at connect time.
    pub latest_seq: i64,
}

/// `ready` data: the backlog after `last_seq` has been sent; live events follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Ready {
    /// Last `seq` delivered.
    pub seq: i64,
    /// How many backlog events were sent.
    pub replayed: u64,
}

/// `resync_required` data: events after `last_seq` are no longer retained (older than 7 days or
/// beyond the last 10,000); refetch state over REST, then continue from `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResyncRequired {
    /// The latest `seq`; live events continue after it.
    pub seq: i64,
}

/// `nomination.created` (to the class's teachers) and `nomination.decided` (to the nominator;
/// to the nominee only when approved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NominationEvent {
    /// The nomination after the change.
    pub nomination: Nomination,
}

/// `award.issued` and `award.revoked` (to the recipient).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AwardEvent {
    /// The award after the change.
    pub award: Award,
}

/// `claim.counted` (to whoever presents the claim code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimCounted {
    /// The claim code.
    pub claim_code_id: Uuid,
    /// Claims so far.
    pub count: u64,
    /// First name of the latest claimer.
    pub first_name: String,
}

/// `roster.imported` (to the school's admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RosterImported {
    /// Users created/updated/skipped.
    pub users: ImportCounts,
    /// Classes created/updated/skipped.
    pub classes: ImportCounts,
    /// Enrolments created/updated/skipped.
    pub enrollments: ImportCounts,
    /// Number of problem rows.
    pub problems: u64,
}

/// Event type names.
pub mod event_type {
    /// A nomination entered the queue.
    pub const NOMINATION_CREATED: &str = "nomination.created";
    /// A nomination was approved, rejected or returned.
    pub const NOMINATION_DECIDED: &str = "nomination.decided";
    /// An award was issued.
    pub const AWARD_ISSUED: &str = "award.issued";
    /// An award was revoked.
    pub const AWARD_REVOKED: &str = "award.revoked";
    /// A claim was counted.
    pub const CLAIM_COUNTED: &str = "claim.counted";
    /// A roster import finished.
    pub const ROSTER_IMPORTED: &str = "roster.imported";
}
