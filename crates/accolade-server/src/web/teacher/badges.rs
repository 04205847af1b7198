//! `/teach/badges` (the school's badge classes), `/teach/badges/new` and `/teach/badges/{id}`
//! (create and edit, with an image upload and a preview; archive and restore).
//!
//! The forms are `multipart/form-data`. An uploaded file goes through the API's image service
//! (`POST /api/v1/images`: size, PNG dimensions, script-free SVG) before the badge service
//! (`POST`/`PATCH /api/v1/badge-classes`), so the web and the API accept exactly the same
//! badges. After a refused save the form comes back with the errors next to their fields and
//! everything typed kept, including an image that was already accepted (its id rides along in
//! a hidden field, so it need not be chosen again).

use accolade_proto::{
    BadgeClass, BadgeScope, CreateBadgeClassRequest, Moderation, UpdateBadgeClassRequest,
};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Form, Json};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    check_csrf, done, field_errors, parse_id, render, see_other, staff, view_of, Fail, FieldErrors,
    Fields, PageResult, Staff,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::session::Web;

/// The badge form's values (as typed, or from the badge class being edited).
#[derive(Debug, Default, Clone, Serialize)]
pub struct BadgeForm {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Criteria narrative.
    pub criteria_narrative: String,
    /// Criteria URL.
    pub criteria_url: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// An image already uploaded (kept across a refused save).
    pub image_id: String,
    /// Same-origin path of that image (the preview).
    pub image: String,
    /// Days until awards expire ("" = never).
    pub expires_after_days: String,
    /// Peer-nominable.
    pub peer_nominable: bool,
    /// `required` or `auto_approve`.
    pub moderation: String,
    /// Repeatable.
    pub repeatable: bool,
    /// `school` or `classes`.
    pub scope: String,
    /// Classes (scope `classes`).
    pub class_ids: Vec<String>,
}

impl BadgeForm {
    fn of(b: &BadgeClass, base: &str) -> BadgeForm {
        BadgeForm {
            name: b.name.clone(),
            description: b.description.clone(),
            criteria_narrative: b.criteria_narrative.clone().unwrap_or_default(),
            criteria_url: b.criteria_url.clone().unwrap_or_default(),
            tags: b.tags.join(", "),
            image_id: String::new(),
            image: crate::web::local_path(&b.image_url, base),
            expires_after_days: b
                .expires_after_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            peer_nominable: b.peer_nominable,
            moderation: match b.moderation {
                Moderation::Required => "required".into(),
                Moderation::AutoApprove => "auto_approve".into(),
            },
            repeatable: b.repeatable,
            scope: match b.scope {
                BadgeScope::School => "school".into(),
                BadgeScope::Classes => "classes".into(),
            },
            class_ids: b.class_ids.iter().map(Uuid::to_string).collect(),
        }
    }

    fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A submitted multipart badge form: its fields and the chosen file (if any).
struct Submitted {
    fields: Fields,
    file: Option<Bytes>,
    /// Reading the body failed (e.g. too large): the image field's error.
    read_error: Option<String>,
}

async fn read_multipart(mp: Result<Multipart, MultipartRejection>) -> Submitted {
    let mut out = Submitted {
        fields: Fields::default(),
        file: None,
        read_error: None,
    };
    let mut mp = match mp {
        Ok(mp) => mp,
        Err(e) => {
            out.read_error = Some(e.body_text());
            return out;
        }
    };
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let is_file = field.file_name().is_some();
                match field.bytes().await {
                    Ok(bytes) if name == "image" && is_file => {
                        if !bytes.is_empty() {
                            out.file = Some(bytes);
                        }
                    }
                    Ok(bytes) => out
                        .fields
                        .0
                        .push((name, String::from_utf8_lossy(&bytes).into_owned())),
                    Err(_) => {
                        out.read_error = Some(tr("tbadge-image-too-large"));
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                out.read_error = Some(tr("tbadge-image-too-large"));
                break;
            }
        }
    }
    out
}

fn typed(f: &Fields) -> BadgeForm {
    BadgeForm {
        name: f.text("name"),
        description: f.text("description"),
        criteria_narrative: f.text("criteria_narrative"),
        criteria_url: f.text("criteria_url"),
        tags: f.text("tags"),
        image_id: f.text("image_id"),
        image: String::new(),
        expires_after_days: f.text("expires_after_days"),
        peer_nominable: f.checked("peer_nominable"),
        moderation: f.text("moderation"),
        repeatable: f.checked("repeatable"),
        scope: f.text("scope"),
        class_ids: f.all("class_ids"),
    }
}

async fn classes(state: &AppState, s: &Staff) -> Result<Vec<Value>, ApiError> {
    Ok(
        accolade_db::classes::all_in_school(state.db.conn(), s.school.id)
            .await?
            .into_iter()
            .filter(|c| c.active)
            .map(|c| context! { id => c.id.to_string(), title => c.title })
            .collect(),
    )
}

