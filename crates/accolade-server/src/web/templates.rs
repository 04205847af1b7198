//! The web pages' templates, stylesheet and script, compiled into the binary (so the server
//! works from any working directory), and the handler serving the assets.
//!
//! Templates live in `templates/web/` (every `.html` file is embedded by `build.rs`), assets
//! in `assets/` (served at `/assets/{file}`); `.html` templates auto-escape every value (minijinja's
//! default for that extension), so names and titles from users can never inject markup.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{Environment, Value};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// Static assets (`assets/`: stylesheet, scripts) compiled in: `(file name, bytes)`.
const ASSETS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Every `.html` file in templates/web (build.rs); a syntax error is a bug, caught by the
    // test that compiles every template.
    minijinja_embed::load_templates!(env, "web");
    super::i18n::register(&mut env);
    env.add_function("asset_url", |name: &str| asset_url(name));
    env
});

/// Renders template `name` with `ctx`, plus `lang` (the request's language, see
/// [`super::i18n`]), `here` (its path) and `css_url` when `ctx` lacks them.
///
/// Errors: [`ApiError::Internal`] when the template is missing or fails.
pub fn render(name: &str, ctx: Value) -> ApiResult<String> {
    let ctx = minijinja::context! {
        lang => super::i18n::current(),
        here => super::i18n::here(),
        css_url => css_url(),
        ..ctx
    };
    ENV.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| ApiError::Internal(format!("rendering {name}: {e}")))
}

fn version(content: &[u8]) -> String {
    hex::encode(&Sha256::digest(content)[..6])
}

static VERSIONS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(name, body)| (*name, version(body)))
        .collect()
});

/// `/assets/<name>?v=<content hash>` for a file in `assets/` (the hash makes it cacheable
/// for a year). An unknown name gives the bare path (and a 404 when fetched).
pub fn asset_url(name: &str) -> String {
    match VERSIONS.get(name) {
        Some(v) => format!("/assets/{name}?v={v}"),
        None => format!("/assets/{name}"),
    }
}

/// `/assets/app.css?v=<content hash>`.
pub fn css_url() -> String {
    asset_url("app.css")
}

/// `/assets/present.js?v=<content hash>`.
pub fn present_js_url() -> String {
    asset_url("present.js")
}

/// Query of an asset request.
#[derive(Debug, serde::Deserialize)]
pub struct AssetQuery {
    v: Option<String>,
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// `GET /assets/{file}`: a compiled-in asset. A request for the current version may be
/// cached for a year; anything else for five minutes. Unknown files: 404 problem.
pub async fn asset(Path(file): Path<String>, Query(q): Query<AssetQuery>) -> Response {
    let Some((name, body)) = ASSETS.iter().find(|(n, _)| *n == file) else {
        return ApiError::NotFound("asset").into_response();
    };
    let current = VERSIONS.get(name).map(String::as_str);
    let cache = if q.v.is_some() && q.v.as_deref() == current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type(name)),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        *body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let names: Vec<String> = ENV.templates().map(|(n, _)| n.to_string()).collect();
        assert!(names.iter().any(|n| n == "layout.html"), "{names:?}");
        for name in names {
            assert!(ENV.get_template(&name).is_ok(), "{name}");
        }
    }
}
