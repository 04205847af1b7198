//! `/profile`: every signed-in user's own profile.
//!
//! - `GET /profile`: display name, handle, e-mail preferences (notifications on/off; the
//!   digest for teachers and admins) and the password form;
//! - `POST /profile`: saves the profile through `PATCH /api/v1/me` (same validation: display
//!   name 1–100 characters without control or direction-override characters, handle 3–30 of
//!   a–z 0–9 and hyphens, unique);
//! - `POST /profile/password`: changes the password through `POST /api/v1/me/password` (the
//!   current password is checked; other sessions end, this one stays).
//!
//! On an error the form comes back with what was typed (passwords excepted) and the error next
//! to its field.

use std::collections::BTreeMap;

use accolade_proto::{ChangePasswordRequest, EmailDigest, UpdateMeRequest};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::i18n::tr;
use super::pages::{bad_form, csrf_failed, rate_limited};
use super::session::{Web, WebUser};
use super::{error_page, field_errors, page, to_signin};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Query of `GET /profile`.
#[derive(Debug, Default, Deserialize)]
pub struct ProfileQuery {
    /// Set after the profile was saved.
    pub saved: Option<String>,
    /// Set after the password was changed.
    pub password: Option<String>,
}

/// The profile form.
#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Handle.
    #[serde(default)]
    pub handle: String,
    /// `on` when checked (HTML checkbox).
    pub email_notifications: Option<String>,
    /// `daily`, `weekly` or `off` (staff only).
    pub email_digest: Option<String>,
}

/// The password form.
#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Current password.
    #[serde(default)]
    pub current_password: String,
    /// New password.
    #[serde(default)]
    pub new_password: String,
    /// New password again.
    #[serde(default)]
    pub confirm_password: String,
}

/// Values shown in the profile form.
struct Values {
    display_name: String,
    handle: String,
    email_notifications: bool,
    email_digest: String,
}

impl Values {
    fn of(u: &WebUser) -> Values {
        Values {
            display_name: u.user.display_name.clone(),
            handle: u.user.handle.clone(),
            email_notifications: u.user.email_notifications,
            email_digest: u.user.email_digest.clone(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn view(
    web: &Web,
    u: &WebUser,
    status: StatusCode,
    values: Values,
    errors: BTreeMap<String, String>,
    password_errors: BTreeMap<String, String>,
    notice: Option<String>,
) -> Response {
    let digests: Vec<_> = [
        (EmailDigest::Daily, "profile-digest-daily"),
        (EmailDigest::Weekly, "profile-digest-weekly"),
        (EmailDigest::Off, "profile-digest-off"),
    ]
    .into_iter()
    .map(|(d, id)| context! { value => d.as_str(), text => tr(id) })
    .collect();
    web.finish(page(
        status,
        "profile.html",
        context! {
            title => tr("profile-title"),
            user => u.view(),
            email => u.user.email.clone(),
            has_password => u.user.password_hash.is_some(),
            values => context! {
                display_name => values.display_name,
                handle => values.handle,
                email_notifications => values.email_notifications,
                email_digest => values.email_digest,
            },
            digests => digests,
            errors => errors,
            password_errors => password_errors,
            notice => notice,
            csrf => web.csrf(),
        },
    ))
}

/// `GET /profile`.
pub async fn profile_page(web: Web, q: Result<Query<ProfileQuery>, QueryRejection>) -> Response {
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin("/profile"));
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let notice = if q.saved.is_some() {
        Some(tr("profile-saved"))
    } else if q.password.is_some() {
        Some(tr("profile-password-changed"))
    } else {
        None
    };
    view(
        &web,
        u,
        StatusCode::OK,
        Values::of(u),
        BTreeMap::new(),
        BTreeMap::new(),
        notice,
    )
}

/// `POST /profile`: saves name, handle and e-mail preferences.
pub async fn profile_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<ProfileForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/profile");
    };
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin("/profile"));
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/profile");
    }
    let digest = if u.is_teacher() {
        f.email_digest.as_deref().and_then(EmailDigest::parse)
    } else {
        None
    };
    let values = Values {
        display_name: f.display_name.chars().take(400).collect(),
        handle: f.handle.chars().take(100).collect(),
        email_notifications: f.email_notifications.is_some(),
        email_digest: digest
            .map(|d| d.as_str().to_owned())
            .unwrap_or_else(|| u.user.email_digest.clone()),
    };
    let req = UpdateMeRequest {
        display_name: Some(values.display_name.clone()),
        handle: Some(values.handle.clone()),
        email_notifications: Some(values.email_notifications),
        email_digest: digest,
    };
    let res = crate::routes::me::patch_me(State(state.clone()), u.auth(&state), ApiJson(req)).await;
    match res {
        Ok(_) => web.finish(Redirect::to("/profile?saved=1").into_response()),
        Err(e) => {
            let (status, _, _) = e.parts();
            let errors = match (&e, field_errors(&e)) {
                (_, Some(fe)) => fe,
                (ApiError::Conflict(_), None) => {
                    BTreeMap::from([("handle".to_owned(), tr("profile-handle-taken"))])
                }
                _ => return web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
            };
            view(&web, u, status, values, errors, BTreeMap::new(), None)
        }
    }
}

/// `POST /profile/password`: changes the password.
pub async fn password_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/profile");
    };
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin("/profile"));
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/profile");
    }
    let fail = |status: StatusCode, field: &str, text: String| {
        view(
            &web,
            u,
            status,
            Values::of(u),
            BTreeMap::new(),
            BTreeMap::from([(field.to_owned(), text)]),
            None,
        )
    };
    if f.new_password != f.confirm_password {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirm_password",
            tr("profile-password-mismatch"),
        );
    }
    let req = ChangePasswordRequest {
        current_password: Some(f.current_password),
        new_password: f.new_password,
    };
    let res =
        crate::routes::me::change_password(State(state.clone()), u.auth(&state), ApiJson(req))
            .await;
    match res {
        Ok(_) => web.finish(Redirect::to("/profile?password=1").into_response()),
        Err(e) => {
            let (status, _, _) = e.parts();
            match e {
                ApiError::InvalidCredentials => {
                    fail(status, "current_password", tr("profile-password-wrong"))
                }
                ApiError::InvalidPassword(_) => {
                    fail(status, "new_password", tr("profile-password-policy"))
                }
                ApiError::RateLimited(secs) => fail(status, "current_password", rate_limited(secs)),
                e => web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
            }
        }
    }
}
