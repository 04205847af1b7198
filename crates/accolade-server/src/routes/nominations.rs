//! `/api/v1/nominations`: students nominate classmates; teachers moderate.

use accolade_db::nominations::{Nomination as NominationRow, QueueFilter};
use accolade_proto::{
    Allowance, AwardSource, BulkDecisionRequest, BulkDecisionResponse, BulkItem,
    CreateNominationRequest, CreateNominationsResponse, Decision, DecisionRequest, Nomination,
    Page, ReviseNominationRequest, Role,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::badges::{self as svc, IssueInput, ViewCache};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use crate::{idempotency, policy, validate};

fn require_student(auth: &AuthUser) -> ApiResult<()> {
    if auth.role == Role::Student {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only students nominate classmates"))
    }
}

/// The caller's weekly nomination allowance.
#[utoipa::path(get, path = "/api/v1/me/allowance", tag = "nominations",
    responses((status = 200, body = Allowance)), security(("bearer" = [])))]
pub async fn allowance(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<Allowance>> {
    let school = school(&state, &auth).await?;
    Ok(Json(
        svc::allowance(state.db.conn(), &school, auth.id()).await?,
    ))
}

async fn school(state: &AppState, auth: &AuthUser) -> ApiResult<accolade_db::schools::School> {
    accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))
}

