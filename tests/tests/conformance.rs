//! Open Badges 2.0 conformance: awards issued by the real server pass 1EdTech's official
//! validator (validator-core, run offline from `../shared/obtools`) as hosted assertions and as
//! baked PNG and SVG images, for a student with an e-mail identity and for one identified by
//! the URL of their profile; the validator rejects a wrong recipient and a revoked assertion.

mod obtools;

use std::path::{Path, PathBuf};

use accolade_e2e::{fixture, TestServer, PASSWORD};
use accolade_proto::{Award, BadgeClass, CreateAwardsResponse, CreateNominationsResponse, Role};
use obtools::{validate, Outcome, Recipient};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// Uploads a badge image as `token`; returns its id.
async fn upload_image(srv: &TestServer, token: &str, file: &str) -> Uuid {
    let bytes = std::fs::read(fixture(file)).expect("read badge fixture");
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
        .expect("upload request");
    let status = res.status();
    let body: Value = res.json().await.expect("image body");
    assert_eq!(status, StatusCode::CREATED, "upload {file}: {body}");
    body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("image id")
}

/// Downloads `url` (a baked image) into `dir/name`.
async fn download(srv: &TestServer, url: &str, dir: &Path, name: &str) -> PathBuf {
    let res = srv
        .http
        .get(url)
        .send()
        .await
        .expect("download baked image");
    assert_eq!(res.status(), StatusCode::OK, "GET {url}");
    let bytes = res.bytes().await.expect("baked bytes");
    let path = dir.join(name);
    std::fs::write(&path, &bytes).expect("write baked image");
    path
}

