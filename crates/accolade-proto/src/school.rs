//! The school (tenant) and its settings: `/api/v1/school`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A school: the tenant, and the Open Badges Issuer of its badges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct School {
    /// School id.
    pub id: Uuid,
    /// URL slug, `[a-z0-9-]{2,40}`.
    pub slug: String,
    /// Display name, e.g. `"Northfield Academy"`.
    pub name: String,
    /// IANA time zone, e.g. `"Europe/London"`; dates are shown and weeks reset in it.
    pub timezone: String,
    /// Peer nominations each student may make per week (Monday 00:00 local reset).
    pub weekly_nomination_allowance: u32,
    /// Whether students may make collections public.
    pub allow_public_sharing: bool,
    /// Sender address for school e-mail, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_sender: Option<String>,
}

/// `PATCH /api/v1/school` (admin) body; absent fields are unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateSchoolRequest {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// New weekly allowance, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_nomination_allowance: Option<u32>,
    /// Allow or forbid public collections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_public_sharing: Option<bool>,
    /// Sender address for school e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_sender: Option<String>,
}

/// Health of the service (`GET /readyz`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `"ok"` or `"unavailable"`.
    pub status: String,
    /// Database backend: `"sqlite"` or `"postgres"`.
    pub database: String,
}
