//! The student's collection pages (signed-in students; other roles get the 403 page):
//!
//! - `GET /my/collections`: the list (with view counts and addresses), a create form and the
//!   sharing choices (show my name on public pages, let search engines index them);
//!   `POST /my/collections` creates, `POST /my/collections/sharing` saves the choices;
//! - `GET /my/collections/{id}`: one collection: title/subtitle/visibility (`POST` saves; a new
//!   title shows the new address, the old one keeps redirecting), the badges with their
//!   comments and up/down/remove buttons that work without JavaScript
//!   (`POST /my/collections/{id}/items`), an add-a-badge form (`POST …/add`), the view count,
//!   the share link and embed snippet, and delete with a confirmation (`POST …/delete`).
//!
//! Every action calls the REST handler of `routes::collections` / `routes::account` with the
//! session's caller, so validation, the school's public-sharing policy and tenancy are the
//! API's. Another student's collection is a 404. Forms keep what was typed on an error and
//! show it next to the field.

use std::collections::BTreeMap;

use accolade_proto::{
    AwardStatus, Collection, CollectionItemInput, CreateCollectionRequest, SetItemsRequest,
    UpdateCollectionRequest, UpdateSharingSettings, Visibility,
};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uuid::Uuid;

use super::public::{embed_height, embed_html, EMBED_WIDTH};
use crate::badges::{self as svc, ViewCache};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::pages::{bad_form, csrf_failed};
use crate::web::session::{Web, WebUser};
use crate::web::student::{not_found, require_student};
use crate::web::{error_page, field_errors, page, BadgeView};

type Errors = BTreeMap<String, String>;

fn internal(web: &Web, u: &WebUser, e: &ApiError) -> Response {
    web.finish(error_page(e, Some(u), &web.csrf(), "UTC", None))
}

/// The words for a refused save: field errors of a 422 by field, the school's policy as an
/// error of the `visibility` field; `None` for anything else (shown as an error page).
fn form_errors(e: &ApiError) -> Option<Errors> {
    if let ApiError::PublicSharingNotAllowed(_) = e {
        let mut m = Errors::new();
        m.insert("visibility".into(), tr("backpack-error-public-not-allowed"));
        return Some(m);
    }
    field_errors(e)
}

fn visibility_options(selected: &str) -> Vec<Value> {
    [
        (Visibility::Private, "backpack-visibility-private"),
        (Visibility::School, "backpack-visibility-school"),
        (Visibility::Public, "backpack-visibility-public"),
    ]
    .into_iter()
    .map(|(v, id)| {
        context! {
            value => v.as_str(),
            text => tr(id),
            help => tr(&format!("{id}-help")),
            selected => v.as_str() == selected,
        }
    })
    .collect()
}

fn parse_visibility(s: &str) -> Option<Visibility> {
    Visibility::parse(s.trim())
}

/// Query of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Set after deleting a collection.
    pub deleted: Option<String>,
    /// Set after saving the sharing choices.
    pub shared: Option<String>,
}

/// The create form.
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Subtitle.
    #[serde(default)]
    pub subtitle: String,
    /// `private`, `school` or `public`.
    #[serde(default)]
    pub visibility: String,
}

async fn list_view(
    state: &AppState,
    web: &Web,
    u: &WebUser,
    status: StatusCode,
    values: &CreateForm,
    errors: Errors,
    notice: Option<String>,
) -> Response {
    let auth = u.auth(state);
    let list = match crate::routes::collections::list(State(state.clone()), auth.clone()).await {
        Ok(axum::Json(l)) => l,
        Err(e) => return internal(web, u, &e),
    };
    let sharing = match crate::routes::account::get_sharing(State(state.clone()), auth).await {
        Ok(axum::Json(s)) => s,
        Err(e) => return internal(web, u, &e),
    };
    let base = state.config.base_url();
    let rows: Vec<Value> = list
        .iter()
        .map(|c| {
            context! {
                href => format!("/my/collections/{}", c.id),
                title => c.title.clone(),
                subtitle => c.subtitle.clone(),
                visibility => c.visibility.as_str(),
                visibility_text => tr(&format!("backpack-visibility-{}", c.visibility.as_str())),
                count => c.items.len(),
                views => c.views.unwrap_or(0),
                public_url => (c.visibility != Visibility::Private)
                    .then(|| format!("{base}{}", c.public_path)),
                public_path => c.public_path.clone(),
            }
        })
        .collect();
    let visibility = if values.visibility.is_empty() {
        "private"
    } else {
        values.visibility.as_str()
    };
    web.finish(page(
        status,
        "backpack_collections.html",
        context! {
            title => tr("backpack-collections-title"),
            user => u.view(),
            csrf => web.csrf(),
            collections => rows,
            values => context! { title => values.title.clone(), subtitle => values.subtitle.clone() },
            errors => errors,
            visibilities => visibility_options(visibility),
            sharing => context! {
                show_name => sharing.show_name_publicly,
                allow_indexing => sharing.allow_indexing,
                public_allowed => sharing.public_allowed,
            },
            profile_url => format!("{base}/@{}", u.user.handle),
            profile_path => format!("/@{}", u.user.handle),
            notice => notice,
        },
    ))
}

