//! Friends inside one school, for signed-in students:
//!
//! - `GET /feed`: awards that the people I follow share with the school, newest first, with
//!   cheer/uncheer buttons (`POST /feed/cheer`), and the people I follow or blocked;
//! - `POST /my/following`: follow, unfollow, block or unblock a schoolmate (the buttons on
//!   `/@{handle}`), then back to where the form was;
//! - `GET /my/badges/{award_id}/cheers`: who cheered one of my badges.
//!
//! Everything goes through `routes::social` with the session's caller, so blocks, tenancy and
//! "one cheer per person" are the API's; another school's people and awards are 404.

use accolade_proto::{FeedItem, People};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minijinja::{context, Value};
use serde::Deserialize;
use uuid::Uuid;

use crate::backpack;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::pages::{bad_form, csrf_failed};
use crate::web::session::{Web, WebUser};
use crate::web::student::{not_found, require_student, school_tz};
use crate::web::{error_page, page, BadgeView};

/// Feed items per page.
pub const FEED_PAGE: u64 = 30;

fn internal(web: &Web, u: &WebUser, e: &ApiError) -> Response {
    web.finish(error_page(e, Some(u), &web.csrf(), "UTC", None))
}

/// Query of `GET /feed`.
#[derive(Debug, Default, Deserialize)]
pub struct FeedQuery {
    /// Page number, from 1.
    pub page: Option<u64>,
}

/// The handles of `people` (for profile links), in order.
async fn with_handles(state: &AppState, school_id: Uuid, people: People) -> Vec<Value> {
    let mut out = Vec::new();
    for p in people.people {
        let handle = accolade_db::users::by_id(state.db.conn(), school_id, p.id)
            .await
            .ok()
            .flatten()
            .map(|u| u.handle);
        out.push(context! {
            name => p.display_name,
            handle => handle,
        });
    }
    out
}

/// `GET /feed`.
pub async fn feed_page(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<FeedQuery>, QueryRejection>,
) -> Response {
    let u = match require_student(&web, "/feed") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let page_no = q
        .ok()
        .and_then(|Query(q)| q.page)
        .unwrap_or(1)
        .clamp(1, 1000);
    let base = state.config.base_url();
    let school_id = u.user.school_id;
    let items: Vec<FeedItem> = match backpack::feed(
        state.db.conn(),
        base,
        school_id,
        u.user.id,
        (page_no - 1) * FEED_PAGE,
        FEED_PAGE + 1,
    )
    .await
    {
        Ok(i) => i,
        Err(e) => return internal(&web, u, &e),
    };
    let more = items.len() as u64 > FEED_PAGE;
    let mut rows = Vec::new();
    for item in items.into_iter().take(FEED_PAGE as usize) {
        let handle = accolade_db::users::by_id(state.db.conn(), school_id, item.award.recipient.id)
            .await
            .ok()
            .flatten()
            .map(|u| u.handle);
        rows.push(context! {
            id => item.award.id,
            badge => BadgeView::of(&item.award.badge, base),
            who => item.award.recipient.display_name.clone(),
            handle => handle,
            issued => item.award.issued_on.to_rfc3339(),
            cheers => item.cheers,
            cheered => item.cheered_by_me,
        });
    }
    let auth = u.auth(&state);
    let following = match crate::routes::social::following(State(state.clone()), auth.clone()).await
    {
        Ok(Json(p)) => with_handles(&state, school_id, p).await,
        Err(e) => return internal(&web, u, &e),
    };
    let blocked = match crate::routes::social::blocks(State(state.clone()), auth).await {
        Ok(Json(p)) => with_handles(&state, school_id, p).await,
        Err(e) => return internal(&web, u, &e),
    };
    let tz = school_tz(&state, school_id).await;
    web.finish(page(
        StatusCode::OK,
        "backpack_feed.html",
        context! {
            title => tr("backpack-feed-title"),
            user => u.view(),
            csrf => web.csrf(),
            items => rows,
            following => following,
            blocked => blocked,
            tz => tz,
            page => page_no,
            prev => (page_no > 1).then(|| format!("/feed?page={}", page_no - 1)),
            next => more.then(|| format!("/feed?page={}", page_no + 1)),
        },
    ))
}

