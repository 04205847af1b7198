//! `/teach/award` (award a badge directly to one student, several, or a whole class),
//! `/teach/awards` (awards issued by me; the whole school for admins) and `/teach/awards/{id}`
//! (one award, revoke with a reason).
//!
//! The award form carries a one-time `form_token` made when the page is shown; it is passed to
//! the API's award service as the `Idempotency-Key`, so posting the same form twice (a double
//! click, a reload of the result) replays the first result instead of awarding again.

use std::collections::BTreeSet;

use accolade_proto::{CreateAwardsRequest, CreateAwardsResponse, RevokeRequest};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::{Form, Json};
use minijinja::{context, Value};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    check_csrf, done, field_errors, json_body, parse_id, render, see_other, staff, view_of, Fail,
    FieldErrors, Fields, PageResult, Staff,
};
use crate::badges::ViewCache;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::session::Web;

/// Rows per page of the awards list.
pub const PAGE: u64 = 50;

/// Query of `GET /teach/award`.
#[derive(Debug, Default, Deserialize)]
pub struct AwardQuery {
    /// Preselected badge class.
    pub badge: Option<String>,
    /// Preselected class.
    pub class: Option<String>,
}

/// What the award form shows again.
#[derive(Debug, Default)]
struct Typed {
    badge: String,
    class_id: String,
    recipients: Vec<String>,
    narrative: String,
    evidence_url: String,
    token: String,
}

/// The classes the caller teaches (all active classes for admins), with their students.
pub async fn my_classes(
    state: &AppState,
    s: &Staff,
) -> Result<Vec<accolade_db::classes::Class>, ApiError> {
    let conn = state.db.conn();
    if s.is_admin() {
        return Ok(accolade_db::classes::all_in_school(conn, s.school.id)
            .await?
            .into_iter()
            .filter(|c| c.active)
            .collect());
    }
    let mut out = Vec::new();
    for c in accolade_db::classes::for_user(conn, s.school.id, s.auth.id()).await? {
        if accolade_db::classes::enrollment(conn, c.id, s.auth.id())
            .await?
            .is_some_and(|e| e.role == "teacher")
        {
            out.push(c);
        }
    }
    Ok(out)
}

async fn form_page(
    state: &AppState,
    web: &Web,
    s: &Staff,
    typed: Typed,
    errors: FieldErrors,
) -> PageResult {
    let conn = state.db.conn();
    let badges: Vec<Value> = accolade_db::badges::classes_in_school(conn, s.school.id, false)
        .await?
        .into_iter()
        .map(|b| context! { id => b.id.to_string(), name => b.name })
        .collect();
    let mut classes = Vec::new();
    for c in my_classes(state, s).await? {
        let students: Vec<Value> = accolade_db::classes::members(conn, s.school.id, c.id)
            .await?
            .into_iter()
            .filter(|(u, role)| role == "student" && u.active)
            .map(|(u, _)| context! { id => u.id.to_string(), name => u.display_name })
            .collect();
        classes.push(context! { id => c.id.to_string(), title => c.title, students => students });
    }
    let token = if typed.token.is_empty() {
        crate::tokens::random_token(18)
    } else {
        typed.token.clone()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        web,
        s,
        status,
        "teacher_award.html",
        context! {
            title => tr("taward-title"),
            badges => badges,
            classes => classes,
            badge => typed.badge,
            class_id => typed.class_id,
            recipients => typed.recipients,
            narrative => typed.narrative,
            evidence_url => typed.evidence_url,
            form_token => token,
            errors => errors,
        },
    ))
}

/// `GET /teach/award`.
pub async fn award_page(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<AwardQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let r = async {
        let s = staff(&state, &web, "/teach/award").await?;
        let typed = Typed {
            badge: q.badge.unwrap_or_default(),
            class_id: q.class.unwrap_or_default(),
            ..Typed::default()
        };
        form_page(&state, &web, &s, typed, FieldErrors::new()).await
    }
    .await;
    done(&web, r)
}