/// `GET /my/collections`.
pub async fn list_page(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let u = match require_student(&web, "/my/collections") {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let notice = if q.deleted.is_some() {
        Some(tr("backpack-notice-deleted"))
    } else if q.shared.is_some() {
        Some(tr("backpack-notice-sharing-saved"))
    } else {
        None
    };
    list_view(
        &state,
        &web,
        u,
        StatusCode::OK,
        &CreateForm::default(),
        Errors::new(),
        notice,
    )
    .await
}

async fn body_json<T: serde::de::DeserializeOwned>(res: Response) -> Option<T> {
    let bytes = axum::body::to_bytes(res.into_body(), 4 * 1024 * 1024)
        .await
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `POST /my/collections`: creates one, then opens it.
pub async fn create_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<CreateForm>, FormRejection>,
) -> Response {
    let back = "/my/collections";
    let Ok(Form(f)) = form else {
        return bad_form(&web, back);
    };
    let u = match require_student(&web, back) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, back);
    }
    let Some(visibility) = parse_visibility(&f.visibility) else {
        let mut errors = Errors::new();
        errors.insert("visibility".into(), tr("common-field-invalid"));
        return list_view(
            &state,
            &web,
            u,
            StatusCode::UNPROCESSABLE_ENTITY,
            &f,
            errors,
            None,
        )
        .await;
    };
    let req = CreateCollectionRequest {
        title: f.title.clone(),
        subtitle: Some(f.subtitle.clone()).filter(|s| !s.trim().is_empty()),
        visibility,
    };
    match crate::routes::collections::create(State(state.clone()), u.auth(&state), ApiJson(req))
        .await
    {
        Ok(res) => match body_json::<Collection>(res).await {
            Some(c) => web.finish(
                Redirect::to(&format!("/my/collections/{}?created=1", c.id)).into_response(),
            ),
            None => internal(&web, u, &ApiError::Internal("collection body".into())),
        },
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let (status, _, _) = e.parts();
                list_view(&state, &web, u, status, &f, errors, None).await
            }
            None => internal(&web, u, &e),
        },
    }
}

/// The sharing-choices form.
#[derive(Debug, Default, Deserialize)]
pub struct SharingForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Checkbox: show my display name on public pages.
    pub show_name: Option<String>,
    /// Checkbox: let search engines index my public pages.
    pub allow_indexing: Option<String>,
}

/// `POST /my/collections/sharing`.
pub async fn sharing_post(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<SharingForm>, FormRejection>,
) -> Response {
    let back = "/my/collections";
    let Ok(Form(f)) = form else {
        return bad_form(&web, back);
    };
    let u = match require_student(&web, back) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, back);
    }
    let req = UpdateSharingSettings {
        show_name_publicly: Some(f.show_name.is_some()),
        allow_indexing: Some(f.allow_indexing.is_some()),
    };
    match crate::routes::account::patch_sharing(State(state.clone()), u.auth(&state), ApiJson(req))
        .await
    {
        Ok(_) => web.finish(Redirect::to("/my/collections?shared=1").into_response()),
        Err(e) => internal(&web, u, &e),
    }
}

/// Query of the collection page (notices after an action).
#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    /// Just created.
    pub created: Option<String>,
    /// Saved (title, subtitle, visibility).
    pub saved: Option<String>,
    /// The title changed and with it the address.
    pub renamed: Option<String>,
    /// Badges changed.
    pub items: Option<String>,
}