/// Runs the validator on several targets, three at a time (2-core CI machines).
async fn validate_all(jobs: Vec<(Recipient<'_>, String)>) -> Vec<Outcome> {
    use futures::StreamExt;
    futures::stream::iter(jobs)
        .map(|(r, target)| async move { validate(r, &target).await })
        .buffered(3)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_awards_pass_the_official_validator_hosted_and_baked() {
    // Set the toolkit up while the server starts (fast when already done).
    let setup = tokio::spawn(obtools::setup());
    let srv = TestServer::start().await;
    assert!(
        srv.base.starts_with("http://127.0.0.1:"),
        "public URL must be the real loopback base: {}",
        srv.base
    );
    let school = srv
        .school("conformance", "Conformance Academy", "Europe/London")
        .await;
    srv.user(
        school.id,
        Role::Teacher,
        "Tess Teacher",
        Some("teacher@conformance.example.org"),
    )
    .await;
    let emil = srv
        .user(
            school.id,
            Role::Student,
            "Emil Mail",
            Some("emil@conformance.example.org"),
        )
        .await;
    let nora = srv
        .user(school.id, Role::Student, "Nora Nomail", None)
        .await;
    assert!(nora.email.is_none());
    let teacher = srv.login("teacher@conformance.example.org", PASSWORD).await;
    let emil_session = srv.login("emil@conformance.example.org", PASSWORD).await;
    {
        let txn = srv.state.db.begin_write().await.expect("txn");
        let class = accolade_db::classes::create(&*txn, school.id, "8 Oak".into(), None, None)
            .await
            .expect("class");
        for (user, role) in [
            (teacher.id, "teacher"),
            (emil.id, "student"),
            (nora.id, "student"),
        ] {
            accolade_db::classes::enroll(&*txn, school.id, class.id, user, role, None)
                .await
                .expect("enrol");
        }
        txn.commit().await.expect("commit");
    }

    // One badge designed as PNG (expiring), one as SVG.
    let png_image = upload_image(&srv, &teacher.access, "badges/star-helper.png").await;
    let svg_image = upload_image(&srv, &teacher.access, "badges/kind-classmate.svg").await;
    let (status, body) = srv
        .post(
            "/api/v1/badge-classes",
            &teacher.access,
            json!({
                "name": "Star Helper",
                "description": "Goes out of their way to help others.",
                "criteria_narrative": "Helped a classmate or a teacher **without being asked**.",
                "image_id": png_image,
                "tags": ["kindness", "help"],
                "expires_after_days": 365,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let star: BadgeClass = serde_json::from_value(body).expect("badge class");
    let (status, body) = srv
        .post(
            "/api/v1/badge-classes",
            &teacher.access,
            json!({
                "name": "Kind Classmate",
                "description": "Makes everyone feel welcome.",
                "criteria_narrative": "Nominated by a classmate for an act of kindness.",
                "image_id": svg_image,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let kind: BadgeClass = serde_json::from_value(body).expect("badge class");

    // Award 1: direct, to the student with an e-mail, with narrative and evidence.
    let (status, body) = srv
        .post(
            "/api/v1/awards",
            &teacher.access,
            json!({
                "badge_class_id": star.id,
                "recipient_ids": [emil.id],
                "narrative": "Stayed after class to help set up the science fair.",
                "evidence_url": "https://evidence.example.org/science-fair",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: CreateAwardsResponse = serde_json::from_value(body).expect("awards");
    assert_eq!(created.awards.len(), 1);
    let to_emil = created.awards[0].clone();

    // Award 2: a classmate's nomination, approved, for the student without an e-mail.
    let (status, body) = srv
        .post(
            "/api/v1/nominations",
            &emil_session.access,
            json!({
                "badge_class_id": kind.id,
                "nominee_ids": [nora.id],
                "narrative": "Nora showed the new student around all week.",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let nominated: CreateNominationsResponse = serde_json::from_value(body).expect("noms");
    let nomination_id = nominated.nominations[0].id;
    let (status, body) = srv
        .post(
            &format!("/api/v1/nominations/{nomination_id}/decision"),
            &teacher.access,
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let award_id: Uuid = body["award_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("approved nomination has an award");
    let (status, body) = srv
        .get(&format!("/api/v1/awards/{award_id}"), &teacher.access)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let to_nora: Award = serde_json::from_value(body).expect("award");

    // The assertions name their recipients as the OB 2.0 spec says.
    let emil_email = emil.email.clone().expect("e-mail");
    let nora_url = format!("{}/@{}", srv.base, nora.handle);
    for (award, kind) in [(&to_emil, "email"), (&to_nora, "url")] {
        let res = srv
            .http
            .get(&award.assertion_url)
            .send()
            .await
            .expect("GET hosted assertion");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/ld+json")
        );
        let doc: Value = res.json().await.expect("assertion JSON");
        assert_eq!(doc["recipient"]["type"], kind, "{doc}");
        assert_eq!(doc["recipient"]["hashed"], true, "{doc}");
        assert_eq!(doc["id"], award.assertion_url.as_str(), "{doc}");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let emil_png = download(&srv, &to_emil.baked_png_url, dir.path(), "emil.png").await;
    let emil_svg = download(&srv, &to_emil.baked_svg_url, dir.path(), "emil.svg").await;
    let nora_png = download(&srv, &to_nora.baked_png_url, dir.path(), "nora.png").await;
    let nora_svg = download(&srv, &to_nora.baked_svg_url, dir.path(), "nora.svg").await;
    let path = |p: &PathBuf| p.display().to_string();
    setup.await.expect("obtools setup");

    let emil_id = Recipient::Email(&emil_email);
    let nora_id = Recipient::Url(&nora_url);
    let outcomes = validate_all(vec![
        (emil_id, to_emil.assertion_url.clone()),
        (emil_id, path(&emil_png)),
        (emil_id, path(&emil_svg)),
        (nora_id, to_nora.assertion_url.clone()),
        (nora_id, path(&nora_png)),
        (nora_id, path(&nora_svg)),
        // Wrong recipients: another e-mail, another profile URL, and the right e-mail
        // against an assertion made out to someone else.
        (
            Recipient::Email("someone.else@conformance.example.org"),
            to_emil.assertion_url.clone(),
        ),
        (
            Recipient::Url(&format!("{}/@not-{}", srv.base, nora.handle)),
            to_nora.assertion_url.clone(),
        ),
        (emil_id, to_nora.assertion_url.clone()),
    ])
    .await;
    let (passes, fails) = outcomes.split_at(6);
    for o in passes {
        o.assert_pass("freshly issued award");
        assert!(o.output.contains("recipient verified"), "{}", o.output);
    }
    for o in fails {
        o.assert_fail("wrong recipient");
    }

    // Revocation: the hosted assertion answers 410, and the validator rejects it (hosted and
    // baked, since a baked image points at its hosted assertion). The other award stays valid.
    let (status, body) = srv
        .post(
            &format!("/api/v1/awards/{}/revoke", to_emil.id),
            &teacher.access,
            json!({"reason": "Awarded to the wrong student."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = srv
        .http
        .get(&to_emil.assertion_url)
        .send()
        .await
        .expect("GET revoked");
    assert_eq!(res.status(), StatusCode::GONE);
    let outcomes = validate_all(vec![
        (emil_id, to_emil.assertion_url.clone()),
        (emil_id, path(&emil_png)),
        (nora_id, to_nora.assertion_url.clone()),
    ])
    .await;
    outcomes[0].assert_fail("revoked hosted assertion");
    assert!(
        outcomes[0].output.contains("410") || outcomes[0].output.contains("REVOKED"),
        "the failure should be the revocation:\n{}",
        outcomes[0].output
    );
    outcomes[1].assert_fail("baked image of a revoked assertion");
    outcomes[2].assert_pass("award that was not revoked");

    srv.stop().await;
}
