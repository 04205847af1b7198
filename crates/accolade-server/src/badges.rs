//! Badge services shared by the API, the CLI and the demo: hosted Open Badges URLs and
//! documents, badge class revisions, issuing awards, the weekly nomination allowance, and the
//! wire views of nominations and awards.

use std::collections::HashMap;

use accolade_db::awards::Award as AwardRow;
use accolade_db::badges::{BadgeClass as BadgeClassRow, Revision};
use accolade_db::nominations::Nomination as NominationRow;
use accolade_db::schools::School;
use accolade_db::users::User;
use accolade_db::WriteTxn;
use accolade_openbadges::{
    AssertionDoc, BadgeClassDoc, Evidence, IdentityKind, IssuerProfile, RecipientIdentity,
};
use accolade_proto::{
    Allowance, Award, AwardSource, AwardStatus, BadgeClass, BadgeRef, BadgeScope, Moderation,
    Nomination, NominationStatus, PersonRef,
};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// `{base}/ob/v2/assertions/{id}`: the hosted Assertion (OB 2.0 §HostedBadge).
pub fn assertion_url(base: &str, id: Uuid) -> String {
    format!("{base}/ob/v2/assertions/{id}")
}

/// `{base}/ob/v2/badges/{class_id}/v{n}`: one immutable BadgeClass revision.
pub fn revision_url(base: &str, class_id: Uuid, number: i32) -> String {
    format!("{base}/ob/v2/badges/{class_id}/v{number}")
}

/// `{base}/ob/v2/issuers/{school_id}`: the school as Issuer Profile.
pub fn issuer_url(base: &str, school_id: Uuid) -> String {
    format!("{base}/ob/v2/issuers/{school_id}")
}

/// `{base}/ob/v2/issuers/{school_id}/revocations`: the issuer's RevocationList.
pub fn revocation_list_url(base: &str, school_id: Uuid) -> String {
    format!("{base}/ob/v2/issuers/{school_id}/revocations")
}

/// `{base}/ob/v2/images/{image_id}`: a badge image.
pub fn image_url(base: &str, image_id: Uuid) -> String {
    format!("{base}/ob/v2/images/{image_id}")
}

/// The Issuer Profile document of a school (OB 2.0 §Profile).
pub fn issuer_json(base: &str, school: &School) -> String {
    accolade_openbadges::issuer_json(&IssuerProfile {
        id: issuer_url(base, school.id),
        name: school.name.clone(),
        url: base.to_owned(),
        email: school.email_sender.clone(),
        description: None,
        image: None,
        revocation_list: Some(revocation_list_url(base, school.id)),
    })
}

/// The BadgeClass document of a revision (OB 2.0 §BadgeClass).
pub fn revision_json(base: &str, rev: &Revision) -> ApiResult<String> {
    let tags: Vec<String> = serde_json::from_value(rev.tags.clone()).unwrap_or_default();
    accolade_openbadges::badge_class_json(&BadgeClassDoc {
        id: revision_url(base, rev.badge_class_id, rev.revision),
        name: rev.name.clone(),
        description: rev.description.clone(),
        image: image_url(base, rev.image_id),
        criteria_url: rev.criteria_url.clone(),
        criteria_narrative: rev.criteria_narrative.clone(),
        issuer: issuer_url(base, rev.school_id),
        tags,
    })
    .map_err(|_| {
        ApiError::field(
            "criteria_narrative",
            "criteria narrative or URL is required",
        )
    })
}

