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
//! - `/assets/app.css`, `/assets/present.js`: the only stylesheet and script, compiled in.
//!
//! Pages are minijinja templates compiled into the binary (`templates/web/`, auto-escaped),
//! work without JavaScript (plain HTML forms), and are served with a strict
//! `Content-Security-Policy` (no inline script or style, nothing from other origins). Every
//! state-changing form carries a CSRF token ([`session::csrf_token`]); a POST without a valid
//! one gets a 403 page.

pub mod applinks;
pub mod claim;
pub mod offer;
pub mod pages;
pub mod present;
pub mod session;
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
        .route("/assets/app.css", get(templates::css))
        .route("/assets/present.js", get(templates::present_js))
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
        .route("/my/badges", get(pages::my_badges))
        .route("/claim", get(claim::manual_page).post(claim::manual_claim))
        .route("/c/{token}", get(claim::claim_page).post(claim::claim_post))
        .route("/o/{token}", get(offer::offer_page).post(offer::offer_post))
        .route("/present/{id}", get(present::present_page))
        .route("/present/{id}/state", get(present::state))
        .route("/present/{id}/qr.svg", get(present::qr))
        .route("/present/{id}/ws-ticket", post(present::ticket))
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
                "Something went wrong on our side. Please try again.",
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
/// words a student understands. `tz` is the school's time zone, for opening times.
pub fn error_page(
    e: &ApiError,
    user: Option<&session::WebUser>,
    csrf: &str,
    tz: &str,
    retry: Option<Link>,
) -> Response {
    let (status, _, _) = e.parts();
    let (heading, text): (String, String) = match e {
        ApiError::NotFound(_) => (
            "We don't know this code".into(),
            "Check that you scanned the QR code on the screen, or type the code again.".into(),
        ),
        ApiError::ClaimNotOpen {
            opens_at: Some(t), ..
        } => (
            "Not open yet".into(),
            format!(
                "You can claim this badge from {} ({}).",
                crate::claims::local(*t, tz),
                tz
            ),
        ),
        ApiError::ClaimNotOpen { .. } => (
            "Paused for now".into(),
            "Your teacher has paused this code. Try again when they say so.".into(),
        ),
        ApiError::ClaimClosed(why) if why.contains("changed") => (
            "This QR code has changed".into(),
            "The code on the screen changes every few seconds. Scan the one showing now.".into(),
        ),
        ApiError::ClaimClosed(why) if why.contains("expired") => (
            "This code has expired".into(),
            "The time to claim this badge is over. Ask your teacher if you think you should \
             still get it."
                .into(),
        ),
        ApiError::ClaimClosed(_) => (
            "This code is closed".into(),
            "Your teacher has closed this code. Ask them if you think you should still get it."
                .into(),
        ),
        ApiError::ClaimLimitReached => (
            "All used up".into(),
            "Everybody who could claim this badge has claimed it: the code is used up.".into(),
        ),
        ApiError::NotInAudience => (
            "Not for your class".into(),
            "This code is for another class. Ask your teacher for your class's code.".into(),
        ),
        ApiError::Forbidden(why) => ("You can't do this here".into(), capitalise(why)),
        ApiError::Gone(why) => ("Too late".into(), capitalise(why)),
        ApiError::SelfNomination => (
            "This is your own offer".into(),
            "Show this QR code to a classmate: they scan it to get your nomination.".into(),
        ),
        ApiError::AlreadyHeld => (
            "You already have this badge".into(),
            "Nothing changed: it is already in your badges.".into(),
        ),
        ApiError::DuplicateNomination => (
            "Already nominated".into(),
            "You already have an open nomination for this badge.".into(),
        ),
        ApiError::AllowanceExceeded(why) => ("Not this week".into(), capitalise(why)),
        ApiError::RateLimited(secs) => (
            "Too many tries".into(),
            format!("Please wait {secs} seconds and try again."),
        ),
        ApiError::Unavailable => (
            "We're busy".into(),
            "The server is very busy right now. Please try again in a moment.".into(),
        ),
        ApiError::Internal(_) => (
            "Something went wrong".into(),
            "Something went wrong on our side. Please try again.".into(),
        ),
        other => ("That didn't work".into(), capitalise(&other.to_string())),
    };
    let mut links = Vec::new();
    if let Some(l) = retry {
        links.push(l);
    }
    if user.is_some_and(|u| u.is_student()) {
        links.push(Link::new("/my/badges", "My badges", links.is_empty()));
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

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let mut out: String = f.to_uppercase().collect();
            out.push_str(c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
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
