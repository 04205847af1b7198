//! `/present/{id}`: the projector page of a claim code, for its creator or an admin.
//!
//! The page is complete without JavaScript (QR, manual code, time left, count; a `<noscript>`
//! refresh follows the rotation). `/assets/present.js` then keeps it live:
//! - `GET /present/{id}/state` (cookie session, JSON): the current URL, QR image path, manual
//!   code, seconds left, milliseconds until the next rotation, count and state;
//! - `GET /present/{id}/qr.svg?v=…` (cookie session): the current QR as SVG (cached renders);
//! - `POST /present/{id}/ws-ticket` (cookie session and an `x-csrf-token` header): a one-time
//!   ticket for `GET /api/v1/ws`, where `claim.counted` events update the counter and the
//!   latest first names the moment students claim.

use accolade_db::claims::ClaimCode as CodeRow;
use accolade_proto::WsTicket;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::i18n::{tr, tr_args};
use super::session::{Web, WebUser};
use super::{error_page, message, page, templates, to_signin, Link, Message};
use crate::error::{ApiError, ApiResult};
use crate::routes::claims::{current_of, load_own};
use crate::state::AppState;
use crate::tokens::{hash_secret, random_token};
use fluent_bundle::FluentValue;

/// How many latest first names the page shows.
pub const LATEST: u64 = 6;

/// What the projector shows now (`GET /present/{id}/state`).
#[derive(Debug, Clone, Serialize)]
pub struct PresentState {
    /// The claim URL in the QR code.
    pub url: Option<String>,
    /// Same-origin path of the current QR image.
    pub qr_src: String,
    /// The manual code, `XXXX-XXXX`.
    pub manual_code: String,
    /// Seconds until the window closes.
    pub seconds_left: i64,
    /// `seconds_left` as the page shows it.
    pub left_text: String,
    /// Milliseconds until the QR changes (or until the next check, for static codes).
    pub refresh_in_ms: i64,
    /// Claims so far.
    pub claim_count: u64,
    /// `active`, `paused`, `closed` or `scheduled`.
    pub state: String,
    /// A line for the status banner (empty while active).
    pub status_text: String,
}

/// `3 days`, `1 day 4 h`, `1:02:03` or `02:03`, like the page's script.
pub fn format_left(secs: i64) -> String {
    let secs = secs.max(0);
    if secs >= 2 * 86_400 {
        return tr_args(
            "present-left-days",
            &[("days", FluentValue::from(secs / 86_400))],
        );
    }
    if secs >= 86_400 {
        return tr_args(
            "present-left-day-hours",
            &[("hours", FluentValue::from((secs % 86_400) / 3600))],
        );
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

async fn present_state(state: &AppState, c: &CodeRow) -> ApiResult<PresentState> {
    let cur = current_of(state, c).await?;
    let now = state.now();
    let url_hash = cur
        .url
        .as_deref()
        .map(|u| hex::encode(&Sha256::digest(u.as_bytes())[..8]))
        .unwrap_or_default();
    let refresh_in_ms = cur
        .refresh_at
        .map(|t| (t - now).num_milliseconds())
        .unwrap_or(30_000)
        .clamp(0, 30_000);
    let status_text = match cur.state.as_str() {
        "paused" => tr("present-status-paused"),
        "closed" => tr("present-status-closed"),
        "scheduled" => {
            let tz = accolade_db::schools::by_id(state.db.conn(), c.school_id)
                .await?
                .map(|s| s.timezone)
                .unwrap_or_else(|| "UTC".into());
            tr_args(
                "present-status-opens",
                &[
                    (
                        "time",
                        FluentValue::from(crate::claims::local(
                            c.starts_at.with_timezone(&Utc),
                            &tz,
                        )),
                    ),
                    ("tz", FluentValue::from(tz.clone())),
                ],
            )
        }
        _ => String::new(),
    };
    Ok(PresentState {
        qr_src: format!("/present/{}/qr.svg?v={url_hash}", c.id),
        url: cur.url,
        manual_code: cur.manual_code.unwrap_or_default(),
        seconds_left: cur.seconds_left,
        left_text: format_left(cur.seconds_left),
        refresh_in_ms,
        claim_count: cur.claim_count,
        state: cur.state,
        status_text,
    })
}

/// First names of the latest claimers, newest first.
async fn latest_names(state: &AppState, c: &CodeRow) -> ApiResult<Vec<String>> {
    let conn = state.db.conn();
    let mut out = Vec::new();
    for cl in accolade_db::claims::claims_of_code(conn, c.id, LATEST).await? {
        if let Some(u) = accolade_db::users::by_id(conn, c.school_id, cl.user_id).await? {
            out.push(
                u.given_name
                    .clone()
                    .filter(|g| !g.is_empty())
                    .unwrap_or_else(|| {
                        u.display_name
                            .split(' ')
                            .next()
                            .unwrap_or_default()
                            .to_owned()
                    }),
            );
        }
    }
    Ok(out)
}

fn parse_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::NotFound("claim code"))
}

async fn load(state: &AppState, u: &WebUser, id: &str) -> ApiResult<CodeRow> {
    let id = parse_id(id)?;
    load_own(state, &u.auth(state), id).await
}

