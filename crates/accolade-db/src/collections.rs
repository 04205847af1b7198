//! The collection aggregate: a student's ordered groups of awards with a comment per award,
//! the slug history that keeps renamed addresses working (301), and deduplicated page views.
//!
//! Every function that reads or changes a collection takes the owner's `school_id`.

use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::{collection_items, collection_slugs, collections, page_views};

pub use collection_items::Model as Item;
pub use collections::Model as Collection;

/// Fields of a new collection, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewCollection {
    /// Tenant (the owner's school).
    pub school_id: Uuid,
    /// The student who owns it.
    pub owner_id: Uuid,
    /// Title, 1–120 characters.
    pub title: String,
    /// Optional subtitle, up to 280 characters.
    pub subtitle: Option<String>,
    /// URL slug, unique per owner.
    pub slug: String,
    /// `private`, `school` or `public`.
    pub visibility: String,
}

/// Inserts a collection. Errors: unique violation when the owner already has `slug`.
pub async fn create(conn: &impl ConnectionTrait, new: NewCollection) -> Result<Collection, DbErr> {
    let now = crate::now();
    // A slug that used to point at another of the owner's collections now belongs to this one.
    release_old_slug(conn, new.owner_id, &new.slug).await?;
    collections::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(new.school_id),
        owner_id: Set(new.owner_id),
        title: Set(new.title),
        subtitle: Set(new.subtitle),
        slug: Set(new.slug),
        visibility: Set(new.visibility),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
}