/// Makes the current revision match the badge class's name, description, criteria and image:
/// rewritten in place while no award uses it, otherwise a new revision is added (so issued
/// assertions keep pointing at a document that never changes).
pub async fn sync_revision(
    txn: &WriteTxn,
    base: &str,
    class: &mut BadgeClassRow,
) -> ApiResult<Revision> {
    let current = match class.current_revision_id {
        Some(id) => accolade_db::badges::revision(&**txn, id).await?,
        None => None,
    };
    let same = |r: &Revision| {
        r.name == class.name
            && r.description == class.description
            && r.criteria_narrative == class.criteria_narrative
            && r.criteria_url == class.criteria_url
            && r.image_id == class.image_id
            && r.tags == class.tags
    };
    if let Some(rev) = &current {
        if same(rev) {
            return Ok(rev.clone());
        }
    }
    let in_use = match &current {
        Some(rev) => accolade_db::badges::awards_under_revision(&**txn, rev.id).await? > 0,
        None => true,
    };
    let mut rev = match (&current, in_use) {
        (Some(rev), false) => rev.clone(),
        (prev, _) => Revision {
            id: Uuid::now_v7(),
            badge_class_id: class.id,
            school_id: class.school_id,
            revision: prev.as_ref().map_or(1, |p| p.revision + 1),
            name: String::new(),
            description: String::new(),
            criteria_narrative: None,
            criteria_url: None,
            image_id: class.image_id,
            tags: serde_json::json!([]),
            json: String::new(),
            created_at: accolade_db::now(),
        },
    };
    rev.name = class.name.clone();
    rev.description = class.description.clone();
    rev.criteria_narrative = class.criteria_narrative.clone();
    rev.criteria_url = class.criteria_url.clone();
    rev.image_id = class.image_id;
    rev.tags = class.tags.clone();
    rev.json = revision_json(base, &rev)?;
    let saved = match (&current, in_use) {
        (Some(_), false) => accolade_db::badges::save_revision(&**txn, rev).await?,
        _ => accolade_db::badges::insert_revision(&**txn, rev).await?,
    };
    class.current_revision_id = Some(saved.id);
    Ok(saved)
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueInput {
    /// The badge class (already checked to be in the recipient's school).
    pub badge_class: BadgeClassRow,
    /// The recipient (an active student of the school).
    pub recipient: User,
    /// Teacher, admin or (for claims) nobody.
    pub issued_by: Option<Uuid>,
    /// How it came about.
    pub source: AwardSource,
    /// The approved nomination, if any.
    pub nomination_id: Option<Uuid>,
    /// Assertion narrative (teacher's words for direct awards).
    pub narrative: Option<String>,
    /// Evidence URL.
    pub evidence_url: Option<String>,
    /// Evidence narrative (the nomination's narrative, or "Claimed at …").
    pub evidence_narrative: Option<String>,
}

fn source_str(s: AwardSource) -> &'static str {
    match s {
        AwardSource::Nomination => "nomination",
        AwardSource::Direct => "direct",
        AwardSource::Claim => "claim",
    }
}

