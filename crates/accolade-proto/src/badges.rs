//! Badges: images, badge classes, peer nominations and moderation, awards
//! (`/api/v1/images`, `/api/v1/badge-classes`, `/api/v1/nominations`, `/api/v1/awards`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An uploaded badge image (`POST /api/v1/images`, body = the PNG or SVG file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Image {
    /// Image id, to use as `image_id` of a badge class.
    pub id: Uuid,
    /// Public URL of the image.
    pub url: String,
    /// `image/png` or `image/svg+xml`.
    pub content_type: String,
    /// Width in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Who may receive a badge: the whole school or chosen classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BadgeScope {
    /// Every student of the school.
    School,
    /// Students of the classes in `class_ids`.
    Classes,
}

/// Whether peer nominations for a badge wait for a teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    /// A teacher approves each nomination (default).
    Required,
    /// Nominations are awarded at once.
    AutoApprove,
}

/// A badge class (OB 2.0 BadgeClass) as managed in Accolade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BadgeClass {
    /// Badge class id.
    pub id: Uuid,
    /// Name, 1–100 characters.
    pub name: String,
    /// Description, 1–2000 characters.
    pub description: String,
    /// Criteria as markdown narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_narrative: Option<String>,
    /// Criteria as a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_url: Option<String>,
    /// Public URL of the badge image.
    pub image_url: String,
    /// Tags (each 1–50 characters, at most 10).
    pub tags: Vec<String>,
    /// Awards expire this many days after issue, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
    /// Whole school or chosen classes.
    pub scope: BadgeScope,
    /// Classes, when `scope` is `classes`.
    pub class_ids: Vec<Uuid>,
    /// Whether students may nominate classmates for it.
    pub peer_nominable: bool,
    /// Moderation of peer nominations.
    pub moderation: Moderation,
    /// Whether a student may hold it more than once.
    pub repeatable: bool,
    /// Archived badge classes take no new awards or nominations.
    pub archived: bool,
    /// Current revision number (1 + number of changes made after the first award).
    pub revision: u32,
    /// Hosted OB 2.0 BadgeClass URL of the current revision.
    pub badge_url: String,
    /// Number of awards that are not revoked.
    pub award_count: u64,
}

/// `POST /api/v1/badge-classes` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateBadgeClassRequest {
    /// Name, 1–100 characters.
    pub name: String,
    /// Description, 1–2000 characters.
    pub description: String,
    /// Criteria narrative (markdown, ≤ 5000 characters); this or `criteria_url` is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_narrative: Option<String>,
    /// Criteria URL (http/https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_url: Option<String>,
    /// An image uploaded with `POST /api/v1/images`.
    pub image_id: Uuid,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Expiry period in days (1–3650).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
    /// Default `school`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<BadgeScope>,
    /// Classes for `scope = classes`.
    #[serde(default)]
    pub class_ids: Vec<Uuid>,
    /// Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_nominable: Option<bool>,
    /// Default `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<Moderation>,
    /// Default `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeatable: Option<bool>,
}

/// `PATCH /api/v1/badge-classes/{id}` body; absent fields are unchanged. Changing name,
/// description, criteria or image after the first award makes a new revision.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateBadgeClassRequest {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New criteria narrative (empty string removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_narrative: Option<String>,
    /// New criteria URL (empty string removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_url: Option<String>,
    /// New image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<Uuid>,
    /// New tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// New expiry period (0 removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
    /// New scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<BadgeScope>,
    /// New classes for `scope = classes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_ids: Option<Vec<Uuid>>,
    /// Allow or stop peer nominations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_nominable: Option<bool>,
    /// New moderation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<Moderation>,
    /// Repeatable or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeatable: Option<bool>,
    /// Archive (`true`) or restore (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

/// A person as shown on a nomination or award: display name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
}

/// A badge class as shown on a nomination or award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BadgeRef {
    /// Badge class id.
    pub id: Uuid,
    /// Name (of the revision concerned).
    pub name: String,
    /// Image URL.
    pub image_url: String,
}

/// State of a nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// Waiting for a teacher.
    Pending,
    /// Approved: an award exists.
    Approved,
    /// Rejected with a reason the nominator sees.
    Rejected,
    /// Returned to the nominator for revision.
    Returned,
    /// Withdrawn by the nominator.
    Withdrawn,
}

impl NominationStatus {
    /// Database/wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Pending => "pending",
            NominationStatus::Approved => "approved",
            NominationStatus::Rejected => "rejected",
            NominationStatus::Returned => "returned",
            NominationStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses the database/wire form.
    pub fn parse(s: &str) -> Option<NominationStatus> {
        Some(match s {
            "pending" => NominationStatus::Pending,
            "approved" => NominationStatus::Approved,
            "rejected" => NominationStatus::Rejected,
            "returned" => NominationStatus::Returned,
            "withdrawn" => NominationStatus::Withdrawn,
            _ => return None,
        })
    }
}

