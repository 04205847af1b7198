//! `accolade demo`: a small, self-contained demo school so a new user can click around at once.
//!
//! The roster is the repository's own (`crates/accolade-server/demo/classlist.csv`, fictitious
//! people on `demo.example.org`). Every demo account's password is [`DEMO_PASSWORD`].
//!
//! The school is alive from the start: five badges with images drawn for the demo
//! (`crates/accolade-server/demo/badges/*.svg`), peer nominations in every state (pending in
//! the teacher's queue, approved, auto-approved, rejected and returned with reasons,
//! withdrawn), direct awards and one revoked award.

use std::collections::HashMap;

use accolade_db::badges::BadgeClass as BadgeClassRow;
use accolade_db::nominations::Nomination as NominationRow;
use accolade_db::schools::School;
use accolade_db::users::User;
use accolade_db::WriteTxn;
use accolade_proto::{AwardSource, CreateUserRequest, Role, SignInCardSheet};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::badges::{self as svc, IssueInput};
use crate::error::ApiError;
use crate::state::AppState;

/// Slug of the demo school.
pub const DEMO_SLUG: &str = "demo";
/// Password of every demo account (demo data only; never use it elsewhere).
pub const DEMO_PASSWORD: &str = "accolade-demo";
/// The demo admin's e-mail.
pub const DEMO_ADMIN: &str = "admin@demo.example.org";
/// The demo teacher's e-mail.
pub const DEMO_TEACHER: &str = "teacher@demo.example.org";
/// A demo student's e-mail.
pub const DEMO_STUDENT: &str = "ada@demo.example.org";

const ROSTER: &str = include_str!("../demo/classlist.csv");

/// Audit action recorded with the demo's badge data; its presence means "already seeded"
/// (no `_` or `%`: the audit query takes the action as a LIKE prefix and drops those).
const SEEDED_ACTION: &str = "demo.seeded";

/// The demo's badge images: simple, script-free SVGs (512×512 view box).
pub const BADGE_IMAGES: [(&str, &[u8]); 5] = [
    (
        "kind-classmate.svg",
        include_bytes!("../demo/badges/kind-classmate.svg"),
    ),
    (
        "star-helper.svg",
        include_bytes!("../demo/badges/star-helper.svg"),
    ),
    (
        "team-player.svg",
        include_bytes!("../demo/badges/team-player.svg"),
    ),
    (
        "code-breaker.svg",
        include_bytes!("../demo/badges/code-breaker.svg"),
    ),
    (
        "reading-champion.svg",
        include_bytes!("../demo/badges/reading-champion.svg"),
    ),
];

/// Audit action marking that the demo's claim code exists.
const CLAIM_CODE_ACTION: &str = "demo.claimcode";

/// What [`load`] did.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// False when the demo school already existed (nothing changed, except that a demo school
    /// made before badges existed gets its badge data once).
    pub created: bool,
    /// Sign-in cards issued for the first class (students without e-mail use these).
    pub cards: Option<SignInCardSheet>,
    /// The projector page of the demo's open rotating claim code.
    pub present_url: Option<String>,
}

