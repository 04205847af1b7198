//! Tenancy and roles, table-driven over every route of the OpenAPI document: a Riverside
//! teacher or admin can neither read nor change anything of Northfield, and each role gets
//! 403/404 on what it may not do.

use std::collections::BTreeMap;

use accolade_e2e::{fixture, import_roster, zip_folder, TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Who may call each operation. A route missing here fails the test, so new routes must be
/// given a policy.
fn policy_table() -> BTreeMap<(&'static str, &'static str), &'static str> {
    BTreeMap::from([
        (("POST", "/api/v1/auth/logout"), "any"),
        (("GET", "/api/v1/me"), "any"),
        (("PATCH", "/api/v1/me"), "any"),
        (("POST", "/api/v1/me/password"), "any"),
        (("GET", "/api/v1/school"), "any"),
        (("GET", "/api/v1/classes"), "any"),
        (("GET", "/api/v1/classes/{id}"), "member"),
        (("GET", "/api/v1/classes/{id}/members"), "member"),
        (("GET", "/api/v1/users"), "staff"),
        (("GET", "/api/v1/users/{id}"), "staff"),
        (
            ("POST", "/api/v1/classes/{id}/signin-cards"),
            "class_teacher",
        ),
        (("POST", "/api/v1/users"), "admin"),
        (("PATCH", "/api/v1/users/{id}"), "admin"),
        (("POST", "/api/v1/classes"), "admin"),
        (("PUT", "/api/v1/classes/{id}/members/{user_id}"), "admin"),
        (
            ("DELETE", "/api/v1/classes/{id}/members/{user_id}"),
            "admin",
        ),
        (("PATCH", "/api/v1/school"), "admin"),
        (("POST", "/api/v1/roster/import"), "admin"),
        (("GET", "/api/v1/audit"), "admin"),
        (("POST", "/api/v1/images"), "staff"),
        (("GET", "/api/v1/badge-classes"), "any"),
        (("GET", "/api/v1/badge-classes/{id}"), "any"),
        (("POST", "/api/v1/badge-classes"), "staff"),
        (("PATCH", "/api/v1/badge-classes/{id}"), "badge_editor"),
        (("DELETE", "/api/v1/badge-classes/{id}"), "badge_editor"),
        (("GET", "/api/v1/me/allowance"), "any"),
        (("GET", "/api/v1/me/awards"), "any"),
        (("GET", "/api/v1/nominations"), "any"),
        (("POST", "/api/v1/nominations"), "student_only"),
        (("GET", "/api/v1/nominations/queue"), "staff"),
        (("POST", "/api/v1/nominations/decisions"), "staff"),
        (("GET", "/api/v1/nominations/{id}"), "owner"),
        (("PATCH", "/api/v1/nominations/{id}"), "owner"),
        (("DELETE", "/api/v1/nominations/{id}"), "owner"),
        (("POST", "/api/v1/nominations/{id}/decision"), "moderator"),
        (("GET", "/api/v1/awards"), "staff"),
        (("POST", "/api/v1/awards"), "staff"),
        (("GET", "/api/v1/awards/{id}"), "owner"),
        (("PATCH", "/api/v1/awards/{id}"), "owner"),
        (("POST", "/api/v1/awards/{id}/revoke"), "staff"),
        (("POST", "/api/v1/ws-ticket"), "any"),
        (("GET", "/api/v1/claim-codes"), "staff"),
        (("POST", "/api/v1/claim-codes"), "staff"),
        (("GET", "/api/v1/claim-codes/{id}"), "code_owner"),
        (("GET", "/api/v1/claim-codes/{id}/current"), "code_owner"),
        (("POST", "/api/v1/claim-codes/{id}/pause"), "code_owner"),
        (("POST", "/api/v1/claim-codes/{id}/resume"), "code_owner"),
        (("POST", "/api/v1/claim-codes/{id}/close"), "code_owner"),
        (("GET", "/api/v1/claim-codes/{id}/claims"), "code_owner"),
        (("GET", "/api/v1/claim-codes/{id}/sheet"), "code_owner"),
        (("GET", "/api/v1/claim-codes/{id}/{file}"), "code_owner"),
        (("POST", "/api/v1/claims"), "student_only"),
        (("POST", "/api/v1/offers"), "student_only"),
        (("POST", "/api/v1/offers/accept"), "student_only"),
        (("GET", "/api/v1/collections"), "any"),
        (("POST", "/api/v1/collections"), "student_only"),
        (("GET", "/api/v1/collections/{id}"), "owner"),
        (("PATCH", "/api/v1/collections/{id}"), "owner"),
        (("DELETE", "/api/v1/collections/{id}"), "owner"),
        (("PUT", "/api/v1/collections/{id}/items"), "owner"),
        (("POST", "/api/v1/collections/{id}/items"), "owner"),
        (
            ("DELETE", "/api/v1/collections/{id}/items/{award_id}"),
            "owner",
        ),
        (("POST", "/api/v1/users/{id}/follow"), "student_only"),
        (("DELETE", "/api/v1/users/{id}/follow"), "student_only"),
        (("POST", "/api/v1/users/{id}/block"), "student_only"),
        (("DELETE", "/api/v1/users/{id}/block"), "student_only"),
        (("GET", "/api/v1/me/following"), "any"),
        (("GET", "/api/v1/me/followers"), "any"),
        (("GET", "/api/v1/me/blocks"), "any"),
        (("GET", "/api/v1/me/feed"), "any"),
        (("POST", "/api/v1/awards/{id}/cheer"), "student_only"),
        (("DELETE", "/api/v1/awards/{id}/cheer"), "student_only"),
        (("GET", "/api/v1/awards/{id}/cheers"), "owner"),
        (("GET", "/api/v1/me/sharing"), "any"),
        (("PATCH", "/api/v1/me/sharing"), "any"),
        (("GET", "/api/v1/school/sharing"), "any"),
        (("PUT", "/api/v1/school/sharing"), "admin"),
        (("PUT", "/api/v1/users/{id}/sharing"), "admin"),
        (("GET", "/api/v1/me/export"), "student_only"),
        (("GET", "/api/v1/users/{id}/export"), "admin"),
        (("DELETE", "/api/v1/me"), "student_only"),
        (("DELETE", "/api/v1/users/{id}"), "admin"),
    ])
}