/// A peer nomination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Nomination {
    /// Nomination id.
    pub id: Uuid,
    /// The badge.
    pub badge: BadgeRef,
    /// Who nominated.
    pub nominator: PersonRef,
    /// Who is nominated.
    pub nominee: PersonRef,
    /// The shared class the nomination is made in.
    pub class_id: Uuid,
    /// Title of that class.
    pub class_title: String,
    /// Why (1–1000 characters).
    pub narrative: String,
    /// Optional evidence URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_url: Option<String>,
    /// State.
    pub status: NominationStatus,
    /// Teacher's reason (rejection) or request (return).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_reason: Option<String>,
    /// When decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The award, once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub award_id: Option<Uuid>,
    /// When created (UTC).
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/nominations` body (students).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateNominationRequest {
    /// The badge class (must be peer-nominable).
    pub badge_class_id: Uuid,
    /// One to ten classmates.
    pub nominee_ids: Vec<Uuid>,
    /// The shared class; chosen automatically when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_id: Option<Uuid>,
    /// Why, 1–1000 characters.
    pub narrative: String,
    /// Optional evidence URL (http/https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_url: Option<String>,
}

/// Response of `POST /api/v1/nominations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreateNominationsResponse {
    /// One nomination per nominee (auto-approved ones are already `approved`).
    pub nominations: Vec<Nomination>,
    /// The weekly allowance after this request.
    pub allowance: Allowance,
}

/// A student's weekly nomination allowance (resets Monday 00:00 in the school's time zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Allowance {
    /// Nominations allowed per week.
    pub weekly: u32,
    /// Used this week.
    pub used: u32,
    /// Left this week.
    pub remaining: u32,
    /// When the allowance resets (UTC instant of the next local Monday 00:00).
    pub resets_at: DateTime<Utc>,
}

/// `PATCH /api/v1/nominations/{id}` body: the nominator revises a returned nomination, which
/// goes back to the queue.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReviseNominationRequest {
    /// New narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// New evidence URL (empty string removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_url: Option<String>,
}

/// A moderation decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Award the badge.
    Approve,
    /// Reject; `reason` is required and shown to the nominator.
    Reject,
    /// Return for revision; `reason` says what to change.
    Return,
}

/// `POST /api/v1/nominations/{id}/decision` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// The decision.
    pub decision: Decision,
    /// Reason (required for reject and return, 1–1000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /api/v1/nominations/decisions` body: the same decision for several nominations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulkDecisionRequest {
    /// 1–100 nomination ids.
    pub ids: Vec<Uuid>,
    /// The decision.
    pub decision: Decision,
    /// Reason (required for reject and return).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Outcome of one item of a bulk request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkItem {
    /// The nomination (or recipient) concerned.
    pub id: Uuid,
    /// HTTP-like status of this item: 200 done, 404, 403 or 409.
    pub status: u16,
    /// Error code when not done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The nomination after the decision, when done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nomination: Option<Nomination>,
}

/// Response of a bulk decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkDecisionResponse {
    /// One entry per requested id, in order.
    pub results: Vec<BulkItem>,
}

/// How an award came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AwardSource {
    /// An approved peer nomination.
    Nomination,
    /// Awarded directly by a teacher.
    Direct,
    /// Claimed with a claim code.
    Claim,
}

/// Validity of an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AwardStatus {
    /// Valid.
    Valid,
    /// Revoked by the school.
    Revoked,
    /// Past its expiry date.
    Expired,
}

/// An award: an Open Badges 2.0 Assertion held by a student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Award {
    /// Award (assertion) id.
    pub id: Uuid,
    /// The badge (revision it was issued under).
    pub badge: BadgeRef,
    /// Description of that revision.
    pub description: String,
    /// Criteria narrative of that revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_narrative: Option<String>,
    /// Criteria URL of that revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_url: Option<String>,
    /// The recipient.
    pub recipient: PersonRef,
    /// Issuer (school) name.
    pub issuer_name: String,
    /// When issued (UTC).
    pub issued_on: DateTime<Utc>,
    /// When it expires, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// Why it was awarded (nomination narrative or teacher's words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Evidence URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_url: Option<String>,
    /// How it came about.
    pub source: AwardSource,
    /// Valid, revoked or expired.
    pub status: AwardStatus,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Hidden by the recipient from their profile.
    pub hidden: bool,
    /// Hosted OB 2.0 Assertion URL.
    pub assertion_url: String,
    /// Baked PNG download.
    pub baked_png_url: String,
    /// Baked SVG download.
    pub baked_svg_url: String,
}

/// `POST /api/v1/awards` body (teachers and admins): award directly to students, a list, or a
/// whole class.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateAwardsRequest {
    /// The badge class.
    pub badge_class_id: Uuid,
    /// Students to award.
    #[serde(default)]
    pub recipient_ids: Vec<Uuid>,
    /// Award every student of this class too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_id: Option<Uuid>,
    /// Why (≤ 1000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Evidence URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_url: Option<String>,
}

/// A recipient left out of a bulk award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkippedRecipient {
    /// The student.
    pub recipient_id: Uuid,
    /// Stable reason code, e.g. `already_held`, `not_in_scope`, `not_found`.
    pub code: String,
}

/// Response of `POST /api/v1/awards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreateAwardsResponse {
    /// The awards made (one transaction).
    pub awards: Vec<Award>,
    /// Recipients left out, with why.
    pub skipped: Vec<SkippedRecipient>,
}

/// `POST /api/v1/awards/{id}/revoke` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// Reason, 1–500 characters; published in the revocation list.
    pub reason: String,
}

/// `PATCH /api/v1/awards/{id}` body (the recipient).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UpdateAwardRequest {
    /// Hide from (or show on) the recipient's profile.
    pub hidden: bool,
}
