//! Friends inside one school: follow, unfollow, block, the feed, and cheers on awards.
//! Another school's people and awards are 404, exactly like unknown ones.

use accolade_proto::{Cheers, FeedItem, Page, People, PersonRef};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::collections::require_student;
use crate::backpack;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;

/// A live student of the caller's school other than the caller (404 otherwise).
async fn schoolmate(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    id: Uuid,
) -> ApiResult<accolade_db::users::User> {
    if id == auth.id() {
        return Err(ApiError::field("id", "that is you"));
    }
    accolade_db::users::by_id(conn, auth.school_id(), id)
        .await?
        .filter(|u| u.active && u.deleted_at.is_none() && u.role == "student")
        .ok_or(ApiError::NotFound("student"))
}

async fn people(conn: &impl ConnectionTrait, school_id: Uuid, ids: Vec<Uuid>) -> ApiResult<People> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(u) = accolade_db::users::by_id(conn, school_id, id)
            .await?
            .filter(|u| u.deleted_at.is_none())
        {
            out.push(PersonRef {
                id: u.id,
                display_name: u.display_name,
            });
        }
    }
    Ok(People { people: out })
}

/// Follow a schoolmate (students). Following someone who blocked you, or whom you blocked, is
/// refused (403). Idempotent.
#[utoipa::path(post, path = "/api/v1/users/{id}/follow", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = accolade_proto::Problem), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn follow(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    require_student(&auth)?;
    let txn = state.db.begin_write().await?;
    let other = schoolmate(&*txn, &auth, id).await?;
    if accolade_db::social::blocked_either_way(&*txn, auth.school_id(), auth.id(), other.id).await?
    {
        return Err(ApiError::Forbidden("you cannot follow this student"));
    }
    accolade_db::social::follow(&*txn, auth.school_id(), auth.id(), other.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop following (students). Idempotent.
#[utoipa::path(delete, path = "/api/v1/users/{id}/follow", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn unfollow(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    require_student(&auth)?;
    let txn = state.db.begin_write().await?;
    let other = schoolmate(&*txn, &auth, id).await?;
    accolade_db::social::unfollow(&*txn, auth.school_id(), auth.id(), other.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block a schoolmate (students): removes their follow of you (and yours of them); they can no
/// longer follow you, see your shared collections or cheer your awards. Idempotent.
#[utoipa::path(post, path = "/api/v1/users/{id}/block", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn block(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    require_student(&auth)?;
    let txn = state.db.begin_write().await?;
    let other = schoolmate(&*txn, &auth, id).await?;
    accolade_db::social::block(&*txn, auth.school_id(), auth.id(), other.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift a block (students). Idempotent.
#[utoipa::path(delete, path = "/api/v1/users/{id}/block", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn unblock(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    require_student(&auth)?;
    let txn = state.db.begin_write().await?;
    let other = schoolmate(&*txn, &auth, id).await?;
    accolade_db::social::unblock(&*txn, auth.school_id(), auth.id(), other.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The people I follow.
#[utoipa::path(get, path = "/api/v1/me/following", tag = "social",
    responses((status = 200, body = People)), security(("bearer" = [])))]
pub async fn following(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<People>> {
    let conn = state.db.conn();
    let ids = accolade_db::social::following(conn, auth.school_id(), auth.id()).await?;
    Ok(Json(people(conn, auth.school_id(), ids).await?))
}

/// The people following me.
#[utoipa::path(get, path = "/api/v1/me/followers", tag = "social",
    responses((status = 200, body = People)), security(("bearer" = [])))]
pub async fn followers(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<People>> {
    let conn = state.db.conn();
    let ids = accolade_db::social::followers(conn, auth.school_id(), auth.id()).await?;
    Ok(Json(people(conn, auth.school_id(), ids).await?))
}

/// The people I blocked.
#[utoipa::path(get, path = "/api/v1/me/blocks", tag = "social",
    responses((status = 200, body = People)), security(("bearer" = [])))]
