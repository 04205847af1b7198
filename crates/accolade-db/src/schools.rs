//! The school aggregate (the tenant).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::entities::schools;

pub use schools::Model as School;

/// Fields of a new school.
#[derive(Debug, Clone)]
pub struct NewSchool {
    /// URL slug, already validated (`[a-z0-9-]{2,40}`).
    pub slug: String,
    /// Display name.
    pub name: String,
    /// IANA time zone, already validated.
    pub timezone: String,
    /// OneRoster org `sourcedId`, if created from a roster.
    pub sourced_id: Option<String>,
}

/// Inserts a school with default settings (allowance 5, public sharing off).
///
/// Errors: a unique violation when the slug is taken.
pub async fn create(conn: &impl ConnectionTrait, new: NewSchool) -> Result<School, DbErr> {
    let now = crate::now();
    schools::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(new.slug),
        name: Set(new.name),
        timezone: Set(new.timezone),
        weekly_nomination_allowance: Set(5),
        allow_public_sharing: Set(false),
        email_sender: Set(None),
        sourced_id: Set(new.sourced_id),
        public_sharing_min_grade: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
}

/// Looks a school up by slug.
pub async fn by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<Option<School>, DbErr> {
    schools::Entity::find()
        .filter(schools::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// Looks a school up by id.
pub async fn by_id(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<School>, DbErr> {
    schools::Entity::find_by_id(id).one(conn).await
}

/// Saves changed settings (`updated_at` is set here).
pub async fn save(conn: &impl ConnectionTrait, school: School) -> Result<School, DbErr> {
    let mut am: schools::ActiveModel = school.into();
    am = am.reset_all();
    am.updated_at = Set(crate::now());
    am.update(conn).await
}
