//! A realistic school week at Northfield Academy, played over HTTP against the real server with
//! a seeded pseudo-random generator: the OneRoster import, ten badge classes, 200 peer
//! nominations (with every way a nomination can be refused), teachers moderating their queues
//! (approve, reject with reasons, return; returned ones revised and approved, or withdrawn),
//! 50 direct awards (some to a whole class in one request), 5 revocations. A model of the week
//! predicts every response, and at the end every count must add up, in the database and
//! through the API; 20 sampled assertions pass the official Open Badges validator.

mod obtools;

use std::collections::{BTreeMap, HashMap, HashSet};

use accolade_e2e::{fixture, import_roster, zip_folder, TestServer, PASSWORD};
use accolade_proto::{
    Allowance, Award, AwardSource, AwardStatus, BulkDecisionResponse, CreateAwardsResponse,
    CreateNominationsResponse, Nomination, NominationStatus, Page, Role,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

/// Nominations the week makes.
const NOMINATIONS: usize = 200;
/// Awards teachers make directly.
const DIRECT_AWARDS: usize = 50;
/// Awards revoked on Friday.
const REVOCATIONS: usize = 5;
/// The default weekly allowance.
const ALLOWANCE: u32 = 5;
/// Nominations made late on Friday that nobody has moderated yet.
const LEFT_PENDING: usize = 6;
const DAYS: [&str; 5] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

/// Knuth's MMIX linear congruential generator: deterministic and dependency-free.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

struct Student {
    id: Uuid,
    name: String,
    email: Option<String>,
    handle: String,
    classes: Vec<usize>,
}

struct ClassInfo {
    id: Uuid,
    title: String,
    students: Vec<Uuid>,
    teachers: Vec<usize>,
}

struct Teacher {
    id: Uuid,
    /// `None`: away this week (the admin covers their classes).
    token: Option<String>,
    classes: Vec<usize>,
}

struct Badge {
    id: Uuid,
    name: &'static str,
    peer: bool,
    auto: bool,
    repeatable: bool,
    /// Scope classes (indices), when scoped.
    scope: Option<Vec<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Approved,
    Auto,
    Direct,
    Bulk,
}

struct AwardRec {
    id: Uuid,
    recipient: Uuid,
    badge: usize,
    source: Source,
    nomination: Option<Uuid>,
    revoked: bool,
}

struct Nom {
    id: Uuid,
    nominator: Uuid,
    nominee: Uuid,
    badge: usize,
    class: Uuid,
    narrative: String,
    status: NominationStatus,
    reason: Option<String>,
    award: Option<Uuid>,
    revised: bool,
    /// A returned nomination its nominator has already dealt with (or decided to leave).
    handled: bool,
}

/// What the model expects of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Err(StatusCode, &'static str),
}

struct Resp {
    status: StatusCode,
    body: Value,
    replayed: bool,
}

#[derive(Default)]
struct Stats {
    teacher_approvals: usize,
    auto_approvals: usize,
    direct: usize,
    rejected: usize,
    returned: usize,
    revised: usize,
    withdrawn: usize,
    idempotent_replays: usize,
    /// Refused requests by error code.
    refused: BTreeMap<&'static str, usize>,
}

struct Week<'a> {
    srv: &'a TestServer,
    rng: Lcg,
    admin: String,
    students: Vec<Student>,
    student_ix: HashMap<Uuid, usize>,
    classes: Vec<ClassInfo>,
    class_ix: HashMap<Uuid, usize>,
    teachers: Vec<Teacher>,
    badges: Vec<Badge>,
    keen: Vec<usize>,
    sessions: HashMap<Uuid, String>,
    held: HashSet<(Uuid, usize)>,
    open: HashSet<(Uuid, usize)>,
    used: HashMap<Uuid, u32>,
    noms: Vec<Nom>,
    nom_ix: HashMap<Uuid, usize>,
    awards: Vec<AwardRec>,
    stats: Stats,
}

fn uuid_of(v: &Value) -> Uuid {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("expected a uuid, got {v}"))
}

fn parse<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("unexpected body ({e}): {v}"))
}

const REJECT_REASONS: [&str; 4] = [
    "Please nominate for something that happened this week.",
    "This sounds more like the Team Player badge.",
    "Nominations need a specific example, not a general compliment.",
    "We discussed this one in class: it was a joint effort.",
];
const RETURN_REASONS: [&str; 3] = [
    "Lovely idea! Can you say what exactly they did?",
    "Please add when it happened.",
    "Can you explain how it helped the class?",
];
const DEEDS: [&str; 6] = [
    "helped me understand fractions",
    "shared their notes when I was ill",
    "organised the litter pick",
    "stayed calm and kind during the group project",
    "fixed the bug in our robot",
    "read to the Year 7s at lunch",
];

impl<'a> Week<'a> {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> Resp {
        let mut req = self
            .srv
            .http
            .request(method, self.srv.url(path))
            .bearer_auth(token);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let replayed = res.headers().get("idempotent-replayed").is_some();
        let bytes = res.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        assert!(
            !status.is_server_error(),
            "{path}: server error {status}: {body}"
        );
        Resp {
            status,
            body,
            replayed,
        }
    }

