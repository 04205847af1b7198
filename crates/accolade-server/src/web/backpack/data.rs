//! `/my/data`: a student's own data.
//!
//! - `GET /my/data`: what the export contains and what deleting the account does;
//! - `GET /my/data/export.zip`: the export (every badge as baked PNG and SVG and OB 2.0 JSON,
//!   collections and nominations as JSON, a readable index), through
//!   `GET /api/v1/me/export`'s handler;
//! - `POST /my/data/delete`: deletes the account after the student typed their handle
//!   (through `DELETE /api/v1/me`'s handler), then signs the browser out and says what
//!   happened.

use accolade_proto::DeleteAccountRequest;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::pages::{bad_form, csrf_failed};
use crate::web::session::{self, Web, WebUser};
use crate::web::student::require_student;
use crate::web::{error_page, message, page, Link, Message};

fn view(
    web: &Web,
    u: &WebUser,
    status: StatusCode,
    typed: &str,
    error: Option<String>,
) -> Response {
    web.finish(page(
        status,
        "backpack_data.html",
        context! {
            title => tr("backpack-data-title"),
            user => u.view(),
            csrf => web.csrf(),
            handle => u.user.handle.clone(),
            typed => typed,
            error => error,
        },
    ))
}

/// `GET /my/data`.
pub async fn data_page(web: Web) -> Response {
    let u = match require_student(&web, "/my/data") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    view(&web, u, StatusCode::OK, "", None)
}

/// `GET /my/data/export.zip`.
pub async fn export(State(state): State<AppState>, web: Web) -> Response {
    let u = match require_student(&web, "/my/data") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    match crate::routes::account::export_me(State(state.clone()), u.auth(&state)).await {
        Ok(res) => web.finish(res),
        Err(e) => web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
    }
}

/// The delete form.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The student's handle, typed to confirm.
    #[serde(default)]
    pub confirm_handle: String,
}

/// `POST /my/data/delete`.
pub async fn delete_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<DeleteForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/my/data");
    };
    let u = match require_student(&web, "/my/data") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/my/data");
    }
    let typed = f.confirm_handle.trim().trim_start_matches('@');
    if !typed.eq_ignore_ascii_case(&u.user.handle) {
        return view(
            &web,
            u,
            StatusCode::UNPROCESSABLE_ENTITY,
            &f.confirm_handle,
            Some(tr("backpack-data-delete-mismatch")),
        );
    }
    let res = crate::routes::account::delete_me(
        State(state.clone()),
        u.auth(&state),
        ApiJson(DeleteAccountRequest { confirm: true }),
    )
    .await;
    match res {
        Ok(_) => {
            // The sessions are revoked by the deletion; the cookie goes too.
            let mut res = message(
                StatusCode::OK,
                None,
                &web.csrf(),
                Message {
                    heading: tr("backpack-data-deleted"),
                    paragraphs: vec![tr("backpack-data-deleted-text")],
                    tone: "ok",
                    links: vec![Link::new("/signin", tr("common-sign-in"), true)],
                    ..Message::default()
                },
            );
            if let Ok(v) = HeaderValue::from_str(&session::clear_session_cookie(&state)) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            web.finish(res)
        }
        Err(e @ ApiError::Invalid(_)) => view(
            &web,
            u,
            StatusCode::UNPROCESSABLE_ENTITY,
            &f.confirm_handle,
            Some(
                crate::web::field_errors(&e)
                    .and_then(|m| m.into_values().next())
                    .unwrap_or_default(),
            ),
        ),
        Err(e) => web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
    }
}
