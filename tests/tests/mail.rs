//! E-mail end to end, against a real SMTP server on 127.0.0.1 started by the test
//! ([`accolade_e2e::smtp::SmtpSink`]): award and decision notifications through the outbox and
//! the background sender, the teacher digest with an injected clock, preferences, the signed
//! unsubscribe link (also RFC 8058 one-click), and an SMTP outage that loses nothing.

use std::time::{Duration, Instant};

use accolade_db::entities::email_outbox;
use accolade_db::sea_orm::sea_query::Expr;
use accolade_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use accolade_e2e::smtp::{Received, SmtpSink};
use accolade_e2e::{fixture, Session, TestServer, PASSWORD};
use accolade_proto::Role;
use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);

struct School {
    sink: SmtpSink,
    srv: TestServer,
    school_id: Uuid,
    teacher: Session,
    admin: Session,
    alice: Session,
    bob: Session,
    eve: Session,
    dan_id: Uuid,
}

/// North School (Europe/London) with class "9C Computing": teacher Tess, students Alice, Bob,
/// Eve (e-mail, notifications turned off) and Dan (no e-mail); admin Ada. The server sends to
/// a fresh SMTP sink and looks at the outbox every second.
async fn school() -> School {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let srv = TestServer::start_with(|c| {
        c.smtp_url = Some(url);
        c.mail_poll_secs = 1;
    })
    .await;
    let s = srv.school("north", "North School", "Europe/London").await;
    let t = srv
        .user(
            s.id,
            Role::Teacher,
            "Tess Teacher",
            Some("tess@north.example.org"),
        )
        .await;
    let ad = srv
        .user(
            s.id,
            Role::Admin,
            "Ada Admin",
            Some("ada@north.example.org"),
        )
        .await;
    let a = srv
        .user(
            s.id,
            Role::Student,
            "Alice Able",
            Some("alice@north.example.org"),
        )
        .await;
    let b = srv
        .user(
            s.id,
            Role::Student,
            "Bob Baker",
            Some("bob@north.example.org"),
        )
        .await;
    let e = srv
        .user(
            s.id,
            Role::Student,
            "Eve Evans",
            Some("eve@north.example.org"),
        )
        .await;
    let d = srv.user(s.id, Role::Student, "Dan Dale", None).await;
    let conn = srv.state.db.conn();
    let class =
        accolade_db::classes::create(conn, s.id, "9C Computing".into(), Some("9C".into()), None)
            .await
            .expect("class");
    for (u, role) in [
        (&t, "teacher"),
        (&a, "student"),
        (&b, "student"),
        (&e, "student"),
        (&d, "student"),
    ] {
        accolade_db::classes::enroll(conn, s.id, class.id, u.id, role, None)
            .await
            .expect("enroll");
    }
    // Keep the real-time digest scheduler (once a minute) out of these tests: staff count as
    // having had today's digest; the digest test injects a later clock.
    for id in [t.id, ad.id] {
        let mut u = accolade_db::users::by_id(conn, s.id, id)
            .await
            .expect("user")
            .expect("exists");
        u.last_digest_at = Some(accolade_db::ts(Utc::now() + ChronoDuration::hours(1)));
        accolade_db::users::save(conn, u).await.expect("save");
    }
    let teacher = srv.login("tess@north.example.org", PASSWORD).await;
    let admin = srv.login("ada@north.example.org", PASSWORD).await;
    let alice = srv.login("alice@north.example.org", PASSWORD).await;
    let bob = srv.login("bob@north.example.org", PASSWORD).await;
    let eve = srv.login("eve@north.example.org", PASSWORD).await;
    let (status, me) = srv
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&eve.access),
            Some(&json!({"email_notifications": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email_notifications"], false);
    School {
        sink,
        srv,
        school_id: s.id,
        teacher,
        admin,
        alice,
        bob,
        eve,
        dan_id: d.id,
    }
}

async fn badge(s: &School, name: &str) -> Value {
    let png = std::fs::read(fixture("badges/kind-classmate.png")).expect("png fixture");
    let res = s
        .srv
        .http
        .post(s.srv.url("/api/v1/images"))
        .bearer_auth(&s.teacher.access)
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let img: Value = res.json().await.expect("image");
    let (status, class) = s
        .srv
        .post(
            "/api/v1/badge-classes",
            &s.teacher.access,
            json!({
                "name": name,
                "description": "Helps classmates without being asked.",
                "criteria_narrative": "Seen helping by a teacher.",
                "image_id": img["id"],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{class}");
    class
}

async fn award(s: &School, badge: &Value, to: &[Uuid]) -> Vec<Value> {
    let (status, body) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.teacher.access,
            json!({"badge_class_id": badge["id"], "recipient_ids": to}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["awards"].as_array().expect("awards").clone()
}

/// Every outbox row of the school, oldest first.
async fn outbox(s: &School) -> Vec<accolade_db::outbox::OutboxMail> {
    let conn = s.srv.state.db.conn();
    let mut all = Vec::new();
    for status in ["pending", "sent", "failed"] {
        all.extend(
            accolade_db::outbox::by_status(conn, s.school_id, status)
                .await
                .expect("outbox"),
        );
    }
    // A row can move from `pending` to `sent` between the queries: keep its latest state once.
    all.sort_by_key(|m| (m.id, m.status != "pending"));
    all.reverse();
    all.dedup_by_key(|m| m.id);
    all.sort_by_key(|m| (m.created_at, m.id));
    all
}

/// A received message, parsed with mail-parser.
#[derive(Debug)]
struct Mail {
    envelope_to: Vec<String>,
    from: String,
    from_name: Option<String>,
    to: Vec<String>,
    subject: String,
    list_unsubscribe: String,
    list_unsubscribe_post: String,
    auto_submitted: String,
    text: String,
    html: String,
    raw: String,
}

fn header(msg: &mail_parser::Message<'_>, name: &str) -> String {
    msg.header_raw(name)
        .unwrap_or_default()
        .replace("\r\n", "")
        .trim()
        .to_owned()
}

fn parse(r: &Received) -> Mail {
    let msg = mail_parser::MessageParser::default()
        .parse(&r.data)
        .expect("a parsable message");
    let from = msg.from().and_then(|a| a.first()).expect("From");
    Mail {
        envelope_to: r.to.clone(),
        from: from.address().unwrap_or_default().to_owned(),
        from_name: from.name().map(str::to_owned),
        to: msg
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        subject: msg.subject().unwrap_or_default().to_owned(),
        list_unsubscribe: header(&msg, "List-Unsubscribe"),
        list_unsubscribe_post: header(&msg, "List-Unsubscribe-Post"),
        auto_submitted: header(&msg, "Auto-Submitted"),
        text: msg.body_text(0).expect("text part").into_owned(),
        html: msg.body_html(0).expect("html part").into_owned(),
        raw: String::from_utf8_lossy(&r.data).into_owned(),
    }
}

impl Mail {
    /// Raw message, decoded text and decoded HTML together, for "never contains" checks.
    fn everything(&self) -> String {
        format!("{}\n{}\n{}", self.raw, self.text, self.html)
    }
}

/// The URL inside `List-Unsubscribe: <…>`.
fn unsubscribe_link(m: &Mail) -> String {
    m.list_unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// The path and query of an absolute URL on the test server.
fn path_of(srv: &TestServer, url: &str) -> String {
    url.strip_prefix(&srv.base)
        .unwrap_or_else(|| panic!("{url} is not on {}", srv.base))
        .to_owned()
}

async fn me(s: &School, who: &Session) -> Value {
    let (status, me) = s.srv.get("/api/v1/me", &who.access).await;
    assert_eq!(status, StatusCode::OK);
    me
}

/// Gives the sender two more polls to send anything else it would.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(2500)).await;
}

#[tokio::test]
async fn award_mail_reaches_only_a_recipient_who_wants_it() {
    let s = school().await;
    let b = badge(&s, "Kind <Classmate> & Co").await;
    let awards = award(&s, &b, &[s.alice.id, s.dan_id, s.eve.id]).await;
    assert_eq!(awards.len(), 3);
    // One message queued in the same transaction: none for Dan (no e-mail) or Eve (off).
    let queued = outbox(&s).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].user_id, Some(s.alice.id));
    assert_eq!(queued[0].kind, "award");

    let got = s.sink.wait_for_to("alice@north.example.org", 1, WAIT).await;
    assert_eq!(got.len(), 1);
    settle().await;
    assert_eq!(s.sink.messages().len(), 1, "only Alice gets mail");
    let m = parse(&got[0]);
    let alice_award = awards
        .iter()
        .find(|a| a["recipient"]["id"] == json!(s.alice.id))
        .expect("Alice's award");
    let award_url = s.srv.url(&format!(
        "/awards/{}",
        alice_award["id"].as_str().expect("id")
    ));
    let assertion_url = alice_award["assertion_url"].as_str().expect("assertion");
    let image_url = b["image_url"].as_str().expect("image url");

    assert_eq!(m.envelope_to, ["alice@north.example.org"]);
    assert_eq!(m.to, ["alice@north.example.org"]);
    assert_eq!(m.from, "no-reply@accolade.invalid");
    assert_eq!(m.from_name.as_deref(), Some("Accolade"));
    assert_eq!(m.subject, "You received a badge: Kind <Classmate> & Co");
    assert_eq!(m.auto_submitted, "auto-generated");
    let link = unsubscribe_link(&m);
    assert!(
        link.starts_with(
            &s.srv
                .url(&format!("/unsubscribe?u={}&k=award&s=", s.alice.id))
        ),
        "{link}"
    );
    assert_eq!(m.list_unsubscribe_post, "List-Unsubscribe=One-Click");

    assert!(m.text.contains("Hi Alice Able,"), "{}", m.text);
    assert!(m
        .text
        .contains("North School awarded you the badge \"Kind <Classmate> & Co\""));
    assert!(m.text.contains(&award_url), "{}", m.text);
    assert!(m.text.contains(assertion_url));
    assert!(
        m.text.contains(&link),
        "the body carries the same signed link"
    );

    assert!(!m.html.contains("<Classmate>"), "user text is escaped");
    assert!(
        m.html.contains("Kind &lt;Classmate&gt; &amp; Co"),
        "{}",
        m.html
    );
    assert!(
        m.html.contains(&format!(
            "<img src=\"{image_url}\" alt=\"Kind &lt;Classmate&gt; &amp; Co\""
        )),
        "{}",
        m.html
    );
    assert!(m.html.contains(&format!("href=\"{award_url}\"")));
    assert!(m.html.contains(&format!("href=\"{assertion_url}\"")));
    assert!(m.html.contains(&link.replace('&', "&amp;")));
    assert!(m.html.contains("<strong>North School</strong>"));
    assert!(!m
        .everything()
        .contains(accolade_server::mail::UNSUBSCRIBE_MARKER));
    for other in ["bob@", "eve@", "tess@", "ada@", "Dan Dale", "Eve Evans"] {
        assert!(
            !m.everything().contains(other),
            "no {other} in Alice's mail"
        );
    }
    let rows = outbox(&s).await;
    assert_eq!(rows[0].status, "sent");
    assert!(rows[0].sent_at.is_some());

    // The school's own sender overrides the configured one.
    let conn = s.srv.state.db.conn();
    let mut school = accolade_db::schools::by_id(conn, s.school_id)
        .await
        .expect("school")
        .expect("exists");
    school.email_sender = Some("North School Office <office@north.example.org>".into());
    accolade_db::schools::save(conn, school)
        .await
        .expect("save");
    let b2 = badge(&s, "Debug Hero").await;
    award(&s, &b2, &[s.bob.id]).await;
    let got = s.sink.wait_for_to("bob@north.example.org", 1, WAIT).await;
    assert_eq!(got.len(), 1);
    let m = parse(&got[0]);
    assert_eq!(m.from, "office@north.example.org");
    assert_eq!(m.from_name.as_deref(), Some("North School Office"));
    assert!(unsubscribe_link(&m).contains(&format!("u={}&k=award", s.bob.id)));
    assert!(!m.everything().contains("alice@"));
    s.srv.stop().await;
}

#[tokio::test]
async fn decision_mail_reaches_the_nominator_with_the_reason() {
    let s = school().await;
    let b = badge(&s, "Eco Warrior").await;
    let (status, created) = s
        .srv
        .post(
            "/api/v1/nominations",
            &s.alice.access,
            json!({"badge_class_id": b["id"], "nominee_ids": [s.bob.id],
                   "narrative": "Bob sorted the recycling for the whole corridor."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let nid = created["nominations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(outbox(&s).await.is_empty(), "no mail for a new nomination");

    let reason = "Please add <b>one</b> example & a date.";
    let (status, decided) = s
        .srv
        .post(
            &format!("/api/v1/nominations/{nid}/decision"),
            &s.teacher.access,
            json!({"decision": "reject", "reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let got = s.sink.wait_for_to("alice@north.example.org", 1, WAIT).await;
    assert_eq!(got.len(), 1);
    let m = parse(&got[0]);
    assert_eq!(m.to, ["alice@north.example.org"]);
    assert_eq!(m.subject, "Your nomination was not approved: Eco Warrior");
    assert!(m
        .text
        .contains("Tess Teacher did not approve your nomination of Bob Baker"));
    assert!(m.text.contains(&format!("Reason: {reason}")), "{}", m.text);
    assert!(m.text.contains(&s.srv.url(&format!("/nominations/{nid}"))));
    assert!(m
        .html
        .contains("Please add &lt;b&gt;one&lt;&#x2f;b&gt; example &amp; a date."));
    assert!(!m.html.contains("<b>one</b>"));
    assert!(unsubscribe_link(&m).contains(&format!("u={}&k=decision", s.alice.id)));
    assert!(
        !m.everything().contains("bob@"),
        "the nominee's address is never shown"
    );
    settle().await;
    assert!(
        s.sink.messages_to("bob@north.example.org").is_empty(),
        "a rejected nominee hears nothing"
    );

    // Approval: the nominator hears it, the nominee gets the badge mail.
    let (_, created) = s
        .srv
        .post(
            "/api/v1/nominations",
            &s.alice.access,
            json!({"badge_class_id": b["id"], "nominee_ids": [s.bob.id],
                   "narrative": "Bob started a compost bin and kept it going."}),
        )
        .await;
    let nid = created["nominations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, _) = s
        .srv
        .post(
            &format!("/api/v1/nominations/{nid}/decision"),
            &s.teacher.access,
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let to_alice = s.sink.wait_for_to("alice@north.example.org", 2, WAIT).await;
    assert_eq!(to_alice.len(), 2);
    let m = parse(&to_alice[1]);
    assert_eq!(m.subject, "Your nomination was approved: Eco Warrior");
    assert!(m
        .text
        .contains("Tess Teacher approved your nomination of Bob Baker"));
    let to_bob = s.sink.wait_for_to("bob@north.example.org", 1, WAIT).await;
    assert_eq!(to_bob.len(), 1);
    let m = parse(&to_bob[0]);
    assert_eq!(m.subject, "You received a badge: Eco Warrior");
    assert!(!m.everything().contains("alice@"));
    s.srv.stop().await;
}

#[tokio::test]
async fn digest_lists_pending_nominations_once_per_day() {
    let s = school().await;
    let b = badge(&s, "Code Breaker").await;
    let (status, _) = s
        .srv
        .post(
            "/api/v1/nominations",
            &s.alice.access,
            json!({"badge_class_id": b["id"], "nominee_ids": [s.bob.id],
                   "narrative": "Bob found the bug in everyone's loop."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Preferences: the admin turns the digest off; the teacher keeps the daily default.
    let (status, me_admin) = s
        .srv
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&s.admin.access),
            Some(&json!({"email_digest": "off"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me_admin}");
    assert_eq!(me_admin["email_digest"], "off");
    assert_eq!(me(&s, &s.teacher).await["email_digest"], "daily");
    let (status, _) = s
        .srv
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&s.teacher.access),
            Some(&json!({"email_digest": "hourly"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Noon UTC two days from now is past 07:00 in London on that day.
    let day = Utc::now().date_naive() + ChronoDuration::days(2);
    let noon = Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).expect("time"));
    let early = Utc.from_utc_datetime(&day.and_hms_opt(5, 0, 0).expect("time"));
    let run = |t| accolade_server::mailer::run_digests(&s.srv.state, t);
    assert_eq!(
        run(early).await.expect("digests"),
        0,
        "before the digest hour"
    );
    assert_eq!(
        run(noon).await.expect("digests"),
        1,
        "one: the class teacher"
    );
    assert_eq!(run(noon).await.expect("digests"), 0, "not twice");
    assert_eq!(
        run(noon + ChronoDuration::hours(3)).await.expect("digests"),
        0,
        "not twice on the same day"
    );
    let got = s.sink.wait_for_to("tess@north.example.org", 1, WAIT).await;
    assert_eq!(got.len(), 1);
    let m = parse(&got[0]);
    assert_eq!(m.subject, "1 nomination is waiting for your review");
    assert!(m.text.contains("Hi Tess Teacher,"));
    // Created now, listed about two days later (1 or 2 days, depending on the hour now).
    assert!(
        m.text
            .contains("- \"Code Breaker\" for Bob Baker (9C Computing), 1 day")
            || m.text
                .contains("- \"Code Breaker\" for Bob Baker (9C Computing), 2 days"),
        "{}",
        m.text
    );
    assert!(m.text.contains(&s.srv.url("/queue")));
    assert!(m.html.contains(
        "<td style=\"border-bottom:1px solid #dddddd;padding:4px 8px 4px 0\">Code Breaker</td>"
    ));
    assert!(m
        .html
        .contains(&format!("href=\"{}\"", s.srv.url("/queue"))));
    let link = unsubscribe_link(&m);
    assert!(
        link.contains(&format!("u={}&k=digest", s.teacher.id)),
        "{link}"
    );
    assert!(!m.everything().contains("alice@") && !m.everything().contains("bob@"));
    settle().await;
    assert!(s.sink.messages_to("ada@north.example.org").is_empty());

    // The next day it comes again while the nomination is still pending…
    let next = noon + ChronoDuration::days(1);
    assert_eq!(run(next).await.expect("digests"), 1);
    s.sink.wait_for_to("tess@north.example.org", 2, WAIT).await;
    // …until the teacher unsubscribes from the digest (one-click POST).
    let res = s
        .srv
        .http
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one-click");
    assert_eq!(res.status(), StatusCode::OK);
    let me_t = me(&s, &s.teacher).await;
    assert_eq!(me_t["email_digest"], "off");
    assert_eq!(me_t["email_notifications"], true, "other mail stays on");
    assert_eq!(
        run(next + ChronoDuration::days(1)).await.expect("digests"),
        0
    );
    s.srv.stop().await;
}

#[tokio::test]
async fn unsubscribe_link_works_without_signing_in() {
    let s = school().await;
    let b = badge(&s, "Assembly 2026").await;
    award(&s, &b, &[s.alice.id]).await;
    let got = s.sink.wait_for_to("alice@north.example.org", 1, WAIT).await;
    let m = parse(&got[0]);
    let link = unsubscribe_link(&m);
    let path = path_of(&s.srv, &link);
    let anon = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");

    // GET shows a page with a button and changes nothing.
    let res = anon.get(&link).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("ctype")
        .starts_with("text/html"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let page = res.text().await.expect("page");
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("<form method=\"post\" action=\""), "{page}");
    assert!(page.contains(&path.replace('&', "&amp;")), "{page}");
    assert!(page.contains("<button type=\"submit\">Unsubscribe</button>"));
    assert_eq!(me(&s, &s.alice).await["email_notifications"], true);

    // Tampered or incomplete links are a 400 page, never a change.
    let sig_at = link.find("&s=").expect("sig") + 3;
    let mut tampered = link.clone().into_bytes();
    tampered[sig_at] = if tampered[sig_at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("utf8");
    let other_kind = link.replace("k=award", "k=digest");
    let other_user = link.replace(&s.alice.id.to_string(), &s.bob.id.to_string());
    for bad in [
        tampered.clone(),
        other_kind,
        other_user,
        s.srv.url("/unsubscribe"),
        s.srv.url(&format!("/unsubscribe?u={}&k=award", s.alice.id)),
        s.srv.url("/unsubscribe?u=not-a-uuid&k=award&s=abc"),
        s.srv
            .url(&format!("/unsubscribe?u={}&k=award&s=%ZZ", s.alice.id)),
    ] {
        let res = anon.get(&bad).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body = res.text().await.expect("body");
        assert!(body.contains("does not work"), "{body}");
        let res = anon
            .post(&bad)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(me(&s, &s.alice).await["email_notifications"], true);
    assert_eq!(me(&s, &s.bob).await["email_notifications"], true);

    // The button (a form POST, no sign-in) turns the notifications off.
    let res = anon
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("page");
    assert!(page.contains("You are unsubscribed"), "{page}");
    assert_eq!(me(&s, &s.alice).await["email_notifications"], false);
    // Doing it again is harmless.
    assert_eq!(
        anon.post(&link).send().await.expect("again").status(),
        StatusCode::OK
    );

    // The next award sends nothing.
    let before = outbox(&s).await.len();
    let b2 = badge(&s, "Kind Classmate").await;
    award(&s, &b2, &[s.alice.id]).await;
    assert_eq!(outbox(&s).await.len(), before);
    settle().await;
    assert_eq!(s.sink.messages_to("alice@north.example.org").len(), 1);

    // A link for an account that does not exist (validly signed) is a 404 page.
    let ghost = accolade_server::mail::unsubscribe_url(
        &s.srv.base,
        &s.srv.state.link_key,
        Uuid::new_v4(),
        "award",
    );
    let res = anon.post(&ghost).send().await.expect("ghost");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    s.srv.stop().await;
}

#[tokio::test]
async fn smtp_outage_loses_no_award_and_no_mail() {
    let s = school().await;
    let b = badge(&s, "Debug Hero").await;
    s.sink.set_refusing(true);
    let started = Instant::now();
    let awards = award(&s, &b, &[s.alice.id]).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the award does not wait for SMTP"
    );
    let (status, mine) = s.srv.get("/api/v1/me/awards", &s.alice.access).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["items"][0]["id"], awards[0]["id"]);

    // The sender tries, fails, and keeps the message for later.
    let deadline = Instant::now() + WAIT;
    let row = loop {
        let rows = outbox(&s).await;
        assert_eq!(rows.len(), 1);
        if rows[0].attempts >= 1 {
            break rows[0].clone();
        }
        assert!(Instant::now() < deadline, "no attempt recorded: {rows:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(row.status, "pending");
    assert!(row.last_error.is_some());
    assert!(
        row.next_attempt_at > row.created_at + ChronoDuration::seconds(20),
        "backoff"
    );
    assert!(s.sink.refused() >= 1);
    assert!(s.sink.messages().is_empty());

    // The server is back; make the retry due now instead of in 30 s.
    s.sink.set_refusing(false);
    email_outbox::Entity::update_many()
        .col_expr(
            email_outbox::Column::NextAttemptAt,
            Expr::value(accolade_db::ts(Utc::now() - ChronoDuration::seconds(1))),
        )
        .filter(email_outbox::Column::Id.eq(row.id))
        .exec(s.srv.state.db.conn())
        .await
        .expect("make due");
    let got = s.sink.wait_for_to("alice@north.example.org", 1, WAIT).await;
    assert_eq!(got.len(), 1, "the queued mail arrives after the outage");
    let m = parse(&got[0]);
    assert_eq!(m.subject, "You received a badge: Debug Hero");
    // The sink has the message before the sender records it as sent.
    let deadline = Instant::now() + WAIT;
    let rows = loop {
        let rows = outbox(&s).await;
        assert_eq!(rows.len(), 1);
        if rows[0].status != "pending" || Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(rows[0].status, "sent");
    assert!(rows[0].attempts >= 1);
    settle().await;
    assert_eq!(s.sink.messages().len(), 1, "sent once");
    s.srv.stop().await;
}

#[tokio::test]
async fn without_smtp_url_mail_stays_queued() {
    let srv = TestServer::start().await;
    let s = srv.school("south", "South School", "UTC").await;
    let t = srv
        .user(
            s.id,
            Role::Teacher,
            "Tom Teacher",
            Some("tom@south.example.org"),
        )
        .await;
    let a = srv
        .user(
            s.id,
            Role::Student,
            "Sam Student",
            Some("sam@south.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    let class = accolade_db::classes::create(conn, s.id, "S1".into(), None, None)
        .await
        .expect("class");
    for (u, role) in [(&t, "teacher"), (&a, "student")] {
        accolade_db::classes::enroll(conn, s.id, class.id, u.id, role, None)
            .await
            .expect("enroll");
    }
    let teacher = srv.login("tom@south.example.org", PASSWORD).await;
    let png = std::fs::read(fixture("badges/code-breaker.png")).expect("png");
    let res = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(&teacher.access)
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .expect("upload");
    let img: Value = res.json().await.expect("image");
    let (status, b) = srv
        .post(
            "/api/v1/badge-classes",
            &teacher.access,
            json!({"name": "Starter", "description": "First steps.",
                   "criteria_narrative": "Took the first step.", "image_id": img["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let (status, body) = srv
        .post(
            "/api/v1/awards",
            &teacher.access,
            json!({"badge_class_id": b["id"], "recipient_ids": [a.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pending = accolade_db::outbox::by_status(srv.state.db.conn(), s.id, "pending")
        .await
        .expect("outbox");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 0);
    assert_eq!(pending[0].to_address, "sam@south.example.org");
    srv.stop().await;
}