    /// Every page of a paged list.
    async fn all_pages<T: DeserializeOwned>(&self, path: &str, token: &str) -> Vec<T> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
                None => format!("{path}{sep}limit=200"),
            };
            let (status, body) = self.srv.get(&url, token).await;
            assert_eq!(status, StatusCode::OK, "GET {url}: {body}");
            let page: Page<T> = parse(body);
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return out,
            }
        }
    }

    /// Checks a refusal against the model's expectation and counts it.
    fn expect_refusal(&mut self, what: &str, expect: Expect, r: &Resp) {
        let Expect::Err(status, code) = expect else {
            panic!("{what}: expected success, got {}: {}", r.status, r.body);
        };
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert_eq!(r.body["code"], code, "{what}: {}", r.body);
        *self.stats.refused.entry(code).or_default() += 1;
    }

    async fn session(&mut self, user: Uuid) -> String {
        if let Some(t) = self.sessions.get(&user) {
            return t.clone();
        }
        let row = accolade_db::users::by_id_unscoped(self.srv.state.db.conn(), user)
            .await
            .expect("load user")
            .expect("user exists");
        let t = accolade_server::routes::auth::start_session(&self.srv.state, &row)
            .await
            .expect("start session")
            .access_token;
        self.sessions.insert(user, t.clone());
        t
    }

    fn student(&self, id: Uuid) -> &Student {
        &self.students[self.student_ix[&id]]
    }

    fn in_scope(&self, student: Uuid, badge: usize) -> bool {
        match &self.badges[badge].scope {
            None => true,
            Some(scope) => self
                .student(student)
                .classes
                .iter()
                .any(|c| scope.contains(c)),
        }
    }

    fn used(&self, student: Uuid) -> u32 {
        self.used.get(&student).copied().unwrap_or(0)
    }

    /// Classes of the nominator where `nominee` is a classmate and the badge is available.
    fn shared_classes(
        &self,
        nominator: Uuid,
        nominee: Uuid,
        badge: usize,
        class: Option<Uuid>,
    ) -> Vec<usize> {
        self.student(nominator)
            .classes
            .iter()
            .copied()
            .filter(|c| class.is_none_or(|w| self.classes[*c].id == w))
            .filter(|c| {
                self.badges[badge]
                    .scope
                    .as_ref()
                    .is_none_or(|s| s.contains(c))
            })
            .filter(|c| self.student(nominee).classes.contains(c))
            .collect()
    }

    /// The model's prediction for `POST /nominations`, in the order the server checks.
    fn predict_nomination(
        &self,
        nominator: Uuid,
        nominees: &[Uuid],
        badge: usize,
        class: Option<Uuid>,
    ) -> Expect {
        if nominees.contains(&nominator) {
            return Expect::Err(StatusCode::UNPROCESSABLE_ENTITY, "self_nomination");
        }
        let b = &self.badges[badge];
        if !b.peer {
            return Expect::Err(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        }
        if self.used(nominator) + nominees.len() as u32 > ALLOWANCE {
            return Expect::Err(StatusCode::UNPROCESSABLE_ENTITY, "allowance_exceeded");
        }
        for n in nominees {
            if self.shared_classes(nominator, *n, badge, class).is_empty() {
                return Expect::Err(StatusCode::FORBIDDEN, "forbidden");
            }
            if !b.repeatable && self.held.contains(&(*n, badge)) {
                return Expect::Err(StatusCode::CONFLICT, "already_held");
            }
            if self.open.contains(&(*n, badge)) {
                return Expect::Err(StatusCode::CONFLICT, "duplicate_nomination");
            }
        }
        Expect::Ok
    }

    fn record_award(
        &mut self,
        award: &Award,
        badge: usize,
        source: Source,
        nomination: Option<Uuid>,
    ) {
        assert_eq!(award.badge.id, self.badges[badge].id);
        assert_eq!(award.status, AwardStatus::Valid);
        self.held.insert((award.recipient.id, badge));
        self.awards.push(AwardRec {
            id: award.id,
            recipient: award.recipient.id,
            badge,
            source,
            nomination,
            revoked: false,
        });
    }

    /// Sends one nomination request and checks it against the model; returns true if created.
    async fn nominate(
        &mut self,
        nominator: Uuid,
        nominees: Vec<Uuid>,
        badge: usize,
        class: Option<Uuid>,
    ) -> bool {
        let expect = self.predict_nomination(nominator, &nominees, badge, class);
        let n = self.noms.len();
        let deed = self.rng.pick(&DEEDS);
        let narrative = format!(
            "{} {deed} (nomination #{n})",
            self.student(nominees[0]).name
        );
        let mut body = json!({
            "badge_class_id": self.badges[badge].id,
            "nominee_ids": nominees,
            "narrative": narrative,
        });
        if let Some(c) = class {
            body["class_id"] = json!(c);
        }
        let token = self.session(nominator).await;
        let r = self
            .send(
                Method::POST,
                "/api/v1/nominations",
                &token,
                Some(body),
                None,
            )
            .await;
        if expect != Expect::Ok {
            self.expect_refusal("nomination", expect, &r);
            return false;
        }
        assert_eq!(r.status, StatusCode::CREATED, "nomination: {}", r.body);
        let created: CreateNominationsResponse = parse(r.body);
        assert_eq!(created.nominations.len(), nominees.len());
        *self.used.entry(nominator).or_default() += nominees.len() as u32;
        assert_eq!(created.allowance.used, self.used(nominator));
        assert_eq!(created.allowance.weekly, ALLOWANCE);
        // One nomination per nominee (in no particular order).
        let mut got: Vec<Uuid> = created.nominations.iter().map(|v| v.nominee.id).collect();
        let mut want = nominees.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "one nomination per nominee");
        for view in &created.nominations {
            let nominee = &view.nominee.id;
            assert_eq!(view.nominator.id, nominator);
            if let Some(c) = class {
                assert_eq!(view.class_id, c);
            }
            let shared = self.shared_classes(nominator, *nominee, badge, None);
            assert!(
                shared.contains(&self.class_ix[&view.class_id]),
                "nomination made in a class they do not share"
            );
            let mut status = NominationStatus::Pending;
            if self.badges[badge].auto {
                assert_eq!(view.status, NominationStatus::Approved);
                let award_id = view
                    .award_id
                    .expect("auto-approved nomination has an award");
                let token = self.session(*nominee).await;
                let (s, a) = self
                    .srv
                    .get(&format!("/api/v1/awards/{award_id}"), &token)
                    .await;
                assert_eq!(s, StatusCode::OK, "{a}");
                let award: Award = parse(a);
                assert_eq!(award.source, AwardSource::Nomination);
                self.record_award(&award, badge, Source::Auto, Some(view.id));
                self.stats.auto_approvals += 1;
                status = NominationStatus::Approved;
            } else {
                assert_eq!(view.status, NominationStatus::Pending);
                self.open.insert((*nominee, badge));
            }
            self.nom_ix.insert(view.id, self.noms.len());
            self.noms.push(Nom {
                id: view.id,
                nominator,
                nominee: *nominee,
                badge,
                class: view.class_id,
                narrative: view.narrative.clone(),
                status,
                reason: None,
                award: view.award_id,
                revised: false,
                handled: false,
            });
        }
        true
    }

    /// A random nomination attempt, mostly sensible, sometimes not (like real students).
    async fn random_nomination(&mut self, budget: usize) -> bool {
        let nominator = if self.rng.chance(30) {
            self.students[self.rng.pick(&self.keen)].id
        } else {
            self.students[self.rng.below(self.students.len())].id
        };
        let peer: Vec<usize> = (0..self.badges.len())
            .filter(|b| self.badges[*b].peer)
            .collect();
        let mut badge = self.rng.pick(&peer);
        let mine = self.student(nominator).classes.clone();
        let mut options: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|c| {
                self.badges[badge]
                    .scope
                    .as_ref()
                    .is_none_or(|s| s.contains(c))
            })
            .collect();
        if options.is_empty() {
            if self.rng.chance(15) {
                // Tries a class badge anyway: no shared class where it is available.
                let c = self.rng.pick(&mine);
                let pool: Vec<Uuid> = self.classes[c]
                    .students
                    .iter()
                    .copied()
                    .filter(|s| *s != nominator)
                    .collect();
                let nominee = self.rng.pick(&pool);
                return self.nominate(nominator, vec![nominee], badge, None).await;
            }
            let school_wide: Vec<usize> = peer
                .iter()
                .copied()
                .filter(|b| self.badges[*b].scope.is_none())
                .collect();
            badge = self.rng.pick(&school_wide);
            options = mine;
        }
        let class = self.rng.pick(&options);
        let pool: Vec<Uuid> = self.classes[class]
            .students
            .iter()
            .copied()
            .filter(|s| *s != nominator)
            .collect();
        let first = self.rng.pick(&pool);
        let mut nominees = vec![first];
        if budget >= 2 && self.rng.chance(12) {
            let second = self.rng.pick(&pool);
            if second != first {
                nominees.push(second);
            }
        }
        let class_id = self.rng.chance(75).then(|| self.classes[class].id);
        self.nominate(nominator, nominees, badge, class_id).await
    }

    /// A classmate of `student` (sharing a class where `badge` is available) with allowance
    /// left, for the targeted refusals.
    fn classmate_with_allowance(&self, student: Uuid, badge: usize) -> Option<Uuid> {
        let s = self.student(student);
        s.classes
            .iter()
            .filter(|c| {
                self.badges[badge]
                    .scope
                    .as_ref()
                    .is_none_or(|sc| sc.contains(c))
            })
            .flat_map(|c| self.classes[*c].students.iter().copied())
            .find(|m| *m != student && self.used(*m) < ALLOWANCE)
    }

    /// Targeted refusals, so each kind is exercised whatever the random walk did.
    async fn refusals(&mut self) {
        // Nominating oneself (with a classmate).
        let me = self.students[self.rng.below(self.students.len())].id;
        let c = self.student(me).classes[0];
        let mate = self.classes[c].students.iter().copied().find(|s| *s != me);
        let mate = mate.expect("a classmate");
        let school_badge = (0..self.badges.len())
            .find(|b| self.badges[*b].peer && self.badges[*b].scope.is_none())
            .expect("a school-wide badge");
        assert!(!self.nominate(me, vec![mate, me], school_badge, None).await);
        // A badge that is not open to nominations.
        let closed = (0..self.badges.len())
            .find(|b| !self.badges[*b].peer)
            .expect("a staff-only badge");
        assert!(!self.nominate(me, vec![mate], closed, None).await);
        // Someone else already nominated this classmate for this badge.
        let mut open: Vec<(Uuid, usize)> = self.open.iter().copied().collect();
        open.sort_by_key(|(s, b)| (self.student_ix[s], *b));
        if !open.is_empty() {
            let (nominee, badge) = open[self.rng.below(open.len())];
            if let Some(other) = self.classmate_with_allowance(nominee, badge) {
                assert!(!self.nominate(other, vec![nominee], badge, None).await);
            }
        }
        // The classmate already holds this (non-repeatable) badge.
        let mut held: Vec<(Uuid, usize)> = self
            .held
            .iter()
            .copied()
            .filter(|(_, b)| self.badges[*b].peer && !self.badges[*b].repeatable)
            .collect();
        held.sort_by_key(|(s, b)| (self.student_ix[s], *b));
        if !held.is_empty() {
            let (nominee, badge) = held[self.rng.below(held.len())];
            if let Some(other) = self.classmate_with_allowance(nominee, badge) {
                assert!(!self.nominate(other, vec![nominee], badge, None).await);
            }
        }
        // Someone in no shared class.
        let stranger = self
            .students
            .iter()
            .find(|s| {
                !s.classes
                    .iter()
                    .any(|c| self.student(me).classes.contains(c))
            })
            .map(|s| s.id)
            .expect("a student in other classes");
        assert!(!self.nominate(me, vec![stranger], school_badge, None).await);
    }

    /// The teacher (present this week) who moderates `class`, or the admin.
    fn moderator(&self, class: Uuid) -> String {
        self.classes[self.class_ix[&class]]
            .teachers
            .iter()
            .find_map(|t| self.teachers[*t].token.clone())
            .unwrap_or_else(|| self.admin.clone())
    }

    /// Every queue shows exactly the pending nominations its owner may moderate.
    async fn check_queues(&self) {
        let pending: HashSet<Uuid> = self
            .noms
            .iter()
            .filter(|n| n.status == NominationStatus::Pending)
            .map(|n| n.id)
            .collect();
        let all: Vec<Nomination> = self
            .all_pages("/api/v1/nominations/queue", &self.admin)
            .await;
        let ids: HashSet<Uuid> = all.iter().map(|n| n.id).collect();
        assert_eq!(ids.len(), all.len(), "queue repeats an item");
        assert_eq!(
            ids, pending,
            "the admin's queue is exactly the pending nominations"
        );
        assert!(all.iter().all(|n| n.status == NominationStatus::Pending));
        for t in &self.teachers {
            let Some(token) = &t.token else { continue };
            let queue: Vec<Nomination> = self.all_pages("/api/v1/nominations/queue", token).await;
            let got: HashSet<Uuid> = queue.iter().map(|n| n.id).collect();
            let want: HashSet<Uuid> = self
                .noms
                .iter()
                .filter(|n| n.status == NominationStatus::Pending)
                .filter(|n| t.classes.contains(&self.class_ix[&n.class]))
                .map(|n| n.id)
                .collect();
            assert_eq!(
                got, want,
                "a teacher's queue: pending in the classes they teach"
            );
        }
    }

    async fn decide(
        &mut self,
        i: usize,
        decision: &str,
        reason: Option<&str>,
        key: Option<String>,
    ) {
        let id = self.noms[i].id;
        let token = self.moderator(self.noms[i].class);
        let mut body = json!({"decision": decision});
        if let Some(r) = reason {
            body["reason"] = json!(r);
        }
        let path = format!("/api/v1/nominations/{id}/decision");
        let r = self
            .send(
                Method::POST,
                &path,
                &token,
                Some(body.clone()),
                key.as_deref(),
            )
            .await;
        if decision == "approve" && self.approval_conflicts(i) {
            self.expect_refusal(
                "approve",
                Expect::Err(StatusCode::CONFLICT, "already_held"),
                &r,
            );
            return self.reject_as_held(i).await;
        }
        assert_eq!(r.status, StatusCode::OK, "{decision}: {}", r.body);
        if let Some(k) = &key {
            // A retry (lost response): the same answer, no second award.
            let again = self
                .send(Method::POST, &path, &token, Some(body), Some(k))
                .await;
            assert_eq!(again.status, StatusCode::OK);
            assert!(again.replayed, "a retried decision is a replay");
            assert_eq!(again.body, r.body);
            self.stats.idempotent_replays += 1;
        }
        self.apply_decision(i, parse(r.body)).await;
    }

    fn approval_conflicts(&self, i: usize) -> bool {
        let n = &self.noms[i];
        !self.badges[n.badge].repeatable && self.held.contains(&(n.nominee, n.badge))
    }

    /// The nominee was given the badge directly meanwhile: the teacher rejects the nomination.
    async fn reject_as_held(&mut self, i: usize) {
        Box::pin(self.decide(
            i,
            "reject",
            Some("They already have this badge: a teacher awarded it this week."),
            None,
        ))
        .await;
    }

    async fn apply_decision(&mut self, i: usize, view: Nomination) {
        let n = &self.noms[i];
        assert_eq!(view.id, n.id);
        let badge = n.badge;
        let nominee = n.nominee;
        match view.status {
            NominationStatus::Approved => {
                let award_id = view.award_id.expect("approved nomination has an award");
                let token = self.session(nominee).await;
                let (s, a) = self
                    .srv
                    .get(&format!("/api/v1/awards/{award_id}"), &token)
                    .await;
                assert_eq!(s, StatusCode::OK, "{a}");
                let award: Award = parse(a);
                assert_eq!(award.source, AwardSource::Nomination);
                assert_eq!(award.narrative.as_deref(), Some(view.narrative.as_str()));
                self.record_award(&award, badge, Source::Approved, Some(view.id));
                self.stats.teacher_approvals += 1;
                self.open.remove(&(nominee, badge));
            }
            NominationStatus::Rejected => {
                assert!(view.award_id.is_none());
                self.stats.rejected += 1;
                self.open.remove(&(nominee, badge));
            }
            NominationStatus::Returned => {
                assert!(view.award_id.is_none());
                self.stats.returned += 1;
            }
            other => panic!("unexpected status after a decision: {other:?}"),
        }
        let n = &mut self.noms[i];
        n.status = view.status;
        n.reason = view.decision_reason.clone();
        n.award = view.award_id;
    }

    /// The teachers (and the admin, for absent colleagues' classes) work through their queues.
    async fn moderate(&mut self, day: usize, leave: &HashSet<Uuid>) {
        self.check_queues().await;
        let pending: Vec<usize> = (0..self.noms.len())
            .filter(|i| self.noms[*i].status == NominationStatus::Pending)
            .filter(|i| !leave.contains(&self.noms[*i].id))
            .collect();
        // Approvals go in bulk, per moderator (in order of first appearance).
        let mut bulk: Vec<(String, Vec<usize>)> = Vec::new();
        for i in pending {
            let r = self.rng.below(100);
            if self.noms[i].revised || r < 72 {
                if self.rng.chance(15) {
                    let key = format!("approve-{}-{day}", self.noms[i].id);
                    self.decide(i, "approve", None, Some(key)).await;
                } else {
                    let token = self.moderator(self.noms[i].class);
                    match bulk.iter_mut().find(|(t, _)| *t == token) {
                        Some((_, items)) => items.push(i),
                        None => bulk.push((token, vec![i])),
                    }
                }
            } else if r < 88 {
                let reason = self.rng.pick(&REJECT_REASONS);
                self.decide(i, "reject", Some(reason), None).await;
            } else {
                let reason = self.rng.pick(&RETURN_REASONS);
                self.decide(i, "return", Some(reason), None).await;
            }
        }
        for (token, items) in bulk {
            for chunk in items.chunks(100) {
                let ids: Vec<Uuid> = chunk.iter().map(|i| self.noms[*i].id).collect();
                let r = self
                    .send(
                        Method::POST,
                        "/api/v1/nominations/decisions",
                        &token,
                        Some(json!({"ids": ids, "decision": "approve"})),
                        None,
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "bulk approve: {}", r.body);
                let res: BulkDecisionResponse = parse(r.body);
                assert_eq!(res.results.len(), chunk.len());
                for (item, i) in res.results.into_iter().zip(chunk) {
                    assert_eq!(item.id, self.noms[*i].id);
                    if self.approval_conflicts(*i) {
                        assert_eq!(
                            (item.status, item.code.as_deref()),
                            (409, Some("already_held"))
                        );
                        *self.stats.refused.entry("already_held").or_default() += 1;
                        self.reject_as_held(*i).await;
                    } else {
                        assert_eq!(item.status, 200, "{:?}", item.code);
                        self.apply_decision(*i, item.nomination.expect("decided nomination"))
                            .await;
                    }
                }
            }
        }
        // Decisions are final: deciding again is refused.
        if let Some(i) = self
            .noms
            .iter()
            .position(|n| n.status == NominationStatus::Rejected)
        {
            let id = self.noms[i].id;
            let r = self
                .send(
                    Method::POST,
                    &format!("/api/v1/nominations/{id}/decision"),
                    &self.admin,
                    Some(json!({"decision": "approve"})),
                    None,
                )
                .await;
            self.expect_refusal(
                "second decision",
                Expect::Err(StatusCode::CONFLICT, "already_decided"),
                &r,
            );
        }
        self.check_queues().await;
    }

    /// Nominators deal with returned nominations: most revise, some withdraw, some leave them.
    async fn revise_returned(&mut self) {
        for i in 0..self.noms.len() {
            if self.noms[i].status != NominationStatus::Returned || self.noms[i].handled {
                continue;
            }
            self.noms[i].handled = true;
            let (id, nominator) = (self.noms[i].id, self.noms[i].nominator);
            let token = self.session(nominator).await;
            // The nominator sees what the teacher asked for.
            let (s, v) = self
                .srv
                .get(&format!("/api/v1/nominations/{id}"), &token)
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let view: Nomination = parse(v);
            assert_eq!(view.status, NominationStatus::Returned);
            assert_eq!(view.decision_reason, self.noms[i].reason);
            let r = self.rng.below(100);
            if r < 65 {
                let narrative = format!("{} It happened on Monday in the library.", view.narrative);
                let res = self
                    .send(
                        Method::PATCH,
                        &format!("/api/v1/nominations/{id}"),
                        &token,
                        Some(json!({"narrative": narrative})),
                        None,
                    )
                    .await;
                assert_eq!(res.status, StatusCode::OK, "revise: {}", res.body);
                let view: Nomination = parse(res.body);
                assert_eq!(view.status, NominationStatus::Pending);
                let n = &mut self.noms[i];
                n.status = NominationStatus::Pending;
                n.narrative = narrative;
                n.revised = true;
                self.stats.revised += 1;
            } else if r < 85 {
                self.withdraw(i).await;
            }
        }
    }

    async fn withdraw(&mut self, i: usize) {
        let (id, nominator) = (self.noms[i].id, self.noms[i].nominator);
        let token = self.session(nominator).await;
        let res = self
            .send(
                Method::DELETE,
                &format!("/api/v1/nominations/{id}"),
                &token,
                None,
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "withdraw: {}", res.body);
        let n = &mut self.noms[i];
        n.status = NominationStatus::Withdrawn;
        self.open.remove(&(n.nominee, n.badge));
        self.stats.withdrawn += 1;
    }

    /// The model's prediction for one recipient of a direct award.
    fn predict_direct(&self, student: Uuid, badge: usize) -> Option<&'static str> {
        if !self.in_scope(student, badge) {
            Some("not_in_scope")
        } else if !self.badges[badge].repeatable && self.held.contains(&(student, badge)) {
            Some("already_held")
        } else {
            None
        }
    }

    /// A direct award to one student; returns true when made.
    async fn award_one(&mut self, token: &str, student: Uuid, badge: usize) -> bool {
        let expect = match self.predict_direct(student, badge) {
            None => Expect::Ok,
            Some("not_in_scope") => Expect::Err(StatusCode::FORBIDDEN, "forbidden"),
            Some(_) => Expect::Err(StatusCode::CONFLICT, "already_held"),
        };
        let n = self.awards.len();
        let body = json!({
            "badge_class_id": self.badges[badge].id,
            "recipient_ids": [student],
            "narrative": format!("Well done this week! (award #{n})"),
        });
        let r = self
            .send(Method::POST, "/api/v1/awards", token, Some(body), None)
            .await;
        if expect != Expect::Ok {
            self.expect_refusal("direct award", expect, &r);
            return false;
        }
        assert_eq!(r.status, StatusCode::CREATED, "direct award: {}", r.body);
        let res: CreateAwardsResponse = parse(r.body);
        assert_eq!(res.awards.len(), 1);
        assert!(res.skipped.is_empty());
        assert_eq!(res.awards[0].source, AwardSource::Direct);
        self.record_award(&res.awards[0], badge, Source::Direct, None);
        self.stats.direct += 1;
        true
    }

    /// A present teacher awards a random badge to a random student of one of their classes.
    async fn random_direct_award(&mut self) -> bool {
        let present: Vec<usize> = (0..self.teachers.len())
            .filter(|t| self.teachers[*t].token.is_some() && !self.teachers[*t].classes.is_empty())
            .collect();
        let t = self.rng.pick(&present);
        let class = self.rng.pick(&self.teachers[t].classes);
        let student = self.rng.pick(&self.classes[class].students);
        let badge = self.rng.below(self.badges.len());
        if self.badges[badge].name == "Assembly 2026" {
            return false;
        }
        let token = self.teachers[t].token.clone().expect("present");
        self.award_one(&token, student, badge).await
    }

    /// A whole class (plus extra students) in one request, with a retried Idempotency-Key.
    async fn award_class(&mut self, class: usize, extra: &[Uuid], badge: usize, key: &str) {
        let token = self.moderator(self.classes[class].id);
        let mut expected: Vec<Uuid> = self.classes[class].students.clone();
        expected.extend_from_slice(extra);
        expected.sort();
        expected.dedup();
        let body = json!({
            "badge_class_id": self.badges[badge].id,
            "class_id": self.classes[class].id,
            "recipient_ids": extra,
            "narrative": format!("Everyone in {} earned this.", self.classes[class].title),
        });
        let r = self
            .send(
                Method::POST,
                "/api/v1/awards",
                &token,
                Some(body.clone()),
                Some(key),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "class award: {}", r.body);
        let again = self
            .send(
                Method::POST,
                "/api/v1/awards",
                &token,
                Some(body),
                Some(key),
            )
            .await;
        assert!(again.replayed && again.body == r.body, "retry replays");
        self.stats.idempotent_replays += 1;
        let res: CreateAwardsResponse = parse(r.body);
        let mut want_skipped: BTreeMap<Uuid, &str> = BTreeMap::new();
        let mut want_awarded: HashSet<Uuid> = HashSet::new();
        for s in &expected {
            match self.predict_direct(*s, badge) {
                Some(code) => {
                    want_skipped.insert(*s, code);
                }
                None => {
                    want_awarded.insert(*s);
                }
            }
        }
        let got_skipped: BTreeMap<Uuid, &str> = res
            .skipped
            .iter()
            .map(|s| (s.recipient_id, s.code.as_str()))
            .collect();
        assert_eq!(got_skipped, want_skipped, "skipped recipients");
        let got: HashSet<Uuid> = res.awards.iter().map(|a| a.recipient.id).collect();
        assert_eq!(got, want_awarded, "awarded recipients");
        for a in &res.awards {
            self.record_award(a, badge, Source::Bulk, None);
            self.stats.direct += 1;
        }
        for code in want_skipped.values() {
            if *code == "already_held" {
                *self
                    .stats
                    .refused
                    .entry("already_held (bulk skip)")
                    .or_default() += 1;
            }
        }
    }

    fn badge(&self, name: &str) -> usize {
        self.badges
            .iter()
            .position(|b| b.name == name)
            .unwrap_or_else(|| panic!("badge {name}"))
    }
}

