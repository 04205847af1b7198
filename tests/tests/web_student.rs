//! The student's web pages, the profile and the public badge page over real HTTP (no
//! JavaScript): what each role sees, CSRF refusals, another student's or school's award as a
//! 404, forms that keep what was typed, and the Spanish pages.

mod web_common;

use accolade_e2e::PASSWORD;
use accolade_proto::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;
use web_common::{setup, student, Browser, Fixture, TEACHER};

/// Awards the fixture's badge to `recipient` directly (as the teacher); the award's id.
async fn award(f: &Fixture, recipient: Uuid, narrative: &str) -> String {
    let (status, body) = f
        .srv
        .post(
            "/api/v1/awards",
            &f.teacher.access,
            json!({"badge_class_id": f.badge["id"], "recipient_ids": [recipient], "narrative": narrative}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["awards"][0]["id"]
        .as_str()
        .expect("award id")
        .to_owned()
}

/// A second school with a teacher, a student and an award: the award's id.
async fn other_school_award(f: &Fixture) -> String {
    let srv = &f.srv;
    let s = srv.school("south", "South School", "UTC").await;
    srv.user(
        s.id,
        Role::Teacher,
        "Sam Teacher",
        Some("sam@south.example.org"),
    )
    .await;
    let pupil = srv
        .user(
            s.id,
            Role::Student,
            "Sid Pupil",
            Some("sid@south.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    let class = accolade_db::classes::create(conn, s.id, "9C".into(), None, None)
        .await
        .expect("class");
    let sam = srv.login("sam@south.example.org", PASSWORD).await;
    accolade_db::classes::enroll(conn, s.id, class.id, sam.id, "teacher", None)
        .await
        .expect("enroll");
    accolade_db::classes::enroll(conn, s.id, class.id, pupil.id, "student", None)
        .await
        .expect("enroll");
    let img: Value = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(&sam.access)
        .header("content-type", "image/png")
        .body(std::fs::read(accolade_e2e::badge_image_path("png")).expect("png"))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let (status, badge) = srv
        .post(
            "/api/v1/badge-classes",
            &sam.access,
            json!({"name": "South Star", "description": "d", "criteria_narrative": "c", "image_id": img["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{badge}");
    let (status, body) = srv
        .post(
            "/api/v1/awards",
            &sam.access,
            json!({"badge_class_id": badge["id"], "recipient_ids": [pupil.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["awards"][0]["id"].as_str().expect("id").to_owned()
}

/// Signs `login` in and lands on `next`.
async fn signed_in(f: &Fixture, login: &str, next: &str) -> Browser {
    let mut b = Browser::new(&f.srv);
    b.sign_in(login, next).await;
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn student_badge_pages_are_for_their_owner_only() {
    let f = setup("Science Fair", "America/New_York").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let bob = student(&f, "Bob Byron", "bob@north.example.org", f.class_id).await;

    // Signed out: every student page goes to sign-in and comes back.
    let mut anon = Browser::new(&f.srv);
    for path in ["/my/badges", "/nominate", "/my/nominations", "/profile"] {
        let p = anon.get(path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(p.location(), format!("/signin?next={path}"));
    }

    // No badges yet: the empty grid, the role navigation, the student's home.
    let mut b = signed_in(&f, "ada@north.example.org", "/account").await;
    let home = b.get("/account").await;
    assert_eq!(home.location(), "/my/badges");
    let p = b.get("/my/badges").await;
    p.expect(StatusCode::OK, "No badges yet");
    assert!(p.body.contains("href=\"/nominate\"") && p.body.contains("aria-current=\"page\""));
    assert!(!p.body.contains("teach&#x2f;queue") && !p.body.contains("&#x2f;admin\""));

    // Two awards (the badge made repeatable), the newest first; the grid links each detail
    // with the badge name as alt.
    let conn = f.srv.state.db.conn();
    let badge_id: Uuid = f.badge["id"].as_str().unwrap().parse().unwrap();
    let mut bc = accolade_db::badges::class_by_id(conn, f.school_id, badge_id)
        .await
        .unwrap()
        .unwrap();
    bc.repeatable = true;
    accolade_db::badges::save_class(conn, bc).await.unwrap();
    let first = award(&f, ada.id, "For the volcano").await;
    // Issue times are kept to the second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = award(&f, ada.id, "For the <b>rocket</b>").await;
    let p = b.get("/my/badges").await;
    p.expect(StatusCode::OK, "alt=\"Science Fair\"");
    let (i1, i2) = (
        p.body.find(&first).expect("first listed"),
        p.body.find(&second).expect("second listed"),
    );
    assert!(i2 < i1, "newest first");
    assert!(p.body.contains("2 badges"));

    // Detail: criteria, narrative (escaped, isolated), issuer, date, downloads, public page.
    let d = b.get(&format!("/my/badges/{second}")).await;
    d.expect(StatusCode::OK, "Attend");
    assert!(
        d.body
            .contains("<bdi>For the &lt;b&gt;rocket&lt;&#x2f;b&gt;</bdi>"),
        "{}",
        d.body
    );
    assert!(d.body.contains("<bdi>North School</bdi>"));
    for link in [".png", ".svg"] {
        assert!(
            d.body.contains(&format!(
                "&#x2f;ob&#x2f;v2&#x2f;assertions&#x2f;{second}{link}"
            )),
            "{link} download"
        );
    }
    assert!(d.body.contains(&format!("&#x2f;b&#x2f;{second}")));
    assert!(d.body.contains("Valid"));
    let png = b.get(&format!("/ob/v2/assertions/{second}.png")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.content_type(), "image/png");

    // Hide: CSRF needed; then the detail and the grid say it is hidden; show again.
    let vis = format!("/my/badges/{second}/visibility");
    b.post(&vis, &[("hidden", "true")])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");
    let csrf = d.csrf();
    let res = b.post(&vis, &[("csrf", &csrf), ("hidden", "true")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let d = b.get(&format!("/my/badges/{second}")).await;
    d.expect(StatusCode::OK, "Show on my profile");
    let row =
        accolade_db::awards::by_id(f.srv.state.db.conn(), f.school_id, second.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
    assert!(row.hidden);
    b.get("/my/badges")
        .await
        .expect(StatusCode::OK, "badge-tile is-hidden");
    b.post(&vis, &[("csrf", &csrf), ("hidden", "false")]).await;
    b.get(&format!("/my/badges/{second}"))
        .await
        .expect(StatusCode::OK, "Hide from my profile");

    // Another student's award, another school's award, a bad id: 404 pages; no change.
    let bobs = award(&f, bob.id, "Bob's").await;
    b.get(&format!("/my/badges/{bobs}"))
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    b.post(
        &format!("/my/badges/{bobs}/visibility"),
        &[("csrf", &csrf), ("hidden", "true")],
    )
    .await
    .expect(StatusCode::NOT_FOUND, "Not found");
    let south = other_school_award(&f).await;
    b.get(&format!("/my/badges/{south}"))
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    b.get("/my/badges/not-a-uuid")
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");

    // A teacher: 403 on student pages, with the teacher navigation.
    let mut tess = signed_in(&f, TEACHER, "/profile").await;
    for path in [
        "/my/badges".to_owned(),
        format!("/my/badges/{first}"),
        "/nominate".into(),
        "/my/nominations".into(),
    ] {
        let p = tess.get(&path).await;
        p.expect(StatusCode::FORBIDDEN, "This page is for another role");
        assert!(p.body.contains("href=\"&#x2f;teach&#x2f;queue\""), "{path}");
    }
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nominating_a_classmate_and_revising() {
    let f = setup("Kindness", "Europe/London").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let bob = student(
        &f,
        "Bob \u{5e9}\u{5dc}\u{5d5}\u{5dd}",
        "bob@north.example.org",
        f.class_id,
    )
    .await;
    let _cy = student(&f, "Cy Other", "cy@north.example.org", f.other_class).await;
    let mut b = signed_in(&f, "ada@north.example.org", "/nominate").await;

    // One class: straight to the form, classmates of that class only, the allowance shown.
    let p = b.get("/nominate").await;
    p.expect(StatusCode::OK, "more classmates this week");
    assert!(p.body.contains(&bob.id.to_string()));
    assert!(!p.body.contains("Cy Other") && !p.body.contains(&format!("value=\"{}\"", ada.id)));
    assert!(p.body.contains("<label for=\"narrative\">"));
    let badge_id = f.badge["id"].as_str().unwrap().to_owned();
    let bob_id = bob.id.to_string();
    let csrf = p.csrf();

    // CSRF refused.
    b.post(
        "/nominate",
        &[
            ("nominee_id", &bob_id),
            ("badge_id", &badge_id),
            ("narrative", "x"),
        ],
    )
    .await
    .expect(StatusCode::FORBIDDEN, "expired");

    // No narrative: 422, the error next to the field, the choices kept.
    let res = b
        .post(
            "/nominate",
            &[
                ("csrf", &csrf),
                ("class_id", &f.class_id.to_string()),
                ("nominee_id", &bob_id),
                ("badge_id", &badge_id),
                ("narrative", "   "),
            ],
        )
        .await;
    res.expect(StatusCode::UNPROCESSABLE_ENTITY, "id=\"narrative-error\"");
    assert!(
        res.body.contains(&format!("value=\"{bob_id}\" selected")),
        "{}",
        res.body
    );
    assert!(res.body.contains(&format!("value=\"{badge_id}\" selected")));

    // Too long: the API's rule, the text kept.
    let long = "é".repeat(1001);
    let res = b
        .post(
            "/nominate",
            &[
                ("csrf", &csrf),
                ("class_id", &f.class_id.to_string()),
                ("nominee_id", &bob_id),
                ("badge_id", &badge_id),
                ("narrative", &long),
            ],
        )
        .await;
    res.expect(StatusCode::UNPROCESSABLE_ENTITY, "at most 1000 characters");
    assert!(res.body.contains(&long));

    // Sent: to my nominations, waiting for the teacher.
    let res = b
        .post(
            "/nominate",
            &[
                ("csrf", &csrf),
                ("class_id", &f.class_id.to_string()),
                ("nominee_id", &bob_id),
                ("badge_id", &badge_id),
                ("narrative", "Helped me with fractions"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/my/nominations?sent=1");
    let list = b.get("/my/nominations?sent=1").await;
    list.expect(StatusCode::OK, "Nomination sent");
    assert!(list.body.contains("Waiting for the teacher"));
    assert!(list
        .body
        .contains("<bdi>Bob \u{5e9}\u{5dc}\u{5d5}\u{5dd}</bdi>"));

    // Twice: the duplicate is explained next to the classmate.
    let res = b
        .post(
            "/nominate",
            &[
                ("csrf", &csrf),
                ("nominee_id", &bob_id),
                ("badge_id", &badge_id),
                ("narrative", "Again"),
            ],
        )
        .await;
    res.expect(StatusCode::CONFLICT, "id=\"nominee_id-error\"");
    assert!(res.body.contains("already an open nomination"));

    // The teacher returns it with a reason; the student sees it and revises.
    let (_, queue) = f
        .srv
        .get("/api/v1/nominations/queue", &f.teacher.access)
        .await;
    let nid = queue["items"][0]["id"].as_str().expect("queued").to_owned();
    let (status, _) = f
        .srv
        .post(
            &format!("/api/v1/nominations/{nid}/decision"),
            &f.teacher.access,
            json!({"decision": "return", "reason": "Say what <i>exactly</i> happened"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = b.get("/my/nominations").await;
    list.expect(StatusCode::OK, "Needs changes");
    assert!(list
        .body
        .contains("<bdi>Say what &lt;i&gt;exactly&lt;/i&gt; happened</bdi>"));
    let form = b.get(&format!("/my/nominations/{nid}")).await;
    form.expect(StatusCode::OK, "Helped me with fractions");
    let csrf = form.csrf();
    let res = b
        .post(
            &format!("/my/nominations/{nid}"),
            &[("csrf", &csrf), ("narrative", "")],
        )
        .await;
    res.expect(StatusCode::UNPROCESSABLE_ENTITY, "Please fill this in");
    let res = b
        .post(
            &format!("/my/nominations/{nid}"),
            &[("csrf", &csrf), ("narrative", "She explained every step")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    b.get("/my/nominations?revised=1")
        .await
        .expect(StatusCode::OK, "Waiting for the teacher");
    // Not returned any more: the form is gone, a second revision is refused.
    let res = b
        .post(
            &format!("/my/nominations/{nid}"),
            &[("csrf", &csrf), ("narrative", "Again")],
        )
        .await;
    res.expect(StatusCode::CONFLICT, "already decided");

    // Bob cannot see Ada's nomination page.
    let mut bw = signed_in(&f, "bob@north.example.org", "/my/nominations").await;
    bw.get(&format!("/my/nominations/{nid}"))
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_saves_and_keeps_what_was_typed() {
    let f = setup("Science Fair", "UTC").await;
    student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let bob = student(&f, "Bob Byron", "bob@north.example.org", f.class_id).await;
    let bob_handle = accolade_db::users::by_id(f.srv.state.db.conn(), f.school_id, bob.id)
        .await
        .unwrap()
        .unwrap()
        .handle;
    let mut b = signed_in(&f, "ada@north.example.org", "/profile").await;
    let p = b.get("/profile").await;
    p.expect(StatusCode::OK, "value=\"Ada Lovelace\"");
    for field in [
        "display_name",
        "handle",
        "email_notifications",
        "current_password",
        "new_password",
    ] {
        assert!(
            p.body.contains(&format!("<label for=\"{field}\">")),
            "{field}"
        );
    }
    assert!(!p.body.contains("email_digest"), "students get no digest");
    let csrf = p.csrf();

    b.post("/profile", &[("display_name", "X"), ("handle", "ada-x")])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");

    // Empty name: the error next to it, the handle typed kept.
    let res = b
        .post(
            "/profile",
            &[
                ("csrf", &csrf),
                ("display_name", " "),
                ("handle", "ada-new"),
            ],
        )
        .await;
    res.expect(
        StatusCode::UNPROCESSABLE_ENTITY,
        "id=\"display_name-error\"",
    );
    assert!(res.body.contains("value=\"ada-new\""));
    // A taken handle.
    let res = b
        .post(
            "/profile",
            &[
                ("csrf", &csrf),
                ("display_name", "Ada L."),
                ("handle", &bob_handle),
            ],
        )
        .await;
    res.expect(StatusCode::CONFLICT, "That username is taken");
    assert!(res.body.contains("value=\"Ada L.\""));
    // Saved.
    let res = b
        .post(
            "/profile",
            &[
                ("csrf", &csrf),
                ("display_name", "Ada L."),
                ("handle", "ada-l"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let p = b.get("/profile?saved=1").await;
    p.expect(StatusCode::OK, "Your profile is saved");
    assert!(p.body.contains("value=\"ada-l\"") && p.body.contains("<bdi>Ada L.</bdi>"));
    assert!(!p.body.contains(
        "id=\"email_notifications\" name=\"email_notifications\" type=\"checkbox\" checked"
    ));

    // Password: mismatch, wrong current, then changed.
    let res = b
        .post(
            "/profile/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "a-new-password"),
                ("confirm_password", "another"),
            ],
        )
        .await;
    res.expect(
        StatusCode::UNPROCESSABLE_ENTITY,
        "id=\"confirm_password-error\"",
    );
    let res = b
        .post(
            "/profile/password",
            &[
                ("csrf", &csrf),
                ("current_password", "wrong password"),
                ("new_password", "a-new-password"),
                ("confirm_password", "a-new-password"),
            ],
        )
        .await;
    res.expect(StatusCode::UNAUTHORIZED, "isn&#x27;t your current password");
    let res = b
        .post(
            "/profile/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "a-new-password"),
                ("confirm_password", "a-new-password"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    b.get("/profile?password=1")
        .await
        .expect(StatusCode::OK, "Your password is changed");
    let (status, _) = f
        .srv
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"login": "ada@north.example.org", "password": "a-new-password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A teacher gets the digest choice.
    let mut tess = signed_in(&f, TEACHER, "/profile").await;
    tess.get("/profile")
        .await
        .expect(StatusCode::OK, "<label for=\"email_digest\">");
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_badge_page_verifies_without_exposing_the_student() {
    let f = setup("Science Fair", "Asia/Tokyo").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let id = award(&f, ada.id, "For the volcano").await;
    let mut anon = Browser::new(&f.srv);
    let p = anon.get(&format!("/b/{id}")).await;
    p.expect(StatusCode::OK, "<bdi>Science Fair</bdi>");
    assert!(p.body.contains(&format!(
        "<link rel=\"alternate\" type=\"application/ld+json\" href=\"&#x2f;ob&#x2f;v2&#x2f;assertions&#x2f;{id}\">"
    )), "{}", p.body);
    assert!(p.body.contains("alt=\"Science Fair\""));
    assert!(p.body.contains("<bdi>North School</bdi>") && p.body.contains("Valid"));
    assert!(p.body.contains("Attend"));
    // Private by default: no name, never an e-mail.
    assert!(!p.body.contains("Ada") && !p.body.contains("@north.example.org"));
    assert!(
        p.headers.get("content-security-policy").is_some(),
        "strict CSP"
    );

    // The student shows their name and the school allows sharing: the name appears.
    let conn = f.srv.state.db.conn();
    let mut user = accolade_db::users::by_id(conn, f.school_id, ada.id)
        .await
        .unwrap()
        .unwrap();
    user.show_name_publicly = true;
    accolade_db::users::save(conn, user).await.unwrap();
    let p = anon.get(&format!("/b/{id}")).await;
    assert!(!p.body.contains("Ada"), "school sharing is off by default");
    let mut school = accolade_db::schools::by_id(conn, f.school_id)
        .await
        .unwrap()
        .unwrap();
    school.allow_public_sharing = true;
    accolade_db::schools::save(conn, school).await.unwrap();
    anon.get(&format!("/b/{id}"))
        .await
        .expect(StatusCode::OK, "Awarded to <bdi>Ada Lovelace</bdi>");

    // A hidden award still verifies, without the name.
    accolade_db::awards::set_hidden(conn, id.parse().unwrap(), true)
        .await
        .unwrap();
    let p = anon.get(&format!("/b/{id}")).await;
    p.expect(StatusCode::OK, "Valid");
    assert!(!p.body.contains("Ada"));

    // Revoked: says so, with the reason.
    let (status, _) = f
        .srv
        .post(
            &format!("/api/v1/awards/{id}/revoke"),
            &f.teacher.access,
            json!({"reason": "Given by mistake"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let p = anon.get(&format!("/b/{id}")).await;
    p.expect(StatusCode::OK, "Revoked");
    assert!(p.body.contains("<bdi>Given by mistake</bdi>"));

    // Unknown ids: 404 pages.
    anon.get(&format!("/b/{}", Uuid::now_v7()))
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    anon.get("/b/nope")
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_spanish() {
    let f = setup("Ciencias", "Europe/Madrid").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let id = award(&f, ada.id, "Por el volcán").await;

    // Accept-Language picks Spanish for a browser without a choice.
    let res = f
        .srv
        .http
        .get(f.srv.url("/signin"))
        .header("accept-language", "es-ES,es;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-language"], "es");
    let body = res.text().await.unwrap();
    assert!(body.contains("<html lang=\"es\">"));
    assert!(
        body.contains("Iniciar sesión") && body.contains("Contraseña"),
        "{body}"
    );
    let res = f
        .srv
        .http
        .get(f.srv.url(&format!("/b/{id}")))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Emitida por") && body.contains("Válida"),
        "{body}"
    );

    // The /lang/es link remembers the choice in a cookie.
    let mut b = Browser::new(&f.srv);
    let res = b.get("/lang/es?next=/my/badges").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/my/badges");
    assert_eq!(
        b.cookies.get("accolade_lang").map(String::as_str),
        Some("es")
    );
    b.sign_in("ada@north.example.org", "/my/badges")
        .await
        .expect(StatusCode::OK, "Mis insignias");
    let p = b.get(&format!("/my/badges/{id}")).await;
    p.expect(StatusCode::OK, "Descargar PNG");
    assert!(p.body.contains("Ocultar en mi perfil"));
    b.get("/nominate")
        .await
        .expect(StatusCode::OK, "Nominar a un compañero");
    b.get("/my/nominations")
        .await
        .expect(StatusCode::OK, "Todavía no has nominado a nadie");
    b.get("/profile")
        .await
        .expect(StatusCode::OK, "Nombre visible");
    b.get("/claim")
        .await
        .expect(StatusCode::OK, "Escribe un código");
    // The error pages too.
    let csrf = b.get("/claim").await.csrf();
    b.post("/claim", &[("csrf", &csrf), ("code", "ZZZZ-9999")])
        .await
        .expect(StatusCode::NOT_FOUND, "No conocemos este código");
    b.post("/claim", &[("code", "ZZZZ-9999")])
        .await
        .expect(StatusCode::FORBIDDEN, "Este formulario ha caducado");
    // Back to English.
    b.get("/lang/en?next=/my/badges").await;
    b.get("/my/badges")
        .await
        .expect(StatusCode::OK, "My badges");
    f.srv.stop().await;
}
