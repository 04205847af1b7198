//! Claiming on a phone: `/c/{token}` (the QR's URL) and `/claim` (typing the 8-character code).
//!
//! `GET /c/{token}` checks the code first, so a closed, paused, not-yet-open, used-up or
//! other-class code gets its own page (with the API's status: 410, 403, 409, 404) before anyone
//! signs in. Signed out, it shows the badge and the sign-in forms, coming back afterwards;
//! signed in, a "Claim this badge" button (a POST form: GET never changes anything). The
//! `POST` claims through the same service as `POST /api/v1/claims` and shows the badge, or
//! the friendly error page.
//!
//! **Rotating QR codes and signing in.** A rotating token is only valid for its period and the
//! next (15–30 s by default), less than it takes to sign in on a phone. So when the page is
//! opened with a token that is valid *at that moment*, it vouches for it: `seen` (the Unix
//! time) and `sig` (an HMAC over the token and `seen`, with the CSRF key) travel in the claim
//! form and through the sign-in `next` link, and for [`VOUCHER_SECS`] the claim resolves the
//! token as of `seen` (the window and status are still checked against now). A photo of the QR
//! sent to someone elsewhere still stops working within two periods unless opened at once.

use accolade_proto::{ClaimRequest, ClaimResponse};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, Utc};
use minijinja::context;
use serde::Deserialize;

use super::i18n::tr;
use super::pages::{bad_form, csrf_failed, signin_view, SigninView};
use super::session::{Web, WebUser};
use super::{
    error_page, message, page, templates, to_signin, url_encode, BadgeView, Link, Message,
};
use crate::badges::{self as svc, ViewCache};
use crate::claims::{self as codes, Resolved};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How long (seconds) a vouched-for QR link keeps resolving after it was first opened.
pub const VOUCHER_SECS: i64 = 300;

/// The voucher in a claim link's query or form.
#[derive(Debug, Default, Deserialize)]
pub struct Voucher {
    /// When the link was first opened (Unix seconds).
    pub seen: Option<i64>,
    /// HMAC over the token and `seen`.
    pub sig: Option<String>,
}

/// The claim form.
#[derive(Debug, Default, Deserialize)]
pub struct ClaimForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Voucher time.
    pub seen: Option<i64>,
    /// Voucher signature.
    pub sig: Option<String>,
}

/// The manual-code form (and `GET /claim?code=` to prefill it).
#[derive(Debug, Default, Deserialize)]
pub struct ManualForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The typed code.
    pub code: Option<String>,
}

fn voucher_parts(token: &str, seen: i64) -> [Vec<u8>; 3] {
    [
        b"claim-link".to_vec(),
        token.as_bytes().to_vec(),
        seen.to_be_bytes().to_vec(),
    ]
}

/// The instant a valid, fresh voucher vouches for.
fn vouched_at(state: &AppState, web: &Web, token: &str, v: &Voucher) -> Option<DateTime<Utc>> {
    let (seen, sig) = (v.seen?, v.sig.as_deref()?);
    let age = state.now().timestamp().saturating_sub(seen);
    if !(0..=VOUCHER_SECS).contains(&age) {
        return None;
    }
    let parts = voucher_parts(token, seen);
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    web.verify_signed(&refs, sig)
        .then(|| DateTime::from_timestamp(seen, 0))
        .flatten()
}

fn make_voucher(web: &Web, token: &str, seen: i64) -> (i64, String) {
    let parts = voucher_parts(token, seen);
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    (seen, web.sign(&refs))
}

async fn school_tz(state: &AppState, school_id: uuid::Uuid) -> String {
    accolade_db::schools::by_id(state.db.conn(), school_id)
        .await
        .ok()
        .flatten()
        .map(|s| s.timezone)
        .unwrap_or_else(|| "UTC".into())
}

async fn badge_of(state: &AppState, c: &accolade_db::claims::ClaimCode) -> ApiResult<BadgeView> {
    let b = accolade_db::badges::class_by_id(state.db.conn(), c.school_id, c.badge_class_id)
        .await?
        .ok_or(ApiError::NotFound("badge class"))?;
    Ok(BadgeView {
        name: b.name,
        image: format!("/ob/v2/images/{}", b.image_id),
    })
}

