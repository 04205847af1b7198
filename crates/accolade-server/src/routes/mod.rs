//! HTTP routes: the `/api/v1` REST API, health checks and the OpenAPI document.

pub mod account;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod badges;
pub mod claims;
pub mod classes;
pub mod collections;
pub mod me;
pub mod nominations;
pub mod ob;
pub mod roster;
pub mod school;
pub mod social;
pub mod unsubscribe;
pub mod users;
pub mod ws;

use accolade_proto::Page;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The OpenAPI 3.1 description of `/api/v1`, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "Accolade API", version = "1", description = "Peer-to-peer Open Badges for schools. Errors are RFC 9457 problem details with a stable `code`."),
    paths(
        auth::login, auth::card, auth::refresh, auth::logout,
        me::get_me, me::patch_me, me::change_password,
        users::list, users::get, users::create, users::update,
        classes::list, classes::get, classes::members, classes::create, classes::put_member,
        classes::delete_member, classes::signin_cards,
        school::get, school::patch,
        roster::import,
        audit::list,
        badges::upload_image, badges::list, badges::get, badges::create, badges::update, badges::delete,
        nominations::allowance, nominations::create, nominations::mine, nominations::queue,
        nominations::get, nominations::revise, nominations::withdraw, nominations::decide,
        nominations::decide_bulk,
        awards::create, awards::mine, awards::list, awards::get, awards::update, awards::revoke,
        ob::assertion, ob::badge, ob::badge_revision, ob::issuer, ob::revocations, ob::image,
        ws::ticket, ws::connect,
        claims::create, claims::list, claims::get, claims::current, claims::pause, claims::resume,
        claims::close, claims::claimers, claims::qr_image, claims::sheet, claims::claim,
        claims::create_offer, claims::accept_offer,
        collections::list, collections::create, collections::get, collections::update,
        collections::delete, collections::set_items, collections::add_item, collections::remove_item,
        collections::public_profile, collections::public_collection,
        social::follow, social::unfollow, social::block, social::unblock, social::following,
        social::followers, social::blocks, social::feed, social::cheer, social::uncheer, social::cheers,
        account::get_sharing, account::patch_sharing, account::get_policy, account::put_policy,
        account::put_user_sharing, account::export_me, account::export_user, account::delete_me,
        account::delete_user,
        healthz, readyz,
    ),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "me"), (name = "users"), (name = "classes"), (name = "school"),
         (name = "roster"), (name = "audit"), (name = "badges"), (name = "nominations"),
         (name = "awards"), (name = "openbadges"), (name = "realtime"), (name = "claims"), (name = "backpack"), (name = "social"), (name = "health"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The full router for `state`.
pub fn router(state: AppState) -> Router {
    let upload_limit = state.config.max_upload_bytes;
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/card", post(auth::card))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route(
            "/me",
            get(me::get_me)
                .patch(me::patch_me)
                .delete(account::delete_me),
        )
        .route("/me/password", post(me::change_password))
        .route("/users", get(users::list).post(users::create))
        .route(
            "/users/{id}",
            get(users::get)
                .patch(users::update)
                .delete(account::delete_user),
        )
        .route("/classes", get(classes::list).post(classes::create))
        .route("/classes/{id}", get(classes::get))
        .route("/classes/{id}/members", get(classes::members))
        .route(
            "/classes/{id}/members/{user_id}",
            put(classes::put_member).delete(classes::delete_member),
        )
        .route("/classes/{id}/signin-cards", post(classes::signin_cards))
        .route("/school", get(school::get).patch(school::patch))
        .route(
            "/roster/import",
            post(roster::import).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/audit", get(audit::list))
        .route(
            "/images",
            post(badges::upload_image).layer(DefaultBodyLimit::max(
                accolade_openbadges::MAX_IMAGE_BYTES + 1024,
            )),
        )
        .route("/badge-classes", get(badges::list).post(badges::create))
        .route(
            "/badge-classes/{id}",
            get(badges::get)
                .patch(badges::update)
                .delete(badges::delete),
        )
        .route("/me/allowance", get(nominations::allowance))
        .route("/me/awards", get(awards::mine))
        .route(
            "/nominations",
            get(nominations::mine).post(nominations::create),
        )
        .route("/nominations/queue", get(nominations::queue))
        .route("/nominations/decisions", post(nominations::decide_bulk))
        .route(
            "/nominations/{id}",
            get(nominations::get)
                .patch(nominations::revise)
                .delete(nominations::withdraw),
        )
        .route("/nominations/{id}/decision", post(nominations::decide))
        .route("/awards", get(awards::list).post(awards::create))
        .route("/awards/{id}", get(awards::get).patch(awards::update))
        .route("/awards/{id}/revoke", post(awards::revoke))
        .route("/claim-codes", get(claims::list).post(claims::create))
        .route("/claim-codes/{id}", get(claims::get))
        .route("/claim-codes/{id}/current", get(claims::current))
        .route("/claim-codes/{id}/pause", post(claims::pause))
        .route("/claim-codes/{id}/resume", post(claims::resume))
        .route("/claim-codes/{id}/close", post(claims::close))
        .route("/claim-codes/{id}/claims", get(claims::claimers))
        .route("/claim-codes/{id}/sheet", get(claims::sheet))
        .route("/claim-codes/{id}/{file}", get(claims::qr_image))
        .route("/claims", post(claims::claim))
        .route("/offers", post(claims::create_offer))
        .route("/offers/accept", post(claims::accept_offer))
        .merge(backpack_routes())
        .route("/ws-ticket", post(ws::ticket))
        .route("/ws", get(ws::connect))
        .route("/openapi.json", get(openapi_json));
    Router::new()
        .nest("/api/v1", api)
        .route("/api/docs", get(docs_page))
        .route("/ob/v2/assertions/{file}", get(ob::assertion))
        .route("/ob/v2/badges/{id}", get(ob::badge))
        .route("/ob/v2/badges/{id}/{revision}", get(ob::badge_revision))
        .route("/ob/v2/issuers/{id}", get(ob::issuer))
        .route("/ob/v2/issuers/{id}/revocations", get(ob::revocations))
        .route("/ob/v2/images/{id}", get(ob::image))
        .route(
            "/unsubscribe",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(crate::web::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Collections, friends, sharing, export and deletion (`routes::collections`, `routes::social`,
/// `routes::account`).
fn backpack_routes() -> Router<AppState> {
    use axum::routing::delete;
    Router::new()
        .route(
            "/collections",
            get(collections::list).post(collections::create),
        )
        .route(
            "/collections/{id}",
            get(collections::get)
                .patch(collections::update)
                .delete(collections::delete),
        )
        .route(
            "/collections/{id}/items",
            put(collections::set_items).post(collections::add_item),
        )
        .route(
            "/collections/{id}/items/{award_id}",
            delete(collections::remove_item),
        )
        .route("/public/users/{handle}", get(collections::public_profile))
        .route(
            "/public/users/{handle}/collections/{slug}",
            get(collections::public_collection),
        )
        .route(
            "/users/{id}/follow",
            post(social::follow).delete(social::unfollow),
        )
        .route(
            "/users/{id}/block",
            post(social::block).delete(social::unblock),
        )
        .route("/me/following", get(social::following))
        .route("/me/followers", get(social::followers))
        .route("/me/blocks", get(social::blocks))
        .route("/me/feed", get(social::feed))
        .route(
            "/awards/{id}/cheer",
            post(social::cheer).delete(social::uncheer),
        )
        .route("/awards/{id}/cheers", get(social::cheers))
        .route(
            "/me/sharing",
            get(account::get_sharing).patch(account::patch_sharing),
        )
        .route(
            "/school/sharing",
            get(account::get_policy).put(account::put_policy),
        )
        .route("/users/{id}/sharing", put(account::put_user_sharing))
        .route("/me/export", get(account::export_me))
        .route("/users/{id}/export", get(account::export_user))
}

/// `/`: browsers land on the account page (which asks unsigned visitors to sign in).
async fn home() -> axum::response::Redirect {
    axum::response::Redirect::to("/account")
}

/// Unknown routes: a problem document for API clients, a page for browsers (a request outside
/// `/api/` and `/ob/` that accepts HTML).
async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let path = uri.path();
    let wants_html = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !path.starts_with("/api/") && !path.starts_with("/ob/") {
        use crate::web::{i18n, message, Link, Message};
        return message(
            StatusCode::NOT_FOUND,
            None,
            "",
            Message {
                heading: i18n::tr("common-not-found"),
                paragraphs: vec![i18n::tr("common-not-found-text")],
                tone: "error",
                links: vec![Link::new("/", i18n::tr("common-home"), true)],
                ..Message::default()
            },
        );
    }
    ApiError::NotFound("route").into_response()
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = accolade_proto::Readiness),
              (status = 503, body = accolade_proto::Problem)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<accolade_proto::Readiness>> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable
    })?;
    Ok(Json(accolade_proto::Readiness {
        status: "ok".into(),
        database: state.db.backend().as_str().into(),
    }))
}

async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError::Internal(format!("openapi: {e}")).into_response(),
    }
}