/// Issues one award inside `txn`: checks archive state and non-repeatable holdings, builds the
/// OB 2.0 Assertion (salted hashed recipient identity: e-mail, or the profile URL for students
/// without one) and stores it with its exact JSON.
///
/// Errors: 409 `already_held`, 409 `conflict` (archived badge).
pub async fn issue(txn: &WriteTxn, base: &str, input: IssueInput) -> ApiResult<AwardRow> {
    let class = &input.badge_class;
    if class.archived_at.is_some() {
        return Err(ApiError::Conflict("this badge is archived".into()));
    }
    if !class.repeatable && accolade_db::awards::holds(&**txn, input.recipient.id, class.id).await?
    {
        return Err(ApiError::AlreadyHeld);
    }
    let revision_id = class
        .current_revision_id
        .ok_or_else(|| ApiError::Internal("badge class without revision".into()))?;
    let revision = accolade_db::badges::revision(&**txn, revision_id)
        .await?
        .ok_or_else(|| ApiError::Internal("missing revision".into()))?;
    let id = Uuid::new_v4();
    let salt = hex::encode(rand::random::<[u8; 16]>());
    let (kind, identity) = match &input.recipient.email {
        Some(email) => (IdentityKind::Email, email.clone()),
        None => (
            IdentityKind::Url,
            format!("{base}/@{}", input.recipient.handle),
        ),
    };
    let hashed = accolade_openbadges::hash_identity(kind, &identity, &salt);
    let now = Utc::now();
    let issued_on = Utc
        .timestamp_opt(now.timestamp(), 0)
        .single()
        .unwrap_or(now);
    let expires = class
        .expires_after_days
        .filter(|d| *d > 0)
        .map(|d| issued_on + Duration::days(i64::from(d)));
    let mut evidence = Vec::new();
    if input.evidence_narrative.is_some() || input.evidence_url.is_some() {
        evidence.push(Evidence {
            id: input.evidence_url.clone(),
            narrative: input.evidence_narrative.clone(),
            name: None,
        });
    }
    let json = accolade_openbadges::assertion_json(&AssertionDoc {
        id: assertion_url(base, id),
        badge: revision_url(base, class.id, revision.revision),
        recipient: RecipientIdentity {
            identity: hashed.clone(),
            kind,
            salt: salt.clone(),
        },
        issued_on,
        expires,
        evidence,
        narrative: input.narrative.clone(),
        image: None,
    });
    let row = AwardRow {
        id,
        school_id: class.school_id,
        badge_class_id: class.id,
        revision_id,
        recipient_id: input.recipient.id,
        issued_by: input.issued_by,
        nomination_id: input.nomination_id,
        source: source_str(input.source).to_owned(),
        narrative: input.narrative,
        evidence_url: input.evidence_url,
        evidence_narrative: input.evidence_narrative,
        identity_type: kind.as_str().to_owned(),
        identity_hash: hashed,
        salt,
        issued_on: accolade_db::ts(issued_on),
        expires_at: expires.map(accolade_db::ts),
        exclusive_key: (!class.repeatable).then_some(class.id),
        hidden: false,
        revoked_at: None,
        revoked_by: None,
        revocation_reason: None,
        json,
        created_at: accolade_db::now(),
    };
    // A savepoint turns a lost race on the unique index into a clean 409 on PostgreSQL too.
    let sp = txn.begin().await?;
    match accolade_db::awards::insert(&sp, row).await {
        Ok(award) => {
            sp.commit().await?;
            Ok(award)
        }
        Err(e) if accolade_db::is_unique_violation(&e) => {
            sp.rollback().await?;
            Err(ApiError::AlreadyHeld)
        }
        Err(e) => Err(e.into()),
    }
}

/// Start of the current allowance week: Monday 00:00 in `tz`, as a UTC instant, and the next
/// reset.
pub fn week_bounds(tz_name: &str, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::UTC);
    let local = now.with_timezone(&tz);
    let monday =
        local.date_naive() - Duration::days(i64::from(local.weekday().num_days_from_monday()));
    let start = local_midnight(&tz, monday);
    let next = local_midnight(&tz, monday + Duration::days(7));
    (start, next)
}