/// The success page after a claim (new or repeated).
fn claimed_page(state: &AppState, web: &Web, user: &WebUser, r: &ClaimResponse) -> Response {
    web.finish(page(
        StatusCode::OK,
        "claimed.html",
        context! {
            title => tr(if r.already_claimed { "claimed-already-heading" } else { "claimed-heading" }),
            already => r.already_claimed,
            badge => BadgeView::of(&r.award.badge, state.config.base_url()),
            code_title => r.title.clone(),
            user => user.view(),
            csrf => web.csrf(),
            css_url => templates::css_url(),
        },
    ))
}

/// The student's existing claim of `c`, as the API answers a repeat.
async fn existing(
    state: &AppState,
    user: &WebUser,
    c: &accolade_db::claims::ClaimCode,
) -> ApiResult<Option<ClaimResponse>> {
    let conn = state.db.conn();
    let Some(prev) = accolade_db::claims::claim_of(conn, c.id, user.user.id).await? else {
        return Ok(None);
    };
    let Some(award) = accolade_db::awards::by_id(conn, user.user.school_id, prev.award_id).await?
    else {
        return Ok(None);
    };
    let mut cache = ViewCache::default();
    Ok(Some(ClaimResponse {
        award: svc::award_view(conn, state.config.base_url(), &mut cache, &award).await?,
        already_claimed: true,
        title: c.title.clone(),
    }))
}

/// `GET /c/{token}`.
pub async fn claim_page(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    q: Result<Query<Voucher>, QueryRejection>,
) -> Response {
    let v = q.map(|Query(v)| v).unwrap_or_default();
    let now = state.now();
    let vouched = vouched_at(&state, &web, &token, &v);
    let csrf = web.csrf();
    let user = web.user.as_ref();
    let resolved =
        match codes::resolve(state.db.conn(), Some(&token), None, vouched.unwrap_or(now)).await {
            Ok(r) => r,
            Err(e) => return web.finish(error_page(&e, user, &csrf, "UTC", None)),
        };
    let (code, sheet) = match resolved {
        Resolved::Code(c) => (c, None),
        Resolved::Sheet(c, t) => (c, Some(t)),
    };
    let (seen, sig) = match (vouched, v.seen, v.sig) {
        (Some(_), Some(seen), Some(sig)) => (seen, sig),
        _ => make_voucher(&web, &token, now.timestamp()),
    };
    let here = format!("/c/{token}?seen={seen}&sig={}", url_encode(&sig));
    if user.is_some_and(|u| u.user.school_id != code.school_id) {
        // Another school's code: as unknown as a code that does not exist.
        return web.finish(error_page(
            &ApiError::NotFound("claim code"),
            user,
            &csrf,
            "UTC",
            None,
        ));
    }
    let tz = school_tz(&state, code.school_id).await;
    if let Err(e) = codes::check_open(&code, now) {
        return web.finish(error_page(&e, user, &csrf, &tz, None));
    }
    let badge = match badge_of(&state, &code).await {
        Ok(b) => b,
        Err(e) => return web.finish(error_page(&e, user, &csrf, &tz, None)),
    };
    let Some(u) = user else {
        return signin_view(
            &web,
            StatusCode::OK,
            SigninView {
                heading: tr("signin-heading-to-claim"),
                code_title: Some(code.title.clone()),
                badge: Some(badge),
                next: here,
                ..SigninView::default()
            },
        );
    };
    if !u.is_student() {
        return web.finish(error_page(
            &ApiError::Forbidden("only students claim badges; you are signed in as staff"),
            user,
            &csrf,
            &tz,
            Some(Link::new("/signout", tr("common-sign-out"), true)),
        ));
    }
    match crate::routes::claims::in_audience(state.db.conn(), &code, u.user.id).await {
        Ok(true) => {}
        Ok(false) => {
            return web.finish(error_page(&ApiError::NotInAudience, user, &csrf, &tz, None))
        }
        Err(e) => return web.finish(error_page(&e, user, &csrf, &tz, None)),
    }
    if !code.allow_repeat {
        match existing(&state, u, &code).await {
            Ok(Some(r)) => return claimed_page(&state, &web, u, &r),
            Ok(None) => {}
            Err(e) => return web.finish(error_page(&e, user, &csrf, &tz, None)),
        }
    }
    let used_up = sheet.as_ref().is_some_and(|t| t.used_at.is_some())
        || code.max_claims.is_some_and(|m| code.claim_count >= m);
    if used_up {
        return web.finish(error_page(
            &ApiError::ClaimLimitReached,
            user,
            &csrf,
            &tz,
            None,
        ));
    }
    web.finish(page(
        StatusCode::OK,
        "claim.html",
        context! {
            title => tr("claim-heading"),
            badge => badge,
            code_title => code.title.clone(),
            action => format!("/c/{token}"),
            fields => vec![
                context! { name => "seen", value => seen.to_string() },
                context! { name => "sig", value => sig },
            ],
            user => u.view(),
            csrf => csrf,
            css_url => templates::css_url(),
        },
    ))
}

