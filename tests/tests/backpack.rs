//! Backpack: collections, their public addresses (200/404/301), slugs, the under-13 sharing
//! rule, view counting, export and account deletion — over real HTTP, on SQLite or
//! PostgreSQL.

use std::io::Read;

use accolade_db::sea_orm::EntityTrait;
use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// A school with public sharing on, an admin, a teacher, and two students (Ada, grade 9, and
/// Ben, grade 7); Ada holds three awards.
struct World {
    srv: TestServer,
    school: Uuid,
    admin: String,
    ada: accolade_db::users::User,
    ada_token: String,
    ben: accolade_db::users::User,
    ben_token: String,
    awards: Vec<Uuid>,
}

async fn upload_badge(srv: &TestServer, token: &str, name: &str) -> Value {
    let png = accolade_e2e::badge_image_path("png");
    let res = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(std::fs::read(png).expect("read"))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let img: Value = res.json().await.expect("img");
    let (s, badge) = srv
        .post(
            "/api/v1/badge-classes",
            token,
            json!({"name": name, "description": "Well done", "criteria_narrative": "Do it", "image_id": img["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{badge}");
    badge
}

async fn set_grade(srv: &TestServer, user: &accolade_db::users::User, grade: &str) {
    let mut u = user.clone();
    u.grade = Some(grade.into());
    accolade_db::users::save(srv.state.db.conn(), u)
        .await
        .expect("grade");
}

async fn world() -> World {
    let srv = TestServer::start().await;
    let school = srv
        .school("northfield", "Northfield Academy", "Europe/London")
        .await;
    srv.user(
        school.id,
        Role::Admin,
        "Nora Admin",
        Some("admin@north.example.org"),
    )
    .await;
    srv.user(
        school.id,
        Role::Teacher,
        "Tom Teacher",
        Some("tom@north.example.org"),
    )
    .await;
    let ada = srv
        .user(
            school.id,
            Role::Student,
            "Ada Lovelace",
            Some("ada@north.example.org"),
        )
        .await;
    let ben = srv
        .user(
            school.id,
            Role::Student,
            "Ben Young",
            Some("ben@north.example.org"),
        )
        .await;
    set_grade(&srv, &ada, "09").await;
    set_grade(&srv, &ben, "7").await;
    let admin = srv.login("admin@north.example.org", PASSWORD).await.access;
    let (s, _) = srv
        .call(
            Method::PUT,
            "/api/v1/school/sharing",
            Some(&admin),
            Some(&json!({"allow_public_sharing": true, "min_grade": 8})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut awards = Vec::new();
    for name in ["Helper", "Scientist", "Artist"] {
        let badge = upload_badge(&srv, &admin, name).await;
        let (s, res) = srv
            .post(
                "/api/v1/awards",
                &admin,
                json!({"badge_class_id": badge["id"], "recipient_ids": [ada.id]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{res}");
        awards.push(
            res["awards"][0]["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid"),
        );
    }
    let ada_token = srv.login("ada@north.example.org", PASSWORD).await.access;
    let ben_token = srv.login("ben@north.example.org", PASSWORD).await.access;
    World {
        srv,
        school: school.id,
        admin,
        ada,
        ada_token,
        ben,
        ben_token,
        awards,
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn anon_get(srv: &TestServer, path: &str) -> reqwest::Response {
    no_redirects()
        .get(srv.url(path))
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        )
        .send()
        .await
        .expect("get")
}

async fn patch(srv: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    srv.call(Method::PATCH, path, Some(token), Some(&body))
        .await
}

async fn create_collection(w: &World, title: &str, visibility: &str) -> Value {
    let (s, c) = w
        .srv
        .post(
            "/api/v1/collections",
            &w.ada_token,
            json!({"title": title, "visibility": visibility}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c
}

fn public_api(handle: &str, slug: &str) -> String {
    format!("/api/v1/public/users/{handle}/collections/{slug}")
}

#[tokio::test]
async fn public_then_private_collection_is_200_then_404() {
    let w = world().await;
    let c = create_collection(&w, "My best badges", "private").await;
    let id = c["id"].as_str().expect("id");
    assert_eq!(c["slug"], "my-best-badges");
    assert_eq!(
        c["public_path"],
        format!("/@{}/my-best-badges", w.ada.handle)
    );
    let (s, c) = w
        .srv
        .call(
            Method::PUT,
            &format!("/api/v1/collections/{id}/items"),
            Some(&w.ada_token),
            Some(&json!({"items": [
                {"award_id": w.awards[2], "comment": "My first painting"},
                {"award_id": w.awards[0], "comment": "Helping at the fair"},
                {"award_id": w.awards[1]},
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["items"][0]["award"]["id"], w.awards[2].to_string());
    assert_eq!(c["items"][0]["comment"], "My first painting");
    assert_eq!(c["items"].as_array().expect("items").len(), 3);

    let path = public_api(&w.ada.handle, "my-best-badges");
    // Private: nobody outside sees it.
    assert_eq!(
        anon_get(&w.srv, &path).await.status(),
        StatusCode::NOT_FOUND
    );

    let (s, _) = patch(
        &w.srv,
        &format!("/api/v1/collections/{id}"),
        &w.ada_token,
        json!({"visibility": "public"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let res = anon_get(&w.srv, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("x-robots-tag")
            .and_then(|v| v.to_str().ok()),
        Some("noindex")
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["title"], "My best badges");
    assert_eq!(body["badges"].as_array().expect("badges").len(), 3);
    assert_eq!(body["badges"][0]["comment"], "My first painting");
    // Display name only after opting in; never the e-mail.
    assert!(body.get("display_name").is_none());
    assert!(!body.to_string().contains("ada@north.example.org"));
    assert!(!body.to_string().contains("Lovelace"));

    // The profile lists it.
    let res = anon_get(&w.srv, &format!("/api/v1/public/users/{}", w.ada.handle)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let profile: Value = res.json().await.expect("json");
    assert_eq!(profile["collections"][0]["slug"], "my-best-badges");

    // Private again: 404 at once.
    let (s, _) = patch(
        &w.srv,
        &format!("/api/v1/collections/{id}"),
        &w.ada_token,
        json!({"visibility": "private"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        anon_get(&w.srv, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anon_get(&w.srv, &format!("/api/v1/public/users/{}", w.ada.handle))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Staff cannot read a private collection either.
    let (s, _) = w
        .srv
        .get(&format!("/api/v1/collections/{id}"), &w.admin)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    w.srv.stop().await;
}

#[tokio::test]
async fn unicode_title_gets_url_safe_slug_and_both_cases_resolve_and_rename_redirects() {
    let w = world().await;
    let c = create_collection(&w, "R&D. Ünïcødé Ninja", "public").await;
    let slug = c["slug"].as_str().expect("slug").to_owned();
    assert_eq!(slug, "r-d-unicode-ninja");
    assert!(slug
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'));
    let canonical = public_api(&w.ada.handle, &slug);
    assert_eq!(anon_get(&w.srv, &canonical).await.status(), StatusCode::OK);
    // The original-case address answers 301 to the canonical one, which resolves.
    let res = anon_get(&w.srv, &public_api(&w.ada.handle, "R-D-Unicode-Ninja")).await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(canonical.as_str())
    );
    let upper_handle = w.ada.handle.to_uppercase();
    let res = anon_get(&w.srv, &public_api(&upper_handle, &slug)).await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);

    // A second collection with the same title gets its own slug.
    let c2 = create_collection(&w, "R&D ünïcødé ninja!", "private").await;
    assert_eq!(c2["slug"], "r-d-unicode-ninja-2");

    // Rename: the old address redirects permanently to the new one.
    let id = c["id"].as_str().expect("id");
    let (s, renamed) = patch(
        &w.srv,
        &format!("/api/v1/collections/{id}"),
        &w.ada_token,
        json!({"title": "Science Fair 2026"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["slug"], "science-fair-2026");
    let res = anon_get(&w.srv, &canonical).await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    let new_path = public_api(&w.ada.handle, "science-fair-2026");
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(new_path.as_str())
    );
    assert_eq!(anon_get(&w.srv, &new_path).await.status(), StatusCode::OK);
    // Unknown slugs are 404, and bad input is a 4xx, not a 500.
    assert_eq!(
        anon_get(&w.srv, &public_api(&w.ada.handle, "nothing-here"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (s, _) = w
        .srv
        .post(
            "/api/v1/collections",
            &w.ada_token,
            json!({"title": "x".repeat(121)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = w
        .srv
        .call(
            Method::PUT,
            &format!("/api/v1/collections/{id}/items"),
            Some(&w.ada_token),
            Some(&json!({"items": [{"award_id": w.awards[0], "comment": "é".repeat(281)}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    w.srv.stop().await;
}

#[tokio::test]
async fn under_13_policy_refuses_public_until_an_admin_allows() {
    let w = world().await;
    let (s, c) = w
        .srv
        .post(
            "/api/v1/collections",
            &w.ben_token,
            json!({"title": "Ben's badges", "visibility": "public"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{c}");
    assert_eq!(c["code"], "public_sharing_not_allowed");
    let (s, c) = w
        .srv
        .post(
            "/api/v1/collections",
            &w.ben_token,
            json!({"title": "Ben's badges", "visibility": "school"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = c["id"].as_str().expect("id").to_owned();
    let (s, p) = patch(
        &w.srv,
        &format!("/api/v1/collections/{id}"),
        &w.ben_token,
        json!({"visibility": "public"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "public_sharing_not_allowed");
    let (_, settings) = w.srv.get("/api/v1/me/sharing", &w.ben_token).await;
    assert_eq!(settings["public_allowed"], false);

    // An admin allows Ben individually.
    let (s, o) = w
        .srv
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}/sharing", w.ben.id),
            Some(&w.admin),
            Some(&json!({"public_sharing": "allowed"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["public_allowed"], true);
    let (s, _) = patch(
        &w.srv,
        &format!("/api/v1/collections/{id}"),
        &w.ben_token,
        json!({"visibility": "public"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // The school switch off refuses everyone, Ada (grade 9) included.
    let (s, _) = w
        .srv
        .call(
            Method::PUT,
            "/api/v1/school/sharing",
            Some(&w.admin),
            Some(&json!({"allow_public_sharing": false, "min_grade": 8})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = w
        .srv
        .post(
            "/api/v1/collections",
            &w.ada_token,
            json!({"title": "Mine", "visibility": "public"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "public_sharing_not_allowed");
    // Students cannot change the policy.
    let (s, _) = w
        .srv
        .call(
            Method::PUT,
            "/api/v1/school/sharing",
            Some(&w.ada_token),
            Some(&json!({"allow_public_sharing": true})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    w.srv.stop().await;
}

#[tokio::test]
async fn views_count_once_per_visitor_per_day_not_owner_not_crawlers_and_only_owner_sees() {
    let w = world().await;
    let c = create_collection(&w, "Counted", "public").await;
    let id = c["id"].as_str().expect("id");
    let path = public_api(&w.ada.handle, "counted");
    for _ in 0..3 {
        assert_eq!(anon_get(&w.srv, &path).await.status(), StatusCode::OK);
    }
    // A crawler, and the owner herself.
    let res = no_redirects()
        .get(w.srv.url(&path))
        .header("user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)")
        .send()
        .await
        .expect("bot");
    assert_eq!(res.status(), StatusCode::OK);
    let res = no_redirects()
        .get(w.srv.url(&path))
        .header("user-agent", "Mozilla/5.0 Firefox/140.0")
        .bearer_auth(&w.ada_token)
        .send()
        .await
        .expect("owner");
    assert_eq!(res.status(), StatusCode::OK);
    // Ben, signed in: a second visitor.
    let res = no_redirects()
        .get(w.srv.url(&path))
        .header("user-agent", "Mozilla/5.0 Firefox/140.0")
        .bearer_auth(&w.ben_token)
        .send()
        .await
        .expect("ben");
    assert_eq!(res.status(), StatusCode::OK);
    let (_, mine) = w
        .srv
        .get(&format!("/api/v1/collections/{id}"), &w.ada_token)
        .await;
    assert_eq!(mine["views"], 2, "{mine}");
    // Nobody else sees the count.
    let (s, theirs) = w
        .srv
        .get(&format!("/api/v1/collections/{id}"), &w.ben_token)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(theirs.get("views").is_none());
    let public: Value = anon_get(&w.srv, &path).await.json().await.expect("json");
    assert!(public.get("views").is_none());
    // No IP address is stored: only per-day keyed hashes.
    let rows = accolade_db::collections::view_count(
        w.srv.state.db.conn(),
        &accolade_server::backpack::collection_page(id.parse().expect("uuid")),
    )
    .await
    .expect("count");
    assert_eq!(rows, 2);
    w.srv.stop().await;
}

#[tokio::test]
async fn export_zip_has_baked_badges_that_unbake_to_the_hosted_assertion() {
    let w = world().await;
    create_collection(&w, "Exported", "school").await;
    for token in [&w.ada_token, &w.admin] {
        let path = if token == &w.admin {
            format!("/api/v1/users/{}/export", w.ada.id)
        } else {
            "/api/v1/me/export".to_owned()
        };
        let res = w
            .srv
            .http
            .get(w.srv.url(&path))
            .bearer_auth(token)
            .send()
            .await
            .expect("export");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/zip")
        );
        let bytes = res.bytes().await.expect("bytes");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
        let mut read = |name: &str| {
            let mut f = zip
                .by_name(name)
                .unwrap_or_else(|_| panic!("{name} in zip"));
            let mut out = Vec::new();
            f.read_to_end(&mut out).expect("read");
            out
        };
        for award in &w.awards {
            let hosted = w
                .srv
                .http
                .get(w.srv.url(&format!("/ob/v2/assertions/{award}")))
                .send()
                .await
                .expect("hosted")
                .text()
                .await
                .expect("text");
            let json = read(&format!("badges/{award}.json"));
            assert_eq!(String::from_utf8(json).expect("utf8"), hosted);
            let png = read(&format!("badges/{award}.png"));
            let unbaked = accolade_openbadges::unbake_png(&png)
                .expect("png")
                .expect("baked");
            assert_eq!(unbaked, hosted);
            let svg = String::from_utf8(read(&format!("badges/{award}.svg"))).expect("svg");
            let unbaked = accolade_openbadges::unbake_svg(&svg)
                .expect("svg")
                .expect("baked");
            assert_eq!(unbaked, hosted);
        }
        let cols: Value = serde_json::from_slice(&read("collections.json")).expect("json");
        assert_eq!(cols[0]["title"], "Exported");
        let noms: Value = serde_json::from_slice(&read("nominations.json")).expect("json");
        assert!(noms.is_array());
        let awards: Value = serde_json::from_slice(&read("awards.json")).expect("json");
        assert_eq!(awards.as_array().expect("arr").len(), 3);
        let index = String::from_utf8(read("index.html")).expect("html");
        assert!(index.contains("Scientist"));
        assert!(index.contains(&format!("badges/{}.png", w.awards[0])));
    }
    // Teachers and other students cannot export Ada.
    let (s, _) = w
        .srv
        .get(&format!("/api/v1/users/{}/export", w.ada.id), &w.ben_token)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    w.srv.stop().await;
}

#[tokio::test]
async fn deleting_an_account_revokes_its_assertions_and_erases_personal_data() {
    let w = world().await;
    create_collection(&w, "Going away", "public").await;
    let (s, _) = w
        .srv
        .post(
            &format!("/api/v1/users/{}/follow", w.ada.id),
            &w.ben_token,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Ada nominates Ben in a shared class: her words must go with her account.
    let (s, class) = w
        .srv
        .post("/api/v1/classes", &w.admin, json!({"title": "8B Science"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{class}");
    for who in [w.ada.id, w.ben.id] {
        let (s, body) = w
            .srv
            .call(
                Method::PUT,
                &format!(
                    "/api/v1/classes/{}/members/{who}",
                    class["id"].as_str().expect("id")
                ),
                Some(&w.admin),
                Some(&json!({"role": "student"})),
            )
            .await;
        assert!(s.is_success(), "{s} {body}");
    }
    let peer = upload_badge(&w.srv, &w.admin, "Kind classmate").await;
    let (s, body) = w
        .srv
        .post(
            "/api/v1/nominations",
            &w.ada_token,
            json!({"badge_class_id": peer["id"], "nominee_ids": [w.ben.id],
                   "narrative": "Ada's private words about Ben"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    // Without confirmation: refused.
    let (s, _) = w
        .srv
        .call(
            Method::DELETE,
            "/api/v1/me",
            Some(&w.ada_token),
            Some(&json!({"confirm": false})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, body) = w
        .srv
        .call(
            Method::DELETE,
            "/api/v1/me",
            Some(&w.ada_token),
            Some(&json!({"confirm": true})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");

    // Hosted assertions answer 410 with the reason.
    for award in &w.awards {
        let res = w
            .srv
            .http
            .get(w.srv.url(&format!("/ob/v2/assertions/{award}")))
            .send()
            .await
            .expect("hosted");
        assert_eq!(res.status(), StatusCode::GONE);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["revocationReason"], "recipient account deleted");
    }
    // Signed out; public pages gone.
    let (s, _) = w.srv.get("/api/v1/me", &w.ada_token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anon_get(&w.srv, &public_api(&w.ada.handle, "going-away"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Gone from lists (staff user list, Ben's follows).
    let (_, users) = w
        .srv
        .get("/api/v1/users?include_inactive=true", &w.admin)
        .await;
    let text = users.to_string();
    assert!(!text.contains(&w.ada.id.to_string()), "{text}");
    assert!(!text.contains("Ada"));
    let (_, following) = w.srv.get("/api/v1/me/following", &w.ben_token).await;
    assert_eq!(following["people"].as_array().expect("people").len(), 0);
    // The row is anonymised.
    let row = accolade_db::users::by_id_unscoped(w.srv.state.db.conn(), w.ada.id)
        .await
        .expect("row")
        .expect("kept as tombstone");
    assert_eq!(row.email, None);
    assert_eq!(row.password_hash, None);
    assert!(!row.display_name.contains("Ada"));
    assert!(!row.handle.contains(&w.ada.handle));
    assert!(row.deleted_at.is_some());
    // Her nomination left the queue and lost her words.
    let noms = accolade_db::entities::nominations::Entity::find()
        .all(w.srv.state.db.conn())
        .await
        .expect("nominations");
    assert_eq!(noms.len(), 1);
    assert_eq!(noms[0].status, "withdrawn");
    assert_eq!(noms[0].narrative, "");
    // The audit log records the deletion without the e-mail or name.
    let (s, audit) = w.srv.get("/api/v1/audit", &w.admin).await;
    assert_eq!(s, StatusCode::OK);
    let text = audit.to_string();
    assert!(text.contains("user.delete"), "{text}");
    assert!(!text.contains("ada@north.example.org"), "{text}");
    assert!(!text.contains("Lovelace"), "{text}");
    // Signing in again is impossible.
    let res = w
        .srv
        .http
        .post(w.srv.url("/api/v1/auth/login"))
        .json(&json!({"login": "ada@north.example.org", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let _ = w.school;
    w.srv.stop().await;
}

#[tokio::test]
async fn admin_deletes_a_student_on_their_behalf() {
    let w = world().await;
    let (s, _) = w
        .srv
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{}", w.ada.id),
            Some(&w.ben_token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = w
        .srv
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{}", w.ada.id),
            Some(&w.admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let res = w
        .srv
        .http
        .get(w.srv.url(&format!("/ob/v2/assertions/{}", w.awards[0])))
        .send()
        .await
        .expect("hosted");
    assert_eq!(res.status(), StatusCode::GONE);
    // Deleting twice: 404.
    let (s, _) = w
        .srv
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{}", w.ada.id),
            Some(&w.admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    w.srv.stop().await;
}