/// The cheer form.
#[derive(Debug, Default, Deserialize)]
pub struct CheerForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The award.
    #[serde(default)]
    pub award_id: String,
    /// `cheer` or `uncheer`.
    #[serde(default)]
    pub action: String,
    /// The feed page to come back to.
    pub page: Option<u64>,
}

/// `POST /feed/cheer`.
pub async fn cheer_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<CheerForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/feed");
    };
    let u = match require_student(&web, "/feed") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/feed");
    }
    let Ok(id) = f.award_id.trim().parse::<Uuid>() else {
        return not_found(&web);
    };
    let auth = u.auth(&state);
    let res = match f.action.as_str() {
        "cheer" => crate::routes::social::cheer(State(state.clone()), auth, ApiPath(id)).await,
        "uncheer" => crate::routes::social::uncheer(State(state.clone()), auth, ApiPath(id)).await,
        _ => return bad_form(&web, "/feed"),
    };
    let page_no = f.page.unwrap_or(1).clamp(1, 1000);
    match res {
        Ok(_) => {
            web.finish(Redirect::to(&format!("/feed?page={page_no}#award-{id}")).into_response())
        }
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => internal(&web, u, &e),
    }
}

/// The follow/block form.
#[derive(Debug, Default, Deserialize)]
pub struct FollowForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The schoolmate's handle.
    #[serde(default)]
    pub handle: String,
    /// `follow`, `unfollow`, `block` or `unblock`.
    #[serde(default)]
    pub action: String,
    /// `feed` to come back to the feed instead of the profile.
    pub back: Option<String>,
}

/// `POST /my/following`.
pub async fn follow_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<FollowForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/feed");
    };
    let handle = f.handle.trim().to_lowercase();
    let back = if f.back.as_deref() == Some("feed") || handle.is_empty() {
        "/feed".to_owned()
    } else {
        backpack::profile_path(&handle)
    };
    let u = match require_student(&web, &back) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &back);
    }
    let other = match accolade_db::users::by_handle(state.db.conn(), &handle).await {
        Ok(Some(o)) if o.school_id == u.user.school_id => o,
        Ok(_) => return not_found(&web),
        Err(e) => return internal(&web, u, &e.into()),
    };
    let auth = u.auth(&state);
    let st = State(state.clone());
    let res = match f.action.as_str() {
        "follow" => crate::routes::social::follow(st, auth, ApiPath(other.id)).await,
        "unfollow" => crate::routes::social::unfollow(st, auth, ApiPath(other.id)).await,
        "block" => crate::routes::social::block(st, auth, ApiPath(other.id)).await,
        "unblock" => crate::routes::social::unblock(st, auth, ApiPath(other.id)).await,
        _ => return bad_form(&web, &back),
    };
    match res {
        Ok(_) => web.finish(Redirect::to(&back).into_response()),
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => web.finish(error_page(&e, Some(u), &web.csrf(), "UTC", None)),
    }
}

/// `GET /my/badges/{award_id}/cheers`: who cheered one of my badges.
pub async fn cheers_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let u = match require_student(&web, &format!("/my/badges/{id}/cheers")) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    let base = state.config.base_url();
    let award = match accolade_db::awards::by_id(state.db.conn(), u.user.school_id, id).await {
        Ok(Some(a)) if a.recipient_id == u.user.id => a,
        Ok(_) => return not_found(&web),
        Err(e) => return internal(&web, u, &e.into()),
    };
    let mut cache = crate::badges::ViewCache::default();
    let view = match crate::badges::award_view(state.db.conn(), base, &mut cache, &award).await {
        Ok(v) => v,
        Err(e) => return internal(&web, u, &e),
    };
    let cheers = match crate::routes::social::cheers(
        State(state.clone()),
        u.auth(&state),
        ApiPath(id),
    )
    .await
    {
        Ok(Json(c)) => c,
        Err(ApiError::NotFound(_)) => return not_found(&web),
        Err(e) => return internal(&web, u, &e),
    };
    let people = with_handles(
        &state,
        u.user.school_id,
        People {
            people: cheers.people.unwrap_or_default(),
        },
    )
    .await;
    web.finish(page(
        StatusCode::OK,
        "backpack_cheers.html",
        context! {
            title => tr("backpack-cheers-title"),
            user => u.view(),
            award => context! {
                id => view.id,
                badge => BadgeView::of(&view.badge, base),
                href => format!("/my/badges/{}", view.id),
            },
            count => cheers.count,
            people => people,
        },
    ))
}