/// The settings form (title, subtitle, visibility).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct SettingsForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Subtitle.
    #[serde(default)]
    pub subtitle: String,
    /// Visibility.
    #[serde(default)]
    pub visibility: String,
}

/// One badge's form (comment, and which button was pressed).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ItemForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The award.
    #[serde(default)]
    pub award_id: String,
    /// `up`, `down`, `remove` or `comment`.
    #[serde(default)]
    pub op: String,
    /// The comment (for `comment`).
    #[serde(default)]
    pub comment: String,
}

/// The add-a-badge form.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct AddForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The award.
    #[serde(default)]
    pub award_id: String,
    /// Why it matters.
    #[serde(default)]
    pub comment: String,
}

/// The delete form.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// The confirmation checkbox.
    pub confirm: Option<String>,
}

/// What the collection page re-shows after a refused form.
#[derive(Debug, Default)]
struct EditState {
    settings: Option<SettingsForm>,
    settings_errors: Errors,
    add: Option<AddForm>,
    add_errors: Errors,
    /// (award id, typed comment, error)
    item_error: Option<(Uuid, String, String)>,
    delete_error: Option<String>,
    notice: Option<String>,
}

async fn own_collection(state: &AppState, u: &WebUser, id: Uuid) -> Result<Collection, ApiError> {
    let axum::Json(c) =
        crate::routes::collections::get(State(state.clone()), u.auth(state), ApiPath(id)).await?;
    if c.owner.id != u.user.id {
        return Err(ApiError::NotFound("collection"));
    }
    Ok(c)
}

async fn edit_view(
    state: &AppState,
    web: &Web,
    u: &WebUser,
    status: StatusCode,
    id: Uuid,
    st: EditState,
) -> Response {
    let c = match own_collection(state, u, id).await {
        Ok(c) => c,
        Err(ApiError::NotFound(_)) => return not_found(web),
        Err(e) => return internal(web, u, &e),
    };
    let base = state.config.base_url();
    let conn = state.db.conn();
    // The student's live awards not yet in the collection, for the add form.
    let mine =
        match accolade_db::awards::by_recipient(conn, u.user.school_id, u.user.id, 0, 500).await {
            Ok(r) => r,
            Err(e) => return internal(web, u, &e.into()),
        };
    let mut cache = ViewCache::default();
    let mut available = Vec::new();
    for a in &mine {
        if c.items.iter().any(|i| i.award.id == a.id) {
            continue;
        }
        match svc::award_view(conn, base, &mut cache, a).await {
            Ok(v) if v.status == AwardStatus::Valid => available.push(context! {
                id => v.id,
                name => v.badge.name.clone(),
            }),
            Ok(_) => {}
            Err(e) => return internal(web, u, &e),
        }
    }
    let n = c.items.len();
    let items: Vec<Value> = c
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (comment, error) = match &st.item_error {
                Some((aid, typed, err)) if *aid == item.award.id => {
                    (Some(typed.clone()), Some(err.clone()))
                }
                _ => (item.comment.clone(), None),
            };
            context! {
                award_id => item.award.id,
                badge => BadgeView::of(&item.award.badge, base),
                comment => comment,
                error => error,
                first => i == 0,
                last => i + 1 == n,
                position => i + 1,
                hidden => item.award.hidden,
                valid => item.award.status == AwardStatus::Valid,
            }
        })
        .collect();
    let settings = st.settings.clone().unwrap_or(SettingsForm {
        csrf: None,
        title: c.title.clone(),
        subtitle: c.subtitle.clone().unwrap_or_default(),
        visibility: c.visibility.as_str().to_owned(),
    });
    let add = st.add.clone().unwrap_or_default();
    let public_url = format!("{base}{}", c.public_path);
    let public_allowed = match accolade_db::schools::by_id(conn, u.user.school_id).await {
        Ok(Some(s)) => crate::backpack::public_allowed(&s, &u.user),
        _ => false,
    };
    web.finish(page(
        status,
        "backpack_collection_edit.html",
        context! {
            title => c.title.clone(),
            user => u.view(),
            csrf => web.csrf(),
            collection => context! {
                id => c.id,
                title => c.title.clone(),
                slug => c.slug.clone(),
                visibility => c.visibility.as_str(),
                visibility_text => tr(&format!("backpack-visibility-{}", c.visibility.as_str())),
                public_path => c.public_path.clone(),
                public_url => public_url.clone(),
                views => c.views.unwrap_or(0),
                items => items,
                embed => embed_html(base, &c.public_path, &c.title, EMBED_WIDTH, embed_height(n)),
                shared => c.visibility != Visibility::Private,
                public => c.visibility == Visibility::Public,
            },
            values => context! {
                title => settings.title,
                subtitle => settings.subtitle,
            },
            visibilities => visibility_options(&settings.visibility),
            errors => st.settings_errors,
            add => context! { award_id => add.award_id, comment => add.comment },
            add_errors => st.add_errors,
            available => available,
            delete_error => st.delete_error,
            notice => st.notice,
            public_allowed => public_allowed,
            max_comment => crate::backpack::MAX_COMMENT,
        },
    ))
}

