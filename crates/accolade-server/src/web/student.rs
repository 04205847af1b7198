//! The student's pages (all need a signed-in student; other roles get a 403 page, signed-out
//! browsers the sign-in page coming back):
//!
//! - `GET /my/badges`: the badge grid, newest first, hidden ones marked;
//! - `GET /my/badges/{award_id}`: one badge (criteria, narrative, issuer, date in the school's
//!   time zone, baked PNG/SVG downloads, the public page) and `POST /my/badges/{award_id}/visibility`
//!   (hide from / show on the profile, `awards.hidden`, through `PATCH /api/v1/awards/{id}`);
//! - `GET /nominate?class_id=…`, `POST /nominate`: nominate a classmate (class → classmate →
//!   badge → narrative, with the weekly allowance), through `POST /api/v1/nominations`;
//! - `GET /my/nominations`: the student's nominations with their status and the teacher's
//!   reason; `GET/POST /my/nominations/{id}`: revise one that was returned, through
//!   `PATCH /api/v1/nominations/{id}`.
//!
//! Every action calls the REST handler's service code with the session's caller, so roles,
//! tenancy and business rules are exactly the API's. Another school's (or another student's)
//! award or nomination is a 404. Forms keep what was typed on a validation error and show the
//! error next to its field.

use std::collections::BTreeMap;

use accolade_proto::{
    AwardStatus, CreateNominationRequest, NominationStatus, ReviseNominationRequest,
    UpdateAwardRequest,
};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minijinja::{context, Value};
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::tr;
use super::pages::{bad_form, csrf_failed};
use super::session::{Web, WebUser};
use super::{
    error_page, field_errors, local_path, message, page, to_signin, BadgeView, Link, Message,
};
use crate::badges::{self as svc, ViewCache};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Longest nomination narrative, in characters (as the API).
pub const MAX_NARRATIVE: usize = 1000;

/// The signed-in student, or the response to send instead: the sign-in page (coming back to
/// `here`) or a 403 page for teachers and admins.
pub fn require_student<'a>(web: &'a Web, here: &str) -> Result<&'a WebUser, Box<Response>> {
    match web.user.as_ref() {
        None => Err(Box::new(web.finish(to_signin(here)))),
        Some(u) if u.is_student() => Ok(u),
        Some(u) => Err(Box::new(forbidden(web, u))),
    }
}

/// The 403 page for a signed-in user of the wrong role, linking to their home page.
pub fn forbidden(web: &Web, u: &WebUser) -> Response {
    web.finish(message(
        StatusCode::FORBIDDEN,
        Some(u),
        &web.csrf(),
        Message {
            heading: tr("common-forbidden"),
            paragraphs: vec![tr("common-forbidden-text")],
            tone: "error",
            links: vec![Link::new(u.home(), tr("common-home"), true)],
            ..Message::default()
        },
    ))
}

/// The 404 page (unknown, another school's, or another student's).
pub fn not_found(web: &Web) -> Response {
    let mut links = Vec::new();
    if let Some(u) = &web.user {
        links.push(Link::new(u.home(), tr("common-home"), true));
    }
    web.finish(message(
        StatusCode::NOT_FOUND,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: tr("common-not-found"),
            paragraphs: vec![tr("common-not-found-text")],
            tone: "error",
            links,
            ..Message::default()
        },
    ))
}

/// The school's IANA time zone (UTC when unknown).
pub async fn school_tz(state: &AppState, school_id: Uuid) -> String {
    accolade_db::schools::by_id(state.db.conn(), school_id)
        .await
        .ok()
        .flatten()
        .map(|s| s.timezone)
        .unwrap_or_else(|| "UTC".into())
}

