//! Teacher (and admin) pages under `/teach/…`, server-rendered, working without JavaScript:
//!
//! - `/teach/queue`: the moderation queue, live over the realtime WebSocket ([`queue`]);
//! - `/teach/badges…`: badge classes, created and edited with an image upload ([`badges`]);
//! - `/teach/award`, `/teach/awards…`: direct awards, the issued awards, revoking ([`awards`]);
//! - `/teach/codes…`: claim codes: create, present, pause, resume, close, claimers, sheet
//!   ([`codes`]);
//! - `/teach/classes…`: the teacher's classes, their students, sign-in cards ([`classes`]).
//!
//! Every page calls the same services (mostly the `/api/v1` handlers themselves, with the web
//! session's [`AuthUser`]) so roles, tenancy and business rules are exactly the API's. Students
//! get a 403 page; another school's objects are 404 (every lookup is scoped to the caller's
//! school). Every POST form carries the session's CSRF token; every string comes from
//! `locales/<lang>/teacher.ftl`.

pub mod awards;
pub mod badges;
pub mod classes;
pub mod codes;
pub mod queue;

use std::collections::BTreeMap;

use accolade_db::schools::School;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fluent_bundle::FluentValue;
use minijinja::{context, Value};

use super::i18n::{tr, tr_args};
use super::session::{Web, WebUser};
use super::{message, page, to_signin, Link, Message};
use crate::error::ApiError;
use crate::extract::AuthUser;
use crate::state::AppState;

/// The `/teach/…` routes (merged into [`super::routes`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/teach", get(|| async { Redirect::to("/teach/queue") }))
        .route("/teach/queue", get(queue::page_get))
        .route("/teach/queue/items", get(queue::items))
        .route("/teach/queue/bulk", post(queue::bulk))
        .route("/teach/queue/{id}/decision", post(queue::decide))
        .route("/teach/ws-ticket", post(queue::ws_ticket))
        .route("/teach/badges", get(badges::list))
        .route(
            "/teach/badges/new",
            get(badges::new_page).post(badges::create),
        )
        .route(
            "/teach/badges/{id}",
            get(badges::edit_page).post(badges::update),
        )
        .route("/teach/badges/{id}/archive", post(badges::archive))
        .route(
            "/teach/award",
            get(awards::award_page).post(awards::award_post),
        )
        .route("/teach/awards", get(awards::list))
        .route("/teach/awards/{id}", get(awards::detail))
        .route("/teach/awards/{id}/revoke", post(awards::revoke))
        .route("/teach/codes", get(codes::list))
        .route("/teach/codes/new", get(codes::new_page).post(codes::create))
        .route("/teach/codes/{id}", get(codes::detail))
        .route("/teach/codes/{id}/sheet.svg", get(codes::sheet))
        .route("/teach/codes/{id}/{action}", post(codes::action))
        .route("/teach/classes", get(classes::list))
        .route("/teach/classes/{id}", get(classes::detail))
        .route("/teach/classes/{id}/cards.svg", post(classes::cards))
}

/// A signed-in teacher or admin, with their school.
pub struct Staff {
    /// The browser session's user.
    pub user: WebUser,
    /// The same caller as the API sees it.
    pub auth: AuthUser,
    /// Their school (time zone for dates).
    pub school: School,
}

impl Staff {
    /// True for admins (they see the whole school).
    pub fn is_admin(&self) -> bool {
        self.auth.role == accolade_proto::Role::Admin
    }
}

/// Why a page could not be shown: an error of the services (shown as a page with its status),
/// or a ready response (a redirect to sign in, a CSRF refusal).
pub enum Fail {
    /// A service error.
    Api(ApiError),
    /// A finished response.
    Res(Box<Response>),
}

impl From<accolade_db::Error> for Fail {
    fn from(e: accolade_db::Error) -> Fail {
        Fail::Api(e.into())
    }
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Fail {
        Fail::Api(e)
    }
}

/// What the page handlers return.
pub type PageResult = Result<Response, Fail>;

/// The signed-in staff member, or: a redirect to sign in (back to `here`), a 403 page for
/// students.
pub async fn staff(state: &AppState, web: &Web, here: &str) -> Result<Staff, Fail> {
    let Some(u) = web.user.clone() else {
        return Err(Fail::Res(Box::new(to_signin(here))));
    };
    let auth = u.auth(state);
    if !auth.role.is_staff() {
        return Err(Fail::Api(ApiError::Forbidden("staff only")));
    }
    let school = accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    Ok(Staff {
        user: u,
        auth,
        school,
    })
}

