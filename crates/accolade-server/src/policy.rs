//! Authorisation policy: the one place that decides who may do what.
//!
//! Handlers call these functions right after extracting [`AuthUser`]; tenancy is enforced both
//! here (school ids must match) and in every query (all lookups take the caller's school id).

use accolade_db::classes::Class;
use accolade_proto::Role;
use sea_orm::ConnectionTrait;

use crate::error::ApiError;
use crate::extract::AuthUser;

/// Teachers and admins only (403 otherwise).
pub fn require_staff(auth: &AuthUser) -> Result<(), ApiError> {
    if auth.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("staff only"))
    }
}

/// Admins only (403 otherwise).
pub fn require_admin(auth: &AuthUser) -> Result<(), ApiError> {
    if auth.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("admins only"))
    }
}

/// May the caller see this class and its member list? Staff of the school: yes; students: only
/// classes they are enrolled in. The class must already be loaded scoped to the caller's school.
pub async fn can_view_class(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    class: &Class,
) -> Result<bool, ApiError> {
    if class.school_id != auth.school_id() {
        return Ok(false);
    }
    if auth.role.is_staff() {
        return Ok(true);
    }
    Ok(accolade_db::classes::enrollment(conn, class.id, auth.id())
        .await?
        .is_some())
}

/// May the caller manage this class (print sign-in cards, later moderate)? Admins, and
/// teachers enrolled as a teacher of the class.
pub async fn can_manage_class(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    class: &Class,
) -> Result<bool, ApiError> {
    if class.school_id != auth.school_id() {
        return Ok(false);
    }
    match auth.role {
        Role::Admin => Ok(true),
        Role::Teacher => Ok(accolade_db::classes::enrollment(conn, class.id, auth.id())
            .await?
            .is_some_and(|e| e.role == "teacher")),
        Role::Student => Ok(false),
    }
}

/// May the caller change this badge class? Its creator, and admins.
pub fn can_edit_badge_class(auth: &AuthUser, class: &accolade_db::badges::BadgeClass) -> bool {
    class.school_id == auth.school_id()
        && (auth.role == Role::Admin
            || (auth.role == Role::Teacher && class.created_by == Some(auth.id())))
}

/// May the caller moderate nominations made in class `class_id`? Admins, and the class's
/// teachers.
pub async fn can_moderate(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    class_id: uuid::Uuid,
) -> Result<bool, ApiError> {
    match auth.role {
        Role::Admin => Ok(true),
        Role::Teacher => Ok(accolade_db::classes::enrollment(conn, class_id, auth.id())
            .await?
            .is_some_and(|e| e.role == "teacher")),
        Role::Student => Ok(false),
    }
}