pub async fn blocks(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<People>> {
    let conn = state.db.conn();
    let ids = accolade_db::social::blocked_by(conn, auth.school_id(), auth.id()).await?;
    Ok(Json(people(conn, auth.school_id(), ids).await?))
}

/// Feed page query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 30).
    pub limit: Option<u64>,
}

/// My feed: awards that the people I follow share with the school (in a `school` or `public`
/// collection), newest first, with cheer counts.
#[utoipa::path(get, path = "/api/v1/me/feed", tag = "social", params(FeedQuery),
    responses((status = 200, body = Page<FeedItem>)), security(("bearer" = [])))]
pub async fn feed(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> ApiResult<Json<Page<FeedItem>>> {
    let limit = q.limit.unwrap_or(30).clamp(1, 100);
    let offset = super::decode_cursor(q.cursor.as_deref())?;
    let items = backpack::feed(
        state.db.conn(),
        state.config.base_url(),
        auth.school_id(),
        auth.id(),
        offset,
        limit + 1,
    )
    .await?;
    Ok(Json(super::page(items, offset, limit)))
}

async fn shared_award(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    id: Uuid,
) -> ApiResult<accolade_db::awards::Award> {
    let a = accolade_db::awards::by_id(conn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    if !backpack::award_shared_with(conn, auth.school_id(), auth.id(), &a).await? {
        return Err(ApiError::NotFound("award"));
    }
    Ok(a)
}

/// Cheer a schoolmate's award that they share with the school (students; one cheer per
/// person, so repeating it changes nothing). Cheering one's own award is refused (422).
#[utoipa::path(post, path = "/api/v1/awards/{id}/cheer", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 200, body = Cheers), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn cheer(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Cheers>> {
    require_student(&auth)?;
    let txn = state.db.begin_write().await?;
    let a = shared_award(&*txn, &auth, id).await?;
    if a.recipient_id == auth.id() {
        return Err(ApiError::field("id", "you cannot cheer your own award"));
    }
    accolade_db::social::cheer(&*txn, auth.school_id(), a.id, auth.id()).await?;
    let out = summary(&*txn, &auth, &a).await?;
    txn.commit().await?;
    Ok(Json(out))
}

/// Take a cheer back (students). Idempotent.
#[utoipa::path(delete, path = "/api/v1/awards/{id}/cheer", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 200, body = Cheers), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn uncheer(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Cheers>> {
    require_student(&auth)?;
    let txn = state.db.begin_write().await?;
    let a = shared_award(&*txn, &auth, id).await?;
    accolade_db::social::uncheer(&*txn, auth.school_id(), a.id, auth.id()).await?;
    let out = summary(&*txn, &auth, &a).await?;
    txn.commit().await?;
    Ok(Json(out))
}

async fn summary(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    a: &accolade_db::awards::Award,
) -> ApiResult<Cheers> {
    let cheers = accolade_db::social::cheers_of(conn, auth.school_id(), a.id).await?;
    let people = if a.recipient_id == auth.id() {
        Some(
            people(
                conn,
                auth.school_id(),
                cheers.iter().map(|c| c.user_id).collect(),
            )
            .await?
            .people,
        )
    } else {
        None
    };
    Ok(Cheers {
        count: cheers.len() as u64,
        cheered_by_me: cheers.iter().any(|c| c.user_id == auth.id()),
        people,
    })
}

/// Cheers on an award: the recipient sees who cheered; a schoolmate the award is shared with
/// sees only the count.
#[utoipa::path(get, path = "/api/v1/awards/{id}/cheers", tag = "social", params(("id" = Uuid, Path)),
    responses((status = 200, body = Cheers), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn cheers(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Cheers>> {
    let conn = state.db.conn();
    let a = shared_award(conn, &auth, id).await?;
    Ok(Json(summary(conn, &auth, &a).await?))
}
