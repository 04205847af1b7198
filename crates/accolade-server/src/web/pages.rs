//! Sign-in, sign-out, `/account` and the page language.
//!
//! - `GET /signin?next=…`: password and sign-in card forms; `POST /signin` (password) and
//!   `POST /signin/card` (card code) sign in through the same services as the API (password
//!   policy, rate limits per account and per IP, single-use cards), set the session cookie and
//!   go on to `next` (a local path only) or `/account`.
//! - `GET /signin/card/{code}?next=…`: the URL printed on sign-in cards. It shows one button
//!   (a POST form), so link previewers and scanners that fetch URLs cannot use up the card.
//! - `GET /signout` (a button), `POST /signout`: ends the session and clears the cookie.
//! - `GET /account`: redirects to the user's home page (by role).
//! - `GET /lang/{lang}`: remembers the page language.

use accolade_proto::{LoginRequest, TokenResponse};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use fluent_bundle::FluentValue;

use super::i18n::{tr, tr_args};
use super::session::{self, Web};
use super::{message, page, safe_next, templates, to_signin, BadgeView, FormSpec, Link, Message};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::AppState;

/// Query of `GET /signin`.
#[derive(Debug, Default, Deserialize)]
pub struct SigninQuery {
    /// Where to go after signing in (a local path).
    pub next: Option<String>,
    /// Set after signing out.
    pub signed_out: Option<String>,
}

/// The password sign-in form.
#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Where to go afterwards.
    pub next: Option<String>,
    /// E-mail or handle.
    #[serde(default)]
    pub login: String,
    /// Password.
    #[serde(default)]
    pub password: String,
    /// School slug, when the e-mail exists in several schools.
    pub school: Option<String>,
}

/// The sign-in card form.
#[derive(Debug, Default, Deserialize)]
pub struct CardForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Where to go afterwards.
    pub next: Option<String>,
    /// The card code (or the card's whole URL).
    #[serde(default)]
    pub code: String,
}

/// A form with only a CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    /// CSRF token.
    pub csrf: Option<String>,
}

/// What the sign-in page shows besides the forms.
#[derive(Debug, Default)]
pub struct SigninView {
    /// Heading.
    pub heading: String,
    /// A line under the heading.
    pub intro: Option<String>,
    /// The claim code's title ("From …").
    pub code_title: Option<String>,
    /// The badge about to be claimed, if any.
    pub badge: Option<BadgeView>,
    /// Error of a failed attempt.
    pub error: Option<String>,
    /// Informational notice.
    pub notice: Option<String>,
    /// Where to go afterwards.
    pub next: String,
    /// Login typed before (kept after a failure).
    pub login: String,
    /// Whether to ask for the school's slug.
    pub ask_school: bool,
    /// The slug typed before.
    pub school: String,
}

/// Renders the sign-in page.
pub fn signin_view(web: &Web, status: StatusCode, v: SigninView) -> Response {
    web.finish(page(
        status,
        "signin.html",
        context! {
            title => v.heading.clone(),
            heading => v.heading,
            intro => v.intro,
            code_title => v.code_title,
            badge => v.badge,
            error => v.error,
            notice => v.notice,
            next => v.next,
            login => v.login,
            ask_school => v.ask_school,
            school => v.school,
            csrf => web.csrf(),
            user => web.user.as_ref().map(session::WebUser::view),
            css_url => templates::css_url(),
        },
    ))
}

/// The 403 page for a form without a valid CSRF token.
pub fn csrf_failed(web: &Web, back: &str) -> Response {
    web.finish(message(
        StatusCode::FORBIDDEN,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: tr("common-form-expired"),
            paragraphs: vec![tr("common-form-expired-text")],
            tone: "error",
            links: vec![Link::new(back, tr("common-try-again"), true)],
            ..Message::default()
        },
    ))
}

/// The 400 page for a form that does not parse.
pub fn bad_form(web: &Web, back: &str) -> Response {
    web.finish(message(
        StatusCode::BAD_REQUEST,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: tr("common-form-incomplete"),
            paragraphs: vec![tr("common-form-incomplete-text")],
            tone: "error",
            links: vec![Link::new(back, tr("common-try-again"), true)],
            ..Message::default()
        },
    ))
}

/// `GET /signin`.
pub async fn signin_page(web: Web, q: Result<Query<SigninQuery>, QueryRejection>) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let next = safe_next(q.next.as_deref());
    if web.user.is_some() && q.next.is_some() {
        return web.finish(Redirect::to(&next).into_response());
    }
    let notice = q.signed_out.is_some().then(|| tr("signin-signed-out"));
    signin_view(
        &web,
        StatusCode::OK,
        SigninView {
            heading: tr("signin-heading"),
            notice,
            next,
            ..SigninView::default()
        },
    )
}

