//! `/api/v1/auth/*`: password and sign-in card login, refresh, logout.

use accolade_db::users::User;
use accolade_proto::{
    CardSignInRequest, LoginRequest, LogoutRequest, RefreshRequest, TokenResponse,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser, ClientIp};
use crate::password;
use crate::state::AppState;
use crate::tokens::{hash_secret, random_token};

/// Creates a session with a first refresh token and returns the token pair.
pub async fn start_session(state: &AppState, user: &User) -> ApiResult<TokenResponse> {
    let txn = state.db.begin_write().await?;
    let session_id = accolade_db::auth::create_session(&*txn, user.id, user.school_id).await?;
    let refresh = random_token(32);
    accolade_db::auth::insert_refresh_token(
        &*txn,
        session_id,
        hash_secret(&refresh),
        refresh_expiry(state),
    )
    .await?;
    txn.commit().await?;
    token_response(state, user, session_id, refresh).await
}

fn refresh_expiry(state: &AppState) -> accolade_db::Timestamp {
    accolade_db::ts(
        chrono::Utc::now() + chrono::Duration::days(state.config.refresh_token_ttl_days as i64),
    )
}

async fn token_response(
    state: &AppState,
    user: &User,
    session_id: uuid::Uuid,
    refresh: String,
) -> ApiResult<TokenResponse> {
    let (access, _) = state
        .keys
        .issue(user.id, user.school_id, &user.role, session_id)
        .map_err(|e| ApiError::Internal(format!("jwt: {e}")))?;
    let me = super::me::to_me(state, user).await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer".into(),
        expires_in: state.keys.ttl_secs,
        refresh_token: refresh,
        user: me,
    })
}

/// Accounts of one e-mail tried against a password when no school is given (an e-mail is in
/// a handful of schools at most; this bounds the hashing one request can cause).
const MAX_SCHOOLS_PER_EMAIL: usize = 8;

/// Sign in with e-mail or handle and password.
///
/// Errors: 400 `invalid_password` (over 1024 bytes or NUL, checked before any hashing),
/// 400 `school_required` (the e-mail is in several schools and the password fits more than
/// one of those accounts; never for a wrong password), 401 `invalid_credentials`,
/// 429 `rate_limited`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = accolade_proto::Problem),
              (status = 429, body = accolade_proto::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    Ok(Json(password_sign_in(&state, ip, &req).await?))
}

/// Signs in with e-mail or handle and password (the API's `login` and the web sign-in form):
/// password policy, rate limits (per account and per IP), constant-work verification, then a
/// new session.
///
/// Errors: 400 `invalid_password`, 400 `school_required` (only when the password fits several
/// schools' accounts of that e-mail), 401 `invalid_credentials`, 429 `rate_limited`.
pub async fn password_sign_in(
    state: &AppState,
    ip: std::net::IpAddr,
    req: &LoginRequest,
) -> ApiResult<TokenResponse> {
    let login = req.login.trim().to_lowercase();
    let password = password::normalise(&req.password, false)?;
    state.limiter.check(&login, ip)?;
    if login.is_empty() || login.len() > 320 || login.contains('\0') {
        return Err(ApiError::InvalidCredentials);
    }
    let conn = state.db.conn();
    let candidates: Vec<User> = if login.contains('@') {
        let mut found = accolade_db::users::by_email_any_school(conn, &login).await?;
        if let Some(slug) = req.school.as_deref() {
            match accolade_db::schools::by_slug(conn, slug.trim()).await? {
                Some(school) => found.retain(|u| u.school_id == school.id),
                None => found.clear(),
            }
        }
        found
    } else {
        accolade_db::users::by_handle(conn, login.trim_start_matches('@'))
            .await?
            .into_iter()
            .collect()
    };
    let candidates: Vec<User> = candidates.into_iter().filter(|u| u.active).collect();
    if candidates.len() > 1 {
        // The same e-mail in several schools: only someone who knows a password learns that,
        // so "which school?" is asked only when the password fits more than one account.
        let mut fitting = Vec::new();
        for u in candidates.into_iter().take(MAX_SCHOOLS_PER_EMAIL) {
            if state
                .hasher
                .verify(password.clone(), u.password_hash.clone())
                .await?
            {
                fitting.push(u);
            }
        }
        return match fitting.len() {
            0 => Err(ApiError::InvalidCredentials),
            1 => start_session(state, &fitting[0]).await,
            _ => Err(ApiError::SchoolRequired),
        };
    }
    let user = candidates.into_iter().next();
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = state.hasher.verify(password, hash).await?;
    match user {
        Some(user) if ok => start_session(state, &user).await,
        _ => Err(ApiError::InvalidCredentials),
    }
}

