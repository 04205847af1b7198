//! `/api/v1/users`: the school's people, for staff; creation and changes by admins.

use accolade_db::users::{NewUser, User as UserRow, UserFilter};
use accolade_proto::{CreateUserRequest, Page, Role, UpdateUserRequest, User};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use crate::{audit_json, password, policy, validate};

/// Wire form of a user for staff.
pub fn to_user(u: &UserRow) -> User {
    User {
        id: u.id,
        role: Role::parse(&u.role).unwrap_or(Role::Student),
        display_name: u.display_name.clone(),
        given_name: u.given_name.clone(),
        family_name: u.family_name.clone(),
        handle: u.handle.clone(),
        email: u.email.clone(),
        grade: u.grade.clone(),
        active: u.active,
        has_password: u.password_hash.is_some(),
    }
}

/// Query parameters of `GET /api/v1/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Only this role.
    pub role: Option<Role>,
    /// Only members of this class.
    pub class_id: Option<Uuid>,
    /// Substring of name, handle or e-mail.
    pub q: Option<String>,
    /// Include deactivated users (admins).
    #[serde(default)]
    pub include_inactive: bool,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// List the school's users (staff only), ordered by display name.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListUsersQuery),
    responses((status = 200, body = Page<User>), (status = 403, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<ListUsersQuery>,
) -> ApiResult<Json<Page<User>>> {
    policy::require_staff(&auth)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = crate::routes::decode_cursor(q.cursor.as_deref())?;
    if let Some(class_id) = q.class_id {
        accolade_db::classes::by_id(state.db.conn(), auth.school_id(), class_id)
            .await?
            .ok_or(ApiError::NotFound("class"))?;
    }
    let filter = UserFilter {
        role: q.role.map(|r| r.as_str().to_owned()),
        class_id: q.class_id,
        query: q
            .q
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.chars().take(100).collect()),
        include_inactive: q.include_inactive && auth.role == Role::Admin,
    };
    let rows = accolade_db::users::list(
        state.db.conn(),
        auth.school_id(),
        &filter,
        offset,
        limit + 1,
    )
    .await?;
    Ok(Json(crate::routes::page(
        rows.iter().map(to_user).collect(),
        offset,
        limit,
    )))
}

/// One user of the school (staff only).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<User>> {
    policy::require_staff(&auth)?;
    let user = accolade_db::users::by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    Ok(Json(to_user(&user)))
}

/// Create a user in the caller's school (admins only).
///
/// Errors: 422 `invalid_input`, 400 `invalid_password`, 409 `conflict` (handle or e-mail taken).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = User), (status = 409, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    policy::require_admin(&auth)?;
    let user = create_user(&state, auth.school_id(), Some(auth.id()), req).await?;
    Ok((StatusCode::CREATED, Json(to_user(&user))))
}

/// Validates and creates a user (shared by the API, the CLI and the demo loader).
pub async fn create_user(
    state: &AppState,
    school_id: Uuid,
    actor: Option<Uuid>,
    req: CreateUserRequest,
) -> ApiResult<UserRow> {
    let display_name = validate::display_name(&req.display_name)?;
    let email = req
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| validate::email("email", e))
        .transpose()?;
    let handle = req.handle.as_deref().map(validate::handle).transpose()?;
    let password_hash = match req.password {
        Some(p) => Some(state.hasher.hash(password::normalise(&p, true)?).await?),
        None => None,
    };
    let txn = state.db.begin_write().await?;
    if let Some(e) = &email {
        if accolade_db::users::by_email(&*txn, school_id, e)
            .await?
            .is_some()
        {
            return Err(ApiError::Conflict("a user with this e-mail exists".into()));
        }
    }
    let handle = match handle {
        Some(h) => {
            if accolade_db::users::handle_taken(&*txn, &h).await? {
                return Err(ApiError::Conflict("that handle is taken".into()));
            }
            h
        }
        None => {
            let (given, family) = display_name.split_once(' ').unwrap_or((&display_name, ""));
            let base = validate::handle_base(given, family);
            crate::import::unique_handle(&txn, &base, &mut Default::default()).await?
        }
    };
    let (given, family) = match display_name.split_once(' ') {
        Some((g, f)) => (Some(g.to_owned()), Some(f.to_owned())),
        None => (Some(display_name.clone()), None),
    };
    let user = accolade_db::users::create(
        &*txn,
        NewUser {
            school_id,
            role: req.role.as_str().to_owned(),
            display_name,
            given_name: given,
            family_name: family,
            email,
            handle,
            grade: None,
            sourced_id: None,
            password_hash,
        },
    )
    .await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id,
            actor_id: actor,
            action: "user.create",
            target_type: "user",
            target_id: Some(user.id.to_string()),
            before: None,
            after: Some(audit_json::user(&user)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Change a user's display name, role, active flag or password (admins only). Deactivating
/// ends the user's sessions and removes their class memberships.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    request_body = UpdateUserRequest,
    responses((status = 200, body = User), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<User>> {
    policy::require_admin(&auth)?;
    let display_name = req
        .display_name
        .as_deref()
        .map(validate::display_name)
        .transpose()?;
    let password_hash = match &req.password {
        Some(p) => Some(state.hasher.hash(password::normalise(p, true)?).await?),
        None => None,
    };
    let txn = state.db.begin_write().await?;
    let before = accolade_db::users::by_id(&*txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    if id == auth.id() && (req.active == Some(false) || req.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(ApiError::Conflict(
            "admins cannot demote or deactivate themselves".into(),
        ));
    }
    let mut user = before.clone();
    if let Some(n) = display_name {
        user.display_name = n;
    }
    if let Some(r) = req.role {
        user.role = r.as_str().to_owned();
    }
    if let Some(a) = req.active {
        user.active = a;
    }
    if let Some(h) = password_hash {
        user.password_hash = Some(h);
    }
    let saved = accolade_db::users::save(&*txn, user).await?;
    if req.active == Some(false) && before.active {
        accolade_db::classes::unenroll_all(&*txn, id).await?;
        accolade_db::cards::revoke_unused(&*txn, id).await?;
    }
    if req.active == Some(false) || req.password.is_some() || req.role.is_some() {
        accolade_db::auth::revoke_all_for_user(&*txn, id, "changed_by_admin").await?;
        crate::notify::user_sessions_ended(&txn, id).await?;
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "user.update",
            target_type: "user",
            target_id: Some(id.to_string()),
            before: Some(audit_json::user(&before)),
            after: Some(audit_json::user(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Json(to_user(&saved)))
}