/// Creates the demo school if it does not exist: an admin, two teachers, twelve students in two
/// classes, passwords set for everyone with an e-mail, sign-in cards for "7 Maple", and the
/// badges, nominations and awards described in the module documentation.
///
/// Idempotent: a second run changes nothing. (A demo school made before badges existed gets
/// its badge data once.)
pub async fn load(state: &AppState) -> Result<DemoSummary, ApiError> {
    let conn = state.db.conn();
    if let Some(school) = accolade_db::schools::by_slug(conn, DEMO_SLUG).await? {
        seed_badges(state, &school).await?;
        let present_url = seed_claim_code(state, &school).await?;
        return Ok(DemoSummary {
            created: false,
            cards: None,
            present_url,
        });
    }
    let school = {
        let txn = state.db.begin_write().await?;
        let s = accolade_db::schools::create(
            &*txn,
            accolade_db::schools::NewSchool {
                slug: DEMO_SLUG.into(),
                name: "Demo Academy".into(),
                timezone: "Europe/London".into(),
                sourced_id: None,
            },
        )
        .await?;
        txn.commit().await?;
        s
    };
    let source = accolade_roster::load_bytes(ROSTER.as_bytes())
        .map_err(|e| ApiError::Internal(format!("demo roster: {e}")))?;
    crate::import::apply(&state.db, &school, source, None).await?;

    let staff = [
        (Role::Admin, "Sam Okafor", DEMO_ADMIN, "demo-admin"),
        (Role::Teacher, "Maria Rivera", DEMO_TEACHER, "ms-rivera"),
        (
            Role::Teacher,
            "John Park",
            "park@demo.example.org",
            "mr-park",
        ),
    ];
    let mut teacher_ids = Vec::new();
    for (role, name, email, handle) in staff {
        let u = crate::routes::users::create_user(
            state,
            school.id,
            None,
            CreateUserRequest {
                role,
                display_name: name.into(),
                email: Some(email.into()),
                handle: Some(handle.into()),
                password: Some(DEMO_PASSWORD.into()),
            },
        )
        .await?;
        if role == Role::Teacher {
            teacher_ids.push(u.id);
        }
    }
    let classes = accolade_db::classes::all_in_school(conn, school.id).await?;
    let txn = state.db.begin_write().await?;
    for class in &classes {
        for t in &teacher_ids {
            accolade_db::classes::enroll(&*txn, school.id, class.id, *t, "teacher", None).await?;
        }
    }
    // Students with an e-mail get the demo password; the others sign in with cards.
    let hash = state
        .hasher
        .hash(crate::password::normalise(DEMO_PASSWORD, true)?)
        .await?;
    for mut u in accolade_db::users::all_in_school(&*txn, school.id).await? {
        if u.role == "student" && u.email.is_some() {
            u.password_hash = Some(hash.clone());
            accolade_db::users::save(&*txn, u).await?;
        }
    }
    txn.commit().await?;
    seed_badges(state, &school).await?;
    let cards = match classes.iter().find(|c| c.title == "7 Maple") {
        Some(class) => Some(
            crate::cards::issue_for_class(
                &state.db,
                state.config.base_url(),
                &school,
                class,
                None,
                state.config.signin_card_ttl_days,
            )
            .await?,
        ),
        None => None,
    };
    let present_url = seed_claim_code(state, &school).await?;
    Ok(DemoSummary {
        created: true,
        cards,
        present_url,
    })
}

/// An open rotating claim code ("Science Week", a year long, whole school) made by the demo
/// teacher, so the projector page can be tried at once. Created once; returns its projector
/// URL.
async fn seed_claim_code(state: &AppState, school: &School) -> Result<Option<String>, ApiError> {
    let conn = state.db.conn();
    if let Some(done) = accolade_db::audit::list(conn, school.id, Some(CLAIM_CODE_ACTION), 0, 1)
        .await?
        .into_iter()
        .next()
    {
        return Ok(done
            .target_id
            .map(|id| format!("{}/present/{id}", state.config.base_url())));
    }
    let Some(teacher) = accolade_db::users::by_email(conn, school.id, DEMO_TEACHER).await? else {
        return Ok(None);
    };
    let Some(badge) = accolade_db::badges::classes_in_school(conn, school.id, false)
        .await?
        .into_iter()
        .find(|b| b.name == "Star Helper")
    else {
        return Ok(None);
    };
    let code = crate::routes::claims::create_code(
        state,
        school.id,
        teacher.id,
        accolade_proto::CreateClaimCodeRequest {
            badge_class_id: badge.id,
            title: "Science Week".into(),
            class_ids: Vec::new(),
            mode: Some(accolade_proto::ClaimMode::Rotating),
            rotation_secs: Some(15),
            starts_at: None,
            ends_at: (state.now() + chrono::Duration::days(365)).to_rfc3339(),
            max_claims: None,
            sheet_size: None,
            allow_repeat: None,
        },
    )
    .await?;
    let txn = state.db.begin_write().await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: school.id,
            actor_id: None,
            action: CLAIM_CODE_ACTION,
            target_type: "claim_code",
            target_id: Some(code.id.to_string()),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Some(format!(
        "{}/present/{}",
        state.config.base_url(),
        code.id
    )))
}

/// One demo badge class.
struct DemoBadge {
    image: &'static str,
    name: &'static str,
    description: &'static str,
    criteria: &'static str,
    tags: &'static [&'static str],
    peer_nominable: bool,
    auto_approve: bool,
    repeatable: bool,
    /// Only for this class (scope `classes`).
    class: Option<&'static str>,
    /// E-mail of the teacher who made it.
    creator: &'static str,
}

