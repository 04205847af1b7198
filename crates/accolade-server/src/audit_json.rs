//! Audit-log snapshots of rows: only fields worth auditing, never secrets (no password hashes).

use accolade_db::schools::School;
use accolade_db::users::User;
use serde_json::{json, Value};

/// Snapshot of a user.
pub fn user(u: &User) -> Value {
    json!({
        "id": u.id,
        "role": u.role,
        "display_name": u.display_name,
        "handle": u.handle,
        "email": u.email,
        "active": u.active,
        "has_password": u.password_hash.is_some(),
    })
}

/// Snapshot of school settings.
pub fn school(s: &School) -> Value {
    json!({
        "name": s.name,
        "timezone": s.timezone,
        "weekly_nomination_allowance": s.weekly_nomination_allowance,
        "allow_public_sharing": s.allow_public_sharing,
        "email_sender": s.email_sender,
    })
}
