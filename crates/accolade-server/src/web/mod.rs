//! Server-rendered web pages for QR claiming, outside `/api/v1` (not in the OpenAPI document):
//!
//! - `/present/{code_id}`: the projector page for a claim code's creator (or an admin): a large
//!   rotating QR, the manual code, time left, and a live count and latest first names over the
//!   realtime channel ([`present`]);
//! - `/c/{token}` (phones), `/claim` (typed codes) and `/my/badges`: claiming as a student, with
//!   a friendly page for every refusal ([`claim`]);
//! - `/o/{token}`: accepting a classmate's peer offer ([`offer`]);
//! - `/signin`, `/signin/card/{code}`, `/signout`, `/account`: browser sessions ([`pages`],
//!   [`session`]);
//! - `/.well-known/apple-app-site-association`, `/.well-known/assetlinks.json`: app links, so the
//!   phone apps open `/c/`, `/o/` and `/signin/card/` links themselves ([`applinks`]);
//! - `/assets/{file}`: the stylesheet and scripts, compiled in ([`templates`]);
//! - `/lang/{lang}`: remembers a chosen page language ([`i18n`]).
//!
//! Pages are minijinja templates compiled into the binary (`templates/web/`, auto-escaped),
//! work without JavaScript (plain HTML forms), and are served with a strict
//! `Content-Security-Policy` (no inline script or style, nothing from other origins). Every
//! state-changing form carries a CSRF token ([`session::csrf_token`]); a POST without a valid
//! one gets a 403 page.

pub mod admin;
pub mod applinks;
pub mod backpack;
#[cfg(test)]
mod catalogue_tests;
pub mod claim;
pub mod i18n;
pub mod offer;
pub mod pages;
pub mod present;
pub mod profile;
pub mod public_badge;
pub mod session;
pub mod student;
pub mod teacher;
pub mod templates;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};

use crate::error::ApiError;
use crate::state::AppState;

/// The `Content-Security-Policy` of every web page.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; script-src 'self'; \
                       style-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; \
                       form-action 'self'; base-uri 'none'; object-src 'none'";

/// The web routes (merged into the application router).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/{file}", get(templates::asset))
        .route("/lang/{lang}", get(pages::set_language))
        .route(
            "/.well-known/apple-app-site-association",
            get(applinks::apple),
        )
        .route("/.well-known/assetlinks.json", get(applinks::android))
        .route(
            "/signin",
            get(pages::signin_page).post(pages::signin_password),
        )
        .route("/signin/card", post(pages::signin_card))
        .route("/signin/card/{code}", get(pages::card_link))
        .route("/signout", get(pages::signout_page).post(pages::signout))
        .route("/account", get(pages::account))
        .route(
            "/profile",
            get(profile::profile_page).post(profile::profile_post),
        )
        .route("/profile/password", post(profile::password_post))
        .route("/my/badges", get(student::my_badges))
        .route("/my/badges/{id}", get(student::badge_detail))
        .route("/my/badges/{id}/visibility", post(student::set_visibility))
        .route(
            "/nominate",
            get(student::nominate_page).post(student::nominate_post),
        )
        .route("/my/nominations", get(student::my_nominations))
        .route(
            "/my/nominations/{id}",
            get(student::nomination_page).post(student::revise_post),
        )
        .route("/b/{id}", get(public_badge::public_badge))
        .route("/claim", get(claim::manual_page).post(claim::manual_claim))
        .route("/c/{token}", get(claim::claim_page).post(claim::claim_post))
        .route("/o/{token}", get(offer::offer_page).post(offer::offer_post))
        .route("/present/{id}", get(present::present_page))
        .route("/present/{id}/state", get(present::state))
        .route("/present/{id}/qr.svg", get(present::qr))
        .route("/present/{id}/ws-ticket", post(present::ticket))
        .merge(teacher::routes())
        .merge(backpack::routes())
        .route("/admin", get(admin::overview))
        .route(
            "/admin/roster",
            get(admin::roster_page)
                .post(admin::roster_upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/admin/users", get(admin::users))
        .route("/admin/users/{id}/active", post(admin::set_active))
        .route("/admin/classes", get(admin::classes))
        .route("/admin/classes/{id}", get(admin::class))
        .route(
            "/admin/settings",
            get(admin::settings_page).post(admin::settings_save),
        )
        .route("/admin/audit", get(admin::audit))
        .layer(axum::middleware::from_fn(friendly_rejections))
        .layer(axum::middleware::from_fn(i18n::layer))
}

/// Turns the plain-text refusals of axum's extractors on the web routes (a path segment that is
/// not valid UTF-8, an unreadable or oversized body: `400 Invalid URL: …`, `413`, `415`, `422`)
/// into a page in the request's language, with the same status. Responses the pages make
/// themselves are HTML or JSON and pass through untouched.
async fn friendly_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !res.status().is_client_error() || !plain {
        return res;
    }
    message(
        res.status(),
        None,
        "",
        Message {
            heading: i18n::tr("common-bad-request"),
            paragraphs: vec![i18n::tr("common-bad-request-text")],
            tone: "error",
            links: vec![Link::new("/account", i18n::tr("common-try-again"), true)],
            ..Message::default()
        },
    )
}