/// `valid`, `revoked` or `expired` with its pill class and words.
pub fn award_status(status: AwardStatus) -> Value {
    let (key, pill, id) = match status {
        AwardStatus::Valid => ("valid", "pill-ok", "common-status-valid"),
        AwardStatus::Revoked => ("revoked", "pill-error", "common-status-revoked"),
        AwardStatus::Expired => ("expired", "pill-warn", "common-status-expired"),
    };
    context! { key => key, pill => pill, text => tr(id) }
}

fn nomination_status(status: NominationStatus) -> Value {
    let (pill, id) = match status {
        NominationStatus::Pending => ("pill-info", "student-nom-status-pending"),
        NominationStatus::Approved => ("pill-ok", "student-nom-status-approved"),
        NominationStatus::Rejected => ("pill-error", "student-nom-status-rejected"),
        NominationStatus::Returned => ("pill-warn", "student-nom-status-returned"),
        NominationStatus::Withdrawn => ("pill-muted", "student-nom-status-withdrawn"),
    };
    context! { key => status.as_str(), pill => pill, text => tr(id) }
}

fn internal(web: &Web, u: &WebUser, e: &ApiError) -> Response {
    web.finish(error_page(e, Some(u), &web.csrf(), "UTC", None))
}

/// Query of `GET /my/badges` and the pages that come back to it.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    /// Set after a nomination was sent.
    pub sent: Option<String>,
    /// Set after a nomination was revised.
    pub revised: Option<String>,
}

/// `GET /my/badges`: the student's badges, newest first (up to 200), hidden ones included and
/// marked.
pub async fn my_badges(State(state): State<AppState>, web: Web) -> Response {
    let u = match require_student(&web, "/my/badges") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let conn = state.db.conn();
    let base = state.config.base_url();
    let tz = school_tz(&state, u.user.school_id).await;
    let rows =
        match accolade_db::awards::by_recipient(conn, u.user.school_id, u.user.id, 0, 200).await {
            Ok(r) => r,
            Err(e) => return internal(&web, u, &e.into()),
        };
    let mut cache = ViewCache::default();
    let mut awards = Vec::new();
    for a in &rows {
        let v = match svc::award_view(conn, base, &mut cache, a).await {
            Ok(v) => v,
            Err(e) => return internal(&web, u, &e),
        };
        awards.push(context! {
            href => format!("/my/badges/{}", v.id),
            badge => BadgeView::of(&v.badge, base),
            issued => v.issued_on.to_rfc3339(),
            status => award_status(v.status),
            hidden => v.hidden,
        });
    }
    web.finish(page(
        StatusCode::OK,
        "student_badges.html",
        context! {
            title => tr("student-badges-title"),
            user => u.view(),
            awards => awards,
            tz => tz,
            csrf => web.csrf(),
        },
    ))
}

async fn own_award(state: &AppState, u: &WebUser, id: Uuid) -> ApiResult<accolade_proto::Award> {
    let a = accolade_db::awards::by_id(state.db.conn(), u.user.school_id, id)
        .await?
        .filter(|a| a.recipient_id == u.user.id)
        .ok_or(ApiError::NotFound("award"))?;
    let mut cache = ViewCache::default();
    svc::award_view(state.db.conn(), state.config.base_url(), &mut cache, &a).await
}

/// `GET /my/badges/{award_id}`: one of the student's badges.
pub async fn badge_detail(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let u = match require_student(&web, &format!("/my/badges/{id}")) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    let v = match own_award(&state, u, id).await {
        Ok(v) => v,
        Err(ApiError::NotFound(_)) => return not_found(&web),
        Err(e) => return internal(&web, u, &e),
    };
    let base = state.config.base_url();
    let tz = school_tz(&state, u.user.school_id).await;
    web.finish(page(
        StatusCode::OK,
        "student_badge.html",
        context! {
            title => v.badge.name.clone(),
            user => u.view(),
            tz => tz,
            award => context! {
                id => v.id,
                badge => BadgeView::of(&v.badge, base),
                description => v.description.clone(),
                criteria => v.criteria_narrative.clone(),
                criteria_url => v.criteria_url.clone(),
                narrative => v.narrative.clone(),
                evidence_url => v.evidence_url.clone(),
                issuer => v.issuer_name.clone(),
                issued => v.issued_on.to_rfc3339(),
                expires => v.expires.map(|e| e.to_rfc3339()),
                status => award_status(v.status),
                revocation_reason => v.revocation_reason.clone(),
                hidden => v.hidden,
                png => local_path(&v.baked_png_url, base),
                svg => local_path(&v.baked_svg_url, base),
                json => local_path(&v.assertion_url, base),
                public => format!("/b/{}", v.id),
            },
            csrf => web.csrf(),
        },
    ))
}