/// `POST /teach/award`: `badge_class_id`, `class_id` (a whole class) and/or `recipient_ids`
/// (repeated), `narrative`, `evidence_url`, `form_token`.
pub async fn award_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let s = staff(&state, &web, "/teach/award").await?;
        check_csrf(&web, f.get("csrf"), "/teach/award")?;
        let typed = Typed {
            badge: f.text("badge_class_id"),
            class_id: f.text("class_id"),
            recipients: f.all("recipient_ids"),
            narrative: f.text("narrative"),
            evidence_url: f.text("evidence_url"),
            token: f.text("form_token"),
        };
        let mut errors = FieldErrors::new();
        let badge = Uuid::parse_str(&typed.badge).ok();
        if badge.is_none() {
            errors.insert("badge_class_id".into(), tr("taward-error-badge"));
        }
        let class_id = match typed.class_id.as_str() {
            "" => None,
            c => match Uuid::parse_str(c) {
                Ok(c) => Some(c),
                Err(_) => {
                    errors.insert("class_id".into(), tr("taward-error-class"));
                    None
                }
            },
        };
        let recipients: BTreeSet<Uuid> = typed
            .recipients
            .iter()
            .filter_map(|r| Uuid::parse_str(r).ok())
            .collect();
        if recipients.is_empty() && class_id.is_none() && typed.class_id.is_empty() {
            errors.insert("recipient_ids".into(), tr("taward-error-recipients"));
        }
        let token_ok = (16..=64).contains(&typed.token.len())
            && typed
                .token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !errors.is_empty() || !token_ok {
            let mut typed = typed;
            if !token_ok {
                typed.token.clear();
            }
            return form_page(&state, &web, &s, typed, errors).await;
        }
        let req = CreateAwardsRequest {
            badge_class_id: badge.unwrap_or_default(),
            recipient_ids: recipients.into_iter().collect(),
            class_id,
            narrative: Some(typed.narrative.clone()).filter(|n| !n.trim().is_empty()),
            evidence_url: Some(typed.evidence_url.clone()).filter(|n| !n.trim().is_empty()),
        };
        let mut headers = HeaderMap::new();
        let key = format!("web-award-{}", typed.token);
        headers.insert(
            "idempotency-key",
            HeaderValue::from_str(&key).map_err(|_| ApiError::field("form_token", "invalid"))?,
        );
        let res = crate::routes::awards::create(
            State(state.clone()),
            s.auth.clone(),
            headers,
            ApiJson(req),
        )
        .await;
        match res {
            Ok(res) => {
                let body: CreateAwardsResponse = json_body(res).await?;
                result_page(&state, &web, &s, &body).await
            }
            Err(e) => {
                let errors = match (&e, field_errors(&e)) {
                    (_, Some(errs)) => errs,
                    (ApiError::NotFound("badge class") | ApiError::Conflict(_), _) => {
                        [("badge_class_id".to_owned(), tr("taward-error-badge"))].into()
                    }
                    (ApiError::NotFound("class"), _) => {
                        [("class_id".to_owned(), tr("taward-error-class"))].into()
                    }
                    (ApiError::AlreadyHeld, _) => {
                        [("recipient_ids".to_owned(), tr("taward-error-already-held"))].into()
                    }
                    (ApiError::NotFound(_) | ApiError::Forbidden(_), _) => {
                        [("recipient_ids".to_owned(), tr("taward-error-not-in-scope"))].into()
                    }
                    _ => return Err(Fail::Api(e)),
                };
                // A fresh token: the refused attempt stored nothing under the old one.
                form_page(&state, &web, &s, typed, errors).await
            }
        }
    }
    .await;
    done(&web, r)
}

async fn result_page(
    state: &AppState,
    web: &Web,
    s: &Staff,
    body: &CreateAwardsResponse,
) -> PageResult {
    let conn = state.db.conn();
    let mut skipped = Vec::new();
    for k in &body.skipped {
        let name = accolade_db::users::by_id(conn, s.school.id, k.recipient_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let why = match k.code.as_str() {
            "already_held" => tr("taward-skipped-already-held"),
            "not_in_scope" => tr("taward-skipped-not-in-scope"),
            _ => tr("taward-skipped-not-found"),
        };
        skipped.push(context! { name => name, why => why });
    }
    let base = state.config.base_url();
    Ok(render(
        web,
        s,
        StatusCode::OK,
        "teacher_award_done.html",
        context! {
            title => tr("taward-done-title"),
            awards => body.awards.iter().map(|a| view_of(a, base)).collect::<Vec<_>>(),
            skipped => skipped,
        },
    ))
}

/// Query of `GET /teach/awards`.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Page number, from 0.
    pub page: Option<u64>,
    /// Teachers: `school` to see the whole school's awards.
    pub show: Option<String>,
}