/// Adds the headers every page gets: CSP, `no-store` (pages carry CSRF tokens and names),
/// `noindex`.
pub fn secure_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
}

/// Renders `template` with `ctx` as an HTML page with `status` and the page headers. A template
/// error becomes a plain 500 page (and is logged).
pub fn page(status: StatusCode, template: &str, ctx: Value) -> Response {
    let mut res = match templates::render(template, ctx) {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, template, "web page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                i18n::tr("common-error-generic"),
            )
                .into_response()
        }
    };
    secure_headers(res.headers_mut());
    res
}

/// A link button on a message page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Link {
    /// Target (a local path).
    pub href: String,
    /// Text.
    pub text: String,
    /// Drawn as the main action.
    pub primary: bool,
}

impl Link {
    /// A link to `href` reading `text`.
    pub fn new(href: impl Into<String>, text: impl Into<String>, primary: bool) -> Link {
        Link {
            href: href.into(),
            text: text.into(),
            primary,
        }
    }
}

/// What a message page says.
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// Page title and heading.
    pub heading: String,
    /// Paragraphs naming someone or something a user named: (before, name, after); the name
    /// is isolated with `<bdi>`. Shown before `paragraphs`.
    pub named: Vec<(String, String, String)>,
    /// Paragraphs.
    pub paragraphs: Vec<String>,
    /// `ok`, `error` or `info` (colour and icon).
    pub tone: &'static str,
    /// Buttons below.
    pub links: Vec<Link>,
    /// A badge to show (name and image path).
    pub badge: Option<BadgeView>,
    /// A one-button form.
    pub form: Option<FormSpec>,
}

/// A one-button POST form on a message page (the CSRF token is added).
#[derive(Debug, Clone, Default)]
pub struct FormSpec {
    /// Where it posts (a local path).
    pub action: String,
    /// Button text.
    pub button: String,
    /// Hidden fields, as (name, value).
    pub fields: Vec<(String, String)>,
}

/// A badge as the pages show it: name and a same-origin image path.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BadgeView {
    /// Badge name (user-provided: escaped, wrapped in `<bdi>` by the templates).
    pub name: String,
    /// Image path on this server, e.g. `/ob/v2/images/{id}`.
    pub image: String,
}

impl BadgeView {
    /// From a badge reference of the API (its absolute image URL made same-origin).
    pub fn of(b: &accolade_proto::BadgeRef, base: &str) -> BadgeView {
        BadgeView {
            name: b.name.clone(),
            image: local_path(&b.image_url, base),
        }
    }
}

/// `url` without the `base` prefix when it starts with it (so images load from the page's own
/// origin under the CSP whatever host the browser used).
pub fn local_path(url: &str, base: &str) -> String {
    match url.strip_prefix(base) {
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => url.to_owned(),
    }
}