/// Renders the create (`badge` = None) or edit form.
async fn form_page(
    state: &AppState,
    web: &Web,
    s: &Staff,
    badge: Option<&BadgeClass>,
    mut form: BadgeForm,
    errors: FieldErrors,
    notice: Option<String>,
) -> PageResult {
    if form.image.is_empty() {
        if let Ok(id) = Uuid::parse_str(&form.image_id) {
            form.image = format!("/ob/v2/images/{id}");
        }
    }
    let editable = match badge {
        None => true,
        Some(b) => accolade_db::badges::class_by_id(state.db.conn(), s.school.id, b.id)
            .await?
            .is_some_and(|row| crate::policy::can_edit_badge_class(&s.auth, &row)),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let base = state.config.base_url();
    let title = match badge {
        Some(b) => b.name.clone(),
        None => tr("tbadge-new-title"),
    };
    Ok(render(
        web,
        s,
        status,
        "teacher_badge_form.html",
        context! {
            title => title,
            badge => badge.map(|b| view_of(b, base)),
            action => badge.map(|b| format!("/teach/badges/{}", b.id)).unwrap_or_else(|| "/teach/badges/new".into()),
            f => form,
            classes => classes(state, s).await?,
            errors => errors,
            editable => editable,
            notice => notice,
        },
    ))
}

/// `GET /teach/badges`: every badge class of the school, archived ones last.
pub async fn list(State(state): State<AppState>, web: Web) -> Response {
    let r = async {
        let s = staff(&state, &web, "/teach/badges").await?;
        let Json(mut all) = crate::routes::badges::list(
            State(state.clone()),
            s.auth.clone(),
            ApiQuery(crate::routes::badges::ListQuery {
                include_archived: true,
                peer_nominable: false,
            }),
        )
        .await?;
        all.sort_by_key(|b| b.archived);
        let base = state.config.base_url();
        Ok(render(
            &web,
            &s,
            StatusCode::OK,
            "teacher_badges.html",
            context! {
                title => tr("tbadges-title"),
                items => all.iter().map(|b| view_of(b, base)).collect::<Vec<_>>(),
            },
        ))
    }
    .await;
    done(&web, r)
}

/// `GET /teach/badges/new`.
pub async fn new_page(State(state): State<AppState>, web: Web) -> Response {
    let r = async {
        let s = staff(&state, &web, "/teach/badges/new").await?;
        let form = BadgeForm {
            peer_nominable: true,
            moderation: "required".into(),
            scope: "school".into(),
            ..BadgeForm::default()
        };
        form_page(&state, &web, &s, None, form, FieldErrors::new(), None).await
    }
    .await;
    done(&web, r)
}

/// Uploads the chosen file (if any) through the API's image checks; returns the image id to
/// use, or the image field's error.
async fn upload(
    state: &AppState,
    s: &Staff,
    sub: &Submitted,
    form: &mut BadgeForm,
) -> Result<Option<Uuid>, FieldErrors> {
    if let Some(e) = &sub.read_error {
        return Err([("image".to_owned(), e.clone())].into());
    }
    if let Some(bytes) = &sub.file {
        return match crate::routes::badges::upload_image(
            State(state.clone()),
            s.auth.clone(),
            bytes.clone(),
        )
        .await
        {
            Ok((_, Json(img))) => {
                form.image_id = img.id.to_string();
                form.image = format!("/ob/v2/images/{}", img.id);
                Ok(Some(img.id))
            }
            Err(e) => {
                // The refused file is not kept: the preview shows the previous image, if any.
                Err(field_errors(&e)
                    .unwrap_or_else(|| [("image".to_owned(), tr("tbadge-image-failed"))].into()))
            }
        };
    }
    Ok(Uuid::parse_str(&form.image_id).ok())
}

fn days(form: &BadgeForm) -> Result<Option<u32>, FieldErrors> {
    match form.expires_after_days.trim() {
        "" => Ok(None),
        d => d
            .parse::<u32>()
            .map(Some)
            .map_err(|_| [("expires_after_days".to_owned(), tr("tbadge-error-days"))].into()),
    }
}

fn class_ids(form: &BadgeForm) -> Vec<Uuid> {
    form.class_ids
        .iter()
        .filter_map(|c| Uuid::parse_str(c).ok())
        .collect()
}

/// `POST /teach/badges/new` (multipart).
pub async fn create(
    State(state): State<AppState>,
    web: Web,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let sub = read_multipart(mp).await;
    let r = async {
        let s = staff(&state, &web, "/teach/badges/new").await?;
        check_csrf(&web, sub.fields.get("csrf"), "/teach/badges/new")?;
        let mut form = typed(&sub.fields);
        let mut errors = FieldErrors::new();
        let image_id = match upload(&state, &s, &sub, &mut form).await {
            Ok(id) => id,
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let days = days(&form).unwrap_or_else(|e| {
            errors.extend(e);
            None
        });
        if image_id.is_none() && !errors.contains_key("image") {
            errors.insert("image".into(), tr("tbadge-image-needed"));
        }
        if !errors.is_empty() {
            return form_page(&state, &web, &s, None, form, errors, None).await;
        }
        let req = CreateBadgeClassRequest {
            name: form.name.clone(),
            description: form.description.clone(),
            criteria_narrative: Some(form.criteria_narrative.clone())
                .filter(|s| !s.trim().is_empty()),
            criteria_url: Some(form.criteria_url.clone()).filter(|s| !s.trim().is_empty()),
            image_id: image_id.unwrap_or_default(),
            tags: form.tag_list(),
            expires_after_days: days,
            scope: Some(if form.scope == "classes" {
                BadgeScope::Classes
            } else {
                BadgeScope::School
            }),
            class_ids: class_ids(&form),
            peer_nominable: Some(form.peer_nominable),
            moderation: Some(if form.moderation == "auto_approve" {
                Moderation::AutoApprove
            } else {
                Moderation::Required
            }),
            repeatable: Some(form.repeatable),
        };
        match crate::routes::badges::create(State(state.clone()), s.auth.clone(), ApiJson(req))
            .await
        {
            Ok((_, Json(b))) => Ok(see_other(&format!("/teach/badges/{}?saved=1", b.id))),
            Err(e) => match field_errors(&e) {
                Some(errors) => form_page(&state, &web, &s, None, form, errors, None).await,
                None => Err(Fail::Api(e)),
            },
        }
    }
    .await;
    done(&web, r)
}

/// Query of `GET /teach/badges/{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    /// Set after a save.
    pub saved: Option<String>,
}

async fn load(state: &AppState, s: &Staff, id: Uuid) -> Result<BadgeClass, ApiError> {
    let Json(b) =
        crate::routes::badges::get(State(state.clone()), s.auth.clone(), ApiPath(id)).await?;
    Ok(b)
}

/// `GET /teach/badges/{id}`.
pub async fn edit_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    q: Result<Query<EditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let r = async {
        let s = staff(&state, &web, &format!("/teach/badges/{id}")).await?;
        let id = parse_id(&id, "badge class")?;
        let b = load(&state, &s, id).await?;
        let form = BadgeForm::of(&b, state.config.base_url());
        let notice = q.saved.map(|_| tr("tbadge-saved"));
        form_page(&state, &web, &s, Some(&b), form, FieldErrors::new(), notice).await
    }
    .await;
    done(&web, r)
}