fn body_for(method: &str, path: &str) -> Value {
    match (method, path) {
        ("PATCH", "/api/v1/me") => json!({"display_name": "Changed Name"}),
        ("POST", "/api/v1/me/password") => {
            json!({"current_password": PASSWORD, "new_password": "another long password"})
        }
        ("POST", "/api/v1/users") => json!({"role": "student", "display_name": "Intruder Kid"}),
        ("PATCH", "/api/v1/users/{id}") => json!({"display_name": "Renamed", "active": false}),
        ("POST", "/api/v1/classes") => json!({"title": "Intruder class"}),
        ("PUT", "/api/v1/classes/{id}/members/{user_id}") => json!({"role": "student"}),
        ("PATCH", "/api/v1/school") => {
            json!({"name": "Taken over", "weekly_nomination_allowance": 99})
        }
        ("PATCH", "/api/v1/badge-classes/{id}") => {
            json!({"name": "Renamed badge", "archived": true})
        }
        ("POST", "/api/v1/badge-classes") => {
            json!({"name": "X", "description": "Y", "criteria_narrative": "Z", "image_id": uuid::Uuid::nil()})
        }
        ("POST", "/api/v1/nominations/{id}/decision") => json!({"decision": "approve"}),
        ("POST", "/api/v1/nominations/decisions") => {
            json!({"ids": [uuid::Uuid::nil()], "decision": "approve"})
        }
        ("POST", "/api/v1/nominations") => {
            json!({"badge_class_id": uuid::Uuid::nil(), "nominee_ids": [uuid::Uuid::nil()], "narrative": "x"})
        }
        ("PATCH", "/api/v1/nominations/{id}") => json!({"narrative": "changed"}),
        ("PATCH", "/api/v1/awards/{id}") => json!({"hidden": true}),
        ("POST", "/api/v1/claim-codes") => {
            json!({"badge_class_id": uuid::Uuid::nil(), "title": "T", "ends_at": "2030-01-01T00:00:00Z"})
        }
        ("POST", "/api/v1/claims") => json!({"code": "ABCD-EFGH"}),
        ("POST", "/api/v1/offers") => json!({"badge_class_id": uuid::Uuid::nil()}),
        ("POST", "/api/v1/offers/accept") => json!({"token": "onope"}),
        ("POST", "/api/v1/awards/{id}/revoke") => json!({"reason": "taken over"}),
        ("POST", "/api/v1/awards") => {
            json!({"badge_class_id": uuid::Uuid::nil(), "recipient_ids": [uuid::Uuid::nil()]})
        }
        ("POST", "/api/v1/collections") => json!({"title": "Intruder collection"}),
        ("PATCH", "/api/v1/collections/{id}") => {
            json!({"title": "Taken over", "visibility": "public"})
        }
        ("PUT", "/api/v1/collections/{id}/items") => {
            json!({"items": [{"award_id": uuid::Uuid::nil(), "comment": "mine now"}]})
        }
        ("POST", "/api/v1/collections/{id}/items") => {
            json!({"award_id": uuid::Uuid::nil(), "comment": "mine now"})
        }
        ("PATCH", "/api/v1/me/sharing") => json!({"allow_indexing": true}),
        ("PUT", "/api/v1/school/sharing") => {
            json!({"allow_public_sharing": true, "min_grade": 9})
        }
        ("PUT", "/api/v1/users/{id}/sharing") => json!({"public_sharing": "allowed"}),
        ("DELETE", "/api/v1/me") => json!({"confirm": true}),
        _ => json!({}),
    }
}