const BADGES: [DemoBadge; 5] = [
    DemoBadge {
        image: "kind-classmate.svg",
        name: "Kind Classmate",
        description: "Makes everyone feel welcome and included.",
        criteria: "Nominated by a classmate for a **specific** act of kindness this week.",
        tags: &["kindness"],
        peer_nominable: true,
        auto_approve: false,
        repeatable: false,
        class: None,
        creator: DEMO_TEACHER,
    },
    DemoBadge {
        image: "star-helper.svg",
        name: "Star Helper",
        description: "Goes out of their way to help classmates and teachers.",
        criteria: "Helped someone without being asked: explaining, tidying, lending a hand.",
        tags: &["helping"],
        peer_nominable: true,
        auto_approve: false,
        repeatable: false,
        class: None,
        creator: DEMO_TEACHER,
    },
    DemoBadge {
        image: "team-player.svg",
        name: "Team Player",
        description: "Makes group work work: shares the jobs, listens, keeps everyone going.",
        criteria: "Nominated by a team mate after a group project. Awarded at once.",
        tags: &["teamwork"],
        peer_nominable: true,
        auto_approve: true,
        repeatable: false,
        class: None,
        creator: DEMO_ADMIN,
    },
    DemoBadge {
        image: "code-breaker.svg",
        name: "Code Breaker",
        description: "Cracked a tricky programming or cipher challenge in Y9 Computing.",
        criteria: "Solved a computing challenge, or found and fixed a bug others were stuck on.",
        tags: &["computing"],
        peer_nominable: true,
        auto_approve: false,
        repeatable: false,
        class: Some("Y9 Computing"),
        creator: PARK,
    },
    DemoBadge {
        image: "reading-champion.svg",
        name: "Reading Champion",
        description: "Reads widely and shares the love of books.",
        criteria: "Awarded by a teacher for reading milestones; can be earned again.",
        tags: &["reading"],
        peer_nominable: false,
        auto_approve: false,
        repeatable: true,
        class: None,
        creator: DEMO_TEACHER,
    },
];

const PARK: &str = "park@demo.example.org";

/// What becomes of a demo nomination.
enum Fate {
    /// Waits in the teacher's queue.
    Pending,
    /// Awarded at once (the badge needs no teacher).
    AutoApproved,
    /// Approved by this teacher.
    Approved(&'static str),
    /// Rejected by this teacher, with a reason.
    Rejected(&'static str, &'static str),
    /// Returned by this teacher for revision, with a request.
    Returned(&'static str, &'static str),
    /// Withdrawn by its nominator.
    Withdrawn,
}

/// (badge, nominator, nominee, class, narrative, fate), in the order they happen.
const NOMINATIONS: [(&str, &str, &str, &str, &str, Fate); 9] = [
    (
        "Star Helper",
        "grace",
        "ada",
        "7 Maple",
        "Ada explained loops to me three times in computing club and never got impatient.",
        Fate::Approved(DEMO_TEACHER),
    ),
    (
        "Kind Classmate",
        "radia",
        "sophie",
        "Y9 Computing",
        "Sophie showed the new student around all week and sat with her at lunch.",
        Fate::Approved(PARK),
    ),
    (
        "Team Player",
        "alan",
        "katherine",
        "7 Maple",
        "Katherine made sure everyone in our group had a job for the Moon landing poster.",
        Fate::AutoApproved,
    ),
    (
        "Kind Classmate",
        "hedy",
        "tim",
        "7 Maple",
        "Tim is nice.",
        Fate::Rejected(
            DEMO_TEACHER,
            "Kind Classmate needs a specific example: what did Tim do, and when?",
        ),
    ),
    (
        "Code Breaker",
        "sophie",
        "nour",
        "Y9 Computing",
        "Nour did really well in computing.",
        Fate::Returned(
            PARK,
            "Lovely! Can you add what Nour built or fixed, so everyone can see why?",
        ),
    ),
    (
        "Star Helper",
        "nour",
        "radia",
        "Y9 Computing",
        "Radia helped me set up my account.",
        Fate::Withdrawn,
    ),
    (
        "Kind Classmate",
        "grace",
        "alan",
        "7 Maple",
        "Alan lent me his calculator in the maths test when mine broke.",
        Fate::Pending,
    ),
    (
        "Code Breaker",
        "margaret",
        "ada",
        "Y9 Computing",
        "Ada found the bug in our traffic-light program that nobody else could see.",
        Fate::Pending,
    ),
    (
        "Star Helper",
        "tim",
        "hedy",
        "7 Maple",
        "Hedy stayed behind to help tidy the science lab after the volcano experiment.",
        Fate::Pending,
    ),
];

/// Direct awards: (badge, teacher, student, narrative, revoked with this reason).
const AWARDS: [(&str, &str, &str, &str, Option<&str>); 5] = [
    (
        "Reading Champion",
        DEMO_TEACHER,
        "ada",
        "Ten books read this term: well done!",
        None,
    ),
    (
        "Reading Champion",
        DEMO_TEACHER,
        "katherine",
        "Finished the whole Year 7 reading list.",
        None,
    ),
    (
        "Code Breaker",
        PARK,
        "margaret",
        "First to crack the Caesar cipher challenge.",
        None,
    ),
    (
        "Code Breaker",
        PARK,
        "dennis",
        "Wrote the fastest sorting program in the class.",
        None,
    ),
    (
        "Reading Champion",
        DEMO_TEACHER,
        "tim",
        "Twenty books read this term!",
        Some("Given by mistake: this was meant for another student."),
    ),
];

/// The people and places of the demo school, looked up once.
struct Cast {
    school: School,
    base: String,
    users: HashMap<String, User>,
    classes: HashMap<String, Uuid>,
    badges: HashMap<&'static str, BadgeClassRow>,
}

impl Cast {
    fn user(&self, key: &str) -> Result<&User, ApiError> {
        self.users
            .get(key)
            .ok_or_else(|| ApiError::Internal(format!("demo user {key} is missing")))
    }