/// Starts the browser session for `tokens` (ending the browser's previous one) and redirects
/// to `next`.
async fn signed_in(state: &AppState, web: &Web, tokens: &TokenResponse, next: &str) -> Response {
    if let Some(old) = &web.user {
        if let Err(e) = session::end_session(state, old.session_id, "web_signin").await {
            tracing::warn!(error = %e, "ending the previous web session");
        }
    }
    let mut res = Redirect::to(next).into_response();
    if let Ok(v) = HeaderValue::from_str(&session::session_cookie(state, &tokens.refresh_token)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    web.finish(res)
}

/// `POST /signin`: password sign-in.
pub async fn signin_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    web: Web,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/signin");
    };
    let next = safe_next(f.next.as_deref());
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &format!("/signin?next={}", super::url_encode(&next)));
    }
    let school = f
        .school
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let req = LoginRequest {
        login: f.login.clone(),
        password: f.password,
        school: school.clone(),
    };
    match crate::routes::auth::password_sign_in(&state, ip, &req).await {
        Ok(tokens) => signed_in(&state, &web, &tokens, &next).await,
        Err(e) => {
            let (status, _, _) = e.parts();
            let (error, ask_school) = match &e {
                ApiError::InvalidCredentials => (tr("signin-error-mismatch"), school.is_some()),
                ApiError::SchoolRequired => (tr("signin-error-school-required"), true),
                ApiError::InvalidPassword(_) => (tr("signin-error-bad-password"), false),
                ApiError::RateLimited(secs) => (rate_limited(*secs), school.is_some()),
                _ => (tr("signin-error-generic"), false),
            };
            signin_view(
                &web,
                status,
                SigninView {
                    heading: tr("signin-heading"),
                    error: Some(error),
                    next,
                    login: f.login,
                    ask_school,
                    school: school.unwrap_or_default(),
                    ..SigninView::default()
                },
            )
        }
    }
}

/// `POST /signin/card`: sign-in card.
pub async fn signin_card(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    web: Web,
    form: Result<Form<CardForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/signin");
    };
    let next = safe_next(f.next.as_deref());
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &format!("/signin?next={}", super::url_encode(&next)));
    }
    match crate::routes::auth::card_sign_in(&state, ip, &f.code).await {
        Ok(tokens) => signed_in(&state, &web, &tokens, &next).await,
        Err(e) => {
            let (status, _, _) = e.parts();
            let error = match e {
                ApiError::RateLimited(secs) => rate_limited(secs),
                _ => tr("signin-error-card"),
            };
            signin_view(
                &web,
                status,
                SigninView {
                    heading: tr("signin-heading"),
                    error: Some(error),
                    next,
                    ..SigninView::default()
                },
            )
        }
    }
}

/// `GET /signin/card/{code}`: the sign-in card's URL; one button signs in.
pub async fn card_link(
    web: Web,
    Path(code): Path<String>,
    q: Result<Query<SigninQuery>, QueryRejection>,
) -> Response {
    let next = safe_next(q.ok().and_then(|Query(q)| q.next).as_deref());
    let code: String = code.chars().take(64).collect();
    let paragraphs = vec![tr("signin-card-text")];
    let named = web
        .user
        .as_ref()
        .map(|u| vec![super::named("signin-card-switch", &u.user.display_name)])
        .unwrap_or_default();
    web.finish(message(
        StatusCode::OK,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: tr("signin-card-heading"),
            named,
            paragraphs,
            tone: "info",
            form: Some(FormSpec {
                action: "/signin/card".into(),
                button: tr("signin-submit"),
                fields: vec![("code".into(), code), ("next".into(), next)],
            }),
            ..Message::default()
        },
    ))
}

/// Query of `GET /lang/{lang}`.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    /// Page to return to (a local path).
    pub next: Option<String>,
}

/// `GET /lang/{lang}?next=…`: remembers the chosen page language (`en`, `es`) in the
/// `accolade_lang` cookie for a year and returns to `next`. A preference only (no account
/// change), so a plain link is enough. Unknown language: 404.
pub async fn set_language(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Response {
    let Some(lang) = super::i18n::supported(&lang) else {
        return ApiError::NotFound("language").into_response();
    };
    let next = query.ok().and_then(|Query(q)| q.next);
    let secure = if session::is_secure(&state) {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={lang}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        super::i18n::LANG_COOKIE
    );
    let mut res = Redirect::to(&safe_next(next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// `GET /signout`: a button that signs out.
pub async fn signout_page(web: Web) -> Response {
    if web.user.is_none() {
        return web.finish(Redirect::to("/signin").into_response());
    }
    web.finish(message(
        StatusCode::OK,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: tr("common-sign-out"),
            paragraphs: vec![tr("signin-signout-question")],
            tone: "info",
            form: Some(FormSpec {
                action: "/signout".into(),
                button: tr("common-sign-out"),
                fields: vec![],
            }),
            ..Message::default()
        },
    ))
}

/// `POST /signout`: ends the session and clears the cookie.
pub async fn signout(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/signout");
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/signout");
    }
    if let Some(u) = &web.user {
        if let Err(e) = session::end_session(&state, u.session_id, "logout").await {
            return web.finish(super::error_page(
                &e,
                web.user.as_ref(),
                &web.csrf(),
                "UTC",
                None,
            ));
        }
    }
    let mut res = Redirect::to("/signin?signed_out=1").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::clear_session_cookie(&state)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    web.finish(res)
}

/// `GET /account`: the signed-in user's home page (`/my/badges`, `/teach/queue` or `/admin`,
/// see [`session::WebUser::home`]); signed out, the sign-in page coming back here.
pub async fn account(web: Web) -> Response {
    let Some(u) = &web.user else {
        return web.finish(to_signin("/account"));
    };
    web.finish(Redirect::to(u.home()).into_response())
}

/// "Too many tries, wait N seconds" in the request's language.
pub fn rate_limited(secs: u64) -> String {
    tr_args(
        "signin-error-rate-limited",
        &[("seconds", FluentValue::from(secs))],
    )
}