/// A collection of `school_id` by id.
pub async fn by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<Collection>, DbErr> {
    collections::Entity::find_by_id(id)
        .filter(collections::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// The owner's collection whose current slug is `slug` (exact, lower-case).
pub async fn by_slug(
    conn: &impl ConnectionTrait,
    owner_id: Uuid,
    slug: &str,
) -> Result<Option<Collection>, DbErr> {
    collections::Entity::find()
        .filter(collections::Column::OwnerId.eq(owner_id))
        .filter(collections::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// The owner's collection that used to be at `slug` before a rename (for a 301).
pub async fn by_old_slug(
    conn: &impl ConnectionTrait,
    owner_id: Uuid,
    slug: &str,
) -> Result<Option<Collection>, DbErr> {
    let Some(old) = collection_slugs::Entity::find()
        .filter(collection_slugs::Column::OwnerId.eq(owner_id))
        .filter(collection_slugs::Column::Slug.eq(slug))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    collections::Entity::find_by_id(old.collection_id)
        .one(conn)
        .await
}

/// True when `slug` is the current slug of one of the owner's collections (other than
/// `except`).
pub async fn slug_taken(
    conn: &impl ConnectionTrait,
    owner_id: Uuid,
    slug: &str,
    except: Option<Uuid>,
) -> Result<bool, DbErr> {
    let mut q = collections::Entity::find()
        .filter(collections::Column::OwnerId.eq(owner_id))
        .filter(collections::Column::Slug.eq(slug));
    if let Some(id) = except {
        q = q.filter(collections::Column::Id.ne(id));
    }
    Ok(q.count(conn).await? > 0)
}

/// A user's collections, oldest first; `visibilities` (if given) limits which.
pub async fn of_owner(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    owner_id: Uuid,
    visibilities: Option<&[&str]>,
) -> Result<Vec<Collection>, DbErr> {
    let mut q = collections::Entity::find()
        .filter(collections::Column::SchoolId.eq(school_id))
        .filter(collections::Column::OwnerId.eq(owner_id));
    if let Some(v) = visibilities {
        q = q.filter(collections::Column::Visibility.is_in(v.iter().copied()));
    }
    q.order_by_asc(collections::Column::CreatedAt)
        .order_by_asc(collections::Column::Id)
        .all(conn)
        .await
}

/// Saves title, subtitle, slug and visibility; when the slug changes, the old one is kept in
/// the history (so it answers 301) and the new one leaves the history.
pub async fn save(
    conn: &impl ConnectionTrait,
    before: &Collection,
    after: Collection,
) -> Result<Collection, DbErr> {
    if before.slug != after.slug {
        release_old_slug(conn, after.owner_id, &after.slug).await?;
        collection_slugs::ActiveModel {
            id: Set(Uuid::now_v7()),
            collection_id: Set(before.id),
            owner_id: Set(before.owner_id),
            slug: Set(before.slug.clone()),
            created_at: Set(crate::now()),
        }
        .insert(conn)
        .await?;
    }
    let mut am: collections::ActiveModel = after.into();
    am = am.reset_all();
    am.updated_at = Set(crate::now());
    am.update(conn).await
}

async fn release_old_slug(
    conn: &impl ConnectionTrait,
    owner_id: Uuid,
    slug: &str,
) -> Result<(), DbErr> {
    collection_slugs::Entity::delete_many()
        .filter(collection_slugs::Column::OwnerId.eq(owner_id))
        .filter(collection_slugs::Column::Slug.eq(slug))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes a collection with its items and slug history.
pub async fn delete(conn: &impl ConnectionTrait, school_id: Uuid, id: Uuid) -> Result<bool, DbErr> {
    // Children first: SQLite only cascades when foreign keys are on, and this keeps the order
    // explicit on both engines.
    collection_items::Entity::delete_many()
        .filter(collection_items::Column::CollectionId.eq(id))
        .exec(conn)
        .await?;
    collection_slugs::Entity::delete_many()
        .filter(collection_slugs::Column::CollectionId.eq(id))
        .exec(conn)
        .await?;
    let res = collections::Entity::delete_many()
        .filter(collections::Column::Id.eq(id))
        .filter(collections::Column::SchoolId.eq(school_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes every collection of a user (account deletion); returns how many.
pub async fn delete_all_of(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    owner_id: Uuid,
) -> Result<u64, DbErr> {
    let all = of_owner(conn, school_id, owner_id, None).await?;
    for c in &all {
        delete(conn, school_id, c.id).await?;
    }
    page_views::Entity::delete_many()
        .filter(page_views::Column::OwnerId.eq(owner_id))
        .exec(conn)
        .await?;
    Ok(all.len() as u64)
}

/// Items of a collection in display order.
pub async fn items(conn: &impl ConnectionTrait, collection_id: Uuid) -> Result<Vec<Item>, DbErr> {
    collection_items::Entity::find()
        .filter(collection_items::Column::CollectionId.eq(collection_id))
        .order_by_asc(collection_items::Column::Position)
        .order_by_asc(collection_items::Column::Id)
        .all(conn)
        .await
}

/// Replaces the items of a collection with `items` (award id, comment) in this order.
pub async fn set_items(
    conn: &impl ConnectionTrait,
    collection_id: Uuid,
    items: &[(Uuid, Option<String>)],
) -> Result<(), DbErr> {
    collection_items::Entity::delete_many()
        .filter(collection_items::Column::CollectionId.eq(collection_id))
        .exec(conn)
        .await?;
    let now = crate::now();
    for (i, (award_id, comment)) in items.iter().enumerate() {
        collection_items::ActiveModel {
            id: Set(Uuid::now_v7()),
            collection_id: Set(collection_id),
            award_id: Set(*award_id),
            position: Set(i as i32),
            comment: Set(comment.clone()),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    touch(conn, collection_id).await
}

/// Marks a collection as changed now.
pub async fn touch(conn: &impl ConnectionTrait, collection_id: Uuid) -> Result<(), DbErr> {
    collections::Entity::update_many()
        .col_expr(collections::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(collections::Column::Id.eq(collection_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ids of the awards that sit in at least one of the owner's collections with one of
/// `visibilities` (e.g. `["school", "public"]`: what the school may see).
pub async fn shared_award_ids(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    owner_ids: &[Uuid],
    visibilities: &[&str],
) -> Result<Vec<Uuid>, DbErr> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let cols = collections::Entity::find()
        .filter(collections::Column::SchoolId.eq(school_id))
        .filter(collections::Column::OwnerId.is_in(owner_ids.iter().copied()))
        .filter(collections::Column::Visibility.is_in(visibilities.iter().copied()))
        .all(conn)
        .await?;
    if cols.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<Uuid> = collection_items::Entity::find()
        .filter(collection_items::Column::CollectionId.is_in(cols.iter().map(|c| c.id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| i.award_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Records one view of `page` (e.g. `collection:{id}`) by the visitor whose keyed, per-day
/// hash is `visitor_hash`; a second view by the same visitor on the same `day` (`YYYY-MM-DD`)
/// is not counted. Returns true when counted.
pub async fn record_view(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    owner_id: Uuid,
    page: &str,
    day: &str,
    visitor_hash: &str,
) -> Result<bool, DbErr> {
    let am = page_views::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        owner_id: Set(owner_id),
        page: Set(page.to_owned()),
        day: Set(day.to_owned()),
        visitor_hash: Set(visitor_hash.to_owned()),
        created_at: Set(crate::now()),
    };
    // ON CONFLICT DO NOTHING: a repeat visit (or two first visits racing) is not an error and
    // does not abort a PostgreSQL transaction.
    let n = page_views::Entity::insert(am)
        .on_conflict(
            OnConflict::columns([
                page_views::Column::Page,
                page_views::Column::Day,
                page_views::Column::VisitorHash,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(n == 1)
}

/// Number of counted views of `page`.
pub async fn view_count(conn: &impl ConnectionTrait, page: &str) -> Result<u64, DbErr> {
    page_views::Entity::find()
        .filter(page_views::Column::Page.eq(page))
        .count(conn)
        .await
}