/// A self-contained HTML page listing every operation of the OpenAPI document (no external
/// scripts, so it works offline and under a strict CSP).
async fn docs_page() -> Response {
    let doc = ApiDoc::openapi();
    let mut rows = String::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op.summary.clone().unwrap_or_default();
                let desc = op.description.clone().unwrap_or_default();
                rows.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td><strong>{}</strong><br>{}</td></tr>\n",
                    method,
                    html_escape(path),
                    html_escape(&summary),
                    html_escape(&desc).replace('\n', "<br>")
                ));
            }
        }
    }
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Accolade API</title><style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#111}}\
         table{{border-collapse:collapse;width:100%}}td{{border-top:1px solid #ccc;padding:.5rem;vertical-align:top}}\
         code{{background:#f2f2f2;padding:0 .2rem}}</style></head><body>\
         <h1>Accolade API v1</h1><p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI 3.1). \
         Errors are <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>.</p>\
         <table><thead><tr><th scope=\"col\">Method</th><th scope=\"col\">Path</th><th scope=\"col\">Description</th></tr></thead><tbody>{rows}</tbody></table></body></html>"
    );
    (StatusCode::OK, Html(page)).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Decodes a page cursor (a decimal offset) or 422s.
pub fn decode_cursor(cursor: Option<&str>) -> ApiResult<u64> {
    match cursor {
        None | Some("") => Ok(0),
        Some(c) => c
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= 10_000_000)
            .ok_or_else(|| ApiError::field("cursor", "is not a cursor from a previous page")),
    }
}

/// Builds a page from `limit + 1` fetched rows.
pub fn page<T>(mut items: Vec<T>, offset: u64, limit: u64) -> Page<T> {
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    Page {
        next_cursor: more.then(|| (offset + limit).to_string()),
        items,
    }
}