    fn class(&self, title: &str) -> Result<Uuid, ApiError> {
        self.classes
            .get(title)
            .copied()
            .ok_or_else(|| ApiError::Internal(format!("demo class {title} is missing")))
    }

    fn badge(&self, name: &str) -> Result<&BadgeClassRow, ApiError> {
        self.badges
            .get(name)
            .ok_or_else(|| ApiError::Internal(format!("demo badge {name} is missing")))
    }

    /// A peer nomination (auto-approved badges are awarded at once, as through the API).
    async fn nominate(
        &self,
        txn: &WriteTxn,
        badge: &str,
        nominator: &str,
        nominee: &str,
        class: &str,
        narrative: &str,
    ) -> Result<NominationRow, ApiError> {
        let badge = self.badge(badge)?.clone();
        let now = accolade_db::now();
        let n = accolade_db::nominations::insert(
            &**txn,
            NominationRow {
                id: Uuid::now_v7(),
                school_id: self.school.id,
                badge_class_id: badge.id,
                nominator_id: self.user(nominator)?.id,
                nominee_id: self.user(nominee)?.id,
                class_id: self.class(class)?,
                narrative: narrative.into(),
                evidence_url: None,
                status: "pending".into(),
                decided_by: None,
                decided_at: None,
                decision_reason: None,
                award_id: None,
                source: "peer".into(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        if badge.moderation == "auto_approve" {
            let award = svc::issue(
                txn,
                &self.base,
                IssueInput {
                    badge_class: badge,
                    recipient: self.user(nominee)?.clone(),
                    issued_by: None,
                    source: AwardSource::Nomination,
                    nomination_id: Some(n.id),
                    narrative: None,
                    evidence_url: None,
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
        }
        Ok(n)
    }

    /// A teacher's decision: `approved` (issues the award), `rejected` or `returned`.
    async fn decide(
        &self,
        txn: &WriteTxn,
        n: &NominationRow,
        teacher: &str,
        to: &str,
        reason: Option<&str>,
    ) -> Result<(), ApiError> {
        let teacher = self.user(teacher)?;
        accolade_db::nominations::transition(
            &**txn,
            n.id,
            &["pending"],
            to,
            Some(teacher.id),
            reason.map(str::to_owned),
        )
        .await?;
        if to == "approved" {
            let badge = self
                .badges
                .values()
                .find(|b| b.id == n.badge_class_id)
                .ok_or_else(|| ApiError::Internal("demo badge is missing".into()))?;
            let recipient = self
                .users
                .values()
                .find(|u| u.id == n.nominee_id)
                .ok_or_else(|| ApiError::Internal("demo nominee is missing".into()))?;
            let award = svc::issue(
                txn,
                &self.base,
                IssueInput {
                    badge_class: badge.clone(),
                    recipient: recipient.clone(),
                    issued_by: Some(teacher.id),
                    source: AwardSource::Nomination,
                    nomination_id: Some(n.id),
                    narrative: None,
                    evidence_url: None,
                    evidence_narrative: Some(n.narrative.clone()),
                },
            )
            .await?;
            accolade_db::nominations::set_award(&**txn, n.id, award.id).await?;
        }
        Ok(())
    }

    /// A teacher awards a badge directly.
    async fn award(
        &self,
        txn: &WriteTxn,
        badge: &str,
        teacher: &str,
        student: &str,
        narrative: &str,
    ) -> Result<accolade_db::awards::Award, ApiError> {
        svc::issue(
            txn,
            &self.base,
            IssueInput {
                badge_class: self.badge(badge)?.clone(),
                recipient: self.user(student)?.clone(),
                issued_by: Some(self.user(teacher)?.id),
                source: AwardSource::Direct,
                nomination_id: None,
                narrative: Some(narrative.into()),
                evidence_url: None,
                evidence_narrative: None,
            },
        )
        .await
    }
}

/// Adds the demo's badges, nominations and awards to `school`, once (all in one transaction,
/// marked by an audit entry).
async fn seed_badges(state: &AppState, school: &School) -> Result<(), ApiError> {
    if !accolade_db::audit::list(state.db.conn(), school.id, Some(SEEDED_ACTION), 0, 1)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let txn = state.db.begin_write().await?;
    if !accolade_db::audit::list(&*txn, school.id, Some(SEEDED_ACTION), 0, 1)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let mut cast = Cast {
        school: school.clone(),
        base: state.config.base_url().to_owned(),
        users: HashMap::new(),
        classes: HashMap::new(),
        badges: HashMap::new(),
    };
    // Staff by e-mail; students by given name (two of them have no e-mail).
    for u in accolade_db::users::all_in_school(&*txn, school.id).await? {
        let key = if u.role == "student" {
            u.given_name.as_deref().map(str::to_lowercase)
        } else {
            u.email.clone()
        };
        if let Some(k) = key.filter(|_| u.active) {
            cast.users.insert(k, u);
        }
    }
    for c in accolade_db::classes::all_in_school(&*txn, school.id).await? {
        cast.classes.insert(c.title, c.id);
    }

    for b in &BADGES {
        let (_, bytes) = BADGE_IMAGES
            .iter()
            .find(|(file, _)| *file == b.image)
            .ok_or_else(|| ApiError::Internal(format!("demo image {} is missing", b.image)))?;
        let checked = accolade_openbadges::check_image(bytes)
            .map_err(|e| ApiError::Internal(format!("demo image {}: {e}", b.image)))?;
        let image = accolade_db::badges::insert_image(
            &*txn,
            school.id,
            checked.kind.mime_type(),
            bytes.to_vec(),
            hex::encode(Sha256::digest(bytes)),
            checked.width.map(|w| w as i32),
            checked.height.map(|h| h as i32),
        )
        .await?;
        let now = accolade_db::now();
        let mut row = accolade_db::badges::insert_class(
            &*txn,
            BadgeClassRow {
                id: Uuid::now_v7(),
                school_id: school.id,
                created_by: Some(cast.user(b.creator)?.id),
                name: b.name.into(),
                description: b.description.into(),
                criteria_narrative: Some(b.criteria.into()),
                criteria_url: None,
                image_id: image.id,
                tags: serde_json::json!(b.tags),
                expires_after_days: None,
                scope: if b.class.is_some() {
                    "classes"
                } else {
                    "school"
                }
                .into(),
                peer_nominable: b.peer_nominable,
                moderation: if b.auto_approve {
                    "auto_approve"
                } else {
                    "required"
                }
                .into(),
                repeatable: b.repeatable,
                current_revision_id: None,
                archived_at: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        if let Some(class) = b.class {
            accolade_db::badges::set_scope(&*txn, row.id, &[cast.class(class)?]).await?;
        }
        svc::sync_revision(&txn, &cast.base, &mut row).await?;
        let row = accolade_db::badges::save_class(&*txn, row).await?;
        cast.badges.insert(b.name, row);
    }

    for (badge, nominator, nominee, class, narrative, fate) in NOMINATIONS {
        let n = cast
            .nominate(&txn, badge, nominator, nominee, class, narrative)
            .await?;
        match fate {
            Fate::Pending | Fate::AutoApproved => {}
            Fate::Approved(teacher) => cast.decide(&txn, &n, teacher, "approved", None).await?,
            Fate::Rejected(teacher, reason) => {
                cast.decide(&txn, &n, teacher, "rejected", Some(reason))
                    .await?;
            }
            Fate::Returned(teacher, reason) => {
                cast.decide(&txn, &n, teacher, "returned", Some(reason))
                    .await?;
            }
            Fate::Withdrawn => {
                accolade_db::nominations::transition(
                    &*txn,
                    n.id,
                    &["pending"],
                    "withdrawn",
                    None,
                    None,
                )
                .await?;
            }
        }
    }
    for (badge, teacher, student, narrative, revoked) in AWARDS {
        let award = cast.award(&txn, badge, teacher, student, narrative).await?;
        if let Some(reason) = revoked {
            accolade_db::awards::revoke(&*txn, award.id, Some(cast.user(teacher)?.id), reason)
                .await?;
        }
    }

    seed_collections(&txn, &cast).await?;

    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: school.id,
            actor_id: None,
            action: SEEDED_ACTION,
            target_type: "school",
            target_id: Some(school.id.to_string()),
            before: None,
            after: Some(serde_json::json!({
                "badge_classes": BADGES.len(),
                "nominations": NOMINATIONS.len(),
                "direct_awards": AWARDS.len(),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ada's collections, so the public pages have something to show: a public one with all her
/// live badges (and the school's sharing switch on) and one shared with the school.
async fn seed_collections(txn: &WriteTxn, cast: &Cast) -> Result<(), ApiError> {
    let mut school = cast.school.clone();
    school.allow_public_sharing = true;
    accolade_db::schools::save(&**txn, school).await?;
    let mut ada = cast.user("ada")?.clone();
    ada.show_name_publicly = true;
    let ada = accolade_db::users::save(&**txn, ada).await?;
    let awards: Vec<_> = accolade_db::awards::by_recipient(&**txn, cast.school.id, ada.id, 0, 1000)
        .await?
        .into_iter()
        .filter(|a| a.revoked_at.is_none())
        .collect();
    for (title, subtitle, visibility, take) in [
        (
            "My proudest badges",
            Some("What I am proud of this year"),
            "public",
            awards.len(),
        ),
        ("Science club", None, "school", 1),
    ] {
        let slug =
            crate::backpack::unique_slug(&**txn, ada.id, &crate::backpack::slugify(title), None)
                .await?;
        let c = accolade_db::collections::create(
            &**txn,
            accolade_db::collections::NewCollection {
                school_id: cast.school.id,
                owner_id: ada.id,
                title: title.into(),
                subtitle: subtitle.map(str::to_owned),
                slug,
                visibility: visibility.into(),
            },
        )
        .await?;
        let items: Vec<(Uuid, Option<String>)> = awards
            .iter()
            .take(take)
            .enumerate()
            .map(|(i, a)| {
                (
                    a.id,
                    (i == 0).then(|| "This one means the most to me".to_owned()),
                )
            })
            .collect();
        accolade_db::collections::set_items(&**txn, c.id, &items).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_badge_images_are_safe_512_svgs() {
        for (file, bytes) in BADGE_IMAGES {
            let checked =
                accolade_openbadges::check_image(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(checked.kind, accolade_openbadges::ImageKind::Svg, "{file}");
            assert_eq!(
                (checked.width, checked.height),
                (Some(512), Some(512)),
                "{file}"
            );
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(
                text.starts_with("<svg"),
                "{file}: <svg> must open the file (baking)"
            );
            assert!(text.contains(r#"viewBox="0 0 512 512""#), "{file}");
            assert!(!text.contains("<script") && !text.contains(" on"), "{file}");
            accolade_openbadges::rasterize_svg(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
        for b in &BADGES {
            assert!(
                BADGE_IMAGES.iter().any(|(f, _)| *f == b.image),
                "{}",
                b.name
            );
        }
    }
}
