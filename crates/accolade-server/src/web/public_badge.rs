//! `GET /b/{award_id}`: the public page of an assertion, for anyone (no sign-in).
//!
//! Shows the badge image, name, description, criteria, issuer (the school), issue date (in the
//! school's time zone), expiry and the status (valid, revoked with its reason, or expired), and
//! links the hosted OB 2.0 Assertion for machines
//! (`<link rel="alternate" type="application/ld+json" href="/ob/v2/assertions/{id}">`,
//! OB 2.0 §HostedBadge).
//!
//! **Privacy (recipients are minors).** The recipient's display name is shown only when the
//! student chose to show their name publicly (`users.show_name_publicly`), the school allows
//! public sharing for them ([`crate::backpack::public_allowed`]) and the award is not hidden;
//! otherwise the page still verifies the badge, without a name. Never an e-mail. An unknown id
//! is a 404 page. The page is `noindex` (and `no-store`) like every web page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use uuid::Uuid;

use super::i18n::tr;
use super::session::Web;
use super::student::{award_status, not_found};
use super::{local_path, page, BadgeView};
use crate::badges::{self as svc, ViewCache};
use crate::error::ApiResult;
use crate::state::AppState;

/// Whether the public page may name the recipient of `award`.
pub async fn shows_name(state: &AppState, award: &accolade_db::awards::Award) -> ApiResult<bool> {
    if award.hidden {
        return Ok(false);
    }
    let conn = state.db.conn();
    let Some(user) = accolade_db::users::by_id(conn, award.school_id, award.recipient_id).await?
    else {
        return Ok(false);
    };
    if !user.show_name_publicly || !user.active || user.deleted_at.is_some() {
        return Ok(false);
    }
    let Some(school) = accolade_db::schools::by_id(conn, award.school_id).await? else {
        return Ok(false);
    };
    Ok(crate::backpack::public_allowed(&school, &user))
}

/// `GET /b/{award_id}`.
pub async fn public_badge(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    match render(&state, &web, id).await {
        Ok(Some(res)) => res,
        Ok(None) => not_found(&web),
        Err(e) => web.finish(super::error_page(
            &e,
            web.user.as_ref(),
            &web.csrf(),
            "UTC",
            None,
        )),
    }
}

async fn render(state: &AppState, web: &Web, id: Uuid) -> ApiResult<Option<Response>> {
    let conn = state.db.conn();
    let Some(award) = accolade_db::awards::by_id_public(conn, id).await? else {
        return Ok(None);
    };
    let base = state.config.base_url();
    let mut cache = ViewCache::default();
    let v = svc::award_view(conn, base, &mut cache, &award).await?;
    let tz = accolade_db::schools::by_id(conn, award.school_id)
        .await?
        .map(|s| s.timezone)
        .unwrap_or_else(|| "UTC".into());
    let recipient = shows_name(state, &award)
        .await?
        .then(|| v.recipient.display_name.clone());
    Ok(Some(web.finish(page(
        StatusCode::OK,
        "public_badge.html",
        context! {
            title => v.badge.name.clone(),
            user => web.user.as_ref().map(|u| u.view()),
            tz => tz,
            award => context! {
                id => v.id,
                badge => BadgeView::of(&v.badge, base),
                description => v.description.clone(),
                criteria => v.criteria_narrative.clone(),
                criteria_url => v.criteria_url.clone(),
                issuer => v.issuer_name.clone(),
                issued => v.issued_on.to_rfc3339(),
                expires => v.expires.map(|e| e.to_rfc3339()),
                status => award_status(v.status),
                revocation_reason => v.revocation_reason.clone(),
                json => local_path(&v.assertion_url, base),
            },
            recipient => recipient,
            heading => tr("public-heading"),
            // Open Graph / Twitter card tags and the preview card (backpack, issue #8).
            og => super::backpack::public::badge_og(state, id).await,
        },
    ))))
}
