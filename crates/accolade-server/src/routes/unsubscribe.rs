//! `/unsubscribe`: the signed link at the end of every notification e-mail, usable without
//! signing in (outside `/api/v1`, not in the OpenAPI document).
//!
//! - `GET /unsubscribe?u={user_id}&k={kind}&s={sig}` shows a small confirmation page with a
//!   button (a form POST to the same URL), so link scanners that follow links do not
//!   unsubscribe anyone.
//! - `POST /unsubscribe?u=…&k=…&s=…` (also RFC 8058 one-click, body
//!   `List-Unsubscribe=One-Click`) turns that kind of mail off: `award` and `decision` set
//!   `email_notifications = false`, `digest` sets `email_digest = "off"`; then shows a
//!   confirmation page.
//!
//! The signature is checked in constant time ([`crate::mail::verify_unsubscribe`]); a missing,
//! malformed or tampered one gives a 400 page, an unknown user a 404 page. Every value on the
//! pages is HTML-escaped by the template.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::mail::{self, KIND_AWARD, KIND_DECISION, KIND_DIGEST};
use crate::state::AppState;

/// A verified unsubscribe request.
struct Link {
    user_id: Uuid,
    kind: &'static str,
}

type LinkQuery = Result<Query<HashMap<String, String>>, QueryRejection>;

/// Checks `u`, `k` and `s` of the query; `None` unless the signature matches.
fn verify(state: &AppState, q: &LinkQuery) -> Option<Link> {
    let Ok(Query(q)) = q else {
        return None;
    };
    let user_id = Uuid::parse_str(q.get("u")?.trim()).ok()?;
    let kind = match q.get("k")?.as_str() {
        "award" => KIND_AWARD,
        "decision" => KIND_DECISION,
        "digest" => KIND_DIGEST,
        _ => return None,
    };
    let sig = q.get("s")?;
    mail::verify_unsubscribe(&state.link_key, user_id, kind, sig).then_some(Link { user_id, kind })
}

/// What turning off `kind` stops, in words.
fn what(kind: &str) -> &'static str {
    if kind == KIND_DIGEST {
        "the digest of nominations waiting for your review"
    } else {
        "e-mail notifications from Accolade (badges you receive, decisions on your nominations \
         and nomination digests)"
    }
}

struct Page<'a> {
    status: StatusCode,
    title: &'a str,
    message: String,
    action: Option<String>,
    button: &'a str,
    note: &'a str,
}

fn page(p: Page<'_>) -> Response {
    let body = mail::render(
        "unsubscribe_page.html",
        context! {
            title => p.title,
            message => p.message,
            action => p.action.as_deref().map(mail::safe_url),
            button => p.button,
            note => p.note,
        },
    );
    let mut res = match body {
        Ok(html) => (p.status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    res
}

fn bad_link() -> Response {
    page(Page {
        status: StatusCode::BAD_REQUEST,
        title: "This unsubscribe link does not work",
        message: "The link is incomplete or has been changed. Use the link from the e-mail \
                  exactly as it is, or change your e-mail settings after signing in."
            .into(),
        action: None,
        button: "",
        note: "",
    })
}

fn unknown_user() -> Response {
    page(Page {
        status: StatusCode::NOT_FOUND,
        title: "This unsubscribe link is no longer valid",
        message: "The account it belongs to does not exist any more, so it gets no e-mail.".into(),
        action: None,
        button: "",
        note: "",
    })
}

/// `GET /unsubscribe`: the confirmation page with a button; changes nothing.
pub async fn confirm(State(state): State<AppState>, q: LinkQuery) -> Response {
    let Some(link) = verify(&state, &q) else {
        return bad_link();
    };
    page(Page {
        status: StatusCode::OK,
        title: "Unsubscribe?",
        message: format!("Stop getting {}?", what(link.kind)),
        action: Some(mail::unsubscribe_path(
            &state.link_key,
            link.user_id,
            link.kind,
        )),
        button: "Unsubscribe",
        note: "You can turn e-mails back on at any time in your settings.",
    })
}

/// `POST /unsubscribe`: turns the link's kind of mail off (also RFC 8058 one-click).
pub async fn unsubscribe(State(state): State<AppState>, q: LinkQuery) -> Response {
    let Some(link) = verify(&state, &q) else {
        return bad_link();
    };
    match apply(&state, &link).await {
        Ok(true) => page(Page {
            status: StatusCode::OK,
            title: "You are unsubscribed",
            message: format!("You will no longer get {}.", what(link.kind)),
            action: None,
            button: "",
            note: "You can turn e-mails back on at any time in your settings.",
        }),
        Ok(false) => unknown_user(),
        Err(e) => {
            tracing::error!(error = ?e, "unsubscribe failed");
            page(Page {
                status: StatusCode::SERVICE_UNAVAILABLE,
                title: "Please try again",
                message: "Something went wrong on our side; nothing was changed.".into(),
                action: None,
                button: "",
                note: "",
            })
        }
    }
}

/// Turns the preference off and records it in the audit log; false when the user is gone.
async fn apply(state: &AppState, link: &Link) -> ApiResult<bool> {
    let txn = state.db.begin_write().await?;
    let Some(mut user) = accolade_db::users::by_id_unscoped(&*txn, link.user_id).await? else {
        return Ok(false);
    };
    let before = serde_json::json!({
        "email_notifications": user.email_notifications,
        "email_digest": user.email_digest,
    });
    if link.kind == KIND_DIGEST {
        user.email_digest = "off".into();
    } else {
        user.email_notifications = false;
    }
    let after = serde_json::json!({
        "email_notifications": user.email_notifications,
        "email_digest": user.email_digest,
    });
    let (school_id, user_id) = (user.school_id, user.id);
    accolade_db::users::save(&*txn, user).await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id,
            actor_id: Some(user_id),
            action: "user.unsubscribe",
            target_type: "user",
            target_id: Some(user_id.to_string()),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
