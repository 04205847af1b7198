//! `/teach/queue`: pending nominations in the classes the teacher teaches (all for admins),
//! oldest first, with approve / reject with a reason / return for revision, one at a time or in
//! bulk. Plain forms; `/assets/queue.js` adds the live part:
//!
//! - `POST /teach/ws-ticket` (cookie session, `x-csrf-token` header): a one-time ticket for
//!   `GET /api/v1/ws`;
//! - on each `nomination.created` event the script asks `GET /teach/queue/items?ids=…` for the
//!   new items, rendered by the same template as the page (JSON `{html, count, bar}`), and
//!   shows a fixed "N new nominations — show" bar (announced politely); the items are added
//!   at the end of the list only when the teacher presses it, so nothing moves under the
//!   pointer and nothing shifts the layout.

use accolade_proto::{
    BulkDecisionRequest, Decision, DecisionRequest, Nomination, NominationStatus, WsTicket,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use fluent_bundle::FluentValue;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    check_csrf, done, field_errors, parse_id, render, see_other, staff, view_of, Fail, Fields,
    PageResult, Staff,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::nominations::QueueQuery;
use crate::state::AppState;
use crate::web::i18n::tr_args;
use crate::web::session::Web;

/// How many pending nominations one page shows.
pub const PAGE: u64 = 200;

/// Query of `GET /teach/queue`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Only this class.
    pub class_id: Option<String>,
    /// What just happened (`approved`, `rejected`, `returned`, `bulk`), for the notice.
    pub done: Option<String>,
    /// How many, after a bulk decision.
    pub n: Option<u32>,
    /// How many of a bulk decision failed.
    pub failed: Option<u32>,
}

/// What to show again after a refused decision.
#[derive(Debug, Default)]
struct Retry {
    /// The nomination whose form failed (or none for the bulk form).
    id: Option<Uuid>,
    /// Error message next to the reason.
    error: String,
    /// The reason as typed.
    reason: String,
    /// Ticked nominations (bulk).
    selected: Vec<String>,
}

fn decision_of(s: &str) -> Option<Decision> {
    match s {
        "approve" => Some(Decision::Approve),
        "reject" => Some(Decision::Reject),
        "return" => Some(Decision::Return),
        _ => None,
    }
}

/// The pending nominations the caller may moderate (the API's queue).
async fn pending(
    state: &AppState,
    s: &Staff,
    class_id: Option<Uuid>,
) -> ApiResult<Vec<Nomination>> {
    let Json(page) = crate::routes::nominations::queue(
        State(state.clone()),
        s.auth.clone(),
        ApiQuery(QueueQuery {
            class_id,
            badge_class_id: None,
            cursor: None,
            limit: Some(PAGE),
        }),
    )
    .await?;
    Ok(page.items)
}

async fn classes_of(state: &AppState, s: &Staff) -> ApiResult<Vec<Value>> {
    let rows = if s.is_admin() {
        accolade_db::classes::all_in_school(state.db.conn(), s.school.id)
            .await?
            .into_iter()
            .filter(|c| c.active)
            .collect()
    } else {
        let mut out = Vec::new();
        for c in accolade_db::classes::for_user(state.db.conn(), s.school.id, s.auth.id()).await? {
            if accolade_db::classes::enrollment(state.db.conn(), c.id, s.auth.id())
                .await?
                .is_some_and(|e| e.role == "teacher")
            {
                out.push(c);
            }
        }
        out
    };
    Ok(rows
        .into_iter()
        .map(|c| context! { id => c.id.to_string(), title => c.title })
        .collect())
}