fn local_midnight(tz: &chrono_tz::Tz, date: chrono::NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Midnight can fall in a DST gap in a few zones: take the first valid instant after it.
    (0..4)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + Duration::hours(h)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The nominator's allowance this week.
pub async fn allowance(
    conn: &impl ConnectionTrait,
    school: &School,
    nominator_id: Uuid,
) -> ApiResult<Allowance> {
    let (start, next) = week_bounds(&school.timezone, Utc::now());
    let used = accolade_db::nominations::count_by_nominator_since(
        conn,
        nominator_id,
        accolade_db::ts(start),
    )
    .await?;
    let weekly = school.weekly_nomination_allowance.max(0) as u32;
    let used = used.min(u64::from(u32::MAX)) as u32;
    Ok(Allowance {
        weekly,
        used,
        remaining: weekly.saturating_sub(used),
        resets_at: next,
    })
}

/// Caches for building many views with few queries.
#[derive(Default)]
pub struct ViewCache {
    users: HashMap<Uuid, Option<User>>,
    revisions: HashMap<Uuid, Option<Revision>>,
    classes: HashMap<Uuid, Option<String>>,
    schools: HashMap<Uuid, Option<String>>,
}

impl ViewCache {
    async fn user(&mut self, conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<User>> {
        if let Some(hit) = self.users.get(&id) {
            return Ok(hit.clone());
        }
        let u = accolade_db::users::by_id_unscoped(conn, id).await?;
        self.users.insert(id, u.clone());
        Ok(u)
    }

    async fn revision(
        &mut self,
        conn: &impl ConnectionTrait,
        id: Uuid,
    ) -> ApiResult<Option<Revision>> {
        if let Some(hit) = self.revisions.get(&id) {
            return Ok(hit.clone());
        }
        let r = accolade_db::badges::revision(conn, id).await?;
        self.revisions.insert(id, r.clone());
        Ok(r)
    }

    async fn class_title(
        &mut self,
        conn: &impl ConnectionTrait,
        school_id: Uuid,
        id: Uuid,
    ) -> ApiResult<String> {
        if let Some(hit) = self.classes.get(&id) {
            return Ok(hit.clone().unwrap_or_default());
        }
        let c = accolade_db::classes::by_id(conn, school_id, id)
            .await?
            .map(|c| c.title);
        self.classes.insert(id, c.clone());
        Ok(c.unwrap_or_default())
    }

    async fn school_name(&mut self, conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<String> {
        if let Some(hit) = self.schools.get(&id) {
            return Ok(hit.clone().unwrap_or_default());
        }
        let s = accolade_db::schools::by_id(conn, id).await?.map(|s| s.name);
        self.schools.insert(id, s.clone());
        Ok(s.unwrap_or_default())
    }
}

fn person(u: Option<&User>, id: Uuid) -> PersonRef {
    PersonRef {
        id,
        display_name: u
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| "Former student".into()),
    }
}

/// Wire view of a nomination.
pub async fn nomination_view(
    conn: &impl ConnectionTrait,
    base: &str,
    cache: &mut ViewCache,
    n: &NominationRow,
) -> ApiResult<Nomination> {
    let class = accolade_db::badges::class_by_id(conn, n.school_id, n.badge_class_id).await?;
    let badge = match &class {
        Some(c) => BadgeRef {
            id: c.id,
            name: c.name.clone(),
            image_url: image_url(base, c.image_id),
        },
        None => BadgeRef {
            id: n.badge_class_id,
            name: String::new(),
            image_url: String::new(),
        },
    };
    let nominator = cache.user(conn, n.nominator_id).await?;
    let nominee = cache.user(conn, n.nominee_id).await?;
    Ok(Nomination {
        id: n.id,
        badge,
        nominator: person(nominator.as_ref(), n.nominator_id),
        nominee: person(nominee.as_ref(), n.nominee_id),
        class_id: n.class_id,
        class_title: cache.class_title(conn, n.school_id, n.class_id).await?,
        narrative: n.narrative.clone(),
        evidence_url: n.evidence_url.clone(),
        status: NominationStatus::parse(&n.status).unwrap_or(NominationStatus::Pending),
        decision_reason: n.decision_reason.clone(),
        decided_at: n.decided_at.map(|t| t.with_timezone(&Utc)),
        award_id: n.award_id,
        created_at: n.created_at.with_timezone(&Utc),
    })
}

/// Status of an award now.
pub fn award_status(a: &AwardRow) -> AwardStatus {
    if a.revoked_at.is_some() {
        AwardStatus::Revoked
    } else if a
        .expires_at
        .is_some_and(|e| e.with_timezone(&Utc) <= Utc::now())
    {
        AwardStatus::Expired
    } else {
        AwardStatus::Valid
    }
}

/// Wire view of an award.
pub async fn award_view(
    conn: &impl ConnectionTrait,
    base: &str,
    cache: &mut ViewCache,
    a: &AwardRow,
) -> ApiResult<Award> {
    let rev = cache
        .revision(conn, a.revision_id)
        .await?
        .ok_or_else(|| ApiError::Internal("award without revision".into()))?;
    let recipient = cache.user(conn, a.recipient_id).await?;
    Ok(Award {
        id: a.id,
        badge: BadgeRef {
            id: a.badge_class_id,
            name: rev.name.clone(),
            image_url: image_url(base, rev.image_id),
        },
        description: rev.description.clone(),
        criteria_narrative: rev.criteria_narrative.clone(),
        criteria_url: rev.criteria_url.clone(),
        recipient: person(recipient.as_ref(), a.recipient_id),
        issuer_name: cache.school_name(conn, a.school_id).await?,
        issued_on: a.issued_on.with_timezone(&Utc),
        expires: a.expires_at.map(|t| t.with_timezone(&Utc)),
        narrative: a.narrative.clone().or_else(|| a.evidence_narrative.clone()),
        evidence_url: a.evidence_url.clone(),
        source: match a.source.as_str() {
            "nomination" => AwardSource::Nomination,
            "claim" => AwardSource::Claim,
            _ => AwardSource::Direct,
        },
        status: award_status(a),
        revocation_reason: a.revocation_reason.clone(),
        hidden: a.hidden,
        assertion_url: assertion_url(base, a.id),
        baked_png_url: format!("{}.png", assertion_url(base, a.id)),
        baked_svg_url: format!("{}.svg", assertion_url(base, a.id)),
    })
}

/// Wire view of a badge class.
pub async fn badge_class_view(
    conn: &impl ConnectionTrait,
    base: &str,
    c: &BadgeClassRow,
) -> ApiResult<BadgeClass> {
    let class_ids = accolade_db::badges::scope_class_ids(conn, c.id).await?;
    let (live, _) = accolade_db::badges::award_counts(conn, c.id).await?;
    let rev = match c.current_revision_id {
        Some(id) => accolade_db::badges::revision(conn, id).await?,
        None => None,
    };
    let number = rev.as_ref().map_or(1, |r| r.revision);
    Ok(BadgeClass {
        id: c.id,
        name: c.name.clone(),
        description: c.description.clone(),
        criteria_narrative: c.criteria_narrative.clone(),
        criteria_url: c.criteria_url.clone(),
        image_url: image_url(base, c.image_id),
        tags: serde_json::from_value(c.tags.clone()).unwrap_or_default(),
        expires_after_days: c.expires_after_days.filter(|d| *d > 0).map(|d| d as u32),
        scope: if c.scope == "classes" {
            BadgeScope::Classes
        } else {
            BadgeScope::School
        },
        class_ids,
        peer_nominable: c.peer_nominable,
        moderation: if c.moderation == "auto_approve" {
            Moderation::AutoApprove
        } else {
            Moderation::Required
        },
        repeatable: c.repeatable,
        archived: c.archived_at.is_some(),
        revision: number.max(1) as u32,
        badge_url: revision_url(base, c.id, number),
        award_count: live,
    })
}

/// Is `student` eligible for badge class `c` — scope `school`: any student of the school;
/// scope `classes`: enrolled in one of the scope classes.
pub async fn in_scope(
    conn: &impl ConnectionTrait,
    c: &BadgeClassRow,
    student_id: Uuid,
) -> ApiResult<bool> {
    if c.scope != "classes" {
        return Ok(true);
    }
    for class_id in accolade_db::badges::scope_class_ids(conn, c.id).await? {
        if accolade_db::classes::enrollment(conn, class_id, student_id)
            .await?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_starts_monday_local() {
        // Wednesday 2026-12-02 10:00 UTC in London → Monday 2026-11-30 00:00 UTC.
        let now = Utc
            .with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
            .single()
            .expect("date");
        let (start, next) = week_bounds("Europe/London", now);
        assert_eq!(
            start,
            Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0)
                .single()
                .expect("d")
        );
        assert_eq!(
            next,
            Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0)
                .single()
                .expect("d")
        );
        // Sunday 2026-11-29 14:00 UTC is already Monday 01:00 in Sydney (UTC+11).
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 14, 0, 0)
            .single()
            .expect("date");
        let (start, _) = week_bounds("Australia/Sydney", now);
        assert_eq!(
            start,
            Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 0)
                .single()
                .expect("d")
        );
    }
}
