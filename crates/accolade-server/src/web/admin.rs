//! The admin pages (`/admin…`): the school's overview, roster import by upload, users,
//! classes, settings and the audit log. Admins only: a teacher or student gets a 403 page, a
//! signed-out browser the sign-in page.
//!
//! Every page calls the same handlers as the REST API (`crate::routes::{roster, users,
//! classes, school, audit}`) with the browser's session as the caller
//! ([`super::session::WebUser::auth`]), so roles, tenancy (the caller's school only), limits,
//! validation and audit records are exactly the API's.
//!
//! - `GET /admin`: counts of people and classes, links to the sections.
//! - `GET /admin/roster`, `POST /admin/roster` (multipart: `csrf`, `file`): a OneRoster 1.1
//!   zip or a class-list CSV, at most `max_upload_bytes` like `POST /api/v1/roster/import`
//!   (413 page beyond); the import report (created / updated / skipped per kind, problem rows
//!   with file and line) or the reason a broken file was refused (422, nothing changed).
//! - `GET /admin/users?q=&role=&class_id=&inactive=1&cursor=`: search and filters, 50 a page;
//!   `POST /admin/users/{id}/active` (`csrf`, `active` = `true`|`false`, `back`): deactivate or
//!   reactivate (the API's `PATCH /users/{id}`).
//! - `GET /admin/classes`, `GET /admin/classes/{id}`: classes with counts; a class's members.
//! - `GET /admin/settings`, `POST /admin/settings`: time zone, weekly nomination allowance,
//!   public sharing, e-mail sender (`PATCH /school`); errors next to each field, the typed
//!   values kept.
//! - `GET /admin/audit?action=&cursor=`: the audit log, newest first, 50 a page, times in the
//!   school's time zone.

use std::collections::HashMap;

use accolade_proto::{ImportReport, Role, UpdateSchoolRequest, UpdateUserRequest};
use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use fluent_bundle::FluentValue;
use minijinja::{context, Value};
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::{tr, tr_args};
use super::session::{Web, WebUser};
use super::{message, page, safe_next, to_signin, url_encode, Link, Message};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::routes;
use crate::state::AppState;

/// Rows per page of the users and audit lists.
const PAGE_SIZE: u64 = 50;

/// The signed-in admin of a request, or the response to send instead (sign-in redirect or a
/// 403 page).
struct Admin {
    user: WebUser,
    auth: AuthUser,
    school: accolade_db::schools::School,
}

async fn admin(state: &AppState, web: &Web, here: &str) -> Result<Admin, Response> {
    let Some(u) = &web.user else {
        return Err(web.finish(to_signin(here)));
    };
    if u.role != Role::Admin {
        return Err(web.finish(message(
            StatusCode::FORBIDDEN,
            Some(u),
            &web.csrf(),
            Message {
                heading: tr("admin-forbidden-heading"),
                paragraphs: vec![tr("admin-forbidden-text")],
                tone: "error",
                links: vec![Link::new("/account", tr("admin-go-home"), true)],
                ..Message::default()
            },
        )));
    }
    let school = match accolade_db::schools::by_id(state.db.conn(), u.user.school_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(failed(web, &ApiError::NotFound("school"))),
        Err(e) => return Err(failed(web, &ApiError::from(e))),
    };
    Ok(Admin {
        user: u.clone(),
        auth: u.auth(state),
        school,
    })
}

/// A page for an error of the API services (same status as the API).
fn failed(web: &Web, e: &ApiError) -> Response {
    let (status, _, _) = e.parts();
    let (heading, text) = match e {
        ApiError::NotFound(_) => (tr("admin-not-found-heading"), tr("admin-not-found-text")),
        ApiError::Forbidden(_) => (tr("admin-forbidden-heading"), tr("admin-forbidden-text")),
        ApiError::Conflict(why) => (
            tr("admin-failed-heading"),
            tr_args(
                "admin-conflict-text",
                &[("reason", FluentValue::from(why.clone()))],
            ),
        ),
        ApiError::Internal(_) => {
            tracing::error!(error = %e, "admin page");
            (tr("admin-failed-heading"), tr("admin-failed-text"))
        }
        other => (
            tr("admin-failed-heading"),
            tr_args(
                "admin-conflict-text",
                &[("reason", FluentValue::from(other.to_string()))],
            ),
        ),
    };
    web.finish(message(
        status,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading,
            paragraphs: vec![text],
            tone: "error",
            links: vec![Link::new("/admin", tr("admin-nav-overview"), true)],
            ..Message::default()
        },
    ))
}

