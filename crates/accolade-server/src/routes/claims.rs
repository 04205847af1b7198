//! `/api/v1/claim-codes`, `/api/v1/claims` and `/api/v1/offers`: QR claiming and peer offers.

use accolade_db::claims::ClaimCode as CodeRow;
use accolade_proto::ws::event_type;
use accolade_proto::{
    AcceptOfferRequest, AcceptOfferResponse, AwardSource, BadgeRef, ClaimCode, ClaimCodeCurrent,
    ClaimCodeStatus, ClaimCounted, ClaimMode, ClaimRequest, ClaimResponse, Claimer,
    CreateClaimCodeRequest, CreateOfferRequest, PeerOffer, Role, SheetCard,
};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use uuid::Uuid;

use crate::badges::{self as svc, IssueInput, ViewCache};
use crate::claims::{self as codes, Resolved};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::state::AppState;
use crate::tokens::hash_secret;
use crate::{policy, validate};

fn mode_of(c: &CodeRow) -> ClaimMode {
    match c.mode.as_str() {
        "static" => ClaimMode::Static,
        "sheet" => ClaimMode::Sheet,
        _ => ClaimMode::Rotating,
    }
}

async fn view(state: &AppState, c: &CodeRow) -> ApiResult<ClaimCode> {
    let conn = state.db.conn();
    let base = state.config.base_url();
    let school = accolade_db::schools::by_id(conn, c.school_id)
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let badge = accolade_db::badges::class_by_id(conn, c.school_id, c.badge_class_id).await?;
    let starts = c.starts_at.with_timezone(&chrono::Utc);
    let ends = c.ends_at.with_timezone(&chrono::Utc);
    Ok(ClaimCode {
        id: c.id,
        badge: BadgeRef {
            id: c.badge_class_id,
            name: badge.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
            image_url: badge
                .map(|b| svc::image_url(base, b.image_id))
                .unwrap_or_default(),
        },
        title: c.title.clone(),
        class_ids: accolade_db::claims::class_ids(conn, c.id).await?,
        mode: mode_of(c),
        rotation_secs: c.rotation_secs.max(1) as u32,
        starts_at: starts,
        ends_at: ends,
        timezone: school.timezone.clone(),
        starts_at_local: codes::local(starts, &school.timezone),
        ends_at_local: codes::local(ends, &school.timezone),
        max_claims: c.max_claims.map(|m| m.max(0) as u32),
        claim_count: c.claim_count.max(0) as u64,
        status: match c.status.as_str() {
            "paused" => ClaimCodeStatus::Paused,
            "closed" => ClaimCodeStatus::Closed,
            _ => ClaimCodeStatus::Active,
        },
        allow_repeat: c.allow_repeat,
        present_url: format!("{base}/present/{}", c.id),
    })
}

/// Create a claim code (teachers and admins).
///
/// Errors: 422 `invalid_input` (window, audience, sizes), 404 badge class.
#[utoipa::path(post, path = "/api/v1/claim-codes", tag = "claims", request_body = CreateClaimCodeRequest,
    responses((status = 201, body = ClaimCode), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<CreateClaimCodeRequest>,
) -> ApiResult<(StatusCode, Json<ClaimCode>)> {
    policy::require_staff(&auth)?;
    let row = create_code(&state, auth.school_id(), auth.id(), req).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &row).await?)))
}