/// (file, name, peer-nominable, auto-approve, repeatable, scope title prefixes)
type BadgeSpec = (
    &'static str,
    &'static str,
    bool,
    bool,
    bool,
    &'static [&'static str],
);

const BADGES: [BadgeSpec; 10] = [
    (
        "kind-classmate.svg",
        "Kind Classmate",
        true,
        false,
        false,
        &[],
    ),
    ("star-helper.png", "Star Helper", true, false, false, &[]),
    ("team-player.svg", "Team Player", true, true, false, &[]),
    (
        "reading-champion.png",
        "Reading Champion",
        true,
        false,
        false,
        &[],
    ),
    ("eco-warrior.svg", "Eco Warrior", true, false, true, &[]),
    (
        "science-fair.png",
        "Science Fair",
        true,
        false,
        false,
        &["Y7 Science", "Y8 Science", "Y10 Biology", "Y11 Chemistry"],
    ),
    (
        "code-breaker.svg",
        "Code Breaker",
        true,
        false,
        false,
        &["Y9 GCSE Computing", "Y9 Computing", "Y10 Computer Science"],
    ),
    ("debug-hero.png", "Debug Hero", true, true, false, &[]),
    ("perfect-week.svg", "Perfect Week", false, false, false, &[]),
    (
        "assembly-2026.png",
        "Assembly 2026",
        false,
        false,
        false,
        &[],
    ),
];

