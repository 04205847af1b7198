//! Domain notifications: each function is called inside the write transaction of the action it
//! reports, stores the realtime event for its recipients (delivered only after commit) and,
//! where the recipient wants e-mail, queues the message in the outbox.

use accolade_db::awards::Award as AwardRow;
use accolade_db::nominations::Nomination as NominationRow;
use accolade_db::WriteTxn;
use accolade_proto::ws::event_type;
use accolade_proto::{AwardEvent, ImportReport, NominationEvent, RosterImported};
use uuid::Uuid;

use crate::badges::{self as svc, ViewCache};
use crate::error::{ApiError, ApiResult};

fn json<T: serde::Serialize>(v: &T) -> ApiResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Teachers enrolled as teacher in `class_id`.
async fn class_teachers(txn: &WriteTxn, school_id: Uuid, class_id: Uuid) -> ApiResult<Vec<Uuid>> {
    Ok(accolade_db::classes::members(&**txn, school_id, class_id)
        .await?
        .into_iter()
        .filter(|(u, role)| role == "teacher" && u.role != "student")
        .map(|(u, _)| u.id)
        .collect())
}

/// `nomination.created` → the class's teachers and the school's admins (whose queue shows the
/// whole school), only while it is pending.
pub async fn nomination_created(txn: &WriteTxn, base: &str, n: &NominationRow) -> ApiResult<()> {
    if n.status != "pending" {
        return Ok(());
    }
    let mut cache = ViewCache::default();
    let view = svc::nomination_view(&**txn, base, &mut cache, n).await?;
    let mut to = class_teachers(txn, n.school_id, n.class_id).await?;
    for admin in accolade_db::users::admin_ids(&**txn, n.school_id).await? {
        if !to.contains(&admin) {
            to.push(admin);
        }
    }
    accolade_db::events::record(
        txn,
        n.school_id,
        event_type::NOMINATION_CREATED,
        &json(&NominationEvent { nomination: view })?,
        &to,
    )
    .await?;
    Ok(())
}

/// `nomination.decided` → the nominator, and the nominee only when approved (a rejected or
/// returned nomination is never shown to its nominee).
pub async fn nomination_decided(txn: &WriteTxn, base: &str, n: &NominationRow) -> ApiResult<()> {
    let mut cache = ViewCache::default();
    let view = svc::nomination_view(&**txn, base, &mut cache, n).await?;
    let mut to = vec![n.nominator_id];
    if n.status == "approved" {
        to.push(n.nominee_id);
    }
    accolade_db::events::record(
        txn,
        n.school_id,
        event_type::NOMINATION_DECIDED,
        &json(&NominationEvent { nomination: view })?,
        &to,
    )
    .await?;
    crate::mail::nomination_decided(txn, base, n).await?;
    Ok(())
}

/// `award.issued` → the recipient.
pub async fn award_issued(txn: &WriteTxn, base: &str, a: &AwardRow) -> ApiResult<()> {
    let mut cache = ViewCache::default();
    let view = svc::award_view(&**txn, base, &mut cache, a).await?;
    accolade_db::events::record(
        txn,
        a.school_id,
        event_type::AWARD_ISSUED,
        &json(&AwardEvent {
            award: view.clone(),
        })?,
        &[a.recipient_id],
    )
    .await?;
    crate::mail::award_issued(txn, base, a, &view).await?;
    Ok(())
}

/// `award.revoked` → the recipient.
pub async fn award_revoked(txn: &WriteTxn, base: &str, a: &AwardRow) -> ApiResult<()> {
    let mut cache = ViewCache::default();
    let view = svc::award_view(&**txn, base, &mut cache, a).await?;
    accolade_db::events::record(
        txn,
        a.school_id,
        event_type::AWARD_REVOKED,
        &json(&AwardEvent { award: view })?,
        &[a.recipient_id],
    )
    .await?;
    Ok(())
}

/// `roster.imported` → the school's admins.
pub async fn roster_imported(
    txn: &WriteTxn,
    school_id: Uuid,
    report: &ImportReport,
) -> ApiResult<()> {
    let admins: Vec<Uuid> = accolade_db::users::all_in_school(&**txn, school_id)
        .await?
        .into_iter()
        .filter(|u| u.role == "admin" && u.active)
        .map(|u| u.id)
        .collect();
    let data = RosterImported {
        users: report.users,
        classes: report.classes,
        enrollments: report.enrollments,
        problems: report.problems.len() as u64,
    };
    accolade_db::events::record(
        txn,
        school_id,
        event_type::ROSTER_IMPORTED,
        &json(&data)?,
        &admins,
    )
    .await?;
    Ok(())
}

/// Closes every socket of a session at once (logout, refresh-token reuse), after commit.
pub async fn session_ended(txn: &WriteTxn, session_id: Uuid) -> ApiResult<()> {
    accolade_db::events::control(txn, format!("session:{session_id}")).await?;
    Ok(())
}

/// Closes every socket of a user at once (deactivation, password reset by an admin).
pub async fn user_sessions_ended(txn: &WriteTxn, user_id: Uuid) -> ApiResult<()> {
    accolade_db::events::control(txn, format!("user:{user_id}")).await?;
    Ok(())
}