/// The hide/show form.
#[derive(Debug, Default, Deserialize)]
pub struct VisibilityForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// `true` to hide, `false` to show.
    pub hidden: Option<String>,
}

/// `POST /my/badges/{award_id}/visibility`: hides the badge from (or shows it on) the
/// student's profile, then back to the badge.
pub async fn set_visibility(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<VisibilityForm>, FormRejection>,
) -> Response {
    let back = format!("/my/badges/{id}");
    let Ok(Form(f)) = form else {
        return bad_form(&web, &back);
    };
    let u = match require_student(&web, &back) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &back);
    }
    let Ok(award_id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    let hidden = f.hidden.as_deref() == Some("true");
    let res = crate::routes::awards::update(
        State(state.clone()),
        u.auth(&state),
        ApiPath(award_id),
        ApiJson(UpdateAwardRequest { hidden }),
    )
    .await;
    match res {
        Ok(_) => web.finish(Redirect::to(&back).into_response()),
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => internal(&web, u, &e),
    }
}

/// Query of `GET /nominate`: the steps chosen so far (all optional).
#[derive(Debug, Default, Deserialize)]
pub struct NominateQuery {
    /// The class.
    pub class_id: Option<String>,
    /// The classmate.
    pub nominee_id: Option<String>,
    /// The badge class.
    pub badge_id: Option<String>,
}

/// The nomination form.
#[derive(Debug, Default, Deserialize)]
pub struct NominateForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The class.
    #[serde(default)]
    pub class_id: String,
    /// The classmate.
    #[serde(default)]
    pub nominee_id: String,
    /// The badge class.
    #[serde(default)]
    pub badge_id: String,
    /// Why.
    #[serde(default)]
    pub narrative: String,
}

/// What the nomination page shows.
struct NominateView {
    class_id: Option<Uuid>,
    nominee_id: String,
    badge_id: String,
    narrative: String,
    errors: BTreeMap<String, String>,
    alert: Option<String>,
}

fn parse_id(s: &str) -> Option<Uuid> {
    s.trim().parse().ok()
}