/// Renders a message page; `user` and `csrf` come from the caller's session (if any).
pub fn message(
    status: StatusCode,
    user: Option<&session::WebUser>,
    csrf: &str,
    m: Message,
) -> Response {
    let form = m.form.map(|f| {
        context! {
            action => f.action,
            button => f.button,
            fields => f.fields
                .into_iter()
                .map(|(name, value)| context! { name => name, value => value })
                .collect::<Vec<_>>(),
        }
    });
    page(
        status,
        "message.html",
        context! {
            title => m.heading.clone(),
            heading => m.heading,
            named => m
                .named
                .into_iter()
                .map(|(before, name, after)| context! { before => before, name => name, after => after })
                .collect::<Vec<_>>(),
            paragraphs => m.paragraphs,
            tone => m.tone,
            links => m.links,
            badge => m.badge,
            form => form,
            csrf => csrf,
            user => user.map(session::WebUser::view),
            css_url => templates::css_url(),
        },
    )
}

/// The friendly page for an error of the claiming services: the same status as the API, and
/// words a student understands (from the `claim-error-*` messages, in the request's language).
/// `tz` is the school's time zone, for opening times.
pub fn error_page(
    e: &ApiError,
    user: Option<&session::WebUser>,
    csrf: &str,
    tz: &str,
    retry: Option<Link>,
) -> Response {
    let (status, _, _) = e.parts();
    let (heading, text) = error_words(e, tz);
    let mut links = Vec::new();
    if let Some(l) = retry {
        links.push(l);
    }
    if user.is_some_and(|u| u.is_student()) {
        links.push(Link::new(
            "/my/badges",
            i18n::tr("common-nav-my-badges"),
            links.is_empty(),
        ));
    }
    message(
        status,
        user,
        csrf,
        Message {
            heading,
            paragraphs: vec![text],
            tone: "error",
            links,
            ..Message::default()
        },
    )
}

/// Heading and sentence for an error of the services, in the request's language.
pub fn error_words(e: &ApiError, tz: &str) -> (String, String) {
    use fluent_bundle::FluentValue;
    let pair = |h: &str, t: &str| (i18n::tr(h), i18n::tr(t));
    match e {
        ApiError::NotFound(_) => pair("claim-error-unknown", "claim-error-unknown-text"),
        ApiError::ClaimNotOpen {
            opens_at: Some(t), ..
        } => (
            i18n::tr("claim-error-not-open"),
            i18n::tr_args(
                "claim-error-not-open-text",
                &[
                    ("when", FluentValue::from(crate::claims::local(*t, tz))),
                    ("tz", FluentValue::from(tz.to_owned())),
                ],
            ),
        ),
        ApiError::ClaimNotOpen { .. } => pair("claim-error-paused", "claim-error-paused-text"),
        ApiError::ClaimClosed(why) if why.contains("changed") => {
            pair("claim-error-changed", "claim-error-changed-text")
        }
        ApiError::ClaimClosed(why) if why.contains("expired") => {
            pair("claim-error-expired", "claim-error-expired-text")
        }
        ApiError::ClaimClosed(_) => pair("claim-error-closed", "claim-error-closed-text"),
        ApiError::ClaimLimitReached => pair("claim-error-used-up", "claim-error-used-up-text"),
        ApiError::NotInAudience => pair("claim-error-audience", "claim-error-audience-text"),
        ApiError::Forbidden(why) if why.contains("you are signed in as staff") => {
            pair("claim-error-staff", "claim-error-staff-text")
        }
        ApiError::Forbidden(why) if why.contains("only nominate classmates") => {
            pair("common-forbidden", "student-error-not-classmate")
        }
        ApiError::Forbidden(why) if why.contains("can present it") => {
            pair("common-forbidden", "claim-error-present-text")
        }
        ApiError::Forbidden(_) => pair("common-forbidden", "common-forbidden-text"),
        ApiError::Gone(_) => pair("claim-error-gone", "claim-error-gone-text"),
        ApiError::SelfNomination => pair("claim-error-own-offer", "claim-error-own-offer-text"),
        ApiError::AlreadyHeld => pair("claim-error-already-held", "claim-error-already-held-text"),
        ApiError::DuplicateNomination => {
            pair("claim-error-duplicate", "claim-error-duplicate-text")
        }
        ApiError::AllowanceExceeded(_) => {
            pair("claim-error-allowance", "claim-error-allowance-text")
        }
        ApiError::AlreadyDecided => pair("student-error-decided", "student-error-decided-text"),
        ApiError::RateLimited(secs) => (
            i18n::tr("claim-error-rate-limited"),
            i18n::tr_args(
                "common-wait-seconds",
                &[("seconds", FluentValue::from(*secs))],
            ),
        ),
        ApiError::Unavailable => pair("claim-error-busy", "claim-error-busy-text"),
        ApiError::Internal(_) => pair("common-error-heading", "common-error-generic"),
        _ => pair("claim-error-other", "claim-error-other-text"),
    }
}