async fn show(
    state: &AppState,
    web: &Web,
    s: &Staff,
    q: &PageQuery,
    retry: Option<Retry>,
) -> PageResult {
    let class_id = q
        .class_id
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| parse_id(c, "class"))
        .transpose()?;
    let items = pending(state, s, class_id).await?;
    let (_, last_seq) = accolade_db::events::bounds(state.db.conn(), s.auth.id()).await?;
    let base = state.config.base_url();
    let notice = match q.done.as_deref() {
        Some(d @ ("approved" | "rejected" | "returned")) => {
            Some(crate::web::i18n::tr(&format!("queue-done-{d}")))
        }
        Some("bulk") => Some(tr_args(
            "queue-done-bulk",
            &[
                ("count", FluentValue::from(q.n.unwrap_or(0))),
                ("failed", FluentValue::from(q.failed.unwrap_or(0))),
            ],
        )),
        _ => None,
    };
    let status = if retry.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let retry = retry.unwrap_or_default();
    Ok(render(
        web,
        s,
        status,
        "teacher_queue.html",
        context! {
            title => crate::web::i18n::tr("queue-title"),
            items => items.iter().map(|n| view_of(n, base)).collect::<Vec<_>>(),
            classes => classes_of(state, s).await?,
            class_id => class_id.map(|c| c.to_string()),
            notice => notice,
            last_seq => last_seq,
            retry_id => retry.id.map(|i| i.to_string()),
            retry_error => (!retry.error.is_empty()).then_some(retry.error.clone()),
            retry_reason => retry.reason,
            selected => retry.selected,
            bulk_error => (retry.id.is_none() && !retry.error.is_empty()).then_some(retry.error),
            queue_js => crate::web::templates::asset_url("queue.js"),
        },
    ))
}

/// `GET /teach/queue`.
pub async fn page_get(
    State(state): State<AppState>,
    web: Web,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let r = async {
        let s = staff(&state, &web, "/teach/queue").await?;
        show(&state, &web, &s, &q, None).await
    }
    .await;
    done(&web, r)
}

/// Query of `GET /teach/queue/items`.
#[derive(Debug, Deserialize)]
pub struct ItemsQuery {
    /// Comma-separated nomination ids (at most 100).
    pub ids: String,
}

/// New queue items for the live page.
#[derive(Debug, Serialize)]
pub struct Items {
    /// `<li>` items, rendered like the page's.
    pub html: String,
    /// How many are still pending.
    pub count: usize,
    /// The bar's button text ("Show 2 new nominations").
    pub bar: String,
    /// The polite announcement ("2 new nominations are waiting").
    pub announce: String,
}

/// `GET /teach/queue/items?ids=…` (JSON): the still-pending nominations among `ids` that the
/// caller may moderate, rendered as queue items.
pub async fn items(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<ItemsQuery>,
) -> ApiResult<Response> {
    let Some(u) = web.user.as_ref() else {
        return Err(ApiError::Unauthenticated("sign in first"));
    };
    let auth = u.auth(&state);
    crate::policy::require_staff(&auth)?;
    let school = accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let conn = state.db.conn();
    let base = state.config.base_url();
    let mut out = Vec::new();
    for id in q.ids.split(',').filter(|s| !s.is_empty()).take(100) {
        let Ok(id) = Uuid::parse_str(id.trim()) else {
            continue;
        };
        let Some(n) = accolade_db::nominations::by_id(conn, auth.school_id(), id).await? else {
            continue;
        };
        if n.status != "pending" || !crate::policy::can_moderate(conn, &auth, n.class_id).await? {
            continue;
        }
        let mut cache = crate::badges::ViewCache::default();
        let v = crate::badges::nomination_view(conn, base, &mut cache, &n).await?;
        if v.status == NominationStatus::Pending {
            out.push(view_of(&v, base));
        }
    }
    let html = crate::web::templates::render(
        "teacher_queue_items.html",
        context! {
            items => out.clone(),
            csrf => web.csrf(),
            tz => school.timezone,
            selected => Vec::<String>::new(),
        },
    )?;
    let count = out.len();
    let n = FluentValue::from(count);
    let body = Items {
        html,
        count,
        bar: tr_args("queue-new-show", &[("count", n.clone())]),
        announce: tr_args("queue-new-announce", &[("count", n)]),
    };
    let mut res = Json(body).into_response();
    crate::web::secure_headers(res.headers_mut());
    Ok(res)
}