async fn nominate_view(
    state: &AppState,
    web: &Web,
    u: &WebUser,
    status: StatusCode,
    v: NominateView,
) -> Response {
    let conn = state.db.conn();
    let school = match accolade_db::schools::by_id(conn, u.user.school_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return internal(web, u, &ApiError::NotFound("school")),
        Err(e) => return internal(web, u, &e.into()),
    };
    let allowance = match svc::allowance(conn, &school, u.user.id).await {
        Ok(a) => a,
        Err(e) => return internal(web, u, &e),
    };
    let classes = match accolade_db::classes::for_user(conn, u.user.school_id, u.user.id).await {
        Ok(c) => c,
        Err(e) => return internal(web, u, &e.into()),
    };
    // Only classes the student is a student in; one class is chosen at once.
    let mut mine = Vec::new();
    for c in classes {
        if let Ok(Some(e)) = accolade_db::classes::enrollment(conn, c.id, u.user.id).await {
            if e.role == "student" {
                mine.push(c);
            }
        }
    }
    let chosen = match v.class_id {
        Some(id) => mine.iter().find(|c| c.id == id),
        None if mine.len() == 1 => mine.first(),
        None => None,
    };
    let mut classmates = Vec::new();
    let mut badges = Vec::new();
    if let Some(c) = chosen {
        let members = match accolade_db::classes::members(conn, u.user.school_id, c.id).await {
            Ok(m) => m,
            Err(e) => return internal(web, u, &e.into()),
        };
        for (m, role) in members {
            if role == "student" && m.id != u.user.id && m.role == "student" {
                classmates.push(context! { id => m.id, name => m.display_name });
            }
        }
        let rows = match accolade_db::badges::classes_in_school(conn, u.user.school_id, false).await
        {
            Ok(r) => r,
            Err(e) => return internal(web, u, &e.into()),
        };
        for b in rows
            .into_iter()
            .filter(|b| b.peer_nominable && b.archived_at.is_none())
        {
            if b.scope == "classes" {
                match accolade_db::badges::scope_class_ids(conn, b.id).await {
                    Ok(ids) if ids.contains(&c.id) => {}
                    Ok(_) => continue,
                    Err(e) => return internal(web, u, &e.into()),
                }
            }
            badges.push(context! {
                id => b.id,
                name => b.name,
                image => format!("/ob/v2/images/{}", b.image_id),
            });
        }
    }
    web.finish(page(
        status,
        "student_nominate.html",
        context! {
            title => tr("student-nominate-title"),
            user => u.view(),
            tz => school.timezone.clone(),
            allowance => context! {
                weekly => allowance.weekly,
                used => allowance.used,
                remaining => allowance.remaining,
                resets_at => allowance.resets_at.to_rfc3339(),
            },
            classes => mine.iter().map(|c| context! { id => c.id, title => c.title.clone() }).collect::<Vec<_>>(),
            class => chosen.map(|c| context! { id => c.id, title => c.title.clone() }),
            classmates => classmates,
            badges => badges,
            values => context! {
                nominee_id => v.nominee_id,
                badge_id => v.badge_id,
                narrative => v.narrative,
            },
            errors => v.errors,
            alert => v.alert,
            max_narrative => MAX_NARRATIVE,
            csrf => web.csrf(),
        },
    ))
}

/// `GET /nominate`: step 1 picks the class (skipped with one class), step 2 the classmate,
/// the badge and the narrative in one form. Shows the weekly allowance.
pub async fn nominate_page(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<NominateQuery>, QueryRejection>,
) -> Response {
    let u = match require_student(&web, "/nominate") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let view = NominateView {
        class_id: q.class_id.as_deref().and_then(parse_id),
        nominee_id: q.nominee_id.unwrap_or_default(),
        badge_id: q.badge_id.unwrap_or_default(),
        narrative: String::new(),
        errors: BTreeMap::new(),
        alert: None,
    };
    nominate_view(&state, &web, u, StatusCode::OK, view).await
}

