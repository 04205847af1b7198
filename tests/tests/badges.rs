//! Badges end to end: badge classes and images, peer nominations and moderation, direct awards,
//! hosted and baked Open Badges 2.0 assertions, revisions and revocation.

use accolade_e2e::{Session, TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

struct School {
    srv: TestServer,
    school_id: Uuid,
    class_id: Uuid,
    teacher: Session,
    alice: Session,
    bob: Session,
    carol: Session,
}

/// A school with one class: teacher Tess, students Alice (e-mail `Alice@Example.org`), Bob and
/// Carol.
async fn school() -> School {
    let srv = TestServer::start().await;
    let s = srv.school("north", "North School", "Europe/London").await;
    let t = srv
        .user(
            s.id,
            Role::Teacher,
            "Tess Teacher",
            Some("tess@north.example.org"),
        )
        .await;
    let a = srv
        .user(s.id, Role::Student, "Alice Able", Some("Alice@Example.org"))
        .await;
    let b = srv
        .user(
            s.id,
            Role::Student,
            "Bob Baker",
            Some("bob@north.example.org"),
        )
        .await;
    let c = srv
        .user(
            s.id,
            Role::Student,
            "Carol Cole",
            Some("carol@north.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    let class =
        accolade_db::classes::create(conn, s.id, "9C Computing".into(), Some("9C".into()), None)
            .await
            .expect("class");
    for (u, role) in [
        (&t, "teacher"),
        (&a, "student"),
        (&b, "student"),
        (&c, "student"),
    ] {
        accolade_db::classes::enroll(conn, s.id, class.id, u.id, role, None)
            .await
            .expect("enroll");
    }
    let teacher = srv.login("tess@north.example.org", PASSWORD).await;
    let alice = srv.login("alice@example.org", PASSWORD).await;
    let bob = srv.login("bob@north.example.org", PASSWORD).await;
    let carol = srv.login("carol@north.example.org", PASSWORD).await;
    School {
        srv,
        school_id: s.id,
        class_id: class.id,
        teacher,
        alice,
        bob,
        carol,
    }
}

async fn upload(srv: &TestServer, token: &str, bytes: Vec<u8>, ctype: &str) -> (StatusCode, Value) {
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
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn badge(s: &School, name: &str, extra: Value) -> Value {
    let png = std::fs::read(accolade_e2e::badge_image_path("png"));
    let (status, img) = upload(&s.srv, &s.teacher.access, png.expect("png"), "image/png").await;
    assert_eq!(status, StatusCode::CREATED, "{img}");
    let mut body = json!({
        "name": name,
        "description": "Helps classmates without being asked.",
        "criteria_narrative": "Nominated by a classmate and confirmed by a teacher.",
        "image_id": img["id"],
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (status, class) = s
        .srv
        .post("/api/v1/badge-classes", &s.teacher.access, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{class}");
    class
}

async fn nominate(s: &School, by: &Session, badge: &Value, nominee: Uuid) -> (StatusCode, Value) {
    s.srv
        .post(
            "/api/v1/nominations",
            &by.access,
            json!({"badge_class_id": badge["id"], "nominee_ids": [nominee], "narrative": "Explained recursion to the whole table."}),
        )
        .await
}

async fn decide(s: &School, id: &str, decision: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = s
        .srv
        .http
        .post(s.srv.url(&format!("/api/v1/nominations/{id}/decision")))
        .bearer_auth(&s.teacher.access)
        .json(&json!({"decision": decision, "reason": "Please add an example."}));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.expect("decide");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn award_count(s: &School) -> u64 {
    accolade_db::awards::count_in_school(s.srv.state.db.conn(), s.school_id, false)
        .await
        .expect("count")
}

#[tokio::test]
async fn self_nomination_is_422_and_moderated_nominations_wait_for_a_teacher() {
    let s = school().await;
    let b = badge(&s, "Helper", json!({})).await;
    let (status, problem) = nominate(&s, &s.alice, &b, s.alice.id).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "self_nomination");

    let (status, created) = nominate(&s, &s.alice, &b, s.bob.id).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let n = &created["nominations"][0];
    assert_eq!(n["status"], "pending");
    assert_eq!(created["allowance"]["remaining"], 4);
    // Nothing for Bob yet, and it sits in the teacher's queue.
    let (_, mine) = s.srv.get("/api/v1/me/awards", &s.bob.access).await;
    assert_eq!(mine["items"].as_array().expect("items").len(), 0);
    let (_, queue) = s
        .srv
        .get("/api/v1/nominations/queue", &s.teacher.access)
        .await;
    assert_eq!(queue["items"][0]["id"], n["id"]);
    assert_eq!(award_count(&s).await, 0);
    // Students cannot see or use the queue.
    assert_eq!(
        s.srv
            .get("/api/v1/nominations/queue", &s.bob.access)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let (status, decided) = decide(&s, n["id"].as_str().expect("id"), "approve", None).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "approved");
    let (_, mine) = s.srv.get("/api/v1/me/awards", &s.bob.access).await;
    assert_eq!(mine["items"][0]["id"], decided["award_id"]);
    assert_eq!(mine["items"][0]["source"], "nomination");
    s.srv.stop().await;
}

#[tokio::test]
async fn double_approval_and_idempotent_retry_make_one_assertion() {
    let s = school().await;
    let b = badge(&s, "Helper", json!({})).await;
    let (_, created) = nominate(&s, &s.alice, &b, s.bob.id).await;
    let id = created["nominations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let key = Uuid::new_v4().to_string();
    let first = decide(&s, &id, "approve", Some(&key));
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        decide(&s, &id, "approve", None).await
    };
    let (a, b2) = tokio::join!(first, second);
    assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    assert_eq!(b2.0, StatusCode::CONFLICT, "{}", b2.1);
    assert_eq!(b2.1["code"], "already_decided");
    let (status, replay) = decide(&s, &id, "approve", Some(&key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay, a.1, "the retry replays the first response");
    assert_eq!(award_count(&s).await, 1);
    // The same key for another request is refused.
    let (_, other) = nominate(&s, &s.alice, &b, s.carol.id).await;
    let other_id = other["nominations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, problem) = decide(&s, &other_id, "approve", Some(&key)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "idempotency_key_reused");
    s.srv.stop().await;
}

#[tokio::test]
async fn nomination_rules_duplicates_holdings_allowance_and_privacy() {
    let s = school().await;
    let b = badge(&s, "Helper", json!({})).await;
    let (status, _) = nominate(&s, &s.alice, &b, s.bob.id).await;
    assert_eq!(status, StatusCode::CREATED);
    // Another nominator, same nominee and badge while pending → 409 (keyed on the nominee).
    let (status, problem) = nominate(&s, &s.carol, &b, s.bob.id).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "duplicate_nomination");

    // A rejected nomination is never shown to the nominee; the nominator sees the reason.
    let (_, n) = nominate(&s, &s.bob, &b, s.carol.id).await;
    let nid = n["nominations"][0]["id"].as_str().expect("id").to_owned();
    let (status, rejected) = decide(&s, &nid, "reject", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rejected["decision_reason"], "Please add an example.");
    let (_, bobs) = s.srv.get("/api/v1/nominations", &s.bob.access).await;
    assert_eq!(bobs["items"][0]["status"], "rejected");
    assert_eq!(
        bobs["items"][0]["decision_reason"],
        "Please add an example."
    );
    let (_, carols) = s.srv.get("/api/v1/nominations", &s.carol.access).await;
    assert!(carols["items"].as_array().expect("items").is_empty());
    assert_eq!(
        s.srv
            .get(&format!("/api/v1/nominations/{nid}"), &s.carol.access)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Decided nominations are immutable.
    assert_eq!(
        decide(&s, &nid, "approve", None).await.0,
        StatusCode::CONFLICT
    );

    // Non-repeatable badge already held → 409 for a nomination and for a direct award.
    let (_, award) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.teacher.access,
            json!({"badge_class_id": b["id"], "recipient_ids": [s.carol.id]}),
        )
        .await;
    assert_eq!(award["awards"].as_array().expect("awards").len(), 1);
    let (status, problem) = nominate(&s, &s.alice, &b, s.carol.id).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "already_held");
    let (status, problem) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.teacher.access,
            json!({"badge_class_id": b["id"], "recipient_ids": [s.carol.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "already_held");

    // Return for revision, revise, approve.
    let r = badge(&s, "Reviser", json!({})).await;
    let (_, n) = nominate(&s, &s.alice, &r, s.carol.id).await;
    let nid = n["nominations"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        decide(&s, &nid, "return", None).await.1["status"],
        "returned"
    );
    let (status, revised) = s
        .srv
        .call(
            Method::PATCH,
            &format!("/api/v1/nominations/{nid}"),
            Some(&s.alice.access),
            Some(&json!({"narrative": "She debugged my loop and explained why."})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    assert_eq!(revised["status"], "pending");
    assert_eq!(decide(&s, &nid, "approve", None).await.0, StatusCode::OK);

    // Weekly allowance: Alice has used 3 (Bob, Carol for Reviser, the key-less one below).
    let rep = badge(&s, "Repeat", json!({"repeatable": true})).await;
    let mut last = (StatusCode::OK, Value::Null);
    for _ in 0..4 {
        last = nominate(&s, &s.alice, &rep, s.bob.id).await;
        if last.0 == StatusCode::CREATED {
            let id = last.1["nominations"][0]["id"]
                .as_str()
                .expect("id")
                .to_owned();
            decide(&s, &id, "approve", None).await;
        }
    }
    assert_eq!(last.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", last.1);
    assert_eq!(last.1["code"], "allowance_exceeded");
    let (_, allowance) = s.srv.get("/api/v1/me/allowance", &s.alice.access).await;
    assert_eq!(allowance["used"], 5);
    assert_eq!(allowance["remaining"], 0);
    s.srv.stop().await;
}

#[tokio::test]
async fn auto_approve_awards_at_once_and_bulk_class_award_is_one_request() {
    let s = school().await;
    let b = badge(&s, "Kindness", json!({"moderation": "auto_approve"})).await;
    let (status, created) = nominate(&s, &s.alice, &b, s.bob.id).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["nominations"][0]["status"], "approved");
    assert!(created["nominations"][0]["award_id"].is_string());

    let d = badge(&s, "Attendance", json!({})).await;
    let key = Uuid::new_v4().to_string();
    let send = || {
        s.srv
            .http
            .post(s.srv.url("/api/v1/awards"))
            .bearer_auth(&s.teacher.access)
            .header("Idempotency-Key", &key)
            .json(&json!({"badge_class_id": d["id"], "class_id": s.class_id, "narrative": "Full attendance in November."}))
            .send()
    };
    let res = send().await.expect("award");
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["awards"].as_array().expect("awards").len(), 3);
    let res = send().await.expect("retry");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    assert_eq!(award_count(&s).await, 4);
    // A second class award skips holders.
    let (_, again) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.teacher.access,
            json!({"badge_class_id": d["id"], "class_id": s.class_id}),
        )
        .await;
    assert_eq!(again["awards"].as_array().expect("awards").len(), 0);
    assert_eq!(again["skipped"].as_array().expect("skipped").len(), 3);
    assert!(again["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .all(|x| x["code"] == "already_held"));
    // Students cannot award.
    let (status, _) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.alice.access,
            json!({"badge_class_id": d["id"], "recipient_ids": [s.bob.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.srv.stop().await;
}

#[tokio::test]
async fn hosted_assertion_identity_revision_and_revocation() {
    let s = school().await;
    let b = badge(&s, "Helper", json!({"expires_after_days": 365})).await;
    let (_, res) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.teacher.access,
            json!({"badge_class_id": b["id"], "recipient_ids": [s.alice.id]}),
        )
        .await;
    let award = &res["awards"][0];
    let url = award["assertion_url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&s.srv.base));
    let hosted = s.srv.http.get(&url).send().await.expect("hosted");
    assert_eq!(hosted.status(), StatusCode::OK);
    assert_eq!(hosted.headers()["content-type"], "application/ld+json");
    assert_eq!(hosted.headers()["access-control-allow-origin"], "*");
    let text = hosted.text().await.expect("text");
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["id"], url);
    assert_eq!(doc["type"], "Assertion");
    assert_eq!(doc["recipient"]["hashed"], true);
    assert_eq!(doc["recipient"]["type"], "email");
    let salt = doc["recipient"]["salt"].as_str().expect("salt");
    assert_eq!(
        doc["recipient"]["identity"],
        accolade_openbadges::hash_identity(
            accolade_openbadges::IdentityKind::Email,
            "Alice@Example.org",
            salt
        )
    );
    assert!(
        !text.contains("example.org\""),
        "no clear-text e-mail in the assertion"
    );
    let issued_on = doc["issuedOn"].as_str().expect("issuedOn");
    assert!(
        issued_on.ends_with('Z') && issued_on.len() == 20,
        "{issued_on}"
    );
    assert!(doc["expires"].as_str().expect("expires").ends_with('Z'));
    assert_eq!(doc["verification"]["type"], "hosted");

    // The BadgeClass revision and issuer resolve.
    let badge_url = doc["badge"].as_str().expect("badge").to_owned();
    let bc: Value = s
        .srv
        .http
        .get(&badge_url)
        .send()
        .await
        .expect("badge")
        .json()
        .await
        .expect("json");
    assert_eq!(bc["id"], badge_url);
    assert_eq!(bc["name"], "Helper");
    let issuer: Value = s
        .srv
        .http
        .get(bc["issuer"].as_str().expect("issuer"))
        .send()
        .await
        .expect("issuer")
        .json()
        .await
        .expect("json");
    assert_eq!(issuer["name"], "North School");

    // Renaming after the first award makes revision 2; the old assertion keeps revision 1.
    let (status, renamed) = s
        .srv
        .call(
            Method::PATCH,
            &format!("/api/v1/badge-classes/{}", b["id"].as_str().expect("id")),
            Some(&s.teacher.access),
            Some(&json!({"name": "Super Helper"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["revision"], 2);
    let again = s
        .srv
        .http
        .get(&url)
        .send()
        .await
        .expect("hosted")
        .text()
        .await
        .expect("text");
    assert_eq!(again, text, "hosted JSON never changes");
    let old: Value = s
        .srv
        .http
        .get(&badge_url)
        .send()
        .await
        .expect("badge")
        .json()
        .await
        .expect("json");
    assert_eq!(old["name"], "Helper");
    let (_, res) = s
        .srv
        .post(
            "/api/v1/awards",
            &s.teacher.access,
            json!({"badge_class_id": b["id"], "recipient_ids": [s.bob.id]}),
        )
        .await;
    let doc2: Value = s
        .srv
        .http
        .get(res["awards"][0]["assertion_url"].as_str().expect("url"))
        .send()
        .await
        .expect("h")
        .json()
        .await
        .expect("j");
    assert!(doc2["badge"].as_str().expect("badge").ends_with("/v2"));

    // A badge with live awards cannot be deleted.
    let (status, _) = s
        .srv
        .call(
            Method::DELETE,
            &format!("/api/v1/badge-classes/{}", b["id"].as_str().expect("id")),
            Some(&s.teacher.access),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Revocation: 410 with the reason, listed by the issuer, shown as revoked.
    let (status, revoked) = s
        .srv
        .post(
            &format!(
                "/api/v1/awards/{}/revoke",
                award["id"].as_str().expect("id")
            ),
            &s.teacher.access,
            json!({"reason": "Awarded by mistake"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(revoked["status"], "revoked");
    let gone = s.srv.http.get(&url).send().await.expect("hosted");
    assert_eq!(gone.status(), StatusCode::GONE);
    let body: Value = gone.json().await.expect("json");
    assert_eq!(
        body,
        json!({"@context": "https://w3id.org/openbadges/v2", "id": url, "revoked": true, "revocationReason": "Awarded by mistake"})
    );
    let list: Value = s
        .srv
        .http
        .get(issuer["revocationList"].as_str().expect("list"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["revokedAssertions"][0]["id"], url);
    s.srv.stop().await;
}

#[tokio::test]
async fn hostile_names_bake_into_well_formed_svg_and_png() {
    let s = school().await;
    let svg = accolade_e2e::badge_image_path("svg");
    let (status, img) = upload(
        &s.srv,
        &s.teacher.access,
        std::fs::read(svg).expect("svg"),
        "image/svg+xml",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{img}");
    let (status, b) = s
        .srv
        .post(
            "/api/v1/badge-classes",
            &s.teacher.access,
            json!({
                "name": "</text><script>alert(1)</script>",
                "description": "Ends a CDATA section early: ]]> and <b>bold</b> & more",
                "criteria_narrative": "x]]>y",
                "image_id": img["id"],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let (_, res) = s
        .srv
        .post("/api/v1/awards", &s.teacher.access, json!({"badge_class_id": b["id"], "recipient_ids": [s.bob.id], "narrative": "]]><script>alert(2)</script>"}))
        .await;
    let url = res["awards"][0]["assertion_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let hosted = s
        .srv
        .http
        .get(&url)
        .send()
        .await
        .expect("hosted")
        .text()
        .await
        .expect("text");

    let baked_svg = s
        .srv
        .http
        .get(format!("{url}.svg"))
        .send()
        .await
        .expect("svg");
    assert_eq!(baked_svg.headers()["content-type"], "image/svg+xml");
    assert!(baked_svg.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .contains("script-src 'none'"));
    let baked_svg = baked_svg.text().await.expect("svg text");
    let mut reader = quick_xml::Reader::from_str(&baked_svg);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                assert_ne!(
                    e.local_name().as_ref(),
                    b"script",
                    "injected element in baked SVG"
                );
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("baked SVG is not well-formed: {e}"),
        }
    }
    assert_eq!(
        accolade_openbadges::unbake_svg(&baked_svg).expect("unbake"),
        Some(hosted.clone())
    );

    let png = s
        .srv
        .http
        .get(format!("{url}.png"))
        .send()
        .await
        .expect("png")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(
        accolade_openbadges::unbake_png(&png).expect("unbake"),
        Some(hosted)
    );
    s.srv.stop().await;
}

#[tokio::test]
async fn image_uploads_are_checked_before_storing() {
    let s = school().await;
    // A PNG whose header claims 19000×19000: rejected without decoding.
    let mut png = std::fs::read(accolade_e2e::badge_image_path("png")).expect("badge image");
    png[16..20].copy_from_slice(&19000u32.to_be_bytes());
    png[20..24].copy_from_slice(&19000u32.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    let (status, problem) = upload(&s.srv, &s.teacher.access, png, "image/png").await;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status}"
    );
    assert_eq!(problem["code"], "invalid_image");
    assert!(problem["detail"]
        .as_str()
        .expect("detail")
        .contains("19000"));

    let evil =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let (status, problem) = upload(&s.srv, &s.teacher.access, evil, "image/svg+xml").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "invalid_image");
    let evil = br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>"#.to_vec();
    assert_eq!(
        upload(&s.srv, &s.teacher.access, evil, "image/svg+xml")
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, problem) = upload(
        &s.srv,
        &s.teacher.access,
        vec![b'x'; 600 * 1024],
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    // Students cannot upload.
    let ok = accolade_e2e::badge_image_path("svg");
    assert_eq!(
        upload(
            &s.srv,
            &s.alice.access,
            std::fs::read(&ok).expect("svg"),
            "image/svg+xml"
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Served images carry nosniff and a script-free CSP.
    let (_, img) = upload(
        &s.srv,
        &s.teacher.access,
        std::fs::read(ok).expect("svg"),
        "image/svg+xml",
    )
    .await;
    let res = s
        .srv
        .http
        .get(img["url"].as_str().expect("url"))
        .send()
        .await
        .expect("img");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .contains("script-src 'none'"));
    s.srv.stop().await;
}
