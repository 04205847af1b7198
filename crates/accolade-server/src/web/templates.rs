//! The web pages' templates, stylesheet and script, compiled into the binary (so the server
//! works from any working directory), and the handlers serving the two assets.
//!
//! Templates live in `templates/web/`; `.html` templates auto-escape every value (minijinja's
//! default for that extension), so names and titles from users can never inject markup.

use std::sync::LazyLock;

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{Environment, Value};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// The stylesheet served at `/assets/app.css`.
pub const APP_CSS: &str = include_str!("../../templates/web/app.css");
/// The projector script served at `/assets/present.js`.
pub const PRESENT_JS: &str = include_str!("../../templates/web/present.js");

const TEMPLATES: [(&str, &str); 11] = [
    (
        "layout.html",
        include_str!("../../templates/web/layout.html"),
    ),
    (
        "_macros.html",
        include_str!("../../templates/web/_macros.html"),
    ),
    (
        "message.html",
        include_str!("../../templates/web/message.html"),
    ),
    (
        "signin.html",
        include_str!("../../templates/web/signin.html"),
    ),
    ("claim.html", include_str!("../../templates/web/claim.html")),
    (
        "claimed.html",
        include_str!("../../templates/web/claimed.html"),
    ),
    (
        "claim_manual.html",
        include_str!("../../templates/web/claim_manual.html"),
    ),
    ("offer.html", include_str!("../../templates/web/offer.html")),
    (
        "account.html",
        include_str!("../../templates/web/account.html"),
    ),
    (
        "badges.html",
        include_str!("../../templates/web/badges.html"),
    ),
    (
        "present.html",
        include_str!("../../templates/web/present.html"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        // Compiled in: a syntax error is a bug, caught by the tests that render every page.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "web template does not compile");
        }
    }
    env
});

/// Renders template `name` with `ctx`.
///
/// Errors: [`ApiError::Internal`] when the template is missing or fails.
pub fn render(name: &str, ctx: Value) -> ApiResult<String> {
    ENV.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| ApiError::Internal(format!("rendering {name}: {e}")))
}

fn version(content: &str) -> String {
    hex::encode(&Sha256::digest(content.as_bytes())[..6])
}

static CSS_VERSION: LazyLock<String> = LazyLock::new(|| version(APP_CSS));
static JS_VERSION: LazyLock<String> = LazyLock::new(|| version(PRESENT_JS));

/// `/assets/app.css?v=<content hash>`.
pub fn css_url() -> String {
    format!("/assets/app.css?v={}", *CSS_VERSION)
}

/// `/assets/present.js?v=<content hash>`.
pub fn present_js_url() -> String {
    format!("/assets/present.js?v={}", *JS_VERSION)
}

/// Query of an asset request.
#[derive(Debug, serde::Deserialize)]
pub struct AssetQuery {
    v: Option<String>,
}

fn asset(body: &'static str, ctype: &'static str, current: &str, q: &AssetQuery) -> Response {
    // A request for the current version may be cached for a long time; anything else briefly.
    let cache = if q.v.as_deref() == Some(current) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// `GET /assets/app.css`.
pub async fn css(Query(q): Query<AssetQuery>) -> Response {
    asset(APP_CSS, "text/css; charset=utf-8", &CSS_VERSION, &q)
}

/// `GET /assets/present.js`.
pub async fn present_js(Query(q): Query<AssetQuery>) -> Response {
    asset(
        PRESENT_JS,
        "text/javascript; charset=utf-8",
        &JS_VERSION,
        &q,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }
}