/// The 403 page for a form without a valid CSRF token.
fn csrf_failed(web: &Web, back: &str) -> Response {
    web.finish(message(
        StatusCode::FORBIDDEN,
        web.user.as_ref(),
        &web.csrf(),
        Message {
            heading: tr("common-form-expired"),
            paragraphs: vec![tr("admin-form-expired-text")],
            tone: "error",
            links: vec![Link::new(back, tr("admin-try-again"), true)],
            ..Message::default()
        },
    ))
}

/// Renders an admin template with the context every admin page needs.
fn admin_page(web: &Web, a: &Admin, status: StatusCode, template: &str, ctx: Value) -> Response {
    web.finish(page(
        status,
        template,
        context! {
            user => a.user.view(),
            csrf => web.csrf(),
            school => context! { name => a.school.name.clone(), tz => a.school.timezone.clone() },
            ..ctx
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Overview

/// `GET /admin`: the school at a glance.
pub async fn overview(State(state): State<AppState>, web: Web) -> Response {
    let a = match admin(&state, &web, "/admin").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let conn = state.db.conn();
    let users = match accolade_db::users::all_in_school(conn, a.school.id).await {
        Ok(u) => u,
        Err(e) => return failed(&web, &e.into()),
    };
    let classes = match accolade_db::classes::all_in_school(conn, a.school.id).await {
        Ok(c) => c,
        Err(e) => return failed(&web, &e.into()),
    };
    let count = |role: &str| users.iter().filter(|u| u.active && u.role == role).count();
    admin_page(
        &web,
        &a,
        StatusCode::OK,
        "admin_overview.html",
        context! {
            title => tr("admin-overview-title"),
            section => "overview",
            students => count("student"),
            teachers => count("teacher"),
            admins => count("admin"),
            inactive => users.iter().filter(|u| !u.active).count(),
            classes => classes.iter().filter(|c| c.active).count(),
            allowance => a.school.weekly_nomination_allowance,
            public_sharing => a.school.allow_public_sharing,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Roster

/// `GET /admin/roster`: the upload form.
pub async fn roster_page(State(state): State<AppState>, web: Web) -> Response {
    let a = match admin(&state, &web, "/admin/roster").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    roster_view(&web, &a, StatusCode::OK, None, None, &state)
}

fn roster_view(
    web: &Web,
    a: &Admin,
    status: StatusCode,
    report: Option<&ImportReport>,
    error: Option<String>,
    state: &AppState,
) -> Response {
    let report = report.map(|r| {
        let counts = |kind: &str, label: &str, c: &accolade_proto::ImportCounts| {
            context! { kind => kind, label => tr(label), created => c.created, updated => c.updated, skipped => c.skipped }
        };
        context! {
            rows => vec![
                counts("users", "admin-roster-kind-users", &r.users),
                counts("classes", "admin-roster-kind-classes", &r.classes),
                counts("enrollments", "admin-roster-kind-enrollments", &r.enrollments),
            ],
            problems => r.problems.iter().map(|p| context! {
                file => p.file.clone(), line => p.line, reason => p.reason.clone(),
            }).collect::<Vec<_>>(),
            ignored => r.ignored_files.clone(),
        }
    });
    admin_page(
        web,
        a,
        status,
        "admin_roster.html",
        context! {
            title => if report.is_some() { tr("admin-roster-report-title") } else { tr("admin-roster-title") },
            section => "roster",
            report => report,
            error => error,
            max_size => size_text(state.config.max_upload_bytes),
        },
    )
}

/// A byte count for people: whole MB from 1 MiB up (rounded down, so a file of the size
/// shown always fits), else whole KB.
fn size_text(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB {
        format!("{} MB", bytes / MIB)
    } else {
        format!("{} KB", (bytes / 1024).max(1))
    }
}

/// What the multipart upload form sent.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    file: Option<Vec<u8>>,
    too_large: bool,
}

/// Reads the multipart body: `csrf` (short) and `file` (streamed, at most `limit` bytes).
async fn read_upload(mut mp: Multipart, limit: usize) -> Result<Upload, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::MalformedBody(format!("the upload could not be read: {}", e.body_text()))
    };
    let mut out = Upload::default();
    let mut fields = 0;
    while let Some(mut field) = mp.next_field().await.map_err(bad)? {
        // Our form has two fields; a body of many small ones is not from it.
        fields += 1;
        if fields > 8 {
            return Err(ApiError::MalformedBody("too many form fields".into()));
        }
        match field.name() {
            Some("csrf") => {
                let mut v = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    v.extend_from_slice(&chunk);
                    if v.len() > 256 {
                        return Err(ApiError::MalformedBody("csrf field too long".into()));
                    }
                }
                out.csrf = Some(String::from_utf8_lossy(&v).into_owned());
            }
            Some("file") => {
                let mut v = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if v.len() + chunk.len() > limit {
                        out.too_large = true;
                        return Ok(out);
                    }
                    v.extend_from_slice(&chunk);
                }
                out.file = Some(v);
            }
            // Unknown fields are drained and ignored (counted against the limit too).
            _ => {
                let mut seen = 0usize;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    seen += chunk.len();
                    if seen > limit {
                        out.too_large = true;
                        return Ok(out);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// `POST /admin/roster`: imports the uploaded file through the API's import handler and shows
/// the report.
pub async fn roster_upload(
    State(state): State<AppState>,
    web: Web,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let a = match admin(&state, &web, "/admin/roster").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(mp) = mp else {
        return roster_view(
            &web,
            &a,
            StatusCode::BAD_REQUEST,
            None,
            Some(tr("admin-roster-error-no-file")),
            &state,
        );
    };
    let limit = state.config.max_upload_bytes;
    let upload = match read_upload(mp, limit).await {
        Ok(u) => u,
        Err(_) => {
            return roster_view(
                &web,
                &a,
                StatusCode::BAD_REQUEST,
                None,
                Some(tr("admin-roster-error-unreadable")),
                &state,
            )
        }
    };
    // With a valid token the upload comes from our own form; check it before anything else.
    if !upload.too_large && !web.csrf_ok(upload.csrf.as_deref()) {
        return csrf_failed(&web, "/admin/roster");
    }
    if upload.too_large {
        return roster_view(
            &web,
            &a,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            Some(tr_args(
                "admin-roster-error-too-large",
                &[("max", FluentValue::from(size_text(limit)))],
            )),
            &state,
        );
    }
    let file = upload.file.unwrap_or_default();
    if file.is_empty() {
        return roster_view(
            &web,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(tr("admin-roster-error-no-file")),
            &state,
        );
    }
    match routes::roster::import(State(state.clone()), a.auth.clone(), Bytes::from(file)).await {
        Ok(axum::Json(report)) => {
            roster_view(&web, &a, StatusCode::OK, Some(&report), None, &state)
        }
        Err(ApiError::RosterRejected(why)) => roster_view(
            &web,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(tr_args(
                "admin-roster-error-rejected",
                &[("reason", FluentValue::from(why))],
            )),
            &state,
        ),
        Err(e) => failed(&web, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Users

/// Query of `GET /admin/users`.
#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    /// Search text (name, handle or e-mail).
    pub q: Option<String>,
    /// `student`, `teacher` or `admin`; anything else means all.
    pub role: Option<String>,
    /// A class id; empty means all.
    pub class_id: Option<String>,
    /// `1` to include deactivated users.
    pub inactive: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
}

/// `GET /admin/users`: search, filter, page, and a (de)activate button per person.
pub async fn users(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<UsersQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let here = super::i18n::here();
    let a = match admin(&state, &web, &here).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let role = q.role.as_deref().and_then(Role::parse);
    let class_id = q
        .class_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| Uuid::parse_str(s).ok());
    let search =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(100).collect::<String>());
    let inactive = q.inactive.as_deref() == Some("1");
    let offset = routes::decode_cursor(q.cursor.as_deref()).unwrap_or(0);
    let classes = match routes::classes::list(State(state.clone()), a.auth.clone()).await {
        Ok(axum::Json(c)) => c,
        Err(e) => return failed(&web, &e),
    };
    let listed = routes::users::list(
        State(state.clone()),
        a.auth.clone(),
        ApiQuery(routes::users::ListUsersQuery {
            role,
            class_id,
            q: search.clone(),
            include_inactive: inactive,
            cursor: Some(offset.to_string()),
            limit: Some(PAGE_SIZE),
        }),
    )
    .await;
    let page_of = match listed {
        Ok(axum::Json(p)) => p,
        Err(e) => return failed(&web, &e),
    };
    // The filters as query text, for paging links and for coming back after a change.
    let mut filter = Vec::new();
    if let Some(s) = &search {
        filter.push(format!("q={}", url_encode(s)));
    }
    if let Some(r) = role {
        filter.push(format!("role={}", r.as_str()));
    }
    if let Some(c) = class_id {
        filter.push(format!("class_id={c}"));
    }
    if inactive {
        filter.push("inactive=1".into());
    }
    let link = |cursor: u64| {
        let mut parts = filter.clone();
        if cursor > 0 {
            parts.push(format!("cursor={cursor}"));
        }
        if parts.is_empty() {
            "/admin/users".to_owned()
        } else {
            format!("/admin/users?{}", parts.join("&"))
        }
    };
    let next = page_of
        .next_cursor
        .as_deref()
        .and_then(|c| c.parse::<u64>().ok())
        .map(link);
    let prev = (offset > 0).then(|| link(offset.saturating_sub(PAGE_SIZE)));
    let back = link(offset);
    let rows: Vec<Value> = page_of
        .items
        .iter()
        .map(|u| {
            context! {
                id => u.id,
                name => u.display_name.clone(),
                handle => u.handle.clone(),
                email => u.email.clone(),
                role => u.role.as_str(),
                active => u.active,
                me => u.id == a.user.user.id,
            }
        })
        .collect();
    admin_page(
        &web,
        &a,
        StatusCode::OK,
        "admin_users.html",
        context! {
            title => tr("admin-users-title"),
            section => "users",
            rows => rows,
            classes => classes.iter().map(|c| context! { id => c.id, title => c.title.clone() }).collect::<Vec<_>>(),
            f => context! {
                q => search.unwrap_or_default(),
                role => role.map(|r| r.as_str()).unwrap_or(""),
                class_id => class_id.map(|c| c.to_string()).unwrap_or_default(),
                inactive => inactive,
            },
            next => next,
            prev => prev,
            back => back,
            first => offset + 1,
        },
    )
}

/// Form of `POST /admin/users/{id}/active`.
#[derive(Debug, Default, Deserialize)]
pub struct ActiveForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// `true` to reactivate, `false` to deactivate.
    pub active: Option<String>,
    /// The users page to come back to.
    pub back: Option<String>,
}

/// `POST /admin/users/{id}/active`: deactivates or reactivates a user (the API's
/// `PATCH /users/{id}` with `active`), then back to the list.
pub async fn set_active(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<ActiveForm>, FormRejection>,
) -> Response {
    let a = match admin(&state, &web, "/admin/users").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let back = safe_next(f.back.as_deref());
    let back = if back.starts_with("/admin/users") {
        back
    } else {
        "/admin/users".to_owned()
    };
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, &back);
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return failed(&web, &ApiError::NotFound("user"));
    };
    let active = match f.active.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return failed(&web, &ApiError::field("active", "must be true or false")),
    };
    let req = UpdateUserRequest {
        active: Some(active),
        ..UpdateUserRequest::default()
    };
    match routes::users::update(
        State(state.clone()),
        a.auth.clone(),
        ApiPath(id),
        ApiJson(req),
    )
    .await
    {
        Ok(_) => web.finish(Redirect::to(&back).into_response()),
        Err(e) => failed(&web, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Classes

/// `GET /admin/classes`: every active class with its counts.
pub async fn classes(State(state): State<AppState>, web: Web) -> Response {
    let a = match admin(&state, &web, "/admin/classes").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut list = match routes::classes::list(State(state.clone()), a.auth.clone()).await {
        Ok(axum::Json(c)) => c,
        Err(e) => return failed(&web, &e),
    };
    list.sort_by_key(|c| c.title.to_lowercase());
    admin_page(
        &web,
        &a,
        StatusCode::OK,
        "admin_classes.html",
        context! {
            title => tr("admin-classes-title"),
            section => "classes",
            classes => list.iter().map(|c| context! {
                id => c.id, title => c.title.clone(), code => c.class_code.clone(),
                students => c.student_count, teachers => c.teacher_count,
            }).collect::<Vec<_>>(),
        },
    )
}

/// `GET /admin/classes/{id}`: a class's teachers and students (404 for another school's).
pub async fn class(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let a = match admin(&state, &web, "/admin/classes").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return failed(&web, &ApiError::NotFound("class"));
    };
    let class = match routes::classes::get(State(state.clone()), a.auth.clone(), ApiPath(id)).await
    {
        Ok(axum::Json(c)) => c,
        Err(e) => return failed(&web, &e),
    };
    let members =
        match routes::classes::members(State(state.clone()), a.auth.clone(), ApiPath(id)).await {
            Ok(axum::Json(m)) => m,
            Err(e) => return failed(&web, &e),
        };
    let pick = |r: Role| {
        members
            .iter()
            .filter(|m| m.role == r)
            .map(|m| context! { id => m.id, name => m.display_name.clone() })
            .collect::<Vec<_>>()
    };
    admin_page(
        &web,
        &a,
        StatusCode::OK,
        "admin_class.html",
        context! {
            title => class.title.clone(),
            section => "classes",
            class => context! { id => class.id, title => class.title, code => class.class_code },
            teachers => pick(Role::Teacher),
            students => pick(Role::Student),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Settings

/// Query of `GET /admin/settings`.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    /// Set after a successful save.
    pub saved: Option<String>,
}

/// The settings form (as typed).
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    /// CSRF token.
    pub csrf: Option<String>,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: String,
    /// Weekly nomination allowance (0–100), as typed.
    #[serde(default)]
    pub weekly_nomination_allowance: String,
    /// Present (`on`) when ticked.
    pub allow_public_sharing: Option<String>,
    /// Sender address; empty for the server's default.
    #[serde(default)]
    pub email_sender: String,
}

fn settings_view(
    web: &Web,
    a: &Admin,
    status: StatusCode,
    values: &SettingsForm,
    errors: &HashMap<&'static str, String>,
    saved: bool,
) -> Response {
    let zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    // A zone not in the list (typed by hand) stays visible and selected so nothing is lost.
    let known = zones.contains(&values.timezone.as_str());
    admin_page(
        web,
        a,
        status,
        "admin_settings.html",
        context! {
            title => tr("admin-settings-title"),
            section => "settings",
            zones => zones,
            extra_zone => (!known && !values.timezone.is_empty()).then(|| values.timezone.clone()),
            v => context! {
                timezone => values.timezone.clone(),
                allowance => values.weekly_nomination_allowance.clone(),
                public => values.allow_public_sharing.is_some(),
                sender => values.email_sender.clone(),
            },
            errors => errors.clone(),
            has_errors => !errors.is_empty(),
            saved => saved,
        },
    )
}

/// `GET /admin/settings`: the form with the school's current settings.
pub async fn settings_page(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<SettingsQuery>, QueryRejection>,
) -> Response {
    let a = match admin(&state, &web, "/admin/settings").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let saved = q.is_ok_and(|Query(q)| q.saved.is_some());
    let values = SettingsForm {
        csrf: None,
        timezone: a.school.timezone.clone(),
        weekly_nomination_allowance: a.school.weekly_nomination_allowance.to_string(),
        allow_public_sharing: a.school.allow_public_sharing.then(|| "on".to_owned()),
        email_sender: a.school.email_sender.clone().unwrap_or_default(),
    };
    settings_view(&web, &a, StatusCode::OK, &values, &HashMap::new(), saved)
}

/// Checks every field (so all errors show at once) with the API's own validators.
fn check_settings(f: &SettingsForm) -> (HashMap<&'static str, String>, Option<u32>) {
    let mut errors = HashMap::new();
    if crate::validate::timezone(&f.timezone).is_err() {
        errors.insert("timezone", tr("admin-settings-error-timezone"));
    }
    let allowance = f.weekly_nomination_allowance.trim().parse::<u32>().ok();
    match allowance {
        Some(n) if n <= 100 => {}
        _ => {
            errors.insert(
                "weekly_nomination_allowance",
                tr("admin-settings-error-allowance"),
            );
        }
    }
    let sender = f.email_sender.trim();
    if !sender.is_empty() && crate::validate::email("email_sender", sender).is_err() {
        errors.insert("email_sender", tr("admin-settings-error-sender"));
    }
    (errors, allowance)
}

/// `POST /admin/settings`: saves through the API's `PATCH /school` handler (admins only,
/// audited); on a validation error the form comes back with the typed values and a message
/// next to each wrong field.
pub async fn settings_save(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let a = match admin(&state, &web, "/admin/settings").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    if !web.csrf_ok(f.csrf.as_deref()) {
        return csrf_failed(&web, "/admin/settings");
    }
    let (mut errors, allowance) = check_settings(&f);
    if !errors.is_empty() {
        return settings_view(
            &web,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            &f,
            &errors,
            false,
        );
    }
    let req = UpdateSchoolRequest {
        name: None,
        timezone: Some(f.timezone.clone()),
        weekly_nomination_allowance: allowance,
        allow_public_sharing: Some(f.allow_public_sharing.is_some()),
        email_sender: Some(f.email_sender.trim().to_owned()),
    };
    match routes::school::patch(State(state.clone()), a.auth.clone(), ApiJson(req)).await {
        Ok(_) => web.finish(Redirect::to("/admin/settings?saved=1").into_response()),
        Err(ApiError::Invalid(fields)) => {
            for fe in fields {
                let key = match fe.field.as_str() {
                    "timezone" => "timezone",
                    "weekly_nomination_allowance" => "weekly_nomination_allowance",
                    _ => "email_sender",
                };
                errors.insert(key, fe.message);
            }
            settings_view(
                &web,
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                &errors,
                false,
            )
        }
        Err(e) => failed(&web, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Audit log

/// Query of `GET /admin/audit`.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Only actions starting with this (e.g. `user.`).
    pub action: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
}

/// `GET /admin/audit`: the audit log, newest first, with who did what when (school time).
pub async fn audit(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let a = match admin(&state, &web, "/admin/audit").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let action = q
        .action
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(64).collect::<String>());
    let offset = routes::decode_cursor(q.cursor.as_deref()).unwrap_or(0);
    let listed = routes::audit::list(
        State(state.clone()),
        a.auth.clone(),
        ApiQuery(routes::audit::AuditQuery {
            action: action.clone(),
            cursor: Some(offset.to_string()),
            limit: Some(PAGE_SIZE),
        }),
    )
    .await;
    let entries = match listed {
        Ok(axum::Json(p)) => p,
        Err(e) => return failed(&web, &e),
    };
    // Actors by id, looked up in this school only.
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for e in &entries.items {
        if let Some(id) = e.actor_id {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                let name = accolade_db::users::by_id(state.db.conn(), a.school.id, id)
                    .await
                    .ok()
                    .flatten()
                    .map(|u| u.display_name)
                    .unwrap_or_default();
                slot.insert(name);
            }
        }
    }
    let link = |cursor: u64| {
        let mut parts = Vec::new();
        if let Some(act) = &action {
            parts.push(format!("action={}", url_encode(act)));
        }
        if cursor > 0 {
            parts.push(format!("cursor={cursor}"));
        }
        if parts.is_empty() {
            "/admin/audit".to_owned()
        } else {
            format!("/admin/audit?{}", parts.join("&"))
        }
    };
    let next = entries
        .next_cursor
        .as_deref()
        .and_then(|c| c.parse::<u64>().ok())
        .map(link);
    let prev = (offset > 0).then(|| link(offset.saturating_sub(PAGE_SIZE)));
    let rows: Vec<Value> = entries
        .items
        .iter()
        .map(|e| {
            context! {
                at => e.created_at.to_rfc3339(),
                actor => e.actor_id.and_then(|id| names.get(&id).cloned()).filter(|n| !n.is_empty()),
                action => e.action.clone(),
                target => format!("{}{}", e.target_type, e.target_id.as_deref().map(|t| format!(" {t}")).unwrap_or_default()),
            }
        })
        .collect();
    admin_page(
        &web,
        &a,
        StatusCode::OK,
        "admin_audit.html",
        context! {
            title => tr("admin-audit-title"),
            section => "audit",
            rows => rows,
            action => action.unwrap_or_default(),
            next => next,
            prev => prev,
        },
    )
}
