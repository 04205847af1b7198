//! `/teach/codes` (my claim codes; all of the school's for admins), `/teach/codes/new` (create:
//! badge, title, window in the school's time zone, audience, kind) and `/teach/codes/{id}`
//! (present on the projector → `/present/{id}`, pause, resume, close, claimers, the printable
//! sheet of a `sheet` code). All through the API's claim-code services.

use accolade_proto::{ClaimCode, ClaimCodeStatus, ClaimMode, CreateClaimCodeRequest};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use minijinja::context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    check_csrf, done, field_errors, parse_id, render, see_other, staff, view_of, Fail, FieldErrors,
    Fields, PageResult, Staff,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::session::Web;

/// The new-code form as typed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CodeForm {
    /// Badge class id.
    pub badge_class_id: String,
    /// Title shown to students.
    pub title: String,
    /// `rotating`, `static` or `sheet`.
    pub mode: String,
    /// Seconds per QR (rotating).
    pub rotation_secs: String,
    /// Opening time, local `YYYY-MM-DDTHH:MM` ("" = now).
    pub starts_at: String,
    /// Closing time, local.
    pub ends_at: String,
    /// Most claims ("" = no limit).
    pub max_claims: String,
    /// Number of single-use cards (sheet).
    pub sheet_size: String,
    /// Claimable again by the same student (repeatable badges).
    pub allow_repeat: bool,
    /// Classes (none = the whole school).
    pub class_ids: Vec<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    s: &Staff,
    form: CodeForm,
    errors: FieldErrors,
) -> PageResult {
    let conn = state.db.conn();
    let badges: Vec<_> = accolade_db::badges::classes_in_school(conn, s.school.id, false)
        .await?
        .into_iter()
        .map(|b| context! { id => b.id.to_string(), name => b.name })
        .collect();
    let classes: Vec<_> = super::awards::my_classes(state, s)
        .await?
        .into_iter()
        .map(|c| context! { id => c.id.to_string(), title => c.title })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        web,
        s,
        status,
        "teacher_code_form.html",
        context! {
            title => tr("tcode-new-title"),
            f => form,
            badges => badges,
            classes => classes,
            errors => errors,
        },
    ))
}

/// `GET /teach/codes`.
pub async fn list(State(state): State<AppState>, web: Web) -> Response {
    let r = async {
        let s = staff(&state, &web, "/teach/codes").await?;
        let Json(codes) = crate::routes::claims::list(State(state.clone()), s.auth.clone()).await?;
        let base = state.config.base_url();
        Ok(render(
            &web,
            &s,
            StatusCode::OK,
            "teacher_codes.html",
            context! {
                title => tr("tcodes-title"),
                items => codes.iter().map(|c| view_of(c, base)).collect::<Vec<_>>(),
            },
        ))
    }
    .await;
    done(&web, r)
}

/// Query of `GET /teach/codes/new`.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    /// Preselected badge class.
    pub badge: Option<String>,
}

/// `GET /teach/codes/new`: the window defaults to the next hour in the school's time zone.
pub async fn new_page(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<NewQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let r = async {
        let s = staff(&state, &web, "/teach/codes/new").await?;
        let tz: chrono_tz::Tz = s.school.timezone.parse().unwrap_or(chrono_tz::UTC);
        let ends = (state.now() + chrono::Duration::hours(1)).with_timezone(&tz);
        let form = CodeForm {
            badge_class_id: q.badge.unwrap_or_default(),
            mode: "rotating".into(),
            rotation_secs: "15".into(),
            ends_at: ends.format("%Y-%m-%dT%H:%M").to_string(),
            ..CodeForm::default()
        };
        form_page(&state, &web, &s, form, FieldErrors::new()).await
    }
    .await;
    done(&web, r)
}

fn number(errors: &mut FieldErrors, field: &str, v: &str) -> Option<u32> {
    match v.trim() {
        "" => None,
        t => match t.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(field.to_owned(), tr("tcode-error-number"));
                None
            }
        },
    }
}