/// `POST /nominate`: sends the nomination (as `POST /api/v1/nominations`), then
/// `/my/nominations?sent=1`; on an error the form again with what was typed and the error next
/// to its field.
pub async fn nominate_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<NominateForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return bad_form(&web, "/nominate");
    };
    let u = match require_student(&web, "/nominate") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/nominate");
    }
    let class_id = parse_id(&f.class_id);
    let narrative: String = f.narrative.chars().take(MAX_NARRATIVE * 2).collect();
    let mut errors = BTreeMap::new();
    let nominee = parse_id(&f.nominee_id);
    let badge = parse_id(&f.badge_id);
    if nominee.is_none() {
        errors.insert(
            "nominee_id".to_owned(),
            tr("student-nominate-pick-classmate"),
        );
    }
    if badge.is_none() {
        errors.insert("badge_id".to_owned(), tr("student-nominate-pick-badge"));
    }
    if narrative.trim().is_empty() {
        errors.insert("narrative".to_owned(), tr("common-field-required"));
    }
    let mut alert = None;
    if let (Some(nominee), Some(badge), true) = (nominee, badge, errors.is_empty()) {
        let req = CreateNominationRequest {
            badge_class_id: badge,
            nominee_ids: vec![nominee],
            class_id,
            narrative: narrative.clone(),
            evidence_url: None,
        };
        let res = crate::routes::nominations::create(
            State(state.clone()),
            u.auth(&state),
            HeaderMap::new(),
            ApiJson(req),
        )
        .await;
        match res {
            Ok(_) => return web.finish(Redirect::to("/my/nominations?sent=1").into_response()),
            Err(e) => {
                if let Some(fe) = field_errors(&e) {
                    for (k, v) in fe {
                        let k = match k.as_str() {
                            "badge_class_id" => "badge_id".to_owned(),
                            "nominee_ids" => "nominee_id".to_owned(),
                            _ => k,
                        };
                        errors.insert(k, v);
                    }
                } else {
                    let (_, text) = super::error_words(&e, "UTC");
                    let field = match &e {
                        ApiError::DuplicateNomination
                        | ApiError::AlreadyHeld
                        | ApiError::SelfNomination
                        | ApiError::NotFound("classmate")
                        | ApiError::Forbidden(_) => Some("nominee_id"),
                        ApiError::NotFound(_) => Some("badge_id"),
                        _ => None,
                    };
                    let text = match &e {
                        ApiError::SelfNomination => tr("student-nominate-self"),
                        ApiError::AlreadyHeld => tr("student-nominate-already-held"),
                        ApiError::NotFound("classmate") => tr("student-nominate-pick-classmate"),
                        ApiError::NotFound(_) => tr("student-nominate-pick-badge"),
                        _ => text,
                    };
                    match field {
                        Some(k) => {
                            errors.insert(k.to_owned(), text);
                        }
                        None => alert = Some(text),
                    }
                }
                let (status, _, _) = e.parts();
                let view = NominateView {
                    class_id,
                    nominee_id: f.nominee_id,
                    badge_id: f.badge_id,
                    narrative,
                    errors,
                    alert,
                };
                return nominate_view(&state, &web, u, status, view).await;
            }
        }
    }
    let view = NominateView {
        class_id,
        nominee_id: f.nominee_id,
        badge_id: f.badge_id,
        narrative,
        errors,
        alert,
    };
    nominate_view(&state, &web, u, StatusCode::UNPROCESSABLE_ENTITY, view).await
}

fn nomination_context(n: &accolade_proto::Nomination, base: &str) -> Value {
    context! {
        id => n.id,
        href => format!("/my/nominations/{}", n.id),
        badge => BadgeView::of(&n.badge, base),
        nominee => n.nominee.display_name.clone(),
        class_title => n.class_title.clone(),
        narrative => n.narrative.clone(),
        status => nomination_status(n.status),
        returned => n.status == NominationStatus::Returned,
        reason => n.decision_reason.clone(),
        created => n.created_at.to_rfc3339(),
        decided => n.decided_at.map(|d| d.to_rfc3339()),
    }
}

/// `GET /my/nominations`: the student's nominations, newest first (up to 200).
pub async fn my_nominations(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<NoticeQuery>, QueryRejection>,
) -> Response {
    let u = match require_student(&web, "/my/nominations") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let res = crate::routes::nominations::mine(
        State(state.clone()),
        u.auth(&state),
        ApiQuery(crate::routes::nominations::PageQuery {
            cursor: None,
            limit: Some(200),
        }),
    )
    .await;
    let Json(list) = match res {
        Ok(p) => p,
        Err(e) => return internal(&web, u, &e),
    };
    let base = state.config.base_url();
    let tz = school_tz(&state, u.user.school_id).await;
    let notice = if q.sent.is_some() {
        Some(tr("student-nominations-sent"))
    } else if q.revised.is_some() {
        Some(tr("student-nominations-revised"))
    } else {
        None
    };
    web.finish(page(
        StatusCode::OK,
        "student_nominations.html",
        context! {
            title => tr("student-nominations-title"),
            user => u.view(),
            tz => tz,
            notice => notice,
            nominations => list.items.iter().map(|n| nomination_context(n, base)).collect::<Vec<_>>(),
            csrf => web.csrf(),
        },
    ))
}