fn parse_id(s: &str) -> Option<Uuid> {
    s.trim().parse().ok()
}

/// `GET /my/collections/{id}`.
pub async fn edit_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    q: Result<Query<EditQuery>, QueryRejection>,
) -> Response {
    let u = match require_student(&web, &format!("/my/collections/{id}")) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Some(id) = parse_id(&id) else {
        return not_found(&web);
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let notice = if q.created.is_some() {
        Some(tr("backpack-notice-created"))
    } else if q.renamed.is_some() {
        Some(tr("backpack-notice-renamed"))
    } else if q.saved.is_some() {
        Some(tr("backpack-notice-saved"))
    } else if q.items.is_some() {
        Some(tr("backpack-notice-items"))
    } else {
        None
    };
    edit_view(
        &state,
        &web,
        u,
        StatusCode::OK,
        id,
        EditState {
            notice,
            ..EditState::default()
        },
    )
    .await
}

/// Checks the form basics shared by every collection POST: parsed, a student, CSRF, a UUID.
#[allow(clippy::result_large_err)]
fn begin<'a, T>(
    web: &'a Web,
    id: &str,
    form: Result<Form<T>, FormRejection>,
    csrf: impl FnOnce(&T) -> Option<String>,
) -> Result<(&'a WebUser, Uuid, T), Response> {
    let back = format!("/my/collections/{id}");
    let Ok(Form(f)) = form else {
        return Err(bad_form(web, &back));
    };
    let u = require_student(web, &back).map_err(|r| *r)?;
    if !web.csrf_ok(csrf(&f).as_deref()) {
        return Err(csrf_failed(web, &back));
    }
    let Some(id) = parse_id(id) else {
        return Err(not_found(web));
    };
    Ok((u, id, f))
}

/// `POST /my/collections/{id}`: title, subtitle and visibility.
pub async fn settings_post(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let (u, id, f) = match begin(&web, &id, form, |f: &SettingsForm| f.csrf.clone()) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(visibility) = parse_visibility(&f.visibility) else {
        let mut errors = Errors::new();
        errors.insert("visibility".into(), tr("common-field-invalid"));
        let st = EditState {
            settings: Some(f),
            settings_errors: errors,
            ..EditState::default()
        };
        return edit_view(&state, &web, u, StatusCode::UNPROCESSABLE_ENTITY, id, st).await;
    };
    let before = match own_collection(&state, u, id).await {
        Ok(c) => c,
        Err(ApiError::NotFound(_)) => return not_found(&web),
        Err(e) => return internal(&web, u, &e),
    };
    let req = UpdateCollectionRequest {
        title: Some(f.title.clone()),
        subtitle: Some(f.subtitle.clone()),
        visibility: Some(visibility),
    };
    match crate::routes::collections::update(
        State(state.clone()),
        u.auth(&state),
        ApiPath(id),
        ApiJson(req),
    )
    .await
    {
        Ok(axum::Json(after)) => {
            let q = if after.slug != before.slug {
                "renamed=1"
            } else {
                "saved=1"
            };
            web.finish(Redirect::to(&format!("/my/collections/{id}?{q}")).into_response())
        }
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let (status, _, _) = e.parts();
                let st = EditState {
                    settings: Some(f),
                    settings_errors: errors,
                    ..EditState::default()
                };
                edit_view(&state, &web, u, status, id, st).await
            }
            None => internal(&web, u, &e),
        },
    }
}

