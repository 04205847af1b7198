//! The teacher pages (`/teach/…`) over real HTTP, without JavaScript (on SQLite, or on
//! PostgreSQL with `ACCOLADE_TEST_PG_URL`): every page for a teacher and an admin, students
//! refused, signed-out browsers sent to sign in, another school's objects 404, CSRF refused,
//! moderation through the forms, badge upload errors next to the field with everything typed
//! kept, a whole-class award posted twice making exactly one award per student, revoking making
//! the hosted assertion answer 410, claim-code controls and sign-in cards.

mod web_common;

use accolade_e2e::{Session, PASSWORD};
use accolade_proto::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;
use web_common::{code, setup, student, Browser, Fixture, TEACHER};

const ADMIN: &str = "ada.admin@north.example.org";

async fn admin(f: &Fixture) -> Session {
    f.srv
        .user(f.school_id, Role::Admin, "Ada Admin", Some(ADMIN))
        .await;
    f.srv.login(ADMIN, PASSWORD).await
}

async fn signed_in(f: &Fixture, login: &str) -> Browser {
    let mut b = Browser::new(&f.srv);
    b.sign_in(login, "/teach/queue").await;
    b
}

async fn nominate(f: &Fixture, by: &Session, nominee: Uuid, narrative: &str) -> Value {
    let (status, body) = f
        .srv
        .post(
            "/api/v1/nominations",
            &by.access,
            json!({"badge_class_id": f.badge["id"], "nominee_ids": [nominee], "narrative": narrative}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["nominations"][0].clone()
}

async fn nomination_status(f: &Fixture, id: &str) -> String {
    let (status, n) = f
        .srv
        .get(&format!("/api/v1/nominations/{id}"), &f.teacher.access)
        .await;
    assert_eq!(status, StatusCode::OK, "{n}");
    n["status"].as_str().unwrap_or_default().to_owned()
}

async fn award_count(f: &Fixture, badge_id: &str) -> usize {
    let (status, page) = f
        .srv
        .get(
            &format!("/api/v1/awards?badge_class_id={badge_id}&limit=200"),
            &f.teacher.access,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().map(Vec::len).unwrap_or(0)
}

fn ids(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn every_page_for_teachers_and_admins_students_refused() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(
        &f,
        "Ada \u{5e9}\u{5dc}\u{5d5}\u{5dd}",
        "ada@north.example.org",
        f.class_id,
    )
    .await;
    let bo = student(&f, "Bo", "bo@north.example.org", f.class_id).await;
    let n = nominate(&f, &ada, bo.id, "Helped <everyone> at the fair").await;
    let c = code(&f, json!({})).await;
    let (status, awarded) = f
        .srv
        .post(
            "/api/v1/awards",
            &f.teacher.access,
            json!({"badge_class_id": f.badge["id"], "recipient_ids": [ada.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{awarded}");
    let award_id = ids(&awarded["awards"][0]);
    admin(&f).await;
    let badge = ids(&f.badge);
    let pages = [
        (
            "/teach/queue".to_owned(),
            "Helped &lt;everyone&gt; at the fair",
        ),
        ("/teach/badges".to_owned(), "Science Fair"),
        ("/teach/badges/new".to_owned(), "name=\"image\""),
        (format!("/teach/badges/{badge}"), "Science Fair"),
        ("/teach/award".to_owned(), "name=\"form_token\""),
        ("/teach/awards".to_owned(), &award_id),
        (format!("/teach/awards/{award_id}"), "/revoke"),
        ("/teach/codes".to_owned(), "Science Fair 2026"),
        ("/teach/codes/new".to_owned(), "datetime-local"),
        (
            format!("/teach/codes/{}", ids(&c)),
            &format!("/present/{}", ids(&c)),
        ),
        ("/teach/classes".to_owned(), "7A"),
        (format!("/teach/classes/{}", f.class_id), "<bdi>Bo</bdi>"),
    ];
    let mut teacher = signed_in(&f, TEACHER).await;
    let mut admin_b = signed_in(&f, ADMIN).await;
    for (path, needle) in &pages {
        let p = teacher.get(path).await;
        p.expect(StatusCode::OK, needle);
        assert!(
            p.body.contains("name=\"csrf\"") || !p.body.contains("method=\"post\""),
            "{path}"
        );
        let csp = p
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        let p = admin_b.get(path).await;
        p.expect(StatusCode::OK, needle);
    }
    // The queue shows names isolated and the narrative escaped.
    let q = teacher.get("/teach/queue").await;
    assert!(
        q.body
            .contains("<bdi>Ada \u{5e9}\u{5dc}\u{5d5}\u{5dd}</bdi>"),
        "{}",
        q.body
    );
    assert!(q.body.contains(&format!("id=\"n-{}\"", ids(&n))));
    assert!(!q.body.contains("<everyone>"));
    // Students get a 403 page on every teacher page; signed-out browsers go to sign in.
    let mut stu = Browser::new(&f.srv);
    stu.sign_in("ada@north.example.org", "/my/badges").await;
    let mut anon = Browser::new(&f.srv);
    for (path, _) in &pages {
        let p = stu.get(path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}: {}", p.body);
        assert!(!p.body.contains("Helped"), "{path}");
        let p = anon.get(path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert!(p.location().starts_with("/signin?next="), "{path}");
    }
    // A student cannot decide through the form either (even with their own valid token).
    let csrf = stu.get("/signout").await.csrf();
    let p = stu
        .post(
            &format!("/teach/queue/{}/decision", ids(&n)),
            &[("csrf", &csrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(nomination_status(&f, &ids(&n)).await, "pending");
    f.srv.stop().await;
}

#[tokio::test]
async fn another_schools_objects_are_not_found() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada", "ada@north.example.org", f.class_id).await;
    let bo = student(&f, "Bo", "bo@north.example.org", f.class_id).await;
    let n = nominate(&f, &ada, bo.id, "Great work").await;
    let c = code(&f, json!({})).await;
    let (_, awarded) = f
        .srv
        .post(
            "/api/v1/awards",
            &f.teacher.access,
            json!({"badge_class_id": f.badge["id"], "recipient_ids": [ada.id]}),
        )
        .await;
    let award_id = ids(&awarded["awards"][0]);
    // A teacher (and an admin) of another school.
    let other = f.srv.school("south", "South School", "UTC").await;
    f.srv
        .user(
            other.id,
            Role::Admin,
            "Sam South",
            Some("sam@south.example.org"),
        )
        .await;
    let mut b = Browser::new(&f.srv);
    b.sign_in("sam@south.example.org", "/teach/queue").await;
    let q = b.get("/teach/queue").await;
    q.expect(StatusCode::OK, "Nominations to review");
    assert!(!q.body.contains("Great work"));
    for path in [
        format!("/teach/badges/{}", ids(&f.badge)),
        format!("/teach/codes/{}", ids(&c)),
        format!("/teach/classes/{}", f.class_id),
        format!("/teach/awards/{award_id}"),
        format!("/teach/codes/{}/sheet.svg", ids(&c)),
        "/teach/badges/not-a-uuid".to_owned(),
    ] {
        let p = b.get(&path).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
        assert!(!p.body.contains("Science Fair"), "{path}");
    }
    let csrf = q.csrf();
    for path in [
        format!("/teach/queue/{}/decision", ids(&n)),
        format!("/teach/awards/{award_id}/revoke"),
        format!("/teach/codes/{}/close", ids(&c)),
    ] {
        let p = b
            .post(
                &path,
                &[("csrf", &csrf), ("decision", "approve"), ("reason", "x")],
            )
            .await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
    }
    assert_eq!(nomination_status(&f, &ids(&n)).await, "pending");
    let items = b.get(&format!("/teach/queue/items?ids={}", ids(&n))).await;
    assert_eq!(items.status, StatusCode::OK);
    assert!(items.body.contains("\"count\":0"), "{}", items.body);
    f.srv.stop().await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada", "ada@north.example.org", f.class_id).await;
    let bo = student(&f, "Bo", "bo@north.example.org", f.class_id).await;
    let n = nominate(&f, &ada, bo.id, "Great work").await;
    let mut b = signed_in(&f, TEACHER).await;
    let badge = ids(&f.badge);
    let posts: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            format!("/teach/queue/{}/decision", ids(&n)),
            vec![("decision", "approve".into())],
        ),
        (
            "/teach/queue/bulk".into(),
            vec![("ids", ids(&n)), ("decision", "approve".into())],
        ),
        (
            "/teach/award".into(),
            vec![
                ("badge_class_id", badge.clone()),
                ("recipient_ids", ada.id.to_string()),
                ("form_token", "abcdefghijklmnopqrstuvwx".into()),
            ],
        ),
        (format!("/teach/classes/{}/cards.svg", f.class_id), vec![]),
        (
            format!("/teach/badges/{badge}/archive"),
            vec![("archived", "1".into())],
        ),
    ];
    for (path, fields) in &posts {
        for csrf in [None, Some("forged-token-AAAAAAAAAAAAAAAA")] {
            let mut form: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if let Some(c) = csrf {
                form.push(("csrf", c));
            }
            let p = b.post(path, &form).await;
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}: {}", p.body);
        }
    }
    assert_eq!(nomination_status(&f, &ids(&n)).await, "pending");
    assert_eq!(award_count(&f, &badge).await, 0);
    let (_, bc) = f
        .srv
        .get(&format!("/api/v1/badge-classes/{badge}"), &f.teacher.access)
        .await;
    assert_eq!(bc["archived"], false);
    // The live queue's ticket needs the page's token in a header.
    let p = b
        .post_with_header("/teach/ws-ticket", "x-csrf-token", "nope")
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let csrf = b.get("/teach/queue").await.csrf();
    let p = b
        .post_with_header("/teach/ws-ticket", "x-csrf-token", &csrf)
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let t: Value = serde_json::from_str(&p.body).expect("json");
    assert!(t["ticket"].as_str().is_some_and(|s| s.len() > 20), "{t}");
    f.srv.stop().await;
}

#[tokio::test]
async fn approve_reject_and_return_through_the_forms() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada", "ada@north.example.org", f.class_id).await;
    let bo = student(&f, "Bo", "bo@north.example.org", f.class_id).await;
    let cy = student(&f, "Cy", "cy@north.example.org", f.class_id).await;
    let n1 = nominate(&f, &ada, bo.id, "First").await;
    let n2 = nominate(&f, &bo, cy.id, "Second").await;
    let n3 = nominate(&f, &cy, ada.id, "Third").await;
    let dee = student(&f, "Dee", "dee@north.example.org", f.class_id).await;
    let eli = student(&f, "Eli", "eli@north.example.org", f.class_id).await;
    let n4 = nominate(&f, &ada, dee.id, "Fourth").await;
    let n5 = nominate(&f, &bo, eli.id, "Fifth").await;
    let mut b = signed_in(&f, TEACHER).await;
    let csrf = b.get("/teach/queue").await.csrf();
    // Approve: awarded.
    let p = b
        .post(
            &format!("/teach/queue/{}/decision", ids(&n1)),
            &[("csrf", &csrf), ("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/teach/queue?done=approved");
    assert_eq!(nomination_status(&f, &ids(&n1)).await, "approved");
    let page = b.get(&p.location()).await;
    page.expect(StatusCode::OK, "Approved: the badge is awarded.");
    assert!(!page.body.contains(&format!("id=\"n-{}\"", ids(&n1))));
    // Reject without a reason: the error is next to that item's reason, nothing changed.
    let p = b
        .post(
            &format!("/teach/queue/{}/decision", ids(&n2)),
            &[("csrf", &csrf), ("decision", "reject"), ("reason", "  ")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains(&format!("id=\"reason-err-{}\"", ids(&n2))),
        "{}",
        p.body
    );
    assert!(p.body.contains("Write a reason"));
    assert_eq!(nomination_status(&f, &ids(&n2)).await, "pending");
    // With a reason: rejected, and the nominator sees it.
    let p = b
        .post(
            &format!("/teach/queue/{}/decision", ids(&n2)),
            &[
                ("csrf", &csrf),
                ("decision", "reject"),
                ("reason", "Not this time"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (_, mine) = f.srv.get("/api/v1/nominations", &bo.access).await;
    let r = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|x| x["id"] == n2["id"])
        .expect("own nomination")
        .clone();
    assert_eq!(r["status"], "rejected");
    assert_eq!(r["decision_reason"], "Not this time");
    // Return for revision.
    let p = b
        .post(
            &format!("/teach/queue/{}/decision", ids(&n3)),
            &[
                ("csrf", &csrf),
                ("decision", "return"),
                ("reason", "Say more"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(nomination_status(&f, &ids(&n3)).await, "returned");
    // Deciding again: already decided, nothing changes.
    let p = b
        .post(
            &format!("/teach/queue/{}/decision", ids(&n1)),
            &[("csrf", &csrf), ("decision", "reject"), ("reason", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert_eq!(nomination_status(&f, &ids(&n1)).await, "approved");
    // Bulk: nothing ticked is an error next to the bulk reason; then two approved at once.
    let p = b
        .post(
            "/teach/queue/bulk",
            &[("csrf", &csrf), ("decision", "approve"), ("reason", "kept")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"bulk-err\""));
    assert!(p.body.contains(">kept</textarea>"), "typed reason kept");
    let p = b
        .post(
            "/teach/queue/bulk",
            &[
                ("csrf", &csrf),
                ("ids", &ids(&n4)),
                ("ids", &ids(&n5)),
                ("ids", &ids(&n1)),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/teach/queue?done=bulk&n=2&failed=1");
    assert_eq!(nomination_status(&f, &ids(&n4)).await, "approved");
    assert_eq!(nomination_status(&f, &ids(&n5)).await, "approved");
    let page = b.get(&p.location()).await;
    page.expect(StatusCode::OK, "2 nominations decided.");
    page.expect(StatusCode::OK, "Nothing is waiting");
    assert_eq!(award_count(&f, &ids(&f.badge)).await, 3);
    f.srv.stop().await;
}

const SCRIPT_SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#;

fn badge_form(
    csrf: &str,
    name: &str,
    file: Option<(&str, Vec<u8>, &str)>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .text("name", name.to_owned())
        .text("description", "For <kind> deeds".to_owned())
        .text("criteria_narrative", "Be kind three times".to_owned())
        .text("tags", "kindness, care".to_owned())
        .text("peer_nominable", "1".to_owned())
        .text("moderation", "required".to_owned())
        .text("scope", "school".to_owned());
    if let Some((fname, bytes, mime)) = file {
        form = form.part(
            "image",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(fname.to_owned())
                .mime_str(mime)
                .expect("mime"),
        );
    }
    form
}

#[tokio::test]
async fn badge_upload_errors_keep_what_was_typed() {
    let f = setup("Science Fair", "Europe/London").await;
    let mut b = signed_in(&f, TEACHER).await;
    let csrf = b.get("/teach/badges/new").await.csrf();
    // A script in the SVG: the error is next to the image field; the typed fields stay.
    let p = b
        .post_multipart(
            "/teach/badges/new",
            badge_form(
                &csrf,
                "Kindness \u{5d0}",
                Some(("evil.svg", SCRIPT_SVG.as_bytes().to_vec(), "image/svg+xml")),
            ),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let err_at = p.body.find("id=\"err-image\"").expect("image error shown");
    let input_at = p.body.find("id=\"image\"").expect("image input");
    assert!(err_at > input_at, "the error follows its field");
    assert!(p.body.contains("aria-invalid=\"true\""));
    assert_eq!(p.input_value("name").as_deref(), Some("Kindness \u{5d0}"));
    assert!(
        p.body.contains(">For &lt;kind&gt; deeds</textarea>"),
        "{}",
        p.body
    );
    assert!(p.body.contains(">Be kind three times</textarea>"));
    assert_eq!(p.input_value("tags").as_deref(), Some("kindness, care"));
    // No image at all: asked for one.
    let p = b
        .post_multipart("/teach/badges/new", badge_form(&csrf, "Kindness", None))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Choose an image"));
    // A good PNG but a missing name: the image is kept (hidden id + preview), the name error
    // shows next to the name.
    let png = std::fs::read(accolade_e2e::badge_image_path("png")).expect("png");
    let p = b
        .post_multipart(
            "/teach/badges/new",
            badge_form(&csrf, "", Some(("b.png", png.clone(), "image/png"))),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("id=\"err-name\""), "{}", p.body);
    let image_id = p.input_value("image_id").expect("uploaded image kept");
    assert!(web_common::unescape(&p.body).contains(&format!("/ob/v2/images/{image_id}")));
    // Sending the form again with the kept image and a name creates the badge.
    let form = badge_form(&csrf, "Kindness", None).text("image_id", image_id.clone());
    let p = b.post_multipart("/teach/badges/new", form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let loc = p.location();
    assert!(
        loc.starts_with("/teach/badges/") && loc.ends_with("?saved=1"),
        "{loc}"
    );
    let id = loc
        .trim_start_matches("/teach/badges/")
        .trim_end_matches("?saved=1")
        .to_owned();
    let (status, bc) = f
        .srv
        .get(&format!("/api/v1/badge-classes/{id}"), &f.teacher.access)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bc["name"], "Kindness");
    assert_eq!(bc["tags"], json!(["kindness", "care"]));
    b.get(&loc).await.expect(StatusCode::OK, "Saved.");
    // Edit: a bad image refuses the whole change; a good edit saves.
    let p = b
        .post_multipart(
            &format!("/teach/badges/{id}"),
            badge_form(
                &csrf,
                "Kindness 2",
                Some(("evil.svg", SCRIPT_SVG.as_bytes().to_vec(), "image/svg+xml")),
            ),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p.input_value("name").as_deref(), Some("Kindness 2"));
    let p = b
        .post_multipart(
            &format!("/teach/badges/{id}"),
            badge_form(&csrf, "Kindness 2", None),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (_, bc) = f
        .srv
        .get(&format!("/api/v1/badge-classes/{id}"), &f.teacher.access)
        .await;
    assert_eq!(bc["name"], "Kindness 2");
    // Archive and restore.
    let p = b
        .post(
            &format!("/teach/badges/{id}/archive"),
            &[("csrf", &csrf), ("archived", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let (_, bc) = f
        .srv
        .get(&format!("/api/v1/badge-classes/{id}"), &f.teacher.access)
        .await;
    assert_eq!(bc["archived"], true);
    b.get("/teach/badges")
        .await
        .expect(StatusCode::OK, "Archived");
    f.srv.stop().await;
}

#[tokio::test]
async fn a_whole_class_award_posted_twice_awards_once_and_revoking_answers_410() {
    let f = setup("Science Fair", "Europe/London").await;
    for (name, email) in [
        ("Ada", "ada@north.example.org"),
        ("Bo", "bo@north.example.org"),
        ("Cy", "cy@north.example.org"),
    ] {
        student(&f, name, email, f.class_id).await;
    }
    // A repeatable badge, so only the form token stops a second round of awards.
    let (status, rep) = f
        .srv
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/badge-classes/{}", ids(&f.badge)),
            Some(&f.teacher.access),
            Some(&json!({"repeatable": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rep}");
    let badge = ids(&f.badge);
    let mut b = signed_in(&f, TEACHER).await;
    let page = b.get(&format!("/teach/award?class={}", f.class_id)).await;
    page.expect(StatusCode::OK, "Award a badge");
    let csrf = page.csrf();
    let token = page.input_value("form_token").expect("token");
    let class = f.class_id.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("form_token", token.as_str()),
        ("badge_class_id", badge.as_str()),
        ("class_id", class.as_str()),
        ("narrative", "Everyone helped"),
    ];
    let first = b.post("/teach/award", &form).await;
    first.expect(StatusCode::OK, "3 badges awarded.");
    let second = b.post("/teach/award", &form).await;
    second.expect(StatusCode::OK, "3 badges awarded.");
    assert_eq!(award_count(&f, &badge).await, 3);
    // A fresh form awards again (the badge is repeatable).
    let token2 = b
        .get("/teach/award")
        .await
        .input_value("form_token")
        .expect("token");
    assert_ne!(token, token2);
    // Validation: no badge and no recipients, errors by the fields, narrative kept.
    let p = b
        .post(
            "/teach/award",
            &[
                ("csrf", &csrf),
                ("form_token", &token2),
                ("narrative", "Typed words"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"err-badge_class_id\""));
    assert!(p.body.contains("id=\"err-recipient_ids\""));
    assert!(p.body.contains(">Typed words</textarea>"));
    // The awards list and revoking one.
    let list = b.get("/teach/awards").await;
    list.expect(StatusCode::OK, "Science Fair");
    let first_id = {
        let at = list
            .body
            .find("href=\"/teach/awards/")
            .expect("an award link")
            + "href=\"/teach/awards/".len();
        list.body[at..at + 36].to_owned()
    };
    let assertion = format!("/ob/v2/assertions/{first_id}");
    let res = f
        .srv
        .http
        .get(f.srv.url(&assertion))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let p = b
        .post(
            &format!("/teach/awards/{first_id}/revoke"),
            &[("csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"err-reason\""));
    let p = b
        .post(
            &format!("/teach/awards/{first_id}/revoke"),
            &[("csrf", &csrf), ("reason", "Awarded by mistake")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let detail = b.get(&p.location()).await;
    detail.expect(StatusCode::OK, "Revoked");
    assert!(detail.body.contains("Awarded by mistake"));
    assert!(!detail.body.contains("/revoke\""), "no second revoke form");
    let res = f
        .srv
        .http
        .get(f.srv.url(&assertion))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::GONE);
    f.srv.stop().await;
}

#[tokio::test]
async fn claim_codes_and_sign_in_cards_from_the_pages() {
    let f = setup("Science Fair", "America/New_York").await;
    let ada = student(&f, "Ada", "ada@north.example.org", f.class_id).await;
    let mut b = signed_in(&f, TEACHER).await;
    let page = b.get("/teach/codes/new").await;
    page.expect(StatusCode::OK, "America/New_York");
    let csrf = page.csrf();
    let badge = ids(&f.badge);
    let class = f.class_id.to_string();
    // A window that ends before it starts: error next to the field, the title kept.
    let p = b
        .post(
            "/teach/codes/new",
            &[
                ("csrf", csrf.as_str()),
                ("badge_class_id", badge.as_str()),
                ("title", "Assembly"),
                ("mode", "rotating"),
                ("rotation_secs", "15"),
                ("starts_at", "2030-01-02T10:00"),
                ("ends_at", "2030-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("id=\"err-ends_at\""), "{}", p.body);
    assert_eq!(p.input_value("title").as_deref(), Some("Assembly"));
    let ends = (f.srv.state.now() + chrono::Duration::days(2))
        .with_timezone(&chrono_tz_free_offset())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let p = b
        .post(
            "/teach/codes/new",
            &[
                ("csrf", csrf.as_str()),
                ("badge_class_id", badge.as_str()),
                ("title", "Assembly"),
                ("mode", "rotating"),
                ("rotation_secs", "15"),
                ("ends_at", ends.as_str()),
                ("class_ids", class.as_str()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let here = p.location();
    let id = here.trim_start_matches("/teach/codes/").to_owned();
    let d = b.get(&here).await;
    d.expect(StatusCode::OK, &format!("/present/{id}"));
    // Ada claims it over the API; she is listed as a claimer.
    let (status, cur) = f
        .srv
        .get(
            &format!("/api/v1/claim-codes/{id}/current"),
            &f.teacher.access,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = cur["url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned();
    let (status, claimed) = f
        .srv
        .post("/api/v1/claims", &ada.access, json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{claimed}");
    b.get(&here).await.expect(StatusCode::OK, "<bdi>Ada</bdi>");
    // Pause, resume, close.
    for (action, state) in [
        ("pause", "paused"),
        ("resume", "active"),
        ("close", "closed"),
    ] {
        let p = b
            .post(&format!("{here}/{action}"), &[("csrf", &csrf)])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{action}: {}", p.body);
        let (_, c) = f
            .srv
            .get(&format!("/api/v1/claim-codes/{id}"), &f.teacher.access)
            .await;
        assert_eq!(c["status"], state, "{action}");
    }
    // Closing twice: the page says it changed meanwhile.
    let p = b.post(&format!("{here}/close"), &[("csrf", &csrf)]).await;
    p.expect(StatusCode::OK, "changed meanwhile");
    // A sheet code has a printable sheet.
    let p = b
        .post(
            "/teach/codes/new",
            &[
                ("csrf", csrf.as_str()),
                ("badge_class_id", badge.as_str()),
                ("title", "Trip"),
                ("mode", "sheet"),
                ("sheet_size", "3"),
                ("ends_at", ends.as_str()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let sheet_page = b.get(&p.location()).await;
    sheet_page.expect(StatusCode::OK, "sheet.svg");
    let svg = b.get(&format!("{}/sheet.svg", p.location())).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.content_type().starts_with("image/svg+xml"));
    assert!(svg.body.contains("<svg"));
    // Sign-in cards for the class.
    let cards = b
        .post(
            &format!("/teach/classes/{}/cards.svg", f.class_id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(cards.status, StatusCode::OK, "{}", cards.body);
    assert!(cards.content_type().starts_with("image/svg+xml"));
    assert!(cards.body.contains("Ada"));
    // The other class is not this teacher's: they can look but not print its cards.
    let p = b.get(&format!("/teach/classes/{}", f.other_class)).await;
    p.expect(StatusCode::OK, "7B");
    assert!(!p.body.contains("cards.svg"));
    let p = b
        .post(
            &format!("/teach/classes/{}/cards.svg", f.other_class),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    f.srv.stop().await;
}

/// The test school's zone (America/New_York) as a fixed offset good for the next days is not
/// needed: a window two days long is valid whatever the offset, so UTC digits will do.
fn chrono_tz_free_offset() -> chrono::Utc {
    chrono::Utc
}