/// `GET /teach/awards`: issued by me (admins: the whole school), newest first.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let r = async {
        let s = staff(&state, &web, "/teach/awards").await?;
        let conn = state.db.conn();
        let page = q.page.unwrap_or(0).min(10_000);
        let whole_school = s.is_admin() || q.show.as_deref() == Some("school");
        let rows = if whole_school {
            accolade_db::awards::in_school(conn, s.school.id, None, page * PAGE, PAGE + 1).await?
        } else {
            accolade_db::awards::issued_by(conn, s.school.id, s.auth.id(), page * PAGE, PAGE + 1)
                .await?
        };
        let more = rows.len() as u64 > PAGE;
        let base = state.config.base_url();
        let mut cache = ViewCache::default();
        let mut items = Vec::new();
        for a in rows.iter().take(PAGE as usize) {
            items.push(view_of(
                &crate::badges::award_view(conn, base, &mut cache, a).await?,
                base,
            ));
        }
        let show = if whole_school && !s.is_admin() {
            "&show=school"
        } else {
            ""
        };
        Ok(render(
            &web,
            &s,
            StatusCode::OK,
            "teacher_awards.html",
            context! {
                title => tr("tawards-title"),
                items => items,
                whole_school => whole_school,
                next => more.then(|| format!("/teach/awards?page={}{show}", page + 1)),
                prev => (page > 0).then(|| format!("/teach/awards?page={}{show}", page - 1)),
            },
        ))
    }
    .await;
    done(&web, r)
}

/// Query of `GET /teach/awards/{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    /// Set after revoking.
    pub revoked: Option<String>,
}

async fn detail_page(
    state: &AppState,
    web: &Web,
    s: &Staff,
    id: Uuid,
    reason: &str,
    errors: FieldErrors,
    notice: Option<String>,
) -> PageResult {
    let Json(a) =
        crate::routes::awards::get(State(state.clone()), s.auth.clone(), ApiPath(id)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let base = state.config.base_url();
    Ok(render(
        web,
        s,
        status,
        "teacher_award_detail.html",
        context! {
            title => a.badge.name.clone(),
            a => view_of(&a, base),
            revocable => a.status != accolade_proto::AwardStatus::Revoked,
            reason => reason,
            errors => errors,
            notice => notice,
        },
    ))
}

/// `GET /teach/awards/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    q: Result<Query<DetailQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let r = async {
        let s = staff(&state, &web, &format!("/teach/awards/{id}")).await?;
        let id = parse_id(&id, "award")?;
        let notice = q.revoked.map(|_| tr("taward-revoked-notice"));
        detail_page(&state, &web, &s, id, "", FieldErrors::new(), notice).await
    }
    .await;
    done(&web, r)
}

/// `POST /teach/awards/{id}/revoke`: `reason` (1–500 characters, published in the issuer's
/// revocation list).
pub async fn revoke(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let here = format!("/teach/awards/{id}");
        let s = staff(&state, &web, &here).await?;
        check_csrf(&web, f.get("csrf"), &here)?;
        let id = parse_id(&id, "award")?;
        let reason = f.text("reason");
        if reason.trim().is_empty() {
            let errors = [("reason".to_owned(), tr("taward-revoke-reason-needed"))].into();
            return detail_page(&state, &web, &s, id, &reason, errors, None).await;
        }
        match crate::routes::awards::revoke(
            State(state.clone()),
            s.auth.clone(),
            ApiPath(id),
            ApiJson(RevokeRequest {
                reason: reason.clone(),
            }),
        )
        .await
        {
            Ok(_) => Ok(see_other(&format!("/teach/awards/{id}?revoked=1"))),
            Err(ApiError::Conflict(_)) => {
                let notice = Some(tr("taward-already-revoked"));
                detail_page(&state, &web, &s, id, "", FieldErrors::new(), notice).await
            }
            Err(e) => match field_errors(&e) {
                Some(errors) => detail_page(&state, &web, &s, id, &reason, errors, None).await,
                None => Err(Fail::Api(e)),
            },
        }
    }
    .await;
    done(&web, r)
}
