//! People and classes: `/api/v1/me`, `/api/v1/users`, `/api/v1/classes`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user's role inside their school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A pupil: nominates classmates, claims and keeps badges.
    Student,
    /// Teaches classes: moderates nominations, awards badges.
    Teacher,
    /// Runs the school: rosters, settings, audit log.
    Admin,
}

impl Role {
    /// Wire/database form: `"student"`, `"teacher"` or `"admin"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Teacher => "teacher",
            Role::Admin => "admin",
        }
    }

    /// Parses the wire/database form; `None` for anything else.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "student" => Some(Role::Student),
            "teacher" => Some(Role::Teacher),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// True for teachers and admins (staff may see class rosters).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Teacher | Role::Admin)
    }
}

/// The signed-in user (`GET /api/v1/me`), including private fields only they may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// User id.
    pub id: Uuid,
    /// School id (the tenant).
    pub school_id: Uuid,
    /// School slug, e.g. `"northfield"`.
    pub school_slug: String,
    /// Role in the school.
    pub role: Role,
    /// Name shown to others (public pages show only this).
    pub display_name: String,
    /// Handle for public URLs (`/@{handle}`), globally unique, `[a-z0-9-]{3,30}`.
    pub handle: String,
    /// E-mail, if the user has one (many under-13 students do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether e-mail notifications are on.
    pub email_notifications: bool,
    /// How often the digest of pending nominations is e-mailed (staff only; default `daily`).
    #[serde(default)]
    pub email_digest: EmailDigest,
}

/// How often a teacher or admin gets the e-mail digest of nominations waiting for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailDigest {
    /// Every day at the school's digest hour (the default).
    #[default]
    Daily,
    /// On Mondays at the school's digest hour.
    Weekly,
    /// Never.
    Off,
}

impl EmailDigest {
    /// Wire/database form: `"daily"`, `"weekly"` or `"off"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailDigest::Daily => "daily",
            EmailDigest::Weekly => "weekly",
            EmailDigest::Off => "off",
        }
    }

    /// Parses the wire/database form; `None` for anything else.
    pub fn parse(s: &str) -> Option<EmailDigest> {
        match s {
            "daily" => Some(EmailDigest::Daily),
            "weekly" => Some(EmailDigest::Weekly),
            "off" => Some(EmailDigest::Off),
            _ => None,
        }
    }
}

/// A user as seen by staff of the same school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// User id.
    pub id: Uuid,
    /// Role in the school.
    pub role: Role,
    /// Name shown to others.
    pub display_name: String,
    /// Given name from the roster (staff only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name from the roster (staff only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Handle for public URLs.
    pub handle: String,
    /// E-mail, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Year group / grade from the roster (e.g. `"07"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// False once deactivated (e.g. OneRoster `tobedeleted`); inactive users cannot sign in.
    pub active: bool,
    /// Whether a password is set (otherwise the user signs in with sign-in cards).
    pub has_password: bool,
}

/// A student as seen by a classmate: display name and handle only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Classmate {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Role within the class (`student` or `teacher`).
    pub role: Role,
}

/// `POST /api/v1/users` (admin) body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    /// Role of the new user.
    pub role: Role,
    /// Display name, 1–100 characters, no control characters.
    pub display_name: String,
    /// Optional e-mail (lower-cased by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Optional handle; generated from the display name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Optional initial password (8–1024 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /api/v1/users/{id}` (admin) body; absent fields are unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Activate or deactivate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// New password (8–1024 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /api/v1/me` body; absent fields are unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateMeRequest {
    /// New display name, 1–100 characters, no control characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New handle, `[a-z0-9-]{3,30}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Turn e-mail notifications on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_notifications: Option<bool>,
    /// How often to get the digest of pending nominations (`daily`, `weekly` or `off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_digest: Option<EmailDigest>,
}

/// `POST /api/v1/me/password` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    /// Current password; may be absent only if none is set yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
    /// New password, 8–1024 bytes.
    pub new_password: String,
}

/// A class (homeroom or subject class).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Class {
    /// Class id.
    pub id: Uuid,
    /// Title, e.g. `"Y9 GCSE Computing"`.
    pub title: String,
    /// Short code, e.g. `"9C"`, if the roster has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_code: Option<String>,
    /// Number of students enrolled.
    pub student_count: u64,
    /// Number of teachers enrolled.
    pub teacher_count: u64,
}

/// `POST /api/v1/classes` (admin) body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateClassRequest {
    /// Title, 1–200 characters.
    pub title: String,
    /// Optional short code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_code: Option<String>,
}

/// `PUT /api/v1/classes/{id}/members/{user_id}` (admin) body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AddMemberRequest {
    /// `student` or `teacher`.
    pub role: Role,
}

/// An audit log entry (`GET /api/v1/audit`, admins only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Entry id.
    pub id: Uuid,
    /// Who acted (absent for system and CLI actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// Action name, e.g. `"user.update"`, `"roster.import"`.
    pub action: String,
    /// Kind of the target, e.g. `"user"`.
    pub target_type: String,
    /// Target id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// State before the action, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// State after the action, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    /// When it happened (UTC).
    pub created_at: DateTime<Utc>,
}

/// A page of results with an opaque continuation cursor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `?cursor=` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
