//! Sign-in, sign-out, the account page and the student's badges.
//!
//! - `GET /signin?next=…`: password and sign-in card forms; `POST /signin` (password) and
//!   `POST /signin/card` (card code) sign in through the same services as the API (password
//!   policy, rate limits per account and per IP, single-use cards), set the session cookie and
//!   go on to `next` (a local path only) or `/account`.
//! - `GET /signin/card/{code}?next=…`: the URL printed on sign-in cards. It shows one button
//!   (a POST form), so link previewers and scanners that fetch URLs cannot use up the card.
//! - `GET /signout` (a button), `POST /signout`: ends the session and clears the cookie.
//! - `GET /account`: "you're signed in", with the teacher's claim codes to present.
//! - `GET /my/badges`: the signed-in user's badges.

use accolade_proto::{LoginRequest, Role, TokenResponse};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::session::{self, Web};
use super::{message, page, safe_next, templates, to_signin, BadgeView, FormSpec, Link, Message};
use crate::badges::{self as svc, ViewCache};
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
            heading: "This form has expired".into(),
            paragraphs: vec![
                "For your safety we could not accept it. Open the page again and retry.".into(),
            ],
            tone: "error",
            links: vec![Link::new(back, "Try again", true)],
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
            heading: "Something is missing".into(),
            paragraphs: vec!["The form was incomplete. Please try again.".into()],
            tone: "error",
            links: vec![Link::new(back, "Try again", true)],
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
    let notice = q
        .signed_out
        .is_some()
        .then(|| "You're signed out.".to_owned());
    signin_view(
        &web,
        StatusCode::OK,
        SigninView {
            heading: "Sign in".into(),
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
                ApiError::InvalidCredentials => (
                    "That e-mail or username and password don't match. Check them and try again."
                        .to_owned(),
                    school.is_some(),
                ),
                ApiError::SchoolRequired => (
                    "This e-mail is used in more than one school: type your school's short name too."
                        .to_owned(),
                    true,
                ),
                ApiError::InvalidPassword(why) => (format!("That password can't be right: {why}."), false),
                ApiError::RateLimited(secs) => (
                    format!("Too many tries. Please wait {secs} seconds and try again."),
                    school.is_some(),
                ),
                _ => (
                    "Signing in didn't work just now. Please try again.".to_owned(),
                    false,
                ),
            };
            signin_view(
                &web,
                status,
                SigninView {
                    heading: "Sign in".into(),
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
                ApiError::RateLimited(secs) => {
                    format!("Too many tries. Please wait {secs} seconds and try again.")
                }
                _ => "This card code doesn't work: it may be mistyped, already used or too old. \
                      Ask your teacher for a new card."
                    .to_owned(),
            };
            signin_view(
                &web,
                status,
                SigninView {
                    heading: "Sign in".into(),
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
    let paragraphs = vec!["Tap the button to sign in with your card. It works once.".into()];
    let named = web
        .user
        .as_ref()
        .map(|u| {
            vec![(
                "You're signed in as ".to_owned(),
                u.user.display_name.clone(),
                " now: this switches to the card's account.".to_owned(),
            )]
        })
        .unwrap_or_default();
    web.finish(message(
        StatusCode::OK,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: "Sign in with your card".into(),
            named,
            paragraphs,
            tone: "info",
            form: Some(FormSpec {
                action: "/signin/card".into(),
                button: "Sign in".into(),
                fields: vec![("code".into(), code), ("next".into(), next)],
            }),
            ..Message::default()
        },
    ))
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
            heading: "Sign out".into(),
            paragraphs: vec!["Sign out of Accolade on this device?".into()],
            tone: "info",
            form: Some(FormSpec {
                action: "/signout".into(),
                button: "Sign out".into(),
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

/// `GET /account`: "you're signed in", with links; teachers and admins also see their claim
/// codes that are still open, each linking to its projector page.
pub async fn account(State(state): State<AppState>, web: Web) -> Response {
    let Some(u) = &web.user else {
        return web.finish(to_signin("/account"));
    };
    let mut codes = Vec::new();
    if u.role != Role::Student {
        let creator = (u.role != Role::Admin).then_some(u.user.id);
        let conn = state.db.conn();
        let tz = accolade_db::schools::by_id(conn, u.user.school_id)
            .await
            .ok()
            .flatten()
            .map(|s| s.timezone)
            .unwrap_or_else(|| "UTC".into());
        let now = state.now();
        let rows = accolade_db::claims::codes_in_school(conn, u.user.school_id, creator)
            .await
            .unwrap_or_default();
        for c in rows
            .iter()
            .filter(|c| c.status != "closed" && c.ends_at.with_timezone(&chrono::Utc) > now)
            .take(50)
        {
            let badge = accolade_db::badges::class_by_id(conn, c.school_id, c.badge_class_id)
                .await
                .ok()
                .flatten()
                .map(|b| b.name)
                .unwrap_or_default();
            codes.push(context! {
                href => format!("/present/{}", c.id),
                title => c.title.clone(),
                badge => badge,
                state => c.status.clone(),
                ends => crate::claims::local(c.ends_at.with_timezone(&chrono::Utc), &tz),
            });
        }
    }
    web.finish(page(
        StatusCode::OK,
        "account.html",
        context! {
            title => "You're signed in",
            user => u.view(),
            codes => codes,
            csrf => web.csrf(),
            css_url => templates::css_url(),
        },
    ))
}

/// `GET /my/badges`: the signed-in user's badges, newest first (up to 200).
pub async fn my_badges(State(state): State<AppState>, web: Web) -> Response {
    let Some(u) = &web.user else {
        return web.finish(to_signin("/my/badges"));
    };
    match badges_of(&state, u).await {
        Ok(awards) => web.finish(page(
            StatusCode::OK,
            "badges.html",
            context! {
                title => "My badges",
                user => u.view(),
                awards => awards,
                csrf => web.csrf(),
                css_url => templates::css_url(),
            },
        )),
        Err(e) => web.finish(super::error_page(&e, Some(u), &web.csrf(), "UTC", None)),
    }
}

async fn badges_of(
    state: &AppState,
    u: &session::WebUser,
) -> Result<Vec<minijinja::Value>, ApiError> {
    let conn = state.db.conn();
    let base = state.config.base_url();
    let tz = accolade_db::schools::by_id(conn, u.user.school_id)
        .await?
        .map(|s| s.timezone)
        .unwrap_or_else(|| "UTC".into());
    let rows = accolade_db::awards::by_recipient(conn, u.user.school_id, u.user.id, 0, 200).await?;
    let mut cache = ViewCache::default();
    let mut out = Vec::new();
    for a in &rows {
        let v = svc::award_view(conn, base, &mut cache, a).await?;
        let status = serde_json::to_value(v.status)
            .ok()
            .and_then(|s| s.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push(context! {
            badge => BadgeView::of(&v.badge, base),
            issued => crate::claims::local(v.issued_on, &tz).chars().take(10).collect::<String>(),
            status => status,
        });
    }
    Ok(out)
}
