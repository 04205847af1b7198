//! The demo school (`accolade demo`) is alive at once: its student has badges, the teacher's
//! queue has nominations waiting, nominators see decisions with reasons, one award is revoked
//! (its hosted assertion answers 410), the badges pass the official Open Badges validator, and
//! loading it again changes nothing.

mod obtools;

use accolade_db::nominations::count_by_status;
use accolade_e2e::TestServer;
use accolade_proto::{
    Award, AwardSource, AwardStatus, BadgeClass, Nomination, NominationStatus, Page,
};
use accolade_server::demo::{self, DEMO_ADMIN, DEMO_PASSWORD, DEMO_STUDENT, DEMO_TEACHER};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("unexpected body ({e}): {v}"))
}

/// Everything that the demo put in the database, to compare before and after a second load.
async fn totals(srv: &TestServer, school_id: uuid::Uuid) -> Vec<u64> {
    let conn = srv.state.db.conn();
    let mut out = Vec::new();
    for status in ["pending", "approved", "rejected", "returned", "withdrawn"] {
        out.push(
            count_by_status(conn, school_id, status)
                .await
                .expect("count"),
        );
    }
    for live in [true, false] {
        out.push(
            accolade_db::awards::count_in_school(conn, school_id, live)
                .await
                .expect("count"),
        );
    }
    out.push(
        accolade_db::badges::classes_in_school(conn, school_id, true)
            .await
            .expect("badge classes")
            .len() as u64,
    );
    out.push(
        accolade_db::users::all_in_school(conn, school_id)
            .await
            .expect("users")
            .len() as u64,
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_school_has_badges_nominations_and_a_revoked_award() {
    let setup = tokio::spawn(obtools::setup());
    let srv = TestServer::start().await;
    let summary = demo::load(&srv.state).await.expect("load the demo");
    assert!(summary.created);
    let school = accolade_db::schools::by_slug(srv.state.db.conn(), demo::DEMO_SLUG)
        .await
        .expect("school")
        .expect("demo school");

    // Every nomination state is there.
    let before = totals(&srv, school.id).await;
    assert!(
        before[..5].iter().all(|n| *n > 0),
        "pending, approved, rejected, returned, withdrawn: {before:?}"
    );

    // The badges, with their drawn images.
    let admin = srv.login(DEMO_ADMIN, DEMO_PASSWORD).await;
    let (status, body) = srv.get("/api/v1/badge-classes", &admin.access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let badges: Vec<BadgeClass> = parse(body);
    assert!((4..=6).contains(&badges.len()), "{badges:?}");
    assert!(badges.iter().any(|b| b.repeatable));
    assert!(badges
        .iter()
        .any(|b| b.moderation == accolade_proto::Moderation::AutoApprove));
    assert!(badges.iter().any(|b| !b.class_ids.is_empty()));
    for b in &badges {
        let res = srv.http.get(&b.image_url).send().await.expect("image");
        assert_eq!(res.status(), StatusCode::OK, "{}", b.image_url);
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("image/svg+xml")
        );
    }

    // The demo student has badges: one from a classmate's nomination, one from a teacher.
    let ada = srv.login(DEMO_STUDENT, DEMO_PASSWORD).await;
    let (status, body) = srv.get("/api/v1/me/awards", &ada.access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let awards: Page<Award> = parse(body);
    assert!(awards.items.len() >= 2, "{:?}", awards.items);
    assert!(awards.items.iter().all(|a| a.status == AwardStatus::Valid));
    assert!(awards
        .items
        .iter()
        .any(|a| a.source == AwardSource::Nomination));
    assert!(awards.items.iter().any(|a| a.source == AwardSource::Direct));
    let baked = srv
        .http
        .get(&awards.items[0].baked_png_url)
        .send()
        .await
        .expect("baked PNG");
    assert_eq!(baked.status(), StatusCode::OK);

    // The teacher's queue has nominations waiting.
    let teacher = srv.login(DEMO_TEACHER, DEMO_PASSWORD).await;
    let (status, body) = srv.get("/api/v1/nominations/queue", &teacher.access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let queue: Page<Nomination> = parse(body);
    assert_eq!(queue.items.len() as u64, before[0]);
    assert!(queue
        .items
        .iter()
        .all(|n| n.status == NominationStatus::Pending));

    // Nominators see the teachers' reasons.
    for (email, status) in [
        ("hedy@demo.example.org", NominationStatus::Rejected),
        ("sophie@demo.example.org", NominationStatus::Returned),
        ("nour@demo.example.org", NominationStatus::Withdrawn),
    ] {
        let s = srv.login(email, DEMO_PASSWORD).await;
        let (code, body) = srv.get("/api/v1/nominations", &s.access).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let mine: Page<Nomination> = parse(body);
        let n = mine
            .items
            .iter()
            .find(|n| n.status == status)
            .unwrap_or_else(|| panic!("{email} has a {status:?} nomination"));
        if status != NominationStatus::Withdrawn {
            assert!(n.decision_reason.as_deref().is_some_and(|r| r.len() > 10));
        }
    }

    // One award is revoked: its hosted assertion is gone.
    let (status, body) = srv.get("/api/v1/awards?limit=200", &admin.access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let all: Page<Award> = parse(body);
    let revoked: Vec<&Award> = all
        .items
        .iter()
        .filter(|a| a.status == AwardStatus::Revoked)
        .collect();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert!(revoked[0].revocation_reason.is_some());
    let res = srv
        .http
        .get(&revoked[0].assertion_url)
        .send()
        .await
        .expect("hosted");
    assert_eq!(res.status(), StatusCode::GONE);
    let body: Value = res.json().await.expect("revoked body");
    assert_eq!(body["revoked"], true);

    // The demo's awards pass the official validator: Ada (e-mail) and a student without one.
    let without_email = all
        .items
        .iter()
        .find(|a| a.status == AwardStatus::Valid && a.recipient.display_name == "Katherine J.")
        .expect("an award for Katherine (no e-mail)");
    let katherine =
        accolade_db::users::by_id(srv.state.db.conn(), school.id, without_email.recipient.id)
            .await
            .expect("user")
            .expect("Katherine");
    assert!(katherine.email.is_none());
    let katherine_url = format!("{}/@{}", srv.base, katherine.handle);
    setup.await.expect("obtools setup");
    let (a, b) = tokio::join!(
        obtools::validate(
            obtools::Recipient::Email(DEMO_STUDENT),
            &awards.items[0].assertion_url
        ),
        obtools::validate(
            obtools::Recipient::Url(&katherine_url),
            &without_email.assertion_url
        ),
    );
    a.assert_pass("demo award to Ada");
    b.assert_pass("demo award to Katherine");

    // Loading again changes nothing.
    let again = demo::load(&srv.state).await.expect("load again");
    assert!(!again.created);
    assert_eq!(totals(&srv, school.id).await, before);

    // And the queue works: the teacher approves one, the nominee gets the badge.
    let first = &queue.items[0];
    let (status, body) = srv
        .post(
            &format!("/api/v1/nominations/{}/decision", first.id),
            &teacher.access,
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["award_id"].is_string(), "{body}");

    srv.stop().await;
}
