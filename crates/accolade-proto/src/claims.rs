//! QR claiming: claim codes, claims and peer offers (`/api/v1/claim-codes`, `/api/v1/claims`,
//! `/api/v1/offers`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::badges::{Award, BadgeRef, Nomination};

/// How a claim code's QR behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimMode {
    /// The QR changes every `rotation_secs`; the previous one stays valid one more period.
    Rotating,
    /// One fixed code, for posters.
    Static,
    /// `sheet_size` single-use codes, printed as a sheet of cards.
    Sheet,
}

/// State of a claim code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimCodeStatus {
    /// Open during its window.
    Active,
    /// Temporarily not accepting claims.
    Paused,
    /// Closed for good.
    Closed,
}

/// `POST /api/v1/claim-codes` body (teachers and admins).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateClaimCodeRequest {
    /// The badge to award.
    pub badge_class_id: Uuid,
    /// Title shown to students and used as evidence ("Claimed at <title>"), 1–200 characters.
    pub title: String,
    /// Audience classes; empty = the whole school.
    #[serde(default)]
    pub class_ids: Vec<Uuid>,
    /// Mode (default `rotating`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ClaimMode>,
    /// Rotation period in seconds, 5–300 (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_secs: Option<u32>,
    /// Window start: RFC 3339 with offset, or local `YYYY-MM-DDTHH:MM[:SS]` in the school's time
    /// zone. Default: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// Window end (exclusive), same formats. Required.
    pub ends_at: String,
    /// Total claim limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_claims: Option<u32>,
    /// Number of single-use codes for `sheet` mode (1–500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet_size: Option<u32>,
    /// Let a student claim again (only for repeatable badges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_repeat: Option<bool>,
}

/// A claim code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClaimCode {
    /// Claim code id.
    pub id: Uuid,
    /// The badge.
    pub badge: BadgeRef,
    /// Title.
    pub title: String,
    /// Audience classes (empty = whole school).
    pub class_ids: Vec<Uuid>,
    /// Mode.
    pub mode: ClaimMode,
    /// Rotation period in seconds (rotating mode).
    pub rotation_secs: u32,
    /// Window start (UTC).
    pub starts_at: DateTime<Utc>,
    /// Window end, exclusive (UTC).
    pub ends_at: DateTime<Utc>,
    /// The school's time zone, in which the window is shown.
    pub timezone: String,
    /// Window start in the school's time zone, e.g. `2026-12-01 09:00`.
    pub starts_at_local: String,
    /// Window end in the school's time zone.
    pub ends_at_local: String,
    /// Total limit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_claims: Option<u32>,
    /// Claims so far.
    pub claim_count: u64,
    /// State.
    pub status: ClaimCodeStatus,
    /// Whether a student may claim again (repeatable badges only).
    pub allow_repeat: bool,
    /// The projector page.
    pub present_url: String,
}

/// `GET /api/v1/claim-codes/{id}/current`: what the projector shows now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimCodeCurrent {
    /// The claim URL in the QR code, `{public_url}/c/{token}` (absent for sheets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The 8-character manual code, shown as `XXXX-XXXX` (absent for sheets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_code: Option<String>,
    /// When this QR is replaced (rotating mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_at: Option<DateTime<Utc>>,
    /// Seconds until the window closes (0 when closed).
    pub seconds_left: i64,
    /// Claims so far.
    pub claim_count: u64,
    /// State, taking the window into account: `active`, `paused`, `closed`, or `scheduled`.
    pub state: String,
}

/// One printed card of a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SheetCard {
    /// Claim URL in the card's QR code.
    pub url: String,
    /// The card's manual code.
    pub manual_code: String,
    /// Whether it was used.
    pub used: bool,
}

/// `POST /api/v1/claims` body: a scanned claim URL or token, or a typed manual code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ClaimRequest {
    /// The token from the QR URL (or the whole URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// A manual code (`XXXX-XXXX`, case-insensitive, hyphens ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Result of a claim: 201 (new award) or 200 (`already_claimed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClaimResponse {
    /// The award (an OB 2.0 assertion like any other).
    pub award: Award,
    /// True when this student had already claimed this code.
    pub already_claimed: bool,
    /// The claim code's title.
    pub title: String,
}

/// A student who claimed (for the teacher).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Claimer {
    /// Student.
    pub user_id: Uuid,
    /// Display name.
    pub display_name: String,
    /// When (UTC).
    pub claimed_at: DateTime<Utc>,
    /// The award made.
    pub award_id: Uuid,
}

/// `POST /api/v1/offers` body: a student offers a peer-nominable badge (show-to-give).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateOfferRequest {
    /// The badge (peer-nominable). The nomination's narrative is "Offered in person".
    pub badge_class_id: Uuid,
}

/// A peer offer: valid 10 minutes, single use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PeerOffer {
    /// Offer id.
    pub id: Uuid,
    /// The badge.
    pub badge: BadgeRef,
    /// URL in the QR code: `{public_url}/o/{token}`.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The QR code as SVG.
    pub qr_svg: String,
}

/// `POST /api/v1/offers/accept` body: the scanned offer URL or token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptOfferRequest {
    /// Token or URL.
    pub token: String,
}

/// Result of accepting an offer: the nomination from the offerer to the scanner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AcceptOfferResponse {
    /// The nomination (already `approved` for auto-approve badges).
    pub nomination: Nomination,
}