/// Validates and creates a claim code for `creator` (a teacher or admin of `school_id`), with
/// its audience and, for sheets, its single-use cards; audited. Shared by the API and the demo.
///
/// Errors: 422 `invalid_input`, 404 badge class.
pub async fn create_code(
    state: &AppState,
    school_id: Uuid,
    creator: Uuid,
    req: CreateClaimCodeRequest,
) -> ApiResult<CodeRow> {
    let title = validate::text("title", &req.title, 200)?;
    let conn = state.db.conn();
    let school = accolade_db::schools::by_id(conn, school_id)
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let now = state.now();
    let starts = match req.starts_at.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => codes::parse_boundary("starts_at", s, &school.timezone)?,
        None => now,
    };
    let ends = codes::parse_boundary("ends_at", &req.ends_at, &school.timezone)?;
    if ends <= starts {
        return Err(ApiError::field("ends_at", "must be after starts_at"));
    }
    if ends - starts > chrono::Duration::days(366) {
        return Err(ApiError::field(
            "ends_at",
            "a window can last at most a year",
        ));
    }
    let mode = req.mode.unwrap_or(ClaimMode::Rotating);
    let rotation = req.rotation_secs.unwrap_or(15);
    if !(5..=300).contains(&rotation) {
        return Err(ApiError::field("rotation_secs", "must be 5–300 seconds"));
    }
    let sheet_size = match mode {
        ClaimMode::Sheet => {
            let n = req
                .sheet_size
                .ok_or_else(|| ApiError::field("sheet_size", "how many single-use codes?"))?;
            if !(1..=500).contains(&n) {
                return Err(ApiError::field("sheet_size", "must be 1–500"));
            }
            Some(n)
        }
        _ => None,
    };
    if sheet_size.is_some() && req.max_claims.is_some() {
        return Err(ApiError::field(
            "max_claims",
            "a sheet's limit is its number of cards: use sheet_size only",
        ));
    }
    if req.max_claims == Some(0) || req.max_claims.is_some_and(|m| m > 100_000) {
        return Err(ApiError::field("max_claims", "must be 1–100000"));
    }
    let badge = accolade_db::badges::class_by_id(conn, school_id, req.badge_class_id)
        .await?
        .filter(|b| b.archived_at.is_none())
        .ok_or(ApiError::NotFound("badge class"))?;
    let allow_repeat = req.allow_repeat.unwrap_or(false);
    if allow_repeat && !badge.repeatable {
        return Err(ApiError::field(
            "allow_repeat",
            "only repeatable badges can be claimed more than once",
        ));
    }
    let mut class_ids = req.class_ids.clone();
    class_ids.sort();
    class_ids.dedup();
    for id in &class_ids {
        accolade_db::classes::by_id(conn, school_id, *id)
            .await?
            .ok_or_else(|| ApiError::field("class_ids", format!("no class {id} in this school")))?;
    }
    let id = Uuid::now_v7();
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let txn = state.db.begin_write().await?;
    // A free manual-code prefix (1 in a million chance of a retry per active code).
    let mut prefix = codes::random4();
    for _ in 0..20 {
        if accolade_db::claims::code_by_prefix(&*txn, &prefix)
            .await?
            .is_none()
        {
            break;
        }
        prefix = codes::random4();
    }
    let static_hash = match mode {
        ClaimMode::Static => Some(hash_secret(&codes::static_token(id, &secret)?)),
        _ => None,
    };
    let now_db = accolade_db::now();
    let row = accolade_db::claims::insert_code(
        &*txn,
        CodeRow {
            id,
            school_id,
            badge_class_id: badge.id,
            created_by: creator,
            title,
            audience: if class_ids.is_empty() {
                "school".into()
            } else {
                "classes".into()
            },
            mode: match mode {
                ClaimMode::Rotating => "rotating",
                ClaimMode::Static => "static",
                ClaimMode::Sheet => "sheet",
            }
            .into(),
            rotation_secs: rotation as i32,
            starts_at: accolade_db::ts(starts),
            ends_at: accolade_db::ts(ends),
            max_claims: req
                .max_claims
                .map(|m| m as i32)
                .or(sheet_size.map(|n| n as i32)),
            allow_repeat,
            status: "active".into(),
            secret: secret.clone(),
            static_token_hash: static_hash,
            manual_prefix: prefix,
            manual_suffix: codes::random4(),
            claim_count: 0,
            created_at: now_db,
            updated_at: now_db,
        },
    )
    .await?;
    accolade_db::claims::set_classes(&*txn, id, &class_ids).await?;
    if let Some(n) = sheet_size {
        for i in 0..n {
            let (token, manual) = codes::sheet_card(id, &secret, i)?;
            accolade_db::claims::insert_sheet_token(
                &*txn,
                id,
                hash_secret(&token),
                hash_secret(&format!("manual:{manual}")),
            )
            .await?;
        }
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id,
            actor_id: Some(creator),
            action: "claim_code.create",
            target_type: "claim_code",
            target_id: Some(id.to_string()),
            before: None,
            after: Some(serde_json::json!({"title": row.title, "mode": row.mode, "badge_class_id": row.badge_class_id})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Claim codes of the school (teachers see their own, admins all), newest first.
#[utoipa::path(get, path = "/api/v1/claim-codes", tag = "claims",
    responses((status = 200, body = Vec<ClaimCode>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<Vec<ClaimCode>>> {
    policy::require_staff(&auth)?;
    let creator = (auth.role != Role::Admin).then_some(auth.id());
    let rows =
        accolade_db::claims::codes_in_school(state.db.conn(), auth.school_id(), creator).await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(view(&state, r).await?);
    }
    Ok(Json(out))
}

/// A claim code of the caller's school that the caller may manage (its creator or an admin).
///
/// Errors: 403 for students and for other teachers' codes, 404 unknown (or another school's).
pub async fn load_own(state: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<CodeRow> {
    policy::require_staff(auth)?;
    let c = accolade_db::claims::code_by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("claim code"))?;
    if auth.role != Role::Admin && c.created_by != auth.id() {
        return Err(ApiError::Forbidden(
            "only the code's creator and admins manage it",
        ));
    }
    Ok(c)
}

/// One claim code (its creator and admins).
#[utoipa::path(get, path = "/api/v1/claim-codes/{id}", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimCode), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimCode>> {
    let c = load_own(&state, &auth, id).await?;
    Ok(Json(view(&state, &c).await?))
}

/// What the projector shows now: the current claim URL and manual code, time left and count.
pub async fn current_of(state: &AppState, c: &CodeRow) -> ApiResult<ClaimCodeCurrent> {
    let now = state.now();
    let base = state.config.base_url();
    let ends = c.ends_at.with_timezone(&chrono::Utc);
    let starts = c.starts_at.with_timezone(&chrono::Utc);
    let state_name = if c.status == "closed" || now >= ends {
        "closed"
    } else if now < starts {
        "scheduled"
    } else if c.status == "paused" {
        "paused"
    } else {
        "active"
    };
    let (url, refresh_at) = match c.mode.as_str() {
        "rotating" => {
            let p = codes::period(c, now);
            let next =
                chrono::DateTime::from_timestamp((p + 1) * i64::from(c.rotation_secs.max(1)), 0);
            (
                Some(format!("{base}/c/{}", codes::rotating_token(c, p)?)),
                next,
            )
        }
        "static" => (
            Some(format!(
                "{base}/c/{}",
                codes::static_token(c.id, &c.secret)?
            )),
            None,
        ),
        _ => (None, None),
    };
    Ok(ClaimCodeCurrent {
        url,
        manual_code: codes::manual_code(c, now)?.map(|m| codes::display_manual(&m)),
        refresh_at,
        seconds_left: (ends - now).num_seconds().max(0),
        claim_count: accolade_db::claims::claim_count(state.db.conn(), c.id)
            .await?
            .max(0) as u64,
        state: state_name.into(),
    })
}

/// The current QR URL, manual code, time left and claim count (for the projector page).
#[utoipa::path(get, path = "/api/v1/claim-codes/{id}/current", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimCodeCurrent)), security(("bearer" = [])))]
pub async fn current(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimCodeCurrent>> {
    let c = load_own(&state, &auth, id).await?;
    Ok(Json(current_of(&state, &c).await?))
}

async fn set_status(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    from: &[&str],
    to: &str,
    action: &'static str,
) -> ApiResult<Json<ClaimCode>> {
    let c = load_own(state, auth, id).await?;
    let txn = state.db.begin_write().await?;
    if !accolade_db::claims::set_status(&*txn, c.id, from, to).await? {
        return Err(ApiError::Conflict(format!("the code is {}", c.status)));
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action,
            target_type: "claim_code",
            target_id: Some(c.id.to_string()),
            before: Some(serde_json::json!({"status": c.status})),
            after: Some(serde_json::json!({"status": to})),
        },
    )
    .await?;
    txn.commit().await?;
    let c = accolade_db::claims::code_by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("claim code"))?;
    Ok(Json(view(state, &c).await?))
}

/// Pause a code (claims get 403 `claim_not_open` until resumed).
#[utoipa::path(post, path = "/api/v1/claim-codes/{id}/pause", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimCode), (status = 409, body = accolade_proto::Problem)), security(("bearer" = [])))]
pub async fn pause(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimCode>> {
    set_status(&state, &auth, id, &["active"], "paused", "claim_code.pause").await
}

/// Resume a paused code.
#[utoipa::path(post, path = "/api/v1/claim-codes/{id}/resume", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimCode), (status = 409, body = accolade_proto::Problem)), security(("bearer" = [])))]
pub async fn resume(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimCode>> {
    set_status(
        &state,
        &auth,
        id,
        &["paused"],
        "active",
        "claim_code.resume",
    )
    .await
}

/// Close a code for good (claims get 410).
#[utoipa::path(post, path = "/api/v1/claim-codes/{id}/close", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimCode), (status = 409, body = accolade_proto::Problem)), security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimCode>> {
    set_status(
        &state,
        &auth,
        id,
        &["active", "paused"],
        "closed",
        "claim_code.close",
    )
    .await
}

/// Who claimed, newest first (up to 1000).
#[utoipa::path(get, path = "/api/v1/claim-codes/{id}/claims", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Claimer>)), security(("bearer" = [])))]
pub async fn claimers(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Claimer>>> {
    let c = load_own(&state, &auth, id).await?;
    let conn = state.db.conn();
    let mut out = Vec::new();
    for cl in accolade_db::claims::claims_of_code(conn, c.id, 1000).await? {
        let name = accolade_db::users::by_id(conn, auth.school_id(), cl.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        out.push(Claimer {
            user_id: cl.user_id,
            display_name: name,
            claimed_at: cl.created_at.with_timezone(&chrono::Utc),
            award_id: cl.award_id,
        });
    }
    Ok(Json(out))
}

/// The current QR code as an image: `qr.svg` or `qr.png` (error correction M).
#[utoipa::path(get, path = "/api/v1/claim-codes/{id}/{file}", tag = "claims",
    params(("id" = Uuid, Path), ("file" = String, Path, description = "`qr.svg` or `qr.png`")),
    responses((status = 200, description = "image"), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn qr_image(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, file)): ApiPath<(Uuid, String)>,
) -> ApiResult<Response> {
    let png = match file.as_str() {
        "qr.png" => true,
        "qr.svg" => false,
        _ => return Err(ApiError::NotFound("image")),
    };
    let c = load_own(&state, &auth, id).await?;
    let cur = current_of(&state, &c).await?;
    let url = cur
        .url
        .ok_or(ApiError::NotFound("a sheet has one QR per card: see sheet"))?;
    let bytes = state.qr.get(&url, png)?;
    let ctype = if png { "image/png" } else { "image/svg+xml" };
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

/// The cards of a `sheet` code: JSON, or a printable SVG sheet with `Accept: image/svg+xml`.
#[utoipa::path(get, path = "/api/v1/claim-codes/{id}/sheet", tag = "claims", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SheetCard>)), security(("bearer" = [])))]
pub async fn sheet(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: axum::http::HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let c = load_own(&state, &auth, id).await?;
    if c.mode != "sheet" {
        return Err(ApiError::NotFound("sheet"));
    }
    let base = state.config.base_url();
    let n = c.max_claims.unwrap_or(0).max(0) as u32;
    let mut cards = Vec::new();
    for i in 0..n {
        let (token, manual) = codes::sheet_card(c.id, &c.secret, i)?;
        let used = accolade_db::claims::sheet_token(state.db.conn(), &hash_secret(&token))
            .await?
            .is_some_and(|t| t.used_at.is_some());
        cards.push(SheetCard {
            url: format!("{base}/c/{token}"),
            manual_code: codes::display_manual(&manual),
            used,
        });
    }
    let wants_svg = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("image/svg+xml"));
    if !wants_svg {
        return Ok(Json(cards).into_response());
    }
    let sheet = accolade_proto::SignInCardSheet {
        class_title: c.title.clone(),
        cards: cards
            .iter()
            .map(|k| accolade_proto::SignInCard {
                user_id: c.id,
                display_name: c.title.clone(),
                code: k.manual_code.clone(),
                url: k.url.clone(),
                expires_at: c.ends_at.with_timezone(&chrono::Utc),
            })
            .collect(),
    };
    let school = accolade_db::schools::by_id(state.db.conn(), c.school_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let svg =
        crate::cards::render_sheet_svg(&sheet, &school)?.replace("Works once.", "Single use.");
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// Whether `user` may claim `c`: always for whole-school codes, else when enrolled as a
/// student in one of its classes.
pub async fn in_audience(
    conn: &impl sea_orm::ConnectionTrait,
    c: &CodeRow,
    user: Uuid,
) -> ApiResult<bool> {
    let classes = accolade_db::claims::class_ids(conn, c.id).await?;
    if classes.is_empty() {
        return Ok(true);
    }
    for id in classes {
        if accolade_db::classes::enrollment(conn, id, user)
            .await?
            .is_some_and(|e| e.role == "student")
        {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn existing_response(
    state: &AppState,
    auth: &AuthUser,
    c: &CodeRow,
) -> ApiResult<Option<ClaimResponse>> {
    let conn = state.db.conn();
    let Some(prev) = accolade_db::claims::claim_of(conn, c.id, auth.id()).await? else {
        return Ok(None);
    };
    let award = accolade_db::awards::by_id(conn, auth.school_id(), prev.award_id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    let mut cache = ViewCache::default();
    Ok(Some(ClaimResponse {
        award: svc::award_view(conn, state.config.base_url(), &mut cache, &award).await?,
        already_claimed: true,
        title: c.title.clone(),
    }))
}

/// Claim a badge with a scanned token or a typed manual code (students).
///
/// 201 with the new award; 200 with the same award and `already_claimed: true` when this
/// student already claimed this code (never a second assertion). Errors: 403
/// `claim_not_open` (with `opens_at`) or paused, 410 `claim_closed` (closed, expired, or a
/// rotated-away QR), 409 `claim_limit_reached`, 403 `not_in_audience`, 404 unknown. A failed
/// claim never uses up a code.
#[utoipa::path(post, path = "/api/v1/claims", tag = "claims", request_body = ClaimRequest,
    responses((status = 201, body = ClaimResponse), (status = 200, body = ClaimResponse),
              (status = 403, body = accolade_proto::Problem), (status = 404, body = accolade_proto::Problem),
              (status = 409, body = accolade_proto::Problem), (status = 410, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn claim(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<ClaimRequest>,
) -> ApiResult<Response> {
    let resp = claim_as(&state, &auth, &req, None).await?;
    let status = if resp.already_claimed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(resp)).into_response())
}

/// Claims a badge for `auth` (a student) with a scanned token or a typed code: the service
/// behind `POST /api/v1/claims` and the web claim pages. `already_claimed` in the answer tells a
/// repeat from a new award.
///
/// `token_seen_at` resolves a rotating token as of that instant instead of now (the web claim
/// page vouches, with a signature, for when the student first opened a still-valid QR link, so
/// signing in first does not make it rotate away); the window is always checked against now.
///
/// Errors: as `POST /api/v1/claims`.
pub async fn claim_as(
    state: &AppState,
    auth: &AuthUser,
    req: &ClaimRequest,
    token_seen_at: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<ClaimResponse> {
    if auth.role != Role::Student {
        return Err(ApiError::Forbidden("only students claim badges"));
    }
    let now = state.now();
    let resolved = codes::resolve(
        state.db.conn(),
        req.token.as_deref(),
        req.code.as_deref(),
        token_seen_at.unwrap_or(now),
    )
    .await?;
    let (code, sheet) = match resolved {
        Resolved::Code(c) => (c, None),
        Resolved::Sheet(c, t) => (c, Some(t)),
    };
    if code.school_id != auth.school_id() {
        return Err(ApiError::NotFound("claim code"));
    }
    codes::check_open(&code, now)?;
    if !in_audience(state.db.conn(), &code, auth.id()).await? {
        return Err(ApiError::NotInAudience);
    }
    match claim_in_txn(state, auth, &code, sheet.as_ref()).await {
        Ok(resp) => Ok(resp),
        // Lost a race with the same student's other request: answer like a repeat.
        Err(e @ (ApiError::AlreadyHeld | ApiError::Conflict(_))) => {
            match existing_response(state, auth, &code).await? {
                Some(r) => Ok(r),
                None => Err(e),
            }
        }
        Err(ApiError::ClaimLimitReached) => match existing_response(state, auth, &code).await? {
            Some(r) if !code.allow_repeat => Ok(r),
            _ => Err(ApiError::ClaimLimitReached),
        },
        Err(e) => Err(e),
    }
}

async fn claim_in_txn(
    state: &AppState,
    auth: &AuthUser,
    code: &CodeRow,
    sheet: Option<&accolade_db::claims::SheetToken>,
) -> ApiResult<ClaimResponse> {
    let base = state.config.base_url();
    let txn = state.db.begin_write().await?;
    if !code.allow_repeat
        && accolade_db::claims::claim_of(&*txn, code.id, auth.id())
            .await?
            .is_some()
    {
        drop(txn);
        return existing_response(state, auth, code)
            .await?
            .ok_or(ApiError::AlreadyHeld);
    }
    if let Some(t) = sheet {
        if !accolade_db::claims::use_sheet_token(&*txn, t.id, auth.id()).await? {
            return Err(ApiError::ClaimLimitReached);
        }
    }
    // Counting first takes the code's row lock on PostgreSQL: concurrent claims queue here.
    if !accolade_db::claims::count_claim(&*txn, code.id, code.max_claims).await? {
        return Err(ApiError::ClaimLimitReached);
    }
    let badge = accolade_db::badges::class_by_id(&*txn, code.school_id, code.badge_class_id)
        .await?
        .ok_or(ApiError::NotFound("badge class"))?;
    let me = accolade_db::users::by_id(&*txn, auth.school_id(), auth.id())
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    let award = svc::issue(
        &txn,
        base,
        IssueInput {
            badge_class: badge,
            recipient: me.clone(),
            issued_by: None,
            source: AwardSource::Claim,
            nomination_id: None,
            narrative: None,
            evidence_url: None,
            evidence_narrative: Some(format!("Claimed at {}", code.title)),
        },
    )
    .await?;
    let sp = sea_orm::TransactionTrait::begin(&*txn).await?;
    match accolade_db::claims::insert_claim(&sp, code.id, auth.id(), award.id, code.allow_repeat)
        .await
    {
        Ok(_) => sp.commit().await?,
        Err(e) if accolade_db::is_unique_violation(&e) => {
            return Err(ApiError::Conflict("already claimed".into()))
        }
        Err(e) => return Err(e.into()),
    }
    let count = accolade_db::claims::claim_count(&*txn, code.id)
        .await?
        .max(0) as u64;
    let first_name = me.given_name.clone().unwrap_or_else(|| {
        me.display_name
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let counted = ClaimCounted {
        claim_code_id: code.id,
        count,
        first_name,
    };
    accolade_db::events::record(
        &txn,
        code.school_id,
        event_type::CLAIM_COUNTED,
        &serde_json::to_value(&counted).map_err(|e| ApiError::Internal(e.to_string()))?,
        &[code.created_by],
    )
    .await?;
    crate::notify::award_issued(&txn, base, &award).await?;
    let mut cache = ViewCache::default();
    let view = svc::award_view(&*txn, base, &mut cache, &award).await?;
    txn.commit().await?;
    Ok(ClaimResponse {
        award: view,
        already_claimed: false,
        title: code.title.clone(),
    })
}

/// Open a peer offer (students): a QR, valid 10 minutes and single use, that a classmate scans
/// to receive a nomination from the offerer.
#[utoipa::path(post, path = "/api/v1/offers", tag = "claims", request_body = CreateOfferRequest,
    responses((status = 201, body = PeerOffer), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create_offer(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<CreateOfferRequest>,
) -> ApiResult<(StatusCode, Json<PeerOffer>)> {
    if auth.role != Role::Student {
        return Err(ApiError::Forbidden("only students make peer offers"));
    }
    let base = state.config.base_url();
    let badge =
        accolade_db::badges::class_by_id(state.db.conn(), auth.school_id(), req.badge_class_id)
            .await?
            .filter(|b| b.archived_at.is_none())
            .ok_or(ApiError::NotFound("badge class"))?;
    if !badge.peer_nominable {
        return Err(ApiError::field(
            "badge_class_id",
            "this badge is not open to peer nominations",
        ));
    }
    let token = format!("o{}", crate::tokens::random_token(16));
    let expires = state.now() + chrono::Duration::minutes(10);
    let txn = state.db.begin_write().await?;
    let offer = accolade_db::claims::insert_offer(
        &*txn,
        accolade_db::claims::PeerOffer {
            id: Uuid::now_v7(),
            school_id: auth.school_id(),
            offerer_id: auth.id(),
            badge_class_id: badge.id,
            token_hash: hash_secret(&token),
            expires_at: accolade_db::ts(expires),
            used_by: None,
            used_at: None,
            nomination_id: None,
            created_at: accolade_db::now(),
        },
    )
    .await?;
    txn.commit().await?;
    let url = format!("{base}/o/{token}");
    Ok((
        StatusCode::CREATED,
        Json(PeerOffer {
            id: offer.id,
            badge: BadgeRef {
                id: badge.id,
                name: badge.name.clone(),
                image_url: svc::image_url(base, badge.image_id),
            },
            qr_svg: crate::qr::svg(&url, 256)?,
            url,
            expires_at: expires,
        }),
    ))
}

/// Accept a scanned peer offer (students): creates a nomination from the offerer to the
/// scanner (moderation rules apply; `auto_approve` badges award at once).
///
/// Errors: 422 `self_nomination` (own offer), 403 (no shared class), 410 (expired or used), 404.
#[utoipa::path(post, path = "/api/v1/offers/accept", tag = "claims", request_body = AcceptOfferRequest,
    responses((status = 201, body = AcceptOfferResponse), (status = 410, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn accept_offer(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<AcceptOfferRequest>,
) -> ApiResult<(StatusCode, Json<AcceptOfferResponse>)> {
    let nomination = accept_offer_as(&state, &auth, &req.token).await?;
    Ok((
        StatusCode::CREATED,
        Json(AcceptOfferResponse { nomination }),
    ))
}

/// Accepts a scanned peer offer (token or whole URL) for `auth`, a student: the service behind
/// `POST /api/v1/offers/accept` and the web page `/o/{token}`.
///
/// Errors: as `POST /api/v1/offers/accept`.
pub async fn accept_offer_as(
    state: &AppState,
    auth: &AuthUser,
    token: &str,
) -> ApiResult<accolade_proto::Nomination> {
    if auth.role != Role::Student {
        return Err(ApiError::Forbidden("only students accept offers"));
    }
    let token = token
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    if token.len() > 64 {
        return Err(ApiError::NotFound("offer"));
    }
    let offer = accolade_db::claims::offer_by_hash(state.db.conn(), &hash_secret(&token))
        .await?
        .filter(|o| o.school_id == auth.school_id())
        .ok_or(ApiError::NotFound("offer"))?;
    if offer.offerer_id == auth.id() {
        return Err(ApiError::SelfNomination);
    }
    if offer.used_at.is_some() || offer.expires_at.with_timezone(&chrono::Utc) <= state.now() {
        return Err(ApiError::Gone(
            "this offer has expired or was already used".into(),
        ));
    }
    if !accolade_db::classes::share_a_class(state.db.conn(), offer.offerer_id, auth.id()).await? {
        return Err(ApiError::Forbidden(
            "offers only work between students who share a class",
        ));
    }
    crate::routes::nominations::nominate_from_offer(state, &offer, auth.id()).await
}