async fn operations(srv: &TestServer) -> Vec<(String, String)> {
    let doc: Value = srv
        .http
        .get(srv.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("ops") {
            if op.get("security").is_some() {
                ops.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// A snapshot of everything Northfield owns, to prove nothing changed.
async fn northfield_snapshot(srv: &TestServer, school_id: uuid::Uuid) -> String {
    let conn = srv.state.db.conn();
    let school = accolade_db::schools::by_id(conn, school_id)
        .await
        .expect("school");
    let mut users = accolade_db::users::all_in_school(conn, school_id)
        .await
        .expect("users");
    users.sort_by_key(|u| u.id);
    let classes = accolade_db::classes::all_in_school(conn, school_id)
        .await
        .expect("classes");
    let mut enr = accolade_db::classes::enrollments_in_school(conn, school_id)
        .await
        .expect("enr");
    enr.sort_by_key(|e| e.id);
    let badges = accolade_db::badges::classes_in_school(conn, school_id, true)
        .await
        .expect("badges");
    let awards = accolade_db::awards::in_school(conn, school_id, None, 0, 10_000)
        .await
        .expect("awards");
    let noms = accolade_db::nominations::queue(conn, school_id, &Default::default(), 0, 10_000)
        .await
        .expect("noms");
    format!("{school:?}{users:?}{classes:?}{enr:?}{badges:?}{awards:?}{noms:?}")
}

async fn call(
    srv: &TestServer,
    token: &str,
    method: &str,
    path: &str,
    filled: &str,
) -> (StatusCode, Value) {
    let m = Method::from_bytes(method.as_bytes()).expect("method");
    if path == "/api/v1/roster/import" {
        return import_roster(
            srv,
            token,
            zip_folder(&fixture("oneroster/riverside")),
            "application/zip",
        )
        .await;
    }
    let body = body_for(method, path);
    srv.call(m, filled, Some(token), Some(&body)).await
}

/// Ids used to fill `{id}` / `{user_id}` path parameters, by resource.
struct Ids {
    user: uuid::Uuid,
    class: uuid::Uuid,
    badge: uuid::Uuid,
    nomination: uuid::Uuid,
    award: uuid::Uuid,
    code: uuid::Uuid,
}

fn fill(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/api/v1/users") {
        ids.user
    } else if path.starts_with("/api/v1/badge-classes") {
        ids.badge
    } else if path.starts_with("/api/v1/nominations") {
        ids.nomination
    } else if path.starts_with("/api/v1/awards") {
        ids.award
    } else if path.starts_with("/api/v1/claim-codes") {
        ids.code
    } else {
        ids.class
    };
    path.replace("{id}", &id.to_string())
        .replace("{user_id}", &ids.user.to_string())
        .replace("{file}", "qr.svg")
}

/// Creates a badge class (by `creator`), an award of it to `recipient`, and a nomination of
/// `nominee` by `nominator` (who share `class`), through the API. Returns (badge, award, nomination).
async fn badge_fixtures(
    srv: &TestServer,
    creator: &str,
    recipient: uuid::Uuid,
    nominator: &str,
    nominee: uuid::Uuid,
) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let png = accolade_e2e::badge_image_path("png");
    let res = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(creator)
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
            creator,
            json!({"name": "Helper", "description": "Helps", "criteria_narrative": "Help others", "image_id": img["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{badge}");
    let (s, award) = srv
        .post(
            "/api/v1/awards",
            creator,
            json!({"badge_class_id": badge["id"], "recipient_ids": [recipient]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{award}");
    let (s, nom) = srv
        .post(
            "/api/v1/nominations",
            nominator,
            json!({"badge_class_id": badge["id"], "nominee_ids": [nominee], "narrative": "Kind to everyone"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{nom}");
    let (s, code) = srv
        .post(
            "/api/v1/claim-codes",
            creator,
            json!({"badge_class_id": badge["id"], "title": "Fair", "ends_at": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{code}");
    let id = |v: &Value| v.as_str().expect("id").parse().expect("uuid");
    (
        id(&badge["id"]),
        id(&award["awards"][0]["id"]),
        id(&nom["nominations"][0]["id"]),
        id(&code["id"]),
    )
}

async fn token_for(srv: &TestServer, user: &accolade_db::users::User) -> String {
    accolade_server::routes::auth::start_session(&srv.state, user)
        .await
        .expect("session")
        .access_token
}

#[tokio::test]
async fn riverside_staff_cannot_read_or_change_northfield() {
    let srv = TestServer::start().await;
    let north = srv
        .school("northfield", "Northfield Academy", "Europe/London")
        .await;
    let river = srv
        .school("riverside", "Riverside School", "Europe/London")
        .await;
    srv.user(
        north.id,
        Role::Admin,
        "North Admin",
        Some("admin@north.example.org"),
    )
    .await;
    srv.user(
        river.id,
        Role::Admin,
        "River Admin",
        Some("admin@river.example.org"),
    )
    .await;
    let na = srv.login("admin@north.example.org", PASSWORD).await;
    let (s, _) = import_roster(
        &srv,
        &na.access,
        zip_folder(&fixture("oneroster/northfield")),
        "application/zip",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let ra = srv.login("admin@river.example.org", PASSWORD).await;
    let (s, _) = import_roster(
        &srv,
        &ra.access,
        zip_folder(&fixture("oneroster/riverside")),
        "application/zip",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // A Riverside teacher with a password, teaching a Riverside class.
    let rt_user = srv
        .user(
            river.id,
            Role::Teacher,
            "River Teacher",
            Some("teacher@river.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    let river_class = accolade_db::classes::all_in_school(conn, river.id)
        .await
        .expect("classes")[0]
        .clone();
    accolade_db::classes::enroll(conn, river.id, river_class.id, rt_user.id, "teacher", None)
        .await
        .expect("enroll");
    let rt = srv.login("teacher@river.example.org", PASSWORD).await;

    // Northfield badge data: two students of one class.
    let n_class = accolade_db::classes::all_in_school(conn, north.id)
        .await
        .expect("classes")[0]
        .clone();
    let members = accolade_db::classes::members(conn, north.id, n_class.id)
        .await
        .expect("members");
    let students: Vec<_> = members
        .iter()
        .filter(|(_, r)| r == "student")
        .map(|(u, _)| u.clone())
        .collect();
    let nominator = token_for(&srv, &students[0]).await;
    let (badge, award, nomination, code) =
        badge_fixtures(&srv, &na.access, students[1].id, &nominator, students[2].id).await;
    let ids = Ids {
        user: students[1].id,
        class: n_class.id,
        badge,
        nomination,
        award,
        code,
    };

    let n_users = accolade_db::users::all_in_school(conn, north.id)
        .await
        .expect("users");
    let north_ids: Vec<String> = n_users
        .iter()
        .map(|u| u.id.to_string())
        .chain([n_class.id, north.id, badge, award, nomination, code].map(|i| i.to_string()))
        .collect();

    let before = northfield_snapshot(&srv, north.id).await;
    let table = policy_table();
    for (method, path) in operations(&srv).await {
        assert!(
            table.contains_key(&(method.as_str(), path.as_str())),
            "no policy for {method} {path}"
        );
        if path == "/api/v1/auth/logout" || path == "/api/v1/me/password" {
            continue; // affect only the caller's own session; checked elsewhere
        }
        let filled = fill(&path, &ids);
        for token in [&rt.access, &ra.access] {
            let (status, body) = call(&srv, token, &method, &path, &filled).await;
            assert!(!status.is_server_error(), "{method} {path}: {status}");
            if path.contains('{') {
                assert!(
                    status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                    "{method} {filled} as Riverside staff: {status} {body}"
                );
            }
            let text = body.to_string();
            for id in &north_ids {
                assert!(
                    !text.contains(id.as_str()),
                    "{method} {path} leaked Northfield id {id}"
                );
            }
            assert!(
                !text.contains("Northfield"),
                "{method} {path} leaked Northfield data"
            );
        }
    }
    assert_eq!(
        before,
        northfield_snapshot(&srv, north.id).await,
        "Northfield data changed"
    );
    srv.stop().await;
}

#[tokio::test]
async fn each_role_gets_403_or_404_where_it_has_no_business() {
    let srv = TestServer::start().await;
    let north = srv
        .school("northfield", "Northfield Academy", "Europe/London")
        .await;
    srv.user(
        north.id,
        Role::Admin,
        "North Admin",
        Some("admin@north.example.org"),
    )
    .await;
    let teacher = srv
        .user(
            north.id,
            Role::Teacher,
            "Tom Teacher",
            Some("tom@north.example.org"),
        )
        .await;
    let student = srv
        .user(
            north.id,
            Role::Student,
            "Sue Student",
            Some("sue@north.example.org"),
        )
        .await;
    let amy = srv
        .user(
            north.id,
            Role::Student,
            "Amy Able",
            Some("amy@north.example.org"),
        )
        .await;
    let other = srv
        .user(
            north.id,
            Role::Student,
            "Otto Other",
            Some("otto@north.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    // Sue and Amy are in class A (taught by nobody); class B is Tom's, with Otto.
    let a = accolade_db::classes::create(conn, north.id, "Class A".into(), None, None)
        .await
        .expect("a");
    let b = accolade_db::classes::create(conn, north.id, "Class B".into(), None, None)
        .await
        .expect("b");
    for (class, user, role) in [
        (a.id, student.id, "student"),
        (a.id, amy.id, "student"),
        (b.id, other.id, "student"),
        (b.id, teacher.id, "teacher"),
    ] {
        accolade_db::classes::enroll(conn, north.id, class, user, role, None)
            .await
            .expect("e");
    }
    let na = srv.login("admin@north.example.org", PASSWORD).await;
    let st = srv.login("sue@north.example.org", PASSWORD).await;
    let am = srv.login("amy@north.example.org", PASSWORD).await;
    let te = srv.login("tom@north.example.org", PASSWORD).await;
    // The admin's badge, awarded to Otto; Amy nominates Sue in class A.
    let (badge, award, nomination, code) =
        badge_fixtures(&srv, &na.access, other.id, &am.access, student.id).await;

    let for_student = Ids {
        user: other.id,
        class: b.id,
        badge,
        nomination,
        award,
        code,
    };
    let for_teacher = Ids {
        user: student.id,
        class: a.id,
        badge,
        nomination,
        award,
        code,
    };
    let table = policy_table();
    for (method, path) in operations(&srv).await {
        let rule = *table
            .get(&(method.as_str(), path.as_str()))
            .unwrap_or_else(|| panic!("no policy for {method} {path}"));
        if rule == "any" {
            continue;
        }
        if rule != "any" && rule != "student_only" {
            let filled = fill(&path, &for_student);
            let (status, body) = call(&srv, &st.access, &method, &path, &filled).await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "student {method} {filled}: {status} {body}"
            );
        }
        if matches!(
            rule,
            "admin"
                | "class_teacher"
                | "badge_editor"
                | "moderator"
                | "student_only"
                | "owner"
                | "code_owner"
        ) {
            let filled = fill(&path, &for_teacher);
            let (status, body) = call(&srv, &te.access, &method, &path, &filled).await;
            let ok = if rule == "owner" {
                status == StatusCode::NOT_FOUND
                    || (method == "GET" && path.starts_with("/api/v1/awards/"))
            } else {
                status == StatusCode::FORBIDDEN
            };
            assert!(ok, "teacher {method} {filled} ({rule}): {status} {body}");
        }
    }
    // And the positive cases.
    assert_eq!(
        srv.get(&format!("/api/v1/classes/{}", a.id), &st.access)
            .await
            .0,
        StatusCode::OK
    );
    let (s, _) = srv
        .post(
            &format!("/api/v1/classes/{}/signin-cards", b.id),
            &te.access,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        srv.get(&format!("/api/v1/nominations/{nomination}"), &am.access)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        srv.get(&format!("/api/v1/nominations/{nomination}"), &na.access)
            .await
            .0,
        StatusCode::OK
    );
    srv.stop().await;
}