/// `POST /teach/badges/{id}` (multipart): saves the changes (a new revision once awarded).
pub async fn update(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let sub = read_multipart(mp).await;
    let r = async {
        let here = format!("/teach/badges/{id}");
        let s = staff(&state, &web, &here).await?;
        check_csrf(&web, sub.fields.get("csrf"), &here)?;
        let id = parse_id(&id, "badge class")?;
        let b = load(&state, &s, id).await?;
        let mut form = typed(&sub.fields);
        form.image = crate::web::local_path(&b.image_url, state.config.base_url());
        let mut errors = FieldErrors::new();
        let image_id = match upload(&state, &s, &sub, &mut form).await {
            Ok(id) => id,
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let days = days(&form).unwrap_or_else(|e| {
            errors.extend(e);
            None
        });
        if !errors.is_empty() {
            return form_page(&state, &web, &s, Some(&b), form, errors, None).await;
        }
        let req = UpdateBadgeClassRequest {
            name: Some(form.name.clone()),
            description: Some(form.description.clone()),
            criteria_narrative: Some(form.criteria_narrative.clone()),
            criteria_url: Some(form.criteria_url.clone()),
            image_id,
            tags: Some(form.tag_list()),
            expires_after_days: Some(days.unwrap_or(0)),
            scope: Some(if form.scope == "classes" {
                BadgeScope::Classes
            } else {
                BadgeScope::School
            }),
            class_ids: Some(class_ids(&form)),
            peer_nominable: Some(form.peer_nominable),
            moderation: Some(if form.moderation == "auto_approve" {
                Moderation::AutoApprove
            } else {
                Moderation::Required
            }),
            repeatable: Some(form.repeatable),
            archived: None,
        };
        match crate::routes::badges::update(
            State(state.clone()),
            s.auth.clone(),
            ApiPath(id),
            ApiJson(req),
        )
        .await
        {
            Ok(_) => Ok(see_other(&format!("/teach/badges/{id}?saved=1"))),
            Err(e) => match field_errors(&e) {
                Some(errors) => form_page(&state, &web, &s, Some(&b), form, errors, None).await,
                None => Err(Fail::Api(e)),
            },
        }
    }
    .await;
    done(&web, r)
}

/// `POST /teach/badges/{id}/archive`: `archived` = `1` (archive) or `0` (restore).
pub async fn archive(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let here = format!("/teach/badges/{id}");
        let s = staff(&state, &web, &here).await?;
        check_csrf(&web, f.get("csrf"), &here)?;
        let id = parse_id(&id, "badge class")?;
        let req = UpdateBadgeClassRequest {
            archived: Some(f.get("archived") != Some("0")),
            ..UpdateBadgeClassRequest::default()
        };
        let _saved = crate::routes::badges::update(
            State(state.clone()),
            s.auth.clone(),
            ApiPath(id),
            ApiJson(req),
        )
        .await?;
        Ok(see_other(&format!("/teach/badges/{id}?saved=1")))
    }
    .await;
    done(&web, r)
}
