//! Roster import reports and sign-in cards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Created / updated / skipped counts for one kind of roster record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportCounts {
    /// New records.
    pub created: u64,
    /// Existing records changed (matched by OneRoster `sourcedId`, or by e-mail/name for class lists).
    pub updated: u64,
    /// Rows left alone: unchanged, removed (`tobedeleted`), or not importable (see `problems`).
    pub skipped: u64,
}

/// A row that could not be imported; the rest of the file still was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportProblem {
    /// File name inside the export, e.g. `"users.csv"`.
    pub file: String,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// What was wrong.
    pub reason: String,
}

/// Result of `accolade roster import --json` and `POST /api/v1/roster/import`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// Users (students, teachers, admins).
    pub users: ImportCounts,
    /// Classes.
    pub classes: ImportCounts,
    /// Enrolments (class memberships).
    pub enrollments: ImportCounts,
    /// Rows that were not imported, with file and line.
    pub problems: Vec<ImportProblem>,
    /// Files in the export that Accolade does not use (e.g. `courses.csv`), noted but ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_files: Vec<String>,
}

/// One printed sign-in card, as returned once by `POST /api/v1/classes/{id}/signin-cards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SignInCard {
    /// The student the card signs in.
    pub user_id: Uuid,
    /// Student's display name, printed on the card.
    pub display_name: String,
    /// One-time code `XXXX-XXXX-XXXX` (Crockford base32); shown only at issue time.
    pub code: String,
    /// URL encoded in the card's QR code: `{public_url}/signin/card/{code}`.
    pub url: String,
    /// When the card stops working (UTC).
    pub expires_at: DateTime<Utc>,
}

/// Response of `POST /api/v1/classes/{id}/signin-cards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SignInCardSheet {
    /// Class title printed on the sheet.
    pub class_title: String,
    /// One card per active student of the class.
    pub cards: Vec<SignInCard>,
}
