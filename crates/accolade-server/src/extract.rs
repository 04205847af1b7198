//! Request extractors: the signed-in user, JSON bodies, path ids and the client IP, each turning
//! its failure into a problem-details error.

use std::net::{IpAddr, SocketAddr};

use accolade_db::users::User;
use accolade_proto::Role;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens::Claims;

/// The signed-in user, from `Authorization: Bearer <access token>`.
///
/// Rejects (401 `unauthenticated`) a missing, malformed, wrongly signed, `alg: none` or expired
/// token, a token whose session was revoked (logout, refresh-token reuse), and a deactivated or
/// moved user. The role comes from the database, not the token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user row (school-scoped by construction: `user.school_id` is the tenant).
    pub user: User,
    /// The verified token claims.
    pub claims: Claims,
    /// Current role.
    pub role: Role,
}

impl AuthUser {
    /// Tenant of the caller.
    pub fn school_id(&self) -> uuid::Uuid {
        self.user.school_id
    }

    /// Caller's user id.
    pub fn id(&self) -> uuid::Uuid {
        self.user.id
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(ApiError::Unauthenticated("missing bearer token"))?;
        let value = header
            .to_str()
            .map_err(|_| ApiError::Unauthenticated("malformed authorization header"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(ApiError::Unauthenticated("expected a bearer token"))?;
        authenticate(state, token.trim()).await
    }
}

/// Verifies an access token and loads its user; shared by the header extractor and the
/// WebSocket ticket flow.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    let claims = state
        .keys
        .verify(token)
        .map_err(|_| ApiError::Unauthenticated("invalid or expired access token"))?;
    let conn = state.db.conn();
    let session = accolade_db::auth::session(conn, claims.sid)
        .await?
        .ok_or(ApiError::Unauthenticated("session ended"))?;
    if session.revoked_at.is_some() || session.user_id != claims.sub {
        return Err(ApiError::Unauthenticated("session ended"));
    }
    let user = accolade_db::users::by_id_unscoped(conn, claims.sub)
        .await?
        .ok_or(ApiError::Unauthenticated("unknown user"))?;
    if !user.active || user.school_id != claims.sch {
        return Err(ApiError::Unauthenticated("account is not active"));
    }
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::Internal("bad role".into()))?;
    Ok(AuthUser { user, claims, role })
}

/// A JSON body whose rejections become problem details: wrong content type → 415, syntax → 400
/// `malformed_body`, wrong shape → 422 `invalid_input`, too large → 413.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::UnsupportedMediaType("expected Content-Type: application/json".into())
        }
        JsonRejection::JsonSyntaxError(e) => ApiError::MalformedBody(e.body_text()),
        JsonRejection::JsonDataError(e) => {
            let (field, message) = describe_data_error(&e.body_text());
            ApiError::field(&field, message)
        }
        JsonRejection::BytesRejection(e) => {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedBody(e.body_text())
            }
        }
        other => ApiError::MalformedBody(other.body_text()),
    }
}

/// Turns serde's message (with axum's prefix and serde_path_to_error's `path: ` prefix) into
/// the field it is about and a short message, without parser positions.
fn describe_data_error(text: &str) -> (String, String) {
    let body = text
        .split_once("target type: ")
        .map_or(text, |(_, rest)| rest);
    // Drop " at line 1 column 22".
    let body = match body.rfind(" at line ") {
        Some(i) => &body[..i],
        None => body,
    };
    if let Some(rest) = body.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("body");
        return (field.to_owned(), "is required".to_owned());
    }
    match body.split_once(": ") {
        Some((path, msg)) if !path.is_empty() && !path.contains(' ') => {
            let msg = match msg.strip_prefix("missing field `") {
                Some(rest) => {
                    let inner = rest.split('`').next().unwrap_or_default();
                    return (format!("{path}.{inner}"), "is required".to_owned());
                }
                None => msg,
            };
            (path.trim_start_matches('.').to_owned(), msg.to_owned())
        }
        _ => ("body".to_owned(), body.to_owned()),
    }
}

/// A path parameter; a value that does not parse (e.g. a non-UUID id) is a 404, since no such
/// resource can exist.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| ApiError::NotFound("resource"))
    }
}

/// Query-string parameters; a bad value is a 422 `invalid_input`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::field("query", e.body_text()))
    }
}

/// The client's IP: the socket peer, or the first `X-Forwarded-For` entry when
/// `trust_forwarded_for` is on.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.config.trust_forwarded_for {
            if let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
            {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(peer))
    }
}