/// Message `id` with argument `name` split around the name, as a [`Message::named`] entry
/// `(before, name, after)`, so the page can isolate the name with `<bdi>` in any language.
pub fn named(id: &str, name: &str) -> (String, String, String) {
    const SLOT: &str = "\u{E002}";
    let text = i18n::tr_args(id, &[("name", fluent_bundle::FluentValue::from(SLOT))]);
    match text.split_once(SLOT) {
        Some((before, after)) => (before.to_owned(), name.to_owned(), after.to_owned()),
        None => (text, String::new(), String::new()),
    }
}

/// Field errors of a validation failure (`422 invalid_input`) as `field → sentence` in the
/// request's language, for showing next to each field; `None` for any other error.
pub fn field_errors(e: &ApiError) -> Option<std::collections::BTreeMap<String, String>> {
    let ApiError::Invalid(fields) = e else {
        return None;
    };
    Some(
        fields
            .iter()
            .map(|f| (f.field.clone(), field_message(&f.message)))
            .collect(),
    )
}

/// One validation message of [`crate::validate`] in the request's language.
pub fn field_message(message: &str) -> String {
    use fluent_bundle::FluentValue;
    if let Some(max) = message
        .strip_prefix("must be at most ")
        .and_then(|r| r.strip_suffix(" characters"))
        .and_then(|n| n.parse::<u32>().ok())
    {
        return i18n::tr_args("common-field-too-long", &[("max", FluentValue::from(max))]);
    }
    let id = match message {
        "must not be empty" => "common-field-required",
        "must not contain control characters" => "common-field-control",
        "must not contain text-direction override characters" => "common-field-direction",
        "must be an http(s) URL" => "common-field-url",
        "must be an e-mail address" => "common-field-email",
        m if m.starts_with("must be 3–30 characters") => "common-field-handle",
        _ => "common-field-invalid",
    };
    i18n::tr(id)
}

/// A 303 redirect to the sign-in page that comes back to `next` afterwards.
pub fn to_signin(next: &str) -> Response {
    let q: String = url_encode(next);
    Redirect::to(&format!("/signin?next={q}")).into_response()
}

/// Percent-encodes a query value (unreserved characters and `/` stay).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `next` when it is a local path on this site (`/…`, not `//…` or `/\…`, no control
/// characters, at most 1000 bytes); otherwise `/account`. Keeps the sign-in redirect from
/// sending anyone to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 1000
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/c/rABC?seen=1&sig=x")),
            "/c/rABC?seen=1&sig=x"
        );
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/account", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/account");
    }

    #[test]
    fn local_paths() {
        assert_eq!(
            local_path("http://h:1/ob/v2/images/x", "http://h:1"),
            "/ob/v2/images/x"
        );
        assert_eq!(
            local_path("https://other/x", "http://h:1"),
            "https://other/x"
        );
        assert_eq!(url_encode("/c/a?b=1&c"), "/c/a%3Fb%3D1%26c");
    }
}
