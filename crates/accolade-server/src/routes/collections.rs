//! `/api/v1/collections`: a student's collections of awards (create, rename, reorder, comment,
//! visibility, delete), and the read-only public JSON views under `/api/v1/public/users/…`.

use std::collections::HashSet;

use accolade_proto::{
    Collection, CollectionItemInput, CreateCollectionRequest, PublicCollection, PublicProfile,
    SetItemsRequest, UpdateCollectionRequest, Visibility,
};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::backpack::{self, Lookup, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, AuthUser, ClientIp};
use crate::state::AppState;
use crate::validate;

/// Students only (403 otherwise): collections, follows and cheers are theirs.
pub fn require_student(auth: &AuthUser) -> ApiResult<()> {
    if auth.role == accolade_proto::Role::Student {
        Ok(())
    } else {
        Err(ApiError::Forbidden("students only"))
    }
}

fn comment(value: Option<&str>) -> ApiResult<Option<String>> {
    value
        .filter(|s| !s.trim().is_empty())
        .map(|c| validate::long_text("comment", c, backpack::MAX_COMMENT))
        .transpose()
}

async fn check_visibility(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    v: Visibility,
) -> ApiResult<()> {
    if v != Visibility::Public {
        return Ok(());
    }
    let school = accolade_db::schools::by_id(conn, auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    if backpack::public_allowed(&school, &auth.user) {
        Ok(())
    } else {
        Err(ApiError::PublicSharingNotAllowed(
            "your school does not allow you to make collections public; choose `school` or `private`",
        ))
    }
}

/// Loads the caller's own collection (404 for anyone else's, whatever its visibility).
async fn own(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    id: Uuid,
) -> ApiResult<accolade_db::collections::Collection> {
    accolade_db::collections::by_id(conn, auth.school_id(), id)
        .await?
        .filter(|c| c.owner_id == auth.id())
        .ok_or(ApiError::NotFound("collection"))
}

/// The caller's collections, oldest first, with their items and view counts.
#[utoipa::path(get, path = "/api/v1/collections", tag = "backpack",
    responses((status = 200, body = Vec<Collection>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<Vec<Collection>>> {
    let conn = state.db.conn();
    let mut out = Vec::new();
    for c in accolade_db::collections::of_owner(conn, auth.school_id(), auth.id(), None).await? {
        out.push(
            backpack::collection_view(conn, state.config.base_url(), &c, &auth.user, true).await?,
        );
    }
    Ok(Json(out))
}

/// Create a collection (students). The slug is derived from the title (lower-case, accents
/// folded, URL-safe) and made unique among the student's collections with `-2`, `-3`, ….
///
/// Errors: 422 `invalid_input`; 403 `public_sharing_not_allowed` for `public` when the school's
/// policy forbids it for this student.
#[utoipa::path(post, path = "/api/v1/collections", tag = "backpack",
    request_body = CreateCollectionRequest,
    responses((status = 201, body = Collection), (status = 403, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<CreateCollectionRequest>,
) -> ApiResult<Response> {
    require_student(&auth)?;
    let title = validate::text("title", &req.title, 120)?;
    let subtitle = req
        .subtitle
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| validate::text("subtitle", s, 280))
        .transpose()?;
    let txn = state.db.begin_write().await?;
    check_visibility(&*txn, &auth, req.visibility).await?;
    if accolade_db::collections::of_owner(&*txn, auth.school_id(), auth.id(), None)
        .await?
        .len()
        >= 200
    {
        return Err(ApiError::Conflict("at most 200 collections".into()));
    }
    let slug = backpack::unique_slug(&*txn, auth.id(), &backpack::slugify(&title), None).await?;
    let c = accolade_db::collections::create(
        &*txn,
        accolade_db::collections::NewCollection {
            school_id: auth.school_id(),
            owner_id: auth.id(),
            title,
            subtitle,
            slug,
            visibility: req.visibility.as_str().to_owned(),
        },
    )
    .await?;
    let view =
        backpack::collection_view(&*txn, state.config.base_url(), &c, &auth.user, true).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// One collection: its owner (with the view count), or a member of the school when it is
/// shared with the school or public. Private collections are 404 to everyone else, staff
/// included.
#[utoipa::path(get, path = "/api/v1/collections/{id}", tag = "backpack", params(("id" = Uuid, Path)),
    responses((status = 200, body = Collection), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Collection>> {
    let conn = state.db.conn();
    let c = accolade_db::collections::by_id(conn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("collection"))?;
    let is_owner = c.owner_id == auth.id();
    if !is_owner && c.visibility == Visibility::Private.as_str() {
        return Err(ApiError::NotFound("collection"));
    }
    let owner = accolade_db::users::by_id(conn, auth.school_id(), c.owner_id)
        .await?
        .ok_or(ApiError::NotFound("collection"))?;
    if !is_owner
        && accolade_db::social::blocked_either_way(conn, auth.school_id(), auth.id(), owner.id)
            .await?
    {
        return Err(ApiError::NotFound("collection"));
    }
    let mut view =
        backpack::collection_view(conn, state.config.base_url(), &c, &owner, is_owner).await?;
    if !is_owner {
        // Schoolmates see what the public page would: no hidden or revoked badges.
        view.items
            .retain(|i| !i.award.hidden && i.award.status == accolade_proto::AwardStatus::Valid);
    }
    Ok(Json(view))
}

/// Rename, change the subtitle or the visibility (the owner). A new title derives a new slug;
/// the old address keeps answering with a 301 to the new one. Making a collection `private`
/// takes its public address down at once (404).
///
/// Errors: 403 `public_sharing_not_allowed`; 404; 422.
#[utoipa::path(patch, path = "/api/v1/collections/{id}", tag = "backpack", params(("id" = Uuid, Path)),
    request_body = UpdateCollectionRequest,
    responses((status = 200, body = Collection), (status = 403, body = accolade_proto::Problem),
              (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateCollectionRequest>,
) -> ApiResult<Json<Collection>> {
    let title = req
        .title
        .as_deref()
        .map(|t| validate::text("title", t, 120))
        .transpose()?;
    let subtitle = req
        .subtitle
        .as_deref()
        .map(|s| {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                validate::text("subtitle", s, 280).map(Some)
            }
        })
        .transpose()?;
    let txn = state.db.begin_write().await?;
    let before = own(&*txn, &auth, id).await?;
    let mut after = before.clone();
    if let Some(v) = req.visibility {
        if v.as_str() != before.visibility {
            check_visibility(&*txn, &auth, v).await?;
        }
        after.visibility = v.as_str().to_owned();
    }
    if let Some(t) = title {
        if t != before.title {
            let base = backpack::slugify(&t);
            if base != before.slug {
                after.slug =
                    backpack::unique_slug(&*txn, auth.id(), &base, Some(before.id)).await?;
            }
            after.title = t;
        }
    }
    if let Some(s) = subtitle {
        after.subtitle = s;
    }
    let saved = accolade_db::collections::save(&*txn, &before, after).await?;
    let view =
        backpack::collection_view(&*txn, state.config.base_url(), &saved, &auth.user, true).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// Delete a collection (the owner); the awards themselves stay.
#[utoipa::path(delete, path = "/api/v1/collections/{id}", tag = "backpack", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let txn = state.db.begin_write().await?;
    let c = own(&*txn, &auth, id).await?;
    accolade_db::collections::delete(&*txn, auth.school_id(), c.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn validate_items(
    conn: &impl ConnectionTrait,
    auth: &AuthUser,
    items: &[CollectionItemInput],
) -> ApiResult<Vec<(Uuid, Option<String>)>> {
    if items.len() > backpack::MAX_ITEMS {
        return Err(ApiError::field(
            "items",
            format!("at most {} badges per collection", backpack::MAX_ITEMS),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.award_id) {
            return Err(ApiError::field(
                &format!("items[{i}].award_id"),
                "appears twice",
            ));
        }
        accolade_db::awards::by_id(conn, auth.school_id(), item.award_id)
            .await?
            .filter(|a| a.recipient_id == auth.id())
            .ok_or_else(|| {
                ApiError::field(&format!("items[{i}].award_id"), "is not one of your awards")
            })?;
        out.push((item.award_id, comment(item.comment.as_deref())?));
    }
    Ok(out)
}

/// Replace the items (the owner): the complete ordered list of the owner's own awards with a
/// comment each (≤ 280 characters). Adding, removing, reordering and editing comments are all
/// this one request.
///
/// Errors: 404; 422 (`items[i].award_id` not one of yours or twice, more than 100 items).
#[utoipa::path(put, path = "/api/v1/collections/{id}/items", tag = "backpack", params(("id" = Uuid, Path)),
    request_body = SetItemsRequest,
    responses((status = 200, body = Collection), (status = 404, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn set_items(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SetItemsRequest>,
) -> ApiResult<Json<Collection>> {
    let txn = state.db.begin_write().await?;
    let c = own(&*txn, &auth, id).await?;
    let items = validate_items(&*txn, &auth, &req.items).await?;
    accolade_db::collections::set_items(&*txn, c.id, &items).await?;
    let view =
        backpack::collection_view(&*txn, state.config.base_url(), &c, &auth.user, true).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// Append one award (the owner), or update its comment if it is already in the collection.
#[utoipa::path(post, path = "/api/v1/collections/{id}/items", tag = "backpack", params(("id" = Uuid, Path)),
    request_body = CollectionItemInput,
    responses((status = 200, body = Collection), (status = 404, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn add_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CollectionItemInput>,
) -> ApiResult<Json<Collection>> {
    let txn = state.db.begin_write().await?;
    let c = own(&*txn, &auth, id).await?;
    let mut items: Vec<CollectionItemInput> = accolade_db::collections::items(&*txn, c.id)
        .await?
        .into_iter()
        .map(|i| CollectionItemInput {
            award_id: i.award_id,
            comment: i.comment,
        })
        .collect();
    match items.iter_mut().find(|i| i.award_id == req.award_id) {
        Some(existing) => existing.comment = req.comment,
        None => items.push(req),
    }
    let items = validate_items(&*txn, &auth, &items).await?;
    accolade_db::collections::set_items(&*txn, c.id, &items).await?;
    let view =
        backpack::collection_view(&*txn, state.config.base_url(), &c, &auth.user, true).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// Remove one award from a collection (the owner).
#[utoipa::path(delete, path = "/api/v1/collections/{id}/items/{award_id}", tag = "backpack",
    params(("id" = Uuid, Path), ("award_id" = Uuid, Path)),
    responses((status = 200, body = Collection), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn remove_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, award_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Collection>> {
    let txn = state.db.begin_write().await?;
    let c = own(&*txn, &auth, id).await?;
    let before = accolade_db::collections::items(&*txn, c.id).await?;
    if !before.iter().any(|i| i.award_id == award_id) {
        return Err(ApiError::NotFound("item"));
    }
    let items: Vec<(Uuid, Option<String>)> = before
        .into_iter()
        .filter(|i| i.award_id != award_id)
        .map(|i| (i.award_id, i.comment))
        .collect();
    accolade_db::collections::set_items(&*txn, c.id, &items).await?;
    let view =
        backpack::collection_view(&*txn, state.config.base_url(), &c, &auth.user, true).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// The optional signed-in viewer of a public read (a bad token is simply anonymous).
async fn viewer(state: &AppState, headers: &HeaderMap) -> Viewer {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(t) => match crate::extract::authenticate(state, t.trim()).await {
            Ok(u) => Viewer {
                user_id: Some(u.id()),
                school_id: Some(u.school_id()),
            },
            Err(_) => Viewer::default(),
        },
        None => Viewer::default(),
    }
}

fn moved_to_api(path: &str) -> Response {
    // `/@handle` or `/@handle/slug` → the same resource under /api/v1/public.
    let rest = path.trim_start_matches("/@");
    let target = match rest.split_once('/') {
        Some((h, s)) => format!("/api/v1/public/users/{h}/collections/{s}"),
        None => format!("/api/v1/public/users/{rest}"),
    };
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, target)]).into_response()
}

fn robots(mut res: Response, indexable: bool) -> Response {
    if !indexable {
        res.headers_mut().insert(
            "x-robots-tag",
            axum::http::HeaderValue::from_static("noindex"),
        );
    }
    res
}

/// A student's public profile as JSON: display name (only if they chose to show it) and the
/// collections the caller may see (public ones; `school` ones too for a signed-in schoolmate).
/// Another letter case of the handle answers 301. `X-Robots-Tag: noindex` unless the student
/// allowed indexing.
#[utoipa::path(get, path = "/api/v1/public/users/{handle}", tag = "backpack",
    params(("handle" = String, Path)),
    responses((status = 200, body = PublicProfile), (status = 301, description = "to the canonical address"),
              (status = 404, body = accolade_proto::Problem)))]
pub async fn public_profile(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(handle): ApiPath<String>,
) -> ApiResult<Response> {
    let v = viewer(&state, &headers).await;
    match backpack::public_profile(state.db.conn(), &handle, v).await? {
        Lookup::Found(p) => {
            let indexable = p.indexable;
            Ok(robots(Json(p).into_response(), indexable))
        }
        Lookup::Moved(path) => Ok(moved_to_api(&path)),
        Lookup::NotFound => Err(ApiError::NotFound("profile")),
    }
}

/// A collection at its public address, as JSON. Private collections, and `school` ones to
/// anyone not signed in to that school, are 404 — the moment they are made private. Another
/// letter case, or a slug from before a rename, answers 301 to the canonical address. Each
/// read counts as a view (not the owner's, not crawlers', once per visitor per day).
#[utoipa::path(get, path = "/api/v1/public/users/{handle}/collections/{slug}", tag = "backpack",
    params(("handle" = String, Path), ("slug" = String, Path)),
    responses((status = 200, body = PublicCollection), (status = 301, description = "to the canonical address"),
              (status = 404, body = accolade_proto::Problem)))]
pub async fn public_collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let v = viewer(&state, &headers).await;
    let found = match backpack::public_collection(
        state.db.conn(),
        state.config.base_url(),
        &handle,
        &slug,
        v,
    )
    .await?
    {
        Lookup::Found(f) => f,
        Lookup::Moved(path) => return Ok(moved_to_api(&path)),
        Lookup::NotFound => return Err(ApiError::NotFound("collection")),
    };
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    backpack::count_view(
        &state,
        found.school_id,
        found.owner_id,
        &backpack::collection_page(found.collection_id),
        v.user_id,
        ip,
        ua,
    )
    .await?;
    let indexable = found.view.indexable;
    Ok(robots(Json(found.view).into_response(), indexable))
}