/// Refuses a form whose CSRF token is not this browser's.
pub fn check_csrf(web: &Web, token: Option<&str>, back: &str) -> Result<(), Fail> {
    if web.csrf_ok(token) {
        Ok(())
    } else {
        Err(Fail::Res(Box::new(super::pages::csrf_failed(web, back))))
    }
}

/// Finishes a handler: the response, or the error page for its failure.
pub fn done(web: &Web, r: PageResult) -> Response {
    match r {
        Ok(res) => web.finish(res),
        Err(Fail::Res(res)) => web.finish(*res),
        Err(Fail::Api(e)) => web.finish(error_page(web, &e)),
    }
}

/// The page for a service error on the teacher pages, in the catalogue's words.
pub fn error_page(web: &Web, e: &ApiError) -> Response {
    let (status, _, _) = e.parts();
    let (heading, text) = match e {
        ApiError::NotFound(_) => (
            tr("teacher-error-not-found"),
            tr("teacher-error-not-found-text"),
        ),
        ApiError::Forbidden(_) => (
            tr("teacher-error-forbidden"),
            tr("teacher-error-forbidden-text"),
        ),
        ApiError::AlreadyDecided => (tr("teacher-error-conflict"), tr("queue-already-decided")),
        ApiError::Conflict(why) => (
            tr("teacher-error-conflict"),
            tr_args(
                "teacher-error-detail",
                &[("detail", FluentValue::from(why.clone()))],
            ),
        ),
        ApiError::Internal(_) | ApiError::Unavailable => {
            (tr("common-error-heading"), tr("common-error-generic"))
        }
        other => (
            tr("teacher-error-other"),
            tr_args(
                "teacher-error-detail",
                &[("detail", FluentValue::from(other.to_string()))],
            ),
        ),
    };
    let home = if web.user.as_ref().is_some_and(WebUser::is_student) {
        Link::new("/my/badges", tr("teacher-error-home-student"), true)
    } else {
        Link::new("/teach/queue", tr("teacher-error-home"), true)
    };
    message(
        status,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading,
            paragraphs: vec![text],
            tone: "error",
            links: vec![home],
            ..Message::default()
        },
    )
}

/// Renders a teacher page: `ctx` plus `user`, `csrf`, `tz` (the school's time zone), `admin`
/// and `teacher_css` (the extra stylesheet).
pub fn render(web: &Web, s: &Staff, status: StatusCode, template: &str, ctx: Value) -> Response {
    page(
        status,
        template,
        context! {
            user => s.user.view(),
            csrf => web.csrf(),
            tz => s.school.timezone.clone(),
            admin => s.is_admin(),
            teacher_css => super::templates::asset_url("teacher.css"),
            teacher_js => super::templates::asset_url("teacher.js"),
            ..ctx
        },
    )
}

/// A 303 redirect (after a successful POST).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A parsed urlencoded form that may repeat keys (`ids=…&ids=…`).
#[derive(Debug, Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed of nothing (as typed).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or "".
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether a checkbox `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Errors shown next to form fields: field name → message.
pub type FieldErrors = BTreeMap<String, String>;

/// The per-field messages of a validation error (`Invalid`, `InvalidImage`), keyed by the
/// API's field names; `None` when `e` is not about fields.
pub fn field_errors(e: &ApiError) -> Option<FieldErrors> {
    match e {
        ApiError::Invalid(list) => Some(
            list.iter()
                .map(|f| (f.field.clone(), capitalise(&f.message)))
                .collect(),
        ),
        ApiError::InvalidImage { message, .. } => Some(
            [(
                "image".to_owned(),
                tr_args(
                    "tbadge-image-invalid",
                    &[("detail", FluentValue::from(message.clone()))],
                ),
            )]
            .into_iter()
            .collect(),
        ),
        _ => None,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Parses a path id; anything else is a 404.
pub fn parse_id(id: &str, what: &'static str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id).map_err(|_| ApiError::NotFound(what))
}

/// Reads a JSON response of an API handler back into its type (for handlers that answer with
/// a ready `Response`, e.g. because of idempotent replays).
pub async fn json_body<T: serde::de::DeserializeOwned>(res: Response) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `v` (an API view) as a template value, with every absolute URL of this server made a
/// same-origin path (images then load under the CSP whatever host the browser used).
pub fn view_of(v: &impl serde::Serialize, base: &str) -> Value {
    fn walk(v: &mut serde_json::Value, base: &str) {
        match v {
            serde_json::Value::String(s) => {
                let local = super::local_path(s, base);
                if local != *s {
                    *s = local;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, base)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| walk(x, base)),
            _ => {}
        }
    }
    let mut j = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
    walk(&mut j, base);
    Value::from_serialize(&j)
}
