//! `/api/v1/classes`: classes, their members and their sign-in cards.

use accolade_db::classes::Class as ClassRow;
use accolade_proto::{
    AddMemberRequest, Class, Classmate, CreateClassRequest, Role, SignInCardSheet,
};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use crate::{policy, validate};

async fn to_class(state: &AppState, c: &ClassRow) -> ApiResult<Class> {
    let (students, teachers) = accolade_db::classes::member_counts(state.db.conn(), c.id).await?;
    Ok(Class {
        id: c.id,
        title: c.title.clone(),
        class_code: c.class_code.clone(),
        student_count: students,
        teacher_count: teachers,
    })
}

/// Classes visible to the caller: all active classes for staff, one's own for students.
#[utoipa::path(get, path = "/api/v1/classes", tag = "classes",
    responses((status = 200, body = Vec<Class>)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Vec<Class>>> {
    let rows = if auth.role.is_staff() {
        accolade_db::classes::all_in_school(state.db.conn(), auth.school_id())
            .await?
            .into_iter()
            .filter(|c| c.active)
            .collect()
    } else {
        accolade_db::classes::for_user(state.db.conn(), auth.school_id(), auth.id()).await?
    };
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        out.push(to_class(&state, c).await?);
    }
    Ok(Json(out))
}

async fn load_visible(state: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<ClassRow> {
    let class = accolade_db::classes::by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("class"))?;
    if !policy::can_view_class(state.db.conn(), auth, &class).await? {
        // Students probing other classes learn nothing about their existence.
        return Err(ApiError::NotFound("class"));
    }
    Ok(class)
}

/// One class.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "classes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Class), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Class>> {
    let class = load_visible(&state, &auth, id).await?;
    Ok(Json(to_class(&state, &class).await?))
}

/// Members of a class: display names and roles only (students see their classmates).
#[utoipa::path(get, path = "/api/v1/classes/{id}/members", tag = "classes",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Classmate>), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn members(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Classmate>>> {
    let class = load_visible(&state, &auth, id).await?;
    let members =
        accolade_db::classes::members(state.db.conn(), auth.school_id(), class.id).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|(u, role)| Classmate {
                id: u.id,
                display_name: u.display_name,
                role: Role::parse(&role).unwrap_or(Role::Student),
            })
            .collect(),
    ))
}

/// Create a class (admins only).
#[utoipa::path(post, path = "/api/v1/classes", tag = "classes", request_body = CreateClassRequest,
    responses((status = 201, body = Class), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<CreateClassRequest>,
) -> ApiResult<(StatusCode, Json<Class>)> {
    policy::require_admin(&auth)?;
    let title = validate::text("title", &req.title, 200)?;
    let code = req
        .class_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| validate::text("class_code", c, 64))
        .transpose()?;
    let txn = state.db.begin_write().await?;
    let class = accolade_db::classes::create(&*txn, auth.school_id(), title, code, None).await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "class.create",
            target_type: "class",
            target_id: Some(class.id.to_string()),
            before: None,
            after: Some(serde_json::json!({"title": class.title, "class_code": class.class_code})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(to_class(&state, &class).await?)))
}

/// Add a user of the school to a class, or change their role in it (admins only).
#[utoipa::path(put, path = "/api/v1/classes/{id}/members/{user_id}", tag = "classes",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = AddMemberRequest,
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn put_member(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<AddMemberRequest>,
) -> ApiResult<StatusCode> {
    policy::require_admin(&auth)?;
    if req.role == Role::Admin {
        return Err(ApiError::field("role", "must be student or teacher"));
    }
    let txn = state.db.begin_write().await?;
    let class = accolade_db::classes::by_id(&*txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("class"))?;
    let user = accolade_db::users::by_id(&*txn, auth.school_id(), user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(ApiError::NotFound("user"))?;
    // A student is a student in every class; staff teach.
    let fits = match req.role {
        Role::Student => user.role == "student",
        _ => user.role != "student",
    };
    if !fits {
        return Err(ApiError::field(
            "role",
            format!(
                "a {} cannot be enrolled as a {}",
                user.role,
                req.role.as_str()
            ),
        ));
    }
    accolade_db::classes::enroll(
        &*txn,
        auth.school_id(),
        class.id,
        user.id,
        req.role.as_str(),
        None,
    )
    .await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "class.member.put",
            target_type: "class",
            target_id: Some(class.id.to_string()),
            before: None,
            after: Some(serde_json::json!({"user_id": user.id, "role": req.role})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a user from a class (admins only).
#[utoipa::path(delete, path = "/api/v1/classes/{id}/members/{user_id}", tag = "classes",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn delete_member(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    policy::require_admin(&auth)?;
    let txn = state.db.begin_write().await?;
    let class = accolade_db::classes::by_id(&*txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("class"))?;
    if !accolade_db::classes::unenroll(&*txn, auth.school_id(), class.id, user_id).await? {
        return Err(ApiError::NotFound("membership"));
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "class.member.delete",
            target_type: "class",
            target_id: Some(class.id.to_string()),
            before: Some(serde_json::json!({"user_id": user_id})),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `POST /api/v1/classes/{id}/signin-cards`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CardsQuery {
    /// `json` (default) or `svg` (a printable A4 sheet).
    pub format: Option<String>,
}

/// Issue sign-in cards for every student of a class (its teachers and admins). Each student's
/// unused older cards stop working. The codes are shown only in this response.
#[utoipa::path(post, path = "/api/v1/classes/{id}/signin-cards", tag = "classes",
    params(("id" = Uuid, Path), CardsQuery),
    responses((status = 201, body = SignInCardSheet), (status = 403, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn signin_cards(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<CardsQuery>,
) -> ApiResult<Response> {
    let class = accolade_db::classes::by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("class"))?;
    if !policy::can_manage_class(state.db.conn(), &auth, &class).await? {
        return Err(ApiError::Forbidden(
            "only the class's teachers and admins print cards",
        ));
    }
    let school = accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let sheet = crate::cards::issue_for_class(
        &state.db,
        state.config.base_url(),
        &school,
        &class,
        Some(auth.id()),
        state.config.signin_card_ttl_days,
    )
    .await?;
    match q.format.as_deref() {
        Some("svg") => {
            let svg = crate::cards::render_sheet_svg(&sheet, &school.name)?;
            Ok((
                StatusCode::CREATED,
                [
                    (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                svg,
            )
                .into_response())
        }
        None | Some("json") => Ok((
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(sheet),
        )
            .into_response()),
        Some(_) => Err(ApiError::field("format", "must be json or svg")),
    }
}
