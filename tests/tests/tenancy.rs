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
    format!("{school:?}{users:?}{classes:?}{enr:?}")
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

    let n_users = accolade_db::users::all_in_school(conn, north.id)
        .await
        .expect("users");
    let n_student = n_users
        .iter()
        .find(|u| u.role == "student" && u.active)
        .expect("student")
        .clone();
    let n_class = accolade_db::classes::all_in_school(conn, north.id)
        .await
        .expect("classes")[0]
        .clone();
    let north_ids: Vec<String> = n_users
        .iter()
        .map(|u| u.id.to_string())
        .chain([n_class.id.to_string(), north.id.to_string()])
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
        let filled = path
            .replace(
                "{id}",
                &if path.starts_with("/api/v1/users") {
                    n_student.id
                } else {
                    n_class.id
                }
                .to_string(),
            )
            .replace("{user_id}", &n_student.id.to_string());
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
    let other = srv
        .user(
            north.id,
            Role::Student,
            "Otto Other",
            Some("otto@north.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    // The student is in class A (taught by nobody); class B is the teacher's, without her.
    let a = accolade_db::classes::create(conn, north.id, "Class A".into(), None, None)
        .await
        .expect("a");
    let b = accolade_db::classes::create(conn, north.id, "Class B".into(), None, None)
        .await
        .expect("b");
    accolade_db::classes::enroll(conn, north.id, a.id, student.id, "student", None)
        .await
        .expect("e");
    accolade_db::classes::enroll(conn, north.id, b.id, other.id, "student", None)
        .await
        .expect("e");
    accolade_db::classes::enroll(conn, north.id, b.id, teacher.id, "teacher", None)
        .await
        .expect("e");
    let st = srv.login("sue@north.example.org", PASSWORD).await;
    let te = srv.login("tom@north.example.org", PASSWORD).await;

    let table = policy_table();
    for (method, path) in operations(&srv).await {
        let rule = *table
            .get(&(method.as_str(), path.as_str()))
            .unwrap_or_else(|| panic!("no policy for {method} {path}"));
        if rule == "any" {
            continue;
        }
        // Students: denied everything above "member", and class routes of classes they're not in.
        let filled_for_student = path
            .replace(
                "{id}",
                &if path.starts_with("/api/v1/users") {
                    other.id
                } else {
                    b.id
                }
                .to_string(),
            )
            .replace("{user_id}", &other.id.to_string());
        let (status, body) = call(&srv, &st.access, &method, &path, &filled_for_student).await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "student {method} {filled_for_student}: {status} {body}"
        );
        // Teachers: denied admin routes, and cards for a class they do not teach.
        if rule == "admin" || rule == "class_teacher" {
            let filled = path
                .replace(
                    "{id}",
                    &if path.starts_with("/api/v1/users") {
                        student.id
                    } else {
                        a.id
                    }
                    .to_string(),
                )
                .replace("{user_id}", &student.id.to_string());
            let (status, body) = call(&srv, &te.access, &method, &path, &filled).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "teacher {method} {filled}: {body}"
            );
        }
    }
    // And the positive cases: the student sees their own class, the teacher prints cards for B.
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
    srv.stop().await;
}