/// Nominate one or more classmates for a badge (students). Each nominee must share a class
/// with the nominator where the badge is available.
///
/// Errors: 422 `self_nomination`, 422 `allowance_exceeded`, 409 `duplicate_nomination` (an open
/// nomination for that nominee and badge exists, whoever made it), 409 `already_held`
/// (non-repeatable badge), 404 (unknown badge or classmate), 422 `invalid_input`.
#[utoipa::path(post, path = "/api/v1/nominations", tag = "nominations",
    request_body = CreateNominationRequest,
    responses((status = 201, body = CreateNominationsResponse), (status = 409, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateNominationRequest>,
) -> ApiResult<Response> {
    require_student(&auth)?;
    let narrative = validate::long_text("narrative", &req.narrative, 1000)?;
    let evidence_url = req
        .evidence_url
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|u| validate::url("evidence_url", u))
        .transpose()?;
    if req.nominee_ids.is_empty() || req.nominee_ids.len() > 10 {
        return Err(ApiError::field("nominee_ids", "nominate 1–10 classmates"));
    }
    if req.nominee_ids.contains(&auth.id()) {
        return Err(ApiError::SelfNomination);
    }
    let mut nominees = req.nominee_ids.clone();
    nominees.sort();
    nominees.dedup();
    let key = idempotency::key(&headers)?;
    // The whole request is part of the scope: the same key with a different body is refused.
    let scope = format!(
        "nominate:{}",
        serde_json::to_string(&req).unwrap_or_default()
    );
    let base = state.config.base_url().to_owned();
    let school = school(&state, &auth).await?;

    let txn = state.db.begin_write().await?;
    if let Some(replayed) = idempotency::replay(&*txn, auth.id(), key.as_deref(), &scope).await? {
        return Ok(replayed);
    }
    let created = nominate(
        &txn,
        &base,
        &school,
        &auth.user,
        req.badge_class_id,
        &nominees,
        req.class_id,
        &narrative,
        evidence_url,
    )
    .await?;
    let mut cache = ViewCache::default();
    let mut views = Vec::new();
    for n in &created {
        views.push(svc::nomination_view(&*txn, &base, &mut cache, n).await?);
    }
    let allowance = svc::allowance(&*txn, &school, auth.id()).await?;
    let body = CreateNominationsResponse {
        nominations: views,
        allowance,
    };
    idempotency::remember(
        &*txn,
        auth.id(),
        key.as_deref(),
        &scope,
        StatusCode::CREATED,
        &body,
    )
    .await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Creates nominations by `nominator` inside `txn`, applying every rule: peer-nominable and not
/// archived, weekly allowance (the nominator's row is locked on PostgreSQL so concurrent
/// requests cannot overspend it), a shared class where the badge is available, one open
/// nomination per nominee and badge, non-repeatable badges not already held; `auto_approve`
/// badges are awarded at once. Notifications are recorded for after the commit.
#[allow(clippy::too_many_arguments)]
pub async fn nominate(
    txn: &accolade_db::WriteTxn,
    base: &str,
    school: &accolade_db::schools::School,
    nominator: &accolade_db::users::User,
    badge_class_id: Uuid,
    nominees: &[Uuid],
    class_id: Option<Uuid>,
    narrative: &str,
    evidence_url: Option<String>,
) -> ApiResult<Vec<NominationRow>> {
    if nominees.contains(&nominator.id) {
        return Err(ApiError::SelfNomination);
    }
    accolade_db::users::lock(&**txn, nominator.id).await?;
    let badge = accolade_db::badges::class_by_id(&**txn, school.id, badge_class_id)
        .await?
        .filter(|b| b.archived_at.is_none())
        .ok_or(ApiError::NotFound("badge class"))?;
    if !badge.peer_nominable {
        return Err(ApiError::field(
            "badge_class_id",
            "this badge is not open to peer nominations",
        ));
    }
    let allowance = svc::allowance(&**txn, school, nominator.id).await?;
    if (nominees.len() as u32) > allowance.remaining {
        return Err(ApiError::AllowanceExceeded(format!(
            "{} nomination(s) left this week; the allowance resets {}",
            allowance.remaining,
            allowance.resets_at.to_rfc3339()
        )));
    }
    let my_classes = accolade_db::classes::for_user(&**txn, school.id, nominator.id).await?;
    let scope_ids = accolade_db::badges::scope_class_ids(&**txn, badge.id).await?;
    let mut created = Vec::new();
    for nominee_id in nominees {
        let nominee = accolade_db::users::by_id(&**txn, school.id, *nominee_id)
            .await?
            .filter(|u| u.active && u.role == "student")
            .ok_or(ApiError::NotFound("classmate"))?;
        // A class both are in, where the badge is available.
        let mut shared = None;
        for c in &my_classes {
            if class_id.is_some_and(|wanted| wanted != c.id) {
                continue;
            }
            if badge.scope == "classes" && !scope_ids.contains(&c.id) {
                continue;
            }
            if accolade_db::classes::enrollment(&**txn, c.id, nominee.id)
                .await?
                .is_some_and(|e| e.role == "student")
            {
                shared = Some(c.id);
                break;
            }
        }
        let Some(shared_class) = shared else {
            return Err(ApiError::Forbidden(
                "you can only nominate classmates in a class where this badge is available",
            ));
        };
        if !badge.repeatable && accolade_db::awards::holds(&**txn, nominee.id, badge.id).await? {
            return Err(ApiError::AlreadyHeld);
        }
        let now = accolade_db::now();
        let row = NominationRow {
            id: Uuid::now_v7(),
            school_id: school.id,
            badge_class_id: badge.id,
            nominator_id: nominator.id,
            nominee_id: nominee.id,
            class_id: shared_class,
            narrative: narrative.to_owned(),
            evidence_url: evidence_url.clone(),
            status: "pending".into(),
            decided_by: None,
            decided_at: None,
            decision_reason: None,
            award_id: None,
            source: "peer".into(),
            created_at: now,
            updated_at: now,
        };
        let sp = sea_orm::TransactionTrait::begin(&**txn).await?;
        let mut n = match accolade_db::nominations::insert(&sp, row).await {
            Ok(n) => {
                sp.commit().await?;
                n
            }
            Err(e) if accolade_db::is_unique_violation(&e) => {
                sp.rollback().await?;
                return Err(ApiError::DuplicateNomination);
            }
            Err(e) => return Err(e.into()),
        };
        if badge.moderation == "auto_approve" {
            let award = svc::issue(
                txn,
                base,
                IssueInput {
                    badge_class: badge.clone(),
                    recipient: nominee.clone(),
                    issued_by: None,
                    source: AwardSource::Nomination,
                    nomination_id: Some(n.id),
                    narrative: None,
                    evidence_url: n.evidence_url.clone(),
                    evidence_narrative: Some(n.narrative.clone()),
                },
            )
            .await?;
            accolade_db::nominations::transition(
                &**txn,
                n.id,
                &["pending"],
                "approved",
                None,
                None,
            )
            .await?;
            accolade_db::nominations::set_award(&**txn, n.id, award.id).await?;
            n.status = "approved".into();
            n.award_id = Some(award.id);
            crate::notify::award_issued(txn, base, &award).await?;
            crate::notify::nomination_decided(txn, base, &n).await?;
        } else {
            crate::notify::nomination_created(txn, base, &n).await?;
        }
        created.push(n);
    }
    Ok(created)
}

/// Accepting a peer offer: a nomination from the offerer to `scanner`, with the same rules as
/// any nomination (the offerer's allowance is used). The offer is used up in the same
/// transaction, so it works once.
pub async fn nominate_from_offer(
    state: &AppState,
    offer: &accolade_db::claims::PeerOffer,
    scanner: Uuid,
) -> ApiResult<Nomination> {
    let base = state.config.base_url().to_owned();
    let txn = state.db.begin_write().await?;
    let school = accolade_db::schools::by_id(&*txn, offer.school_id)
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let offerer = accolade_db::users::by_id(&*txn, offer.school_id, offer.offerer_id)
        .await?
        .filter(|u| u.active)
        .ok_or(ApiError::Gone(
            "the offer's student is no longer here".into(),
        ))?;
    let created = nominate(
        &txn,
        &base,
        &school,
        &offerer,
        offer.badge_class_id,
        &[scanner],
        None,
        "Offered in person",
        None,
    )
    .await?;
    let n = created
        .into_iter()
        .next()
        .ok_or(ApiError::Internal("no nomination".into()))?;
    if !accolade_db::claims::use_offer(&*txn, offer.id, scanner, n.id).await? {
        return Err(ApiError::Gone("this offer was already used".into()));
    }
    let mut cache = ViewCache::default();
    let view = svc::nomination_view(&*txn, &base, &mut cache, &n).await?;
    txn.commit().await?;
    Ok(view)
}

/// Paging query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// The caller's own nominations (as nominator), newest first, with decisions and reasons.
/// Nominees never see nominations about them: only awards.
#[utoipa::path(get, path = "/api/v1/nominations", tag = "nominations", params(PageQuery),
    responses((status = 200, body = Page<Nomination>)), security(("bearer" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Nomination>>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = super::decode_cursor(q.cursor.as_deref())?;
    let conn = state.db.conn();
    let rows = accolade_db::nominations::by_nominator(
        conn,
        auth.school_id(),
        auth.id(),
        offset,
        limit + 1,
    )
    .await?;
    let mut cache = ViewCache::default();
    let mut out = Vec::new();
    for n in &rows {
        out.push(svc::nomination_view(conn, state.config.base_url(), &mut cache, n).await?);
    }
    Ok(Json(super::page(out, offset, limit)))
}

/// Query of the moderation queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this class.
    pub class_id: Option<Uuid>,
    /// Only this badge class.
    pub badge_class_id: Option<Uuid>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// The moderation queue: pending nominations in the classes the caller teaches (all classes for
/// admins), oldest first.
#[utoipa::path(get, path = "/api/v1/nominations/queue", tag = "nominations", params(QueueQuery),
    responses((status = 200, body = Page<Nomination>), (status = 403, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Page<Nomination>>> {
    policy::require_staff(&auth)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = super::decode_cursor(q.cursor.as_deref())?;
    let conn = state.db.conn();
    let filter = QueueFilter {
        teacher_id: (auth.role == Role::Teacher).then_some(auth.id()),
        class_id: q.class_id,
        badge_class_id: q.badge_class_id,
    };
    let rows =
        accolade_db::nominations::queue(conn, auth.school_id(), &filter, offset, limit + 1).await?;
    let mut cache = ViewCache::default();
    let mut out = Vec::new();
    for n in &rows {
        out.push(svc::nomination_view(conn, state.config.base_url(), &mut cache, n).await?);
    }
    Ok(Json(super::page(out, offset, limit)))
}

/// One nomination: its nominator, or staff who may moderate it.
#[utoipa::path(get, path = "/api/v1/nominations/{id}", tag = "nominations", params(("id" = Uuid, Path)),
    responses((status = 200, body = Nomination), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Nomination>> {
    let conn = state.db.conn();
    let n = accolade_db::nominations::by_id(conn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    let allowed =
        n.nominator_id == auth.id() || policy::can_moderate(conn, &auth, n.class_id).await?;
    if !allowed {
        return Err(ApiError::NotFound("nomination"));
    }
    let mut cache = ViewCache::default();
    Ok(Json(
        svc::nomination_view(conn, state.config.base_url(), &mut cache, &n).await?,
    ))
}

/// Revise a nomination that a teacher returned (its nominator); it goes back to the queue.
///
/// Errors: 409 `already_decided` unless the nomination is `returned` (or still `pending`).
#[utoipa::path(patch, path = "/api/v1/nominations/{id}", tag = "nominations", params(("id" = Uuid, Path)),
    request_body = ReviseNominationRequest,
    responses((status = 200, body = Nomination), (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn revise(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReviseNominationRequest>,
) -> ApiResult<Json<Nomination>> {
    let narrative = req
        .narrative
        .as_deref()
        .map(|n| validate::long_text("narrative", n, 1000))
        .transpose()?;
    let evidence = match req.evidence_url.as_deref() {
        Some("") => Some(None),
        Some(u) => Some(Some(validate::url("evidence_url", u)?)),
        None => None,
    };
    let txn = state.db.begin_write().await?;
    let mut n = accolade_db::nominations::by_id(&*txn, auth.school_id(), id)
        .await?
        .filter(|n| n.nominator_id == auth.id())
        .ok_or(ApiError::NotFound("nomination"))?;
    // Only a nomination returned for revision can be edited; the atomic state change makes a
    // concurrent decision win cleanly.
    if n.status != "returned"
        || !accolade_db::nominations::transition(&*txn, n.id, &["returned"], "pending", None, None)
            .await?
    {
        return Err(ApiError::AlreadyDecided);
    }
    if let Some(t) = narrative {
        n.narrative = t;
    }
    if let Some(e) = evidence {
        n.evidence_url = e;
    }
    n.status = "pending".into();
    let saved = accolade_db::nominations::save(&*txn, n).await?;
    crate::notify::nomination_created(&txn, state.config.base_url(), &saved).await?;
    let mut cache = ViewCache::default();
    let view = svc::nomination_view(&*txn, state.config.base_url(), &mut cache, &saved).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// Withdraw one's own pending or returned nomination. It still counts towards the allowance.
#[utoipa::path(delete, path = "/api/v1/nominations/{id}", tag = "nominations", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let txn = state.db.begin_write().await?;
    let n = accolade_db::nominations::by_id(&*txn, auth.school_id(), id)
        .await?
        .filter(|n| n.nominator_id == auth.id())
        .ok_or(ApiError::NotFound("nomination"))?;
    if !accolade_db::nominations::transition(
        &*txn,
        n.id,
        &["pending", "returned"],
        "withdrawn",
        None,
        None,
    )
    .await?
    {
        return Err(ApiError::AlreadyDecided);
    }
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Applies one decision inside `txn`; returns the nomination after it.
async fn decide_one(
    txn: &accolade_db::WriteTxn,
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<NominationRow> {
    let n = accolade_db::nominations::by_id(&**txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    if !policy::can_moderate(&**txn, auth, n.class_id).await? {
        return Err(ApiError::Forbidden(
            "only the class's teachers and admins moderate it",
        ));
    }
    if n.status != "pending" {
        return Err(ApiError::AlreadyDecided);
    }
    let (to, reason) = match decision {
        Decision::Approve => ("approved", reason.map(str::to_owned)),
        Decision::Reject => ("rejected", Some(reason.unwrap_or_default().to_owned())),
        Decision::Return => ("returned", Some(reason.unwrap_or_default().to_owned())),
    };
    if !accolade_db::nominations::transition(
        &**txn,
        n.id,
        &["pending"],
        to,
        Some(auth.id()),
        reason.clone(),
    )
    .await?
    {
        return Err(ApiError::AlreadyDecided);
    }
    let mut issued = None;
    if decision == Decision::Approve {
        let badge = accolade_db::badges::class_by_id(&**txn, auth.school_id(), n.badge_class_id)
            .await?
            .ok_or(ApiError::NotFound("badge class"))?;
        let nominee = accolade_db::users::by_id(&**txn, auth.school_id(), n.nominee_id)
            .await?
            .filter(|u| u.active)
            .ok_or(ApiError::NotFound("nominee"))?;
        let award = svc::issue(
            txn,
            state.config.base_url(),
            IssueInput {
                badge_class: badge,
                recipient: nominee,
                issued_by: Some(auth.id()),
                source: AwardSource::Nomination,
                nomination_id: Some(n.id),
                narrative: None,
                evidence_url: n.evidence_url.clone(),
                evidence_narrative: Some(n.narrative.clone()),
            },
        )
        .await?;
        accolade_db::nominations::set_award(&**txn, n.id, award.id).await?;
        issued = Some(award);
    }
    accolade_db::audit::record(
        &**txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: match decision {
                Decision::Approve => "nomination.approve",
                Decision::Reject => "nomination.reject",
                Decision::Return => "nomination.return",
            },
            target_type: "nomination",
            target_id: Some(n.id.to_string()),
            before: Some(serde_json::json!({"status": n.status})),
            after: Some(serde_json::json!({"status": to, "reason": reason})),
        },
    )
    .await?;
    let decided = accolade_db::nominations::by_id(&**txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    let base = state.config.base_url();
    if let Some(award) = &issued {
        crate::notify::award_issued(txn, base, award).await?;
    }
    crate::notify::nomination_decided(txn, base, &decided).await?;
    Ok(decided)
}

fn check_reason(decision: Decision, reason: Option<&str>) -> ApiResult<Option<String>> {
    match (decision, reason.filter(|r| !r.trim().is_empty())) {
        (Decision::Approve, None) => Ok(None),
        (_, Some(r)) => Ok(Some(validate::long_text("reason", r, 1000)?)),
        (_, None) => Err(ApiError::field("reason", "give the nominator a reason")),
    }
}

/// Decide a pending nomination: approve (awards the badge), reject (with a reason the nominator
/// sees) or return for revision. Decisions are final; approving twice or retrying with the same
/// `Idempotency-Key` makes exactly one award (the retry replays the first response).
///
/// Errors: 409 `already_decided`, 403, 404, 422 (`reason` missing).
#[utoipa::path(post, path = "/api/v1/nominations/{id}/decision", tag = "nominations",
    params(("id" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 200, body = Nomination), (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<Response> {
    policy::require_staff(&auth)?;
    let reason = check_reason(req.decision, req.reason.as_deref())?;
    let key = idempotency::key(&headers)?;
    let scope = format!(
        "decide:{id}:{}",
        serde_json::to_string(&req).unwrap_or_default()
    );
    let txn = state.db.begin_write().await?;
    if let Some(replayed) = idempotency::replay(&*txn, auth.id(), key.as_deref(), &scope).await? {
        return Ok(replayed);
    }
    let n = decide_one(&txn, &state, &auth, id, req.decision, reason.as_deref()).await?;
    let mut cache = ViewCache::default();
    let view = svc::nomination_view(&*txn, state.config.base_url(), &mut cache, &n).await?;
    idempotency::remember(
        &*txn,
        auth.id(),
        key.as_deref(),
        &scope,
        StatusCode::OK,
        &view,
    )
    .await?;
    txn.commit().await?;
    Ok(Json(view).into_response())
}

/// The same decision for up to 100 nominations, one result per id (one transaction per item,
/// so one failure does not undo the others).
#[utoipa::path(post, path = "/api/v1/nominations/decisions", tag = "nominations",
    request_body = BulkDecisionRequest,
    responses((status = 200, body = BulkDecisionResponse)), security(("bearer" = [])))]
pub async fn decide_bulk(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<BulkDecisionRequest>,
) -> ApiResult<Json<BulkDecisionResponse>> {
    policy::require_staff(&auth)?;
    if req.ids.is_empty() || req.ids.len() > 100 {
        return Err(ApiError::field("ids", "decide 1–100 nominations at a time"));
    }
    let reason = check_reason(req.decision, req.reason.as_deref())?;
    let mut results = Vec::new();
    for id in req.ids {
        let txn = state.db.begin_write().await?;
        match decide_one(&txn, &state, &auth, id, req.decision, reason.as_deref()).await {
            Ok(n) => {
                let mut cache = ViewCache::default();
                let view =
                    svc::nomination_view(&*txn, state.config.base_url(), &mut cache, &n).await?;
                txn.commit().await?;
                results.push(BulkItem {
                    id,
                    status: 200,
                    code: None,
                    nomination: Some(view),
                });
            }
            Err(e @ (ApiError::Internal(_) | ApiError::Unavailable)) => return Err(e),
            Err(e) => {
                let p = e.problem();
                results.push(BulkItem {
                    id,
                    status: p.status,
                    code: Some(p.code.as_str().into()),
                    nomination: None,
                });
            }
        }
    }
    Ok(Json(BulkDecisionResponse { results }))
}