/// `POST /my/collections/{id}/items`: move a badge up or down, remove it, or save its comment.
pub async fn item_post(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<ItemForm>, FormRejection>,
) -> Response {
    let (u, id, f) = match begin(&web, &id, form, |f: &ItemForm| f.csrf.clone()) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match own_collection(&state, u, id).await {
        Ok(c) => c,
        Err(ApiError::NotFound(_)) => return not_found(&web),
        Err(e) => return internal(&web, u, &e),
    };
    let Some(award_id) = parse_id(&f.award_id) else {
        return bad_form(&web, &format!("/my/collections/{id}"));
    };
    let mut items: Vec<CollectionItemInput> = c
        .items
        .iter()
        .map(|i| CollectionItemInput {
            award_id: i.award.id,
            comment: i.comment.clone(),
        })
        .collect();
    let Some(pos) = items.iter().position(|i| i.award_id == award_id) else {
        return not_found(&web);
    };
    match f.op.as_str() {
        "up" if pos > 0 => items.swap(pos, pos - 1),
        "down" if pos + 1 < items.len() => items.swap(pos, pos + 1),
        "up" | "down" => {}
        "remove" => {
            items.remove(pos);
        }
        "comment" => {
            items[pos].comment = Some(f.comment.clone()).filter(|s| !s.trim().is_empty());
        }
        _ => return bad_form(&web, &format!("/my/collections/{id}")),
    }
    let res = crate::routes::collections::set_items(
        State(state.clone()),
        u.auth(&state),
        ApiPath(id),
        ApiJson(SetItemsRequest { items }),
    )
    .await;
    match res {
        Ok(_) => web.finish(
            Redirect::to(&format!("/my/collections/{id}?items=1#item-{award_id}")).into_response(),
        ),
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let (status, _, _) = e.parts();
                let msg = errors.into_values().next().unwrap_or_default();
                let st = EditState {
                    item_error: Some((award_id, f.comment.clone(), msg)),
                    ..EditState::default()
                };
                edit_view(&state, &web, u, status, id, st).await
            }
            None => internal(&web, u, &e),
        },
    }
}

/// `POST /my/collections/{id}/add`: appends one of the student's badges with a comment.
pub async fn add_post(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<AddForm>, FormRejection>,
) -> Response {
    let (u, id, f) = match begin(&web, &id, form, |f: &AddForm| f.csrf.clone()) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(award_id) = parse_id(&f.award_id) else {
        let mut errors = Errors::new();
        errors.insert("award_id".into(), tr("backpack-error-choose-badge"));
        let st = EditState {
            add: Some(f),
            add_errors: errors,
            ..EditState::default()
        };
        return edit_view(&state, &web, u, StatusCode::UNPROCESSABLE_ENTITY, id, st).await;
    };
    let req = CollectionItemInput {
        award_id,
        comment: Some(f.comment.clone()).filter(|s| !s.trim().is_empty()),
    };
    let res = crate::routes::collections::add_item(
        State(state.clone()),
        u.auth(&state),
        ApiPath(id),
        ApiJson(req),
    )
    .await;
    match res {
        Ok(_) => web.finish(
            Redirect::to(&format!("/my/collections/{id}?items=1#item-{award_id}")).into_response(),
        ),
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let (status, _, _) = e.parts();
                // `items[i].award_id` / `comment` from the service: by our two fields.
                let mut mine = Errors::new();
                for (k, v) in errors {
                    let key = if k.ends_with("award_id") {
                        "award_id"
                    } else {
                        "comment"
                    };
                    mine.insert(key.into(), v);
                }
                let st = EditState {
                    add: Some(f),
                    add_errors: mine,
                    ..EditState::default()
                };
                edit_view(&state, &web, u, status, id, st).await
            }
            None => internal(&web, u, &e),
        },
    }
}

/// `POST /my/collections/{id}/delete`: needs the confirmation box ticked.
pub async fn delete_post(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<DeleteForm>, FormRejection>,
) -> Response {
    let (u, id, f) = match begin(&web, &id, form, |f: &DeleteForm| f.csrf.clone()) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if f.confirm.as_deref() != Some("yes") {
        let st = EditState {
            delete_error: Some(tr("backpack-delete-confirm-missing")),
            ..EditState::default()
        };
        return edit_view(&state, &web, u, StatusCode::UNPROCESSABLE_ENTITY, id, st).await;
    }
    match crate::routes::collections::delete(State(state.clone()), u.auth(&state), ApiPath(id))
        .await
    {
        Ok(_) => web.finish(Redirect::to("/my/collections?deleted=1").into_response()),
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => internal(&web, u, &e),
    }
}