/// `POST /c/{token}`: claims.
pub async fn claim_post(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, &format!("/c/{token}"));
    };
    let v = Voucher {
        seen: f.seen,
        sig: f.sig,
    };
    let back = match (&v.seen, &v.sig) {
        (Some(seen), Some(sig)) => format!("/c/{token}?seen={seen}&sig={}", url_encode(sig)),
        _ => format!("/c/{token}"),
    };
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin(&back));
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &back);
    }
    let at = vouched_at(&state, &web, &token, &v);
    let req = ClaimRequest {
        token: Some(token),
        code: None,
    };
    match crate::routes::claims::claim_as(&state, &u.auth(&state), &req, at).await {
        Ok(r) => claimed_page(&state, &web, u, &r),
        Err(e) => {
            let tz = school_tz(&state, u.user.school_id).await;
            web.finish(error_page(&e, Some(u), &web.csrf(), &tz, None))
        }
    }
}

fn manual_view(
    web: &Web,
    user: &WebUser,
    status: StatusCode,
    code: &str,
    error: Option<&str>,
) -> Response {
    web.finish(page(
        status,
        "claim_manual.html",
        context! {
            title => tr("claim-manual-heading"),
            code => code,
            error => error,
            user => user.view(),
            csrf => web.csrf(),
            css_url => templates::css_url(),
        },
    ))
}

fn staff_cannot_claim(web: &Web, user: &WebUser) -> Response {
    web.finish(error_page(
        &ApiError::Forbidden("only students claim badges; you are signed in as staff"),
        Some(user),
        &web.csrf(),
        "UTC",
        Some(Link::new("/signout", tr("common-sign-out"), true)),
    ))
}

/// `GET /claim`: the manual-code form (signed-in students).
pub async fn manual_page(web: Web, q: Result<Query<ManualForm>, QueryRejection>) -> Response {
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin("/claim"));
    };
    if !u.is_student() {
        return staff_cannot_claim(&web, u);
    }
    let code: String = q
        .ok()
        .and_then(|Query(f)| f.code)
        .unwrap_or_default()
        .chars()
        .take(20)
        .collect();
    manual_view(&web, u, StatusCode::OK, &code, None)
}

/// `POST /claim`: claims with a typed code.
pub async fn manual_claim(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<ManualForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/claim");
    };
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin("/claim"));
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/claim");
    }
    if !u.is_student() {
        return staff_cannot_claim(&web, u);
    }
    let typed: String = f.code.unwrap_or_default().chars().take(20).collect();
    let req = ClaimRequest {
        token: None,
        code: Some(typed.clone()),
    };
    match crate::routes::claims::claim_as(&state, &u.auth(&state), &req, None).await {
        Ok(r) => claimed_page(&state, &web, u, &r),
        Err(ApiError::NotFound(_)) | Err(ApiError::Invalid(_)) => manual_view(
            &web,
            u,
            StatusCode::NOT_FOUND,
            &typed,
            Some(&tr("claim-manual-unknown")),
        ),
        Err(e) => {
            let tz = school_tz(&state, u.user.school_id).await;
            web.finish(error_page(
                &e,
                Some(u),
                &web.csrf(),
                &tz,
                Some(Link::new("/claim", tr("claim-type-another"), true)),
            ))
        }
    }
}

/// A message page telling a signed-in user to go to the right place (unused codes etc.).
pub fn info(web: &Web, heading: &str, text: &str, links: Vec<Link>) -> Response {
    web.finish(message(
        StatusCode::OK,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: heading.into(),
            paragraphs: vec![text.into()],
            tone: "info",
            links,
            ..Message::default()
        },
    ))
}
