//! `Idempotency-Key` support (draft-ietf-httpapi-idempotency-key-header): a retried request with
//! the same key returns the stored response instead of acting twice.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Requests are told apart by a SHA-256 of their description (route, target and parameters),
/// so the stored scope has a fixed size whatever the request.
fn scope_hash(scope: &str) -> String {
    crate::tokens::hash_secret(scope)
}

/// The `Idempotency-Key` header, if present: 1–255 visible ASCII characters.
pub fn key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let s = v
        .to_str()
        .map_err(|_| ApiError::field("Idempotency-Key", "must be visible ASCII"))?
        .trim()
        .trim_matches('"')
        .to_owned();
    if s.is_empty() || s.len() > 255 {
        return Err(ApiError::field(
            "Idempotency-Key",
            "must be 1–255 characters",
        ));
    }
    Ok(Some(s))
}

/// A stored response for `(user, key)` in this transaction: `Some(response)` to replay,
/// `Err(idempotency_key_reused)` when the key was used for another request (`scope`).
pub async fn replay(
    conn: &impl sea_orm::ConnectionTrait,
    user_id: Uuid,
    key: Option<&str>,
    scope: &str,
) -> ApiResult<Option<Response>> {
    let Some(key) = key else { return Ok(None) };
    let scope = scope_hash(scope);
    match accolade_db::idempotency::find(conn, user_id, key).await? {
        Some(rec) if rec.scope == scope => {
            let status = StatusCode::from_u16(rec.status as u16).unwrap_or(StatusCode::OK);
            let mut res = (
                status,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                rec.response,
            )
                .into_response();
            res.headers_mut().insert(
                "idempotent-replayed",
                axum::http::HeaderValue::from_static("true"),
            );
            Ok(Some(res))
        }
        Some(_) => Err(ApiError::IdempotencyKeyReused),
        None => Ok(None),
    }
}

/// Stores the response of a successful request made with a key (inside its transaction).
pub async fn remember(
    conn: &impl sea_orm::ConnectionTrait,
    user_id: Uuid,
    key: Option<&str>,
    scope: &str,
    status: StatusCode,
    body: &impl serde::Serialize,
) -> ApiResult<()> {
    if let Some(key) = key {
        let text = serde_json::to_string(body).map_err(|e| ApiError::Internal(e.to_string()))?;
        accolade_db::idempotency::store(
            conn,
            user_id,
            key,
            &scope_hash(scope),
            status.as_u16(),
            text,
        )
        .await?;
    }
    Ok(())
}