/// The revision form.
#[derive(Debug, Default, Deserialize)]
pub struct ReviseForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The new narrative.
    #[serde(default)]
    pub narrative: String,
}

async fn own_nomination(
    state: &AppState,
    u: &WebUser,
    id: Uuid,
) -> ApiResult<accolade_proto::Nomination> {
    let n = accolade_db::nominations::by_id(state.db.conn(), u.user.school_id, id)
        .await?
        .filter(|n| n.nominator_id == u.user.id)
        .ok_or(ApiError::NotFound("nomination"))?;
    let mut cache = ViewCache::default();
    svc::nomination_view(state.db.conn(), state.config.base_url(), &mut cache, &n).await
}

#[allow(clippy::too_many_arguments)]
fn revise_view(
    state: &AppState,
    web: &Web,
    u: &WebUser,
    status: StatusCode,
    n: &accolade_proto::Nomination,
    narrative: Option<String>,
    errors: BTreeMap<String, String>,
    tz: String,
) -> Response {
    let base = state.config.base_url();
    web.finish(page(
        status,
        "student_nomination.html",
        context! {
            title => tr("student-revise-title"),
            user => u.view(),
            tz => tz,
            n => nomination_context(n, base),
            narrative => narrative.unwrap_or_else(|| n.narrative.clone()),
            errors => errors,
            max_narrative => MAX_NARRATIVE,
            csrf => web.csrf(),
        },
    ))
}

/// `GET /my/nominations/{id}`: one nomination; a returned one with the form to revise it.
pub async fn nomination_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let u = match require_student(&web, &format!("/my/nominations/{id}")) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    let n = match own_nomination(&state, u, id).await {
        Ok(n) => n,
        Err(ApiError::NotFound(_)) => return not_found(&web),
        Err(e) => return internal(&web, u, &e),
    };
    let tz = school_tz(&state, u.user.school_id).await;
    revise_view(
        &state,
        &web,
        u,
        StatusCode::OK,
        &n,
        None,
        BTreeMap::new(),
        tz,
    )
}

/// `POST /my/nominations/{id}`: sends the revised narrative (as
/// `PATCH /api/v1/nominations/{id}`), then `/my/nominations?revised=1`.
pub async fn revise_post(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<ReviseForm>, FormRejection>,
) -> Response {
    let back = format!("/my/nominations/{id}");
    let Ok(Form(f)) = form else {
        return bad_form(&web, &back);
    };
    let u = match require_student(&web, &back) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &back);
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    let n = match own_nomination(&state, u, id).await {
        Ok(n) => n,
        Err(ApiError::NotFound(_)) => return not_found(&web),
        Err(e) => return internal(&web, u, &e),
    };
    let tz = school_tz(&state, u.user.school_id).await;
    let narrative: String = f.narrative.chars().take(MAX_NARRATIVE * 2).collect();
    let res = crate::routes::nominations::revise(
        State(state.clone()),
        u.auth(&state),
        ApiPath(id),
        ApiJson(ReviseNominationRequest {
            narrative: Some(narrative.clone()),
            evidence_url: None,
        }),
    )
    .await;
    match res {
        Ok(_) => web.finish(Redirect::to("/my/nominations?revised=1").into_response()),
        Err(e) => {
            let (status, _, _) = e.parts();
            let errors = match field_errors(&e) {
                Some(fe) => fe,
                None => {
                    let (_, text) = super::error_words(&e, &tz);
                    BTreeMap::from([("narrative".to_owned(), text)])
                }
            };
            revise_view(&state, &web, u, status, &n, Some(narrative), errors, tz)
        }
    }
}
