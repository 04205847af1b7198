//! The user aggregate: people of one school and their credentials.
//!
//! Every lookup except [`by_handle`] and [`by_email_any_school`] (used only to sign in, before a
//! school is known) is scoped by `school_id`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::entities::{enrollments, users};

pub use users::Model as User;

/// Fields of a new user; all already validated and normalised by the caller.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Tenant.
    pub school_id: Uuid,
    /// `student`, `teacher` or `admin`.
    pub role: String,
    /// Name shown to others.
    pub display_name: String,
    /// Roster given name.
    pub given_name: Option<String>,
    /// Roster family name.
    pub family_name: Option<String>,
    /// Lower-cased e-mail.
    pub email: Option<String>,
    /// Globally unique handle.
    pub handle: String,
    /// Grade / year group.
    pub grade: Option<String>,
    /// OneRoster `sourcedId`.
    pub sourced_id: Option<String>,
    /// PHC-format argon2id hash.
    pub password_hash: Option<String>,
}

/// Inserts a user. Errors: unique violation on handle, e-mail (per school) or sourcedId.
pub async fn create(conn: &impl ConnectionTrait, new: NewUser) -> Result<User, DbErr> {
    let now = crate::now();
    users::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(new.school_id),
        sourced_id: Set(new.sourced_id),
        role: Set(new.role),
        display_name: Set(new.display_name),
        given_name: Set(new.given_name),
        family_name: Set(new.family_name),
        email: Set(new.email),
        handle: Set(new.handle),
        grade: Set(new.grade),
        password_hash: Set(new.password_hash),
        active: Set(true),
        email_notifications: Set(true),
        email_digest: Set("daily".to_owned()),
        last_digest_at: Set(None),
        public_sharing: Set("default".to_owned()),
        show_name_publicly: Set(false),
        allow_indexing: Set(false),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
}

/// A user of `school_id` by id.
pub async fn by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<User>, DbErr> {
    users::Entity::find_by_id(id)
        .filter(users::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// A user by id regardless of school; only for token validation, where the school id from the
/// token is compared afterwards.
pub async fn by_id_unscoped(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<User>, DbErr> {
    users::Entity::find_by_id(id).one(conn).await
}

/// A user by handle (handles are globally unique). Sign-in only.
pub async fn by_handle(conn: &impl ConnectionTrait, handle: &str) -> Result<Option<User>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Handle.eq(handle))
        .one(conn)
        .await
}

/// Users in any school with this (lower-cased) e-mail. Sign-in only.
pub async fn by_email_any_school(
    conn: &impl ConnectionTrait,
    email: &str,
) -> Result<Vec<User>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .all(conn)
        .await
}

/// A user of `school_id` by lower-cased e-mail.
pub async fn by_email(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    email: &str,
) -> Result<Option<User>, DbErr> {
    users::Entity::find()
        .filter(users::Column::SchoolId.eq(school_id))
        .filter(users::Column::Email.eq(email))
        .one(conn)
        .await
}

/// All users of a school keyed by OneRoster `sourcedId` (for imports).
pub async fn all_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
) -> Result<Vec<User>, DbErr> {
    users::Entity::find()
        .filter(users::Column::SchoolId.eq(school_id))
        .all(conn)
        .await
}

/// Ids of a school's active admins.
pub async fn admin_ids(conn: &impl ConnectionTrait, school_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::SchoolId.eq(school_id))
        .filter(users::Column::Role.eq("admin"))
        .filter(users::Column::Active.eq(true))
        .into_tuple()
        .all(conn)
        .await
}

/// True when any user already has `handle`.
pub async fn handle_taken(conn: &impl ConnectionTrait, handle: &str) -> Result<bool, DbErr> {
    Ok(users::Entity::find()
        .filter(users::Column::Handle.eq(handle))
        .count(conn)
        .await?
        > 0)
}

/// Filter for [`list`].
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<String>,
    /// Only members of this class (already checked to be in the school).
    pub class_id: Option<Uuid>,
    /// Case-insensitive substring of display name, handle or e-mail.
    pub query: Option<String>,
    /// Include deactivated users.
    pub include_inactive: bool,
}

/// Users of a school ordered by display name, then id; `offset`/`limit` paginate.
pub async fn list(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    filter: &UserFilter,
    offset: u64,
    limit: u64,
) -> Result<Vec<User>, DbErr> {
    // Deleted (anonymised) accounts are never listed.
    let mut q = users::Entity::find()
        .filter(users::Column::SchoolId.eq(school_id))
        .filter(users::Column::DeletedAt.is_null());
    if let Some(role) = &filter.role {
        q = q.filter(users::Column::Role.eq(role.as_str()));
    }
    if !filter.include_inactive {
        q = q.filter(users::Column::Active.eq(true));
    }
    if let Some(class_id) = filter.class_id {
        let member_ids = enrollments::Entity::find()
            .select_only()
            .column(enrollments::Column::UserId)
            .filter(enrollments::Column::ClassId.eq(class_id))
            .filter(enrollments::Column::SchoolId.eq(school_id))
            .into_query();
        q = q.filter(users::Column::Id.in_subquery(member_ids));
    }
    if let Some(text) = &filter.query {
        // LIKE wildcards in user text are escaped by binding the pattern as a parameter and
        // stripping them; sea-query escapes the value itself.
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, '%' | '_' | '\\'))
            .collect();
        let pattern = format!("%{}%", cleaned.to_lowercase());
        q = q.filter(
            Condition::any()
                .add(
                    sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                        sea_orm::sea_query::Expr::col(users::Column::DisplayName),
                    ))
                    .like(pattern.clone()),
                )
                .add(users::Column::Handle.like(pattern.clone()))
                .add(users::Column::Email.like(pattern)),
        );
    }
    q.order_by_asc(users::Column::DisplayName)
        .order_by_asc(users::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// Saves every field of `user` (sets `updated_at`).
pub async fn save(conn: &impl ConnectionTrait, user: User) -> Result<User, DbErr> {
    let mut am: users::ActiveModel = user.into();
    am = am.reset_all();
    am.updated_at = Set(crate::now());
    am.update(conn).await
}

/// Locks a user row until the end of the transaction on PostgreSQL (`SELECT … FOR UPDATE`), to
/// serialise per-user counters such as the nomination allowance; a plain read on SQLite, where
/// the writer gate already serialises writers.
pub async fn lock(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<User>, DbErr> {
    let q = users::Entity::find_by_id(id);
    match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => q.lock_exclusive().one(conn).await,
        _ => q.one(conn).await,
    }
}