async fn upload_image(srv: &TestServer, token: &str, file: &str) -> Uuid {
    let bytes = std::fs::read(fixture(&format!("badges/{file}"))).expect("badge fixture");
    let ctype = if file.ends_with(".svg") {
        "image/svg+xml"
    } else {
        "image/png"
    };
    let res = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    let body: Value = res.json().await.expect("image body");
    assert_eq!(status, StatusCode::CREATED, "upload {file}: {body}");
    uuid_of(&body["id"])
}

/// Imports Northfield, loads the roster into the model, gives sessions and creates badges.
async fn set_up(srv: &TestServer) -> Week<'_> {
    let school = srv
        .school("northfield", "Northfield Academy", "Europe/London")
        .await;
    srv.user(
        school.id,
        Role::Admin,
        "Head of Year",
        Some("head@northfield.example.org"),
    )
    .await;
    let admin = srv.login("head@northfield.example.org", PASSWORD).await;
    let zip = zip_folder(&fixture("oneroster/northfield"));
    let (status, body) = import_roster(srv, &admin.access, zip, "application/zip").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let conn = srv.state.db.conn();
    let mut users = accolade_db::users::all_in_school(conn, school.id)
        .await
        .expect("users");
    users.retain(|u| u.active && u.sourced_id.is_some());
    users.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    let mut classes = accolade_db::classes::all_in_school(conn, school.id)
        .await
        .expect("classes");
    classes.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    let enrollments = accolade_db::classes::enrollments_in_school(conn, school.id)
        .await
        .expect("enrolments");

    let mut rng = Lcg(0x5eed_0fa5_c001);
    let class_ix: HashMap<Uuid, usize> =
        classes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut class_infos: Vec<ClassInfo> = classes
        .iter()
        .map(|c| ClassInfo {
            id: c.id,
            title: c.title.clone(),
            students: Vec::new(),
            teachers: Vec::new(),
        })
        .collect();
    let mut students = Vec::new();
    let mut teachers = Vec::new();
    let mut student_ix = HashMap::new();
    let mut teacher_ix = HashMap::new();
    for u in &users {
        match u.role.as_str() {
            "student" => {
                student_ix.insert(u.id, students.len());
                students.push(Student {
                    id: u.id,
                    name: u.display_name.clone(),
                    email: u.email.clone(),
                    handle: u.handle.clone(),
                    classes: Vec::new(),
                });
            }
            "teacher" => {
                teacher_ix.insert(u.id, teachers.len());
                teachers.push(Teacher {
                    id: u.id,
                    token: None,
                    classes: Vec::new(),
                });
            }
            _ => {}
        }
    }
    let mut enrollments = enrollments;
    enrollments.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    for e in &enrollments {
        let c = class_ix[&e.class_id];
        if let Some(s) = student_ix.get(&e.user_id).filter(|_| e.role == "student") {
            class_infos[c].students.push(e.user_id);
            students[*s].classes.push(c);
        } else if let Some(t) = teacher_ix.get(&e.user_id).filter(|_| e.role == "teacher") {
            class_infos[c].teachers.push(*t);
            teachers[*t].classes.push(c);
        }
    }
    assert!(students.len() > 500 && teachers.len() > 20 && classes.len() > 30);
    students.retain(|s| !s.classes.is_empty());
    let student_ix = students
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    // Three teachers are away this week; the others sign in (the roster gives them no
    // password: sessions are started directly).
    let away: HashSet<usize> = (0..3).map(|_| rng.below(teachers.len())).collect();
    for (i, t) in teachers.iter_mut().enumerate() {
        if away.contains(&i) {
            continue;
        }
        let row = users.iter().find(|u| u.id == t.id).expect("teacher row");
        t.token = Some(
            accolade_server::routes::auth::start_session(&srv.state, row)
                .await
                .expect("teacher session")
                .access_token,
        );
    }

    // The ten badges, created by the Head of Year.
    let mut badges = Vec::new();
    for (file, name, peer, auto, repeatable, scope_titles) in BADGES {
        let image = upload_image(srv, &admin.access, file).await;
        let scope: Option<Vec<usize>> = (!scope_titles.is_empty()).then(|| {
            (0..class_infos.len())
                .filter(|c| {
                    scope_titles
                        .iter()
                        .any(|t| class_infos[*c].title.starts_with(t))
                })
                .collect()
        });
        let mut body = json!({
            "name": name,
            "description": format!("{name}: awarded at Northfield Academy."),
            "criteria_narrative": format!("Show the qualities of a **{name}**."),
            "image_id": image,
            "peer_nominable": peer,
            "moderation": if auto { "auto_approve" } else { "required" },
            "repeatable": repeatable,
        });
        if let Some(s) = &scope {
            assert_eq!(s.len(), scope_titles.len(), "scope classes of {name}");
            body["scope"] = json!("classes");
            body["class_ids"] = json!(s.iter().map(|c| class_infos[*c].id).collect::<Vec<_>>());
        }
        let (status, body) = srv.post("/api/v1/badge-classes", &admin.access, body).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        badges.push(Badge {
            id: uuid_of(&body["id"]),
            name,
            peer,
            auto,
            repeatable,
            scope,
        });
    }
    let keen = (0..15).map(|_| rng.below(students.len())).collect();
    Week {
        srv,
        rng,
        admin: admin.access,
        students,
        student_ix,
        classes: class_infos,
        class_ix,
        teachers,
        badges,
        keen,
        sessions: HashMap::new(),
        held: HashSet::new(),
        open: HashSet::new(),
        used: HashMap::new(),
        noms: Vec::new(),
        nom_ix: HashMap::new(),
        awards: Vec::new(),
        stats: Stats::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_week_adds_up() {
    let started = std::time::Instant::now();
    let setup = tokio::spawn(obtools::setup());
    let srv = TestServer::start().await;
    let mut w = set_up(&srv).await;

    // The two smallest classes get whole-class awards on Tuesday and Thursday.
    let mut by_size: Vec<usize> = (0..w.classes.len()).collect();
    by_size.sort_by_key(|c| (w.classes[*c].students.len(), *c));
    let (class_a, class_b) = (by_size[0], by_size[1]);
    let perfect = w.badge("Perfect Week");
    let assembly = w.badge("Assembly 2026");
    let eco = w.badge("Eco Warrior");

    for (day, name) in DAYS.iter().enumerate() {
        // Morning: nominators revise (or withdraw) what came back yesterday.
        w.revise_returned().await;
        // During the day: nominations, 40 a day.
        let target = NOMINATIONS * (day + 1) / DAYS.len();
        while w.noms.len() < target {
            let budget = target - w.noms.len();
            w.random_nomination(budget).await;
        }
        w.refusals().await;
        // Someone changes their mind about a fresh nomination.
        if day == 2 {
            let last = w
                .noms
                .iter()
                .rposition(|n| n.status == NominationStatus::Pending)
                .expect("a pending nomination");
            w.withdraw(last).await;
        }
        // Direct awards.
        match day {
            0 => {
                let token = w.moderator(w.classes[class_b].id);
                for s in w.classes[class_b].students.clone().into_iter().take(2) {
                    assert!(w.award_one(&token, s, perfect).await);
                }
                let mut made = 0;
                while made < 5 {
                    made += usize::from(w.random_direct_award().await);
                }
            }
            1 => {
                w.award_class(class_a, &[], assembly, "tuesday-assembly")
                    .await
            }
            2 => {
                // A repeatable badge, twice to the same student.
                let s = w.classes[class_a].students[0];
                let token = w.moderator(w.classes[class_a].id);
                assert!(w.award_one(&token, s, eco).await);
                assert!(w.award_one(&token, s, eco).await);
                // A single student who already holds the badge: refused.
                let holder = w.classes[class_a].students[1];
                assert!(!w.award_one(&token, holder, assembly).await);
                let mut made = 0;
                while made < 2 {
                    made += usize::from(w.random_direct_award().await);
                }
            }
            3 => {
                let extra = w.classes[class_a].students[2];
                w.award_class(class_b, &[extra], perfect, "thursday-perfect-week")
                    .await;
            }
            _ => {
                assert!(
                    w.stats.direct < DIRECT_AWARDS,
                    "{} direct awards before Friday",
                    w.stats.direct
                );
                while w.stats.direct < DIRECT_AWARDS {
                    w.random_direct_award().await;
                }
            }
        }
        // After school: moderation. Late Friday nominations wait for next week.
        let leave: HashSet<Uuid> = if day == DAYS.len() - 1 {
            w.noms
                .iter()
                .rev()
                .filter(|n| n.status == NominationStatus::Pending && !n.revised)
                .take(LEFT_PENDING)
                .map(|n| n.id)
                .collect()
        } else {
            HashSet::new()
        };
        w.moderate(day, &leave).await;
        eprintln!(
            "{name}: {} nominations, {} awards ({:?})",
            w.noms.len(),
            w.awards.len(),
            started.elapsed()
        );
    }
    assert_eq!(w.noms.len(), NOMINATIONS);
    assert_eq!(w.stats.direct, DIRECT_AWARDS);

    // Friday afternoon: five revocations, of every kind of award.
    let pick_of = |w: &Week<'_>, source: Source| {
        w.awards
            .iter()
            .position(|a| a.source == source && !a.revoked)
            .expect("an award of each kind")
    };
    let mut to_revoke = vec![
        pick_of(&w, Source::Approved),
        pick_of(&w, Source::Auto),
        pick_of(&w, Source::Direct),
        pick_of(&w, Source::Bulk),
    ];
    while to_revoke.len() < REVOCATIONS {
        let i = w.rng.below(w.awards.len());
        if !to_revoke.contains(&i) {
            to_revoke.push(i);
        }
    }
    for i in &to_revoke {
        let id = w.awards[*i].id;
        let r = w
            .send(
                Method::POST,
                &format!("/api/v1/awards/{id}/revoke"),
                &w.admin,
                Some(json!({"reason": "Issued by mistake."})),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "revoke: {}", r.body);
        assert_eq!(r.body["status"], "revoked");
        w.awards[*i].revoked = true;
        let a = &w.awards[*i];
        w.held.remove(&(a.recipient, a.badge));
        let res = srv
            .http
            .get(srv.url(&format!("/ob/v2/assertions/{id}")))
            .send()
            .await
            .expect("hosted assertion");
        assert_eq!(res.status(), StatusCode::GONE);
    }
    let again = w
        .send(
            Method::POST,
            &format!("/api/v1/awards/{}/revoke", w.awards[to_revoke[0]].id),
            &w.admin,
            Some(json!({"reason": "Twice."})),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    verify_counts(&mut w).await;
    verify_people(&mut w).await;
    setup.await.expect("obtools setup");
    validate_samples(&mut w).await;
    let s = &w.stats;
    eprintln!(
        "week done in {:?}: {} awards ({} approved by teachers, {} auto-approved, {} direct, \
         {REVOCATIONS} revoked); {} rejected, {} returned ({} revised, {} withdrawn in all), \
         {} idempotent replays; refusals {:?}",
        started.elapsed(),
        w.awards.len(),
        s.teacher_approvals,
        s.auto_approvals,
        s.direct,
        s.rejected,
        s.returned,
        s.revised,
        s.withdrawn,
        s.idempotent_replays,
        s.refused
    );
    srv.stop().await;
}

/// Totals in the database and through the API equal what the week did.
async fn verify_counts(w: &mut Week<'_>) {
    let conn = w.srv.state.db.conn();
    let school = accolade_db::schools::by_slug(conn, "northfield")
        .await
        .expect("school")
        .expect("northfield");
    let s = &w.stats;
    let total = s.teacher_approvals + s.auto_approvals + s.direct;
    assert_eq!(w.awards.len(), total);
    let revoked = w.awards.iter().filter(|a| a.revoked).count();
    assert_eq!(revoked, REVOCATIONS);
    let db_total = accolade_db::awards::count_in_school(conn, school.id, false)
        .await
        .expect("count");
    let db_live = accolade_db::awards::count_in_school(conn, school.id, true)
        .await
        .expect("count");
    assert_eq!(
        db_total as usize, total,
        "every award made is in the database"
    );
    assert_eq!(
        db_live as usize,
        total - REVOCATIONS,
        "live = made − revoked"
    );
    let db_revoked = accolade_db::awards::revoked_in_school(conn, school.id)
        .await
        .expect("revoked");
    let want: HashSet<Uuid> = w
        .awards
        .iter()
        .filter(|a| a.revoked)
        .map(|a| a.id)
        .collect();
    let got: HashSet<Uuid> = db_revoked.iter().map(|a| a.id).collect();
    assert_eq!(got, want);

    // Nominations by state.
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &w.noms {
        *by_status.entry(n.status.as_str()).or_default() += 1;
    }
    let mut db_sum = 0;
    for status in ["pending", "approved", "rejected", "returned", "withdrawn"] {
        let db = accolade_db::nominations::count_by_status(conn, school.id, status)
            .await
            .expect("count") as usize;
        assert_eq!(
            db,
            by_status.get(status).copied().unwrap_or(0),
            "{status} nominations"
        );
        assert!(db > 0, "the week has {status} nominations");
        db_sum += db;
    }
    assert_eq!(db_sum, NOMINATIONS);
    assert_eq!(
        by_status["approved"],
        s.teacher_approvals + s.auto_approvals,
        "approved nominations = teacher approvals + auto-approvals"
    );
    assert_eq!(by_status["pending"], LEFT_PENDING);
    // Each approved nomination has exactly its award; the others have none.
    for n in &w.noms {
        let award = accolade_db::awards::by_nomination(conn, n.id)
            .await
            .expect("by nomination");
        match n.status {
            NominationStatus::Approved => {
                let a = award.expect("award of an approved nomination");
                assert_eq!(Some(a.id), n.award);
                assert_eq!(
                    (a.recipient_id, a.badge_class_id),
                    (n.nominee, w.badges[n.badge].id)
                );
            }
            _ => assert!(award.is_none(), "a {:?} nomination has an award", n.status),
        }
    }
    for a in &w.awards {
        match a.nomination {
            Some(n) => {
                let n = &w.noms[w.nom_ix[&n]];
                assert_eq!((n.award, n.nominee), (Some(a.id), a.recipient));
                assert!(matches!(a.source, Source::Approved | Source::Auto));
            }
            None => assert!(matches!(a.source, Source::Direct | Source::Bulk)),
        }
    }
    // The staff list of awards, by source.
    let all: Vec<Award> = w.all_pages("/api/v1/awards", &w.admin).await;
    assert_eq!(all.len(), total);
    let from_noms = all
        .iter()
        .filter(|a| a.source == AwardSource::Nomination)
        .count();
    let direct = all
        .iter()
        .filter(|a| a.source == AwardSource::Direct)
        .count();
    let revoked_api = all
        .iter()
        .filter(|a| a.status == AwardStatus::Revoked)
        .count();
    assert_eq!(from_noms, by_status["approved"]);
    assert_eq!(direct, DIRECT_AWARDS);
    assert_eq!(revoked_api, REVOCATIONS);
    // Badge class counters count live awards.
    for (i, b) in w.badges.iter().enumerate() {
        let (status, body) = w
            .srv
            .get(&format!("/api/v1/badge-classes/{}", b.id), &w.admin)
            .await;
        assert_eq!(status, StatusCode::OK);
        let live = w
            .awards
            .iter()
            .filter(|a| a.badge == i && !a.revoked)
            .count();
        assert_eq!(body["award_count"], live, "{}", b.name);
    }
    // The queue holds exactly the undecided nominations.
    w.check_queues().await;

    // Nobody exceeded the allowance, and those who tried were refused.
    let (week_start, _) =
        accolade_server::badges::week_bounds(&school.timezone, chrono::Utc::now());
    let mut at_limit = 0;
    for st in &w.students {
        let used = accolade_db::nominations::count_by_nominator_since(
            conn,
            st.id,
            accolade_db::ts(week_start),
        )
        .await
        .expect("count") as u32;
        assert_eq!(used, w.used(st.id), "{}", st.name);
        assert!(used <= ALLOWANCE, "{} made {used} nominations", st.name);
        at_limit += usize::from(used == ALLOWANCE);
    }
    assert!(
        at_limit > 0,
        "some keen students used their whole allowance"
    );
    let nominators: Vec<Uuid> = w.used.keys().copied().collect();
    for id in nominators {
        let token = w.session(id).await;
        let (status, body) = w.srv.get("/api/v1/me/allowance", &token).await;
        assert_eq!(status, StatusCode::OK);
        let a: Allowance = parse(body);
        assert_eq!((a.weekly, a.used), (ALLOWANCE, w.used(id)));
        assert_eq!(a.remaining, ALLOWANCE - a.used);
    }
    for code in [
        "allowance_exceeded",
        "self_nomination",
        "duplicate_nomination",
        "already_held",
        "already_decided",
        "forbidden",
        "invalid_input",
    ] {
        assert!(
            w.stats.refused.get(code).copied().unwrap_or(0) > 0,
            "the week never saw {code}: {:?}",
            w.stats.refused
        );
    }
    assert!(w.stats.revised > 0 && w.stats.withdrawn > 1 && w.stats.returned > 0);
    assert!(w
        .noms
        .iter()
        .any(|n| n.revised && n.status == NominationStatus::Approved));
    assert!(w.stats.idempotent_replays > 2);
}

/// What each student sees: their awards exactly; never a rejected nomination's award, nor
/// nominations about them; nominators see the teacher's reasons.
async fn verify_people(w: &mut Week<'_>) {
    let mut expected: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for a in &w.awards {
        expected.entry(a.recipient).or_default().insert(a.id);
    }
    let mut people: Vec<Uuid> = expected.keys().copied().collect();
    for n in &w.noms {
        if n.status == NominationStatus::Rejected {
            people.push(n.nominee);
        }
    }
    people.sort();
    people.dedup();
    for id in people {
        let token = w.session(id).await;
        let mine: Vec<Award> = w.all_pages("/api/v1/me/awards", &token).await;
        let got: HashSet<Uuid> = mine.iter().map(|a| a.id).collect();
        assert_eq!(
            got,
            expected.get(&id).cloned().unwrap_or_default(),
            "the backpack of {}",
            w.student(id).name
        );
        for a in &mine {
            let rec = w.awards.iter().find(|r| r.id == a.id).expect("known award");
            let want = if rec.revoked {
                AwardStatus::Revoked
            } else {
                AwardStatus::Valid
            };
            assert_eq!(a.status, want);
        }
        for n in w
            .noms
            .iter()
            .filter(|n| n.nominee == id && n.status == NominationStatus::Rejected)
        {
            assert!(
                !mine.iter().any(|a| a.badge.id == w.badges[n.badge].id
                    && a.source == AwardSource::Nomination
                    && a.narrative.as_deref() == Some(n.narrative.as_str())),
                "a rejected nomination shows up for its nominee"
            );
        }
        // Nominees never see nominations about them: only their own.
        let theirs: Vec<Nomination> = w.all_pages("/api/v1/nominations", &token).await;
        assert!(theirs.iter().all(|n| n.nominator.id == id));
        let made = w.noms.iter().filter(|n| n.nominator == id).count();
        assert_eq!(theirs.len(), made);
        for v in &theirs {
            let n = &w.noms[w.nom_ix[&v.id]];
            assert_eq!(v.status, n.status);
            if matches!(
                n.status,
                NominationStatus::Rejected | NominationStatus::Returned
            ) {
                assert!(v.decision_reason.as_deref().is_some_and(|r| !r.is_empty()));
                assert_eq!(v.decision_reason, n.reason);
            }
        }
    }
}

/// Twenty live assertions, sampled, pass the official validator (four at a time); a revoked
/// one fails.
async fn validate_samples(w: &mut Week<'_>) {
    use futures::StreamExt;
    let live: Vec<usize> = (0..w.awards.len())
        .filter(|i| !w.awards[*i].revoked)
        .collect();
    let (with_email, without): (Vec<usize>, Vec<usize>) = live
        .iter()
        .partition(|i| w.student(w.awards[**i].recipient).email.is_some());
    let mut sample = Vec::new();
    for (mut pool, n) in [(with_email, 12), (without, 8)] {
        for _ in 0..n {
            if pool.is_empty() {
                break;
            }
            let i = w.rng.below(pool.len());
            sample.push(pool.swap_remove(i));
        }
    }
    while sample.len() < 20 {
        let i = w.rng.pick(&live);
        if !sample.contains(&i) {
            sample.push(i);
        }
    }
    let revoked = w
        .awards
        .iter()
        .position(|a| a.revoked)
        .expect("a revoked award");
    sample.push(revoked);
    let base = w.srv.base.clone();
    let jobs: Vec<(String, Option<String>, String, bool)> = sample
        .iter()
        .map(|i| {
            let a = &w.awards[*i];
            let s = w.student(a.recipient);
            (
                s.email
                    .clone()
                    .unwrap_or_else(|| format!("{base}/@{}", s.handle)),
                s.email.clone(),
                format!("{base}/ob/v2/assertions/{}", a.id),
                a.revoked,
            )
        })
        .collect();
    let outcomes: Vec<(obtools::Outcome, bool)> = futures::stream::iter(jobs)
        .map(|(identity, email, url, revoked)| async move {
            let r = match &email {
                Some(e) => obtools::Recipient::Email(e),
                None => obtools::Recipient::Url(&identity),
            };
            (obtools::validate(r, &url).await, revoked)
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut passed = 0;
    for (o, revoked) in &outcomes {
        if *revoked {
            o.assert_fail("revoked assertion");
        } else {
            o.assert_pass("sampled assertion");
            passed += 1;
        }
    }
    assert_eq!(passed, 20);
}