/// Builds the projector page.
async fn page_handler(state: &AppState, web: &Web, id: &str) -> ApiResult<Response> {
    let Some(u) = web.user.as_ref() else {
        return Ok(to_signin(&format!("/present/{id}")));
    };
    let c = load(state, u, id).await?;
    if c.mode == "sheet" {
        return Ok(message(
            StatusCode::OK,
            Some(u),
            &web.csrf(),
            Message {
                heading: tr("present-sheet-heading"),
                paragraphs: vec![tr("present-sheet-text")],
                tone: "info",
                links: vec![Link::new(
                    format!("/teach/codes/{}", c.id),
                    tr("present-back"),
                    true,
                )],
                ..Message::default()
            },
        ));
    }
    let cur = present_state(state, &c).await?;
    let latest = latest_names(state, &c).await?;
    let (_, last_seq) = accolade_db::events::bounds(state.db.conn(), u.user.id).await?;
    let badge = accolade_db::badges::class_by_id(state.db.conn(), c.school_id, c.badge_class_id)
        .await?
        .ok_or(ApiError::NotFound("badge class"))?;
    let base = state.config.base_url();
    let claim_host = base
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_owned();
    Ok(page(
        StatusCode::OK,
        "present.html",
        context! {
            title => c.title.clone(),
            code_id => c.id.to_string(),
            badge => context! {
                name => badge.name,
                image => format!("/ob/v2/images/{}", badge.image_id),
            },
            refresh_secs => ((cur.refresh_in_ms + 999) / 1000).clamp(2, 30),
            cur => cur,
            latest => latest,
            last_seq => last_seq,
            claim_host => claim_host,
            state_url => format!("/present/{}/state", c.id),
            ticket_url => format!("/present/{}/ws-ticket", c.id),
            csrf => web.csrf(),
            js_url => templates::present_js_url(),
            css_url => templates::css_url(),
        },
    ))
}

/// `GET /present/{id}`: the projector page (403 page for students and other teachers, 404 for
/// unknown codes or another school's).
pub async fn present_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    match page_handler(&state, &web, &id).await {
        Ok(res) => web.finish(res),
        Err(e) => {
            let e = match e {
                ApiError::Forbidden(_) => ApiError::Forbidden(
                    "only the teacher who made this code, or an admin, can present it",
                ),
                other => other,
            };
            web.finish(error_page(
                &e,
                web.user.as_ref(),
                &web.csrf(),
                "UTC",
                Some(Link::new("/account", tr("present-back"), true)),
            ))
        }
    }
}

fn signed_in(web: &Web) -> ApiResult<&WebUser> {
    web.user
        .as_ref()
        .ok_or(ApiError::Unauthenticated("sign in first"))
}

/// `GET /present/{id}/state` (JSON).
pub async fn state(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let u = signed_in(&web)?;
    let c = load(&state, u, &id).await?;
    let s = present_state(&state, &c).await?;
    let mut res = Json(s).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// `GET /present/{id}/qr.svg` (the current QR; `?v=` only defeats caches).
pub async fn qr(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let u = signed_in(&web)?;
    let c = load(&state, u, &id).await?;
    let url = current_of(&state, &c)
        .await?
        .url
        .ok_or(ApiError::NotFound("a sheet has one QR per card"))?;
    let bytes = state.qr.get(&url, false)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

/// `POST /present/{id}/ws-ticket` (JSON): a WebSocket ticket for the page's script. Needs the
/// page's CSRF token in `x-csrf-token`.
pub async fn ticket(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<WsTicket>> {
    let u = signed_in(&web)?;
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    if !web.csrf_ok(token) {
        return Err(ApiError::Forbidden("missing or invalid CSRF token"));
    }
    load(&state, u, &id).await?;
    Ok(Json(issue_ticket(&state, u).await?))
}

/// A one-time WebSocket ticket for `u`'s web session (the page scripts' way onto
/// `GET /api/v1/ws`; valid for [`crate::routes::ws::TICKET_TTL_SECS`]).
pub async fn issue_ticket(state: &AppState, u: &WebUser) -> ApiResult<WsTicket> {
    let secret = random_token(32);
    let access_exp = Utc::now() + chrono::Duration::seconds(state.keys.ttl_secs as i64);
    let ttl = crate::routes::ws::TICKET_TTL_SECS;
    let txn = state.db.begin_write().await?;
    accolade_db::events::insert_ticket(
        &*txn,
        hash_secret(&secret),
        u.user.id,
        u.session_id,
        accolade_db::ts(access_exp),
        accolade_db::ts(Utc::now() + chrono::Duration::seconds(ttl as i64)),
    )
    .await?;
    txn.commit().await?;
    Ok(WsTicket {
        ticket: secret,
        expires_in: ttl,
    })
}

#[cfg(test)]
mod tests {
    use super::format_left;

    #[test]
    fn time_left_reads_well() {
        assert_eq!(format_left(0), "00:00");
        assert_eq!(format_left(75), "01:15");
        assert_eq!(format_left(3 * 3600 + 62), "3:01:02");
        assert_eq!(format_left(86_400 + 7200), "1 day 2 h");
        assert_eq!(format_left(30 * 86_400 - 1), "29 days");
    }
}