/// `POST /teach/queue/{id}/decision`: `decision` = approve | reject | return, `reason`.
pub async fn decide(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let s = staff(&state, &web, "/teach/queue").await?;
        check_csrf(&web, f.get("csrf"), "/teach/queue")?;
        let id = parse_id(&id, "nomination")?;
        let decision = decision_of(f.get("decision").unwrap_or_default())
            .ok_or_else(|| ApiError::field("decision", "approve, reject or return"))?;
        let reason = f.text("reason");
        let req = DecisionRequest {
            decision,
            reason: (!reason.trim().is_empty()).then(|| reason.clone()),
        };
        let q = PageQuery {
            class_id: f.get("class_id").map(str::to_owned),
            ..PageQuery::default()
        };
        match crate::routes::nominations::decide(
            State(state.clone()),
            s.auth.clone(),
            HeaderMap::new(),
            ApiPath(id),
            ApiJson(req),
        )
        .await
        {
            Ok(_) => {
                let what = match decision {
                    Decision::Approve => "approved",
                    Decision::Reject => "rejected",
                    Decision::Return => "returned",
                };
                Ok(see_other(&back(&q, what, None)))
            }
            Err(e) => match field_errors(&e) {
                Some(errs) => {
                    let error = errs.into_values().next().unwrap_or_default();
                    let error = if reason.trim().is_empty() {
                        crate::web::i18n::tr("queue-reason-needed")
                    } else {
                        error
                    };
                    show(
                        &state,
                        &web,
                        &s,
                        &q,
                        Some(Retry {
                            id: Some(id),
                            error,
                            reason,
                            selected: Vec::new(),
                        }),
                    )
                    .await
                }
                None => Err(Fail::Api(e)),
            },
        }
    }
    .await;
    done(&web, r)
}

fn back(q: &PageQuery, what: &str, counts: Option<(usize, usize)>) -> String {
    let mut to = format!("/teach/queue?done={what}");
    if let Some((n, failed)) = counts {
        to.push_str(&format!("&n={n}&failed={failed}"));
    }
    if let Some(c) = q.class_id.as_deref().filter(|c| Uuid::parse_str(c).is_ok()) {
        to.push_str(&format!("&class_id={c}"));
    }
    to
}

/// `POST /teach/queue/bulk`: `ids` (repeated), `decision`, `reason`.
pub async fn bulk(
    State(state): State<AppState>,
    web: Web,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let s = staff(&state, &web, "/teach/queue").await?;
        check_csrf(&web, f.get("csrf"), "/teach/queue")?;
        let selected = f.all("ids");
        let reason = f.text("reason");
        let q = PageQuery {
            class_id: f.get("class_id").map(str::to_owned),
            ..PageQuery::default()
        };
        let retry = |error: String| Retry {
            id: None,
            error,
            reason: reason.clone(),
            selected: selected.clone(),
        };
        let ids: Vec<Uuid> = selected
            .iter()
            .filter_map(|i| Uuid::parse_str(i).ok())
            .collect();
        if ids.is_empty() {
            let msg = crate::web::i18n::tr("queue-bulk-none");
            return show(&state, &web, &s, &q, Some(retry(msg))).await;
        }
        let Some(decision) = decision_of(f.get("decision").unwrap_or_default()) else {
            return Err(Fail::Api(ApiError::field(
                "decision",
                "approve, reject or return",
            )));
        };
        let req = BulkDecisionRequest {
            ids,
            decision,
            reason: (!reason.trim().is_empty()).then(|| reason.clone()),
        };
        match crate::routes::nominations::decide_bulk(
            State(state.clone()),
            s.auth.clone(),
            ApiJson(req),
        )
        .await
        {
            Ok(Json(res)) => {
                let ok = res.results.iter().filter(|r| r.status == 200).count();
                let failed = res.results.len() - ok;
                Ok(see_other(&back(&q, "bulk", Some((ok, failed)))))
            }
            Err(e) => match field_errors(&e) {
                Some(errs) => {
                    let msg = if errs.contains_key("reason") {
                        crate::web::i18n::tr("queue-reason-needed")
                    } else {
                        errs.into_values().next().unwrap_or_default()
                    };
                    show(&state, &web, &s, &q, Some(retry(msg))).await
                }
                None => Err(Fail::Api(e)),
            },
        }
    }
    .await;
    done(&web, r)
}

/// `POST /teach/ws-ticket` (JSON): a WebSocket ticket for the queue page's script. Needs the
/// page's CSRF token in `x-csrf-token`; staff only.
pub async fn ws_ticket(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
) -> ApiResult<Json<WsTicket>> {
    let u = web
        .user
        .as_ref()
        .ok_or(ApiError::Unauthenticated("sign in first"))?;
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    if !web.csrf_ok(token) {
        return Err(ApiError::Forbidden("missing or invalid CSRF token"));
    }
    crate::policy::require_staff(&u.auth(&state))?;
    Ok(Json(crate::web::present::issue_ticket(&state, u).await?))
}