/// Sign in with a sign-in card code (typed, or from the card's QR URL). The card is used up.
///
/// Errors: 401 `invalid_credentials` (unknown, used, revoked or expired), 429 `rate_limited`.
#[utoipa::path(post, path = "/api/v1/auth/card", tag = "auth", request_body = CardSignInRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = accolade_proto::Problem)))]
pub async fn card(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<CardSignInRequest>,
) -> ApiResult<Json<TokenResponse>> {
    Ok(Json(card_sign_in(&state, ip, &req.code).await?))
}

/// Signs in with a sign-in card code, typed or the card's whole QR URL (the API's `card` and
/// the web pages); the card is used up.
///
/// Errors: 401 `invalid_credentials` (unknown, used, revoked or expired), 429 `rate_limited`.
pub async fn card_sign_in(
    state: &AppState,
    ip: std::net::IpAddr,
    code: &str,
) -> ApiResult<TokenResponse> {
    // Codes are random, so only the per-IP budget applies (keyed separately from accounts).
    state.limiter.check("signin-card", ip)?;
    let code_text = code
        .trim()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let code = crate::cards::normalise_code(&code_text).ok_or(ApiError::InvalidCredentials)?;
    let txn = state.db.begin_write().await?;
    let Some((_school_id, user_id)) =
        accolade_db::cards::consume(&*txn, &hash_secret(&code)).await?
    else {
        return Err(ApiError::InvalidCredentials);
    };
    let user = accolade_db::users::by_id_unscoped(&*txn, user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(ApiError::InvalidCredentials)?;
    let session_id = accolade_db::auth::create_session(&*txn, user.id, user.school_id).await?;
    let refresh = random_token(32);
    accolade_db::auth::insert_refresh_token(
        &*txn,
        session_id,
        hash_secret(&refresh),
        refresh_expiry(state),
    )
    .await?;
    txn.commit().await?;
    token_response(state, &user, session_id, refresh).await
}

/// Exchange a refresh token for a new pair. The presented token is consumed; presenting it
/// again revokes the whole session.
///
/// Errors: 401 `invalid_refresh_token`.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = accolade_proto::Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    if req.refresh_token.len() > 256 {
        return Err(ApiError::InvalidRefreshToken);
    }
    let txn = state.db.begin_write().await?;
    let outcome = accolade_db::auth::rotate(&*txn, &hash_secret(req.refresh_token.trim())).await?;
    match outcome {
        accolade_db::auth::RotateOutcome::Rotated {
            session_id,
            user_id,
        } => {
            let user = accolade_db::users::by_id_unscoped(&*txn, user_id)
                .await?
                .filter(|u| u.active)
                .ok_or(ApiError::InvalidRefreshToken)?;
            let next = random_token(32);
            accolade_db::auth::insert_refresh_token(
                &*txn,
                session_id,
                hash_secret(&next),
                refresh_expiry(&state),
            )
            .await?;
            txn.commit().await?;
            Ok(Json(token_response(&state, &user, session_id, next).await?))
        }
        accolade_db::auth::RotateOutcome::Reused { session_id } => {
            // Keep the revocation even though the request fails.
            crate::notify::session_ended(&txn, session_id).await?;
            txn.commit().await?;
            tracing::warn!("refresh token reuse detected; session revoked");
            Err(ApiError::InvalidRefreshToken)
        }
        accolade_db::auth::RotateOutcome::Invalid => Err(ApiError::InvalidRefreshToken),
    }
}

/// End the current session (and, if a refresh token of the same user is given, its session).
/// Access tokens of ended sessions stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = Option<LogoutRequest>,
    responses((status = 204), (status = 401, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    auth: AuthUser,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    let body: Option<LogoutRequest> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(serde_json::from_slice(&body).map_err(|e| ApiError::MalformedBody(e.to_string()))?)
    };
    let txn = state.db.begin_write().await?;
    accolade_db::auth::revoke_session(&*txn, auth.claims.sid, "logout").await?;
    crate::notify::session_ended(&txn, auth.claims.sid).await?;
    if let Some(LogoutRequest {
        refresh_token: Some(rt),
    }) = body
    {
        if let Some(session) =
            accolade_db::auth::session_of_token(&*txn, &hash_secret(rt.trim())).await?
        {
            if session.user_id == auth.id() {
                accolade_db::auth::revoke_session(&*txn, session.id, "logout").await?;
                crate::notify::session_ended(&txn, session.id).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