/// `POST /teach/codes/new`.
pub async fn create(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let s = staff(&state, &web, "/teach/codes/new").await?;
        check_csrf(&web, f.get("csrf"), "/teach/codes/new")?;
        let form = CodeForm {
            badge_class_id: f.text("badge_class_id"),
            title: f.text("title"),
            mode: f.text("mode"),
            rotation_secs: f.text("rotation_secs"),
            starts_at: f.text("starts_at"),
            ends_at: f.text("ends_at"),
            max_claims: f.text("max_claims"),
            sheet_size: f.text("sheet_size"),
            allow_repeat: f.checked("allow_repeat"),
            class_ids: f.all("class_ids"),
        };
        let mut errors = FieldErrors::new();
        let badge = Uuid::parse_str(&form.badge_class_id).ok();
        if badge.is_none() {
            errors.insert("badge_class_id".into(), tr("taward-error-badge"));
        }
        let mode = match form.mode.as_str() {
            "static" => ClaimMode::Static,
            "sheet" => ClaimMode::Sheet,
            _ => ClaimMode::Rotating,
        };
        let rotation = number(&mut errors, "rotation_secs", &form.rotation_secs);
        let max_claims = number(&mut errors, "max_claims", &form.max_claims);
        let sheet_size = number(&mut errors, "sheet_size", &form.sheet_size);
        if form.ends_at.trim().is_empty() {
            errors.insert("ends_at".into(), tr("tcode-error-ends"));
        }
        if !errors.is_empty() {
            return form_page(&state, &web, &s, form, errors).await;
        }
        let req = CreateClaimCodeRequest {
            badge_class_id: badge.unwrap_or_default(),
            title: form.title.clone(),
            class_ids: form
                .class_ids
                .iter()
                .filter_map(|c| Uuid::parse_str(c).ok())
                .collect(),
            mode: Some(mode),
            rotation_secs: if mode == ClaimMode::Rotating {
                rotation
            } else {
                None
            },
            starts_at: Some(form.starts_at.clone()).filter(|s| !s.trim().is_empty()),
            ends_at: form.ends_at.clone(),
            max_claims: if mode == ClaimMode::Sheet {
                None
            } else {
                max_claims
            },
            sheet_size: if mode == ClaimMode::Sheet {
                sheet_size
            } else {
                None
            },
            allow_repeat: Some(form.allow_repeat),
        };
        match crate::routes::claims::create(State(state.clone()), s.auth.clone(), ApiJson(req))
            .await
        {
            Ok((_, Json(c))) => Ok(see_other(&format!("/teach/codes/{}", c.id))),
            Err(e) => {
                let errors = match (&e, field_errors(&e)) {
                    (_, Some(errs)) => errs,
                    (ApiError::NotFound(_), _) => {
                        [("badge_class_id".to_owned(), tr("taward-error-badge"))].into()
                    }
                    _ => return Err(Fail::Api(e)),
                };
                form_page(&state, &web, &s, form, errors).await
            }
        }
    }
    .await;
    done(&web, r)
}

async fn load(state: &AppState, s: &Staff, id: Uuid) -> Result<ClaimCode, ApiError> {
    let Json(c) = crate::routes::claims::get(State(state.clone()), s.auth.clone(), ApiPath(id))
        .await
        .map_err(hide_forbidden)?;
    Ok(c)
}

/// Another teacher's code is "not found" on these pages, as on the projector page's 403 it
/// would only confirm it exists.
fn hide_forbidden(e: ApiError) -> ApiError {
    match e {
        ApiError::Forbidden(_) => {
            ApiError::Forbidden("only the code's creator and admins manage it")
        }
        other => other,
    }
}

async fn detail_page(
    state: &AppState,
    web: &Web,
    s: &Staff,
    id: Uuid,
    notice: Option<String>,
) -> PageResult {
    let c = load(state, s, id).await?;
    let Json(claimers) =
        crate::routes::claims::claimers(State(state.clone()), s.auth.clone(), ApiPath(id)).await?;
    let base = state.config.base_url();
    Ok(render(
        web,
        s,
        StatusCode::OK,
        "teacher_code.html",
        context! {
            title => c.title.clone(),
            c => view_of(&c, base),
            sheet => c.mode == ClaimMode::Sheet,
            can_pause => c.status == ClaimCodeStatus::Active,
            can_resume => c.status == ClaimCodeStatus::Paused,
            can_close => c.status != ClaimCodeStatus::Closed,
            claimers => claimers.iter().map(|k| view_of(k, base)).collect::<Vec<_>>(),
            notice => notice,
        },
    ))
}

/// `GET /teach/codes/{id}`.
pub async fn detail(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let r = async {
        let s = staff(&state, &web, &format!("/teach/codes/{id}")).await?;
        let id = parse_id(&id, "claim code")?;
        detail_page(&state, &web, &s, id, None).await
    }
    .await;
    done(&web, r)
}

/// `POST /teach/codes/{id}/{pause|resume|close}`.
pub async fn action(
    State(state): State<AppState>,
    web: Web,
    Path((id, action)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let here = format!("/teach/codes/{id}");
        let s = staff(&state, &web, &here).await?;
        check_csrf(&web, f.get("csrf"), &here)?;
        let id = parse_id(&id, "claim code")?;
        let (st, auth, p) = (State(state.clone()), s.auth.clone(), ApiPath(id));
        let res = match action.as_str() {
            "pause" => crate::routes::claims::pause(st, auth, p).await,
            "resume" => crate::routes::claims::resume(st, auth, p).await,
            "close" => crate::routes::claims::close(st, auth, p).await,
            _ => return Err(Fail::Api(ApiError::NotFound("action"))),
        };
        match res.map_err(hide_forbidden) {
            Ok(_) => Ok(see_other(&here)),
            Err(ApiError::Conflict(_)) => {
                detail_page(&state, &web, &s, id, Some(tr("tcode-changed-meanwhile"))).await
            }
            Err(e) => Err(Fail::Api(e)),
        }
    }
    .await;
    done(&web, r)
}

/// `GET /teach/codes/{id}/sheet.svg`: the printable sheet of single-use cards (sheet codes).
pub async fn sheet(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let r = async {
        let s = staff(&state, &web, &format!("/teach/codes/{id}")).await?;
        let id = parse_id(&id, "claim code")?;
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static("image/svg+xml"));
        let mut res =
            crate::routes::claims::sheet(State(state.clone()), s.auth.clone(), h, ApiPath(id))
                .await
                .map_err(hide_forbidden)?
                .into_response();
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
        Ok(res)
    }
    .await;
    done(&web, r)
}
