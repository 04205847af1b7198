//! `/o/{token}`: a classmate's peer offer, opened from its QR code on a phone.
//!
//! `GET` shows who offers which badge with an "Accept" button (signed out: the sign-in forms
//! first); `POST` accepts through the same service as `POST /api/v1/offers/accept` (a
//! nomination from the offerer to the scanner; auto-approved badges are awarded at once) and
//! shows the result, or a friendly page for an expired, used, own or unknown offer.

use accolade_proto::NominationStatus;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::context;

use super::i18n::tr;
use super::pages::{bad_form, csrf_failed, signin_view, CsrfForm, SigninView};
use super::session::Web;
use super::{error_page, message, page, templates, to_signin, BadgeView, Link, Message};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::tokens::hash_secret;

fn clean(token: &str) -> Option<&str> {
    (token.len() <= 64 && !token.is_empty()).then_some(token)
}

/// The offer behind `token` in `school_id`, checked like the API does (404 unknown, 422 own,
/// 410 used or expired), with the offerer's display name and the badge.
async fn preview(
    state: &AppState,
    school_id: uuid::Uuid,
    me: uuid::Uuid,
    token: &str,
) -> ApiResult<(String, BadgeView)> {
    let conn = state.db.conn();
    let token = clean(token).ok_or(ApiError::NotFound("offer"))?;
    let offer = accolade_db::claims::offer_by_hash(conn, &hash_secret(token))
        .await?
        .filter(|o| o.school_id == school_id)
        .ok_or(ApiError::NotFound("offer"))?;
    if offer.offerer_id == me {
        return Err(ApiError::SelfNomination);
    }
    if offer.used_at.is_some() || offer.expires_at.with_timezone(&chrono::Utc) <= state.now() {
        return Err(ApiError::Gone(
            "this offer has expired or was already used: ask your classmate for a new one".into(),
        ));
    }
    let offerer = accolade_db::users::by_id(conn, school_id, offer.offerer_id)
        .await?
        .filter(|u| u.active)
        .ok_or(ApiError::Gone(
            "the offer's student is no longer here".into(),
        ))?;
    let badge = accolade_db::badges::class_by_id(conn, school_id, offer.badge_class_id)
        .await?
        .ok_or(ApiError::NotFound("offer"))?;
    Ok((
        offerer.display_name,
        BadgeView {
            name: badge.name,
            image: format!("/ob/v2/images/{}", badge.image_id),
        },
    ))
}

/// `GET /o/{token}`.
pub async fn offer_page(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    let Some(u) = web.user.as_ref() else {
        // Nothing about the offer is shown before signing in: it names a student.
        if clean(&token).is_none() {
            return web.finish(error_page(
                &ApiError::NotFound("offer"),
                None,
                &web.csrf(),
                "UTC",
                None,
            ));
        }
        return signin_view(
            &web,
            StatusCode::OK,
            SigninView {
                heading: tr("signin-heading-to-offer"),
                intro: Some(tr("signin-offer-intro")),
                next: format!("/o/{token}"),
                ..SigninView::default()
            },
        );
    };
    if !u.is_student() {
        return web.finish(error_page(
            &ApiError::Forbidden("only students accept offers; you are signed in as staff"),
            Some(u),
            &web.csrf(),
            "UTC",
            Some(Link::new("/signout", tr("common-sign-out"), true)),
        ));
    }
    match preview(&state, u.user.school_id, u.user.id, &token).await {
        Ok((offerer, badge)) => web.finish(page(
            StatusCode::OK,
            "offer.html",
            context! {
                title => tr("offer-heading"),
                offerer => offerer,
                badge => badge,
                action => format!("/o/{token}"),
                user => u.view(),
                csrf => web.csrf(),
                css_url => templates::css_url(),
            },
        )),
        Err(e) => web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
    }
}

/// `POST /o/{token}`: accepts the offer.
pub async fn offer_post(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let back = format!("/o/{token}");
    let Ok(Form(f)) = form else {
        return bad_form(&web, &back);
    };
    let Some(u) = web.user.as_ref() else {
        return web.finish(to_signin(&back));
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &back);
    }
    match crate::routes::claims::accept_offer_as(&state, &u.auth(&state), &token).await {
        Ok(n) => {
            let approved = n.status == NominationStatus::Approved;
            let named_id = if approved {
                "offer-done-approved"
            } else {
                "offer-done-pending"
            };
            web.finish(message(
                StatusCode::OK,
                Some(u),
                &web.csrf(),
                Message {
                    heading: tr(if approved {
                        "claimed-heading"
                    } else {
                        "offer-sent"
                    }),
                    named: vec![super::named(named_id, &n.nominator.display_name)],
                    tone: "ok",
                    badge: Some(BadgeView::of(&n.badge, state.config.base_url())),
                    links: vec![Link::new("/my/badges", tr("claimed-see-badges"), true)],
                    ..Message::default()
                },
            ))
        }
        Err(e) => web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
    }
}
