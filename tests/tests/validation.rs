//! Bad input gets a clear problem document, identical on SQLite and PostgreSQL.

use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn nul_in_display_name_is_the_same_422_on_every_backend() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    srv.user(
        school.id,
        Role::Student,
        "Sam Student",
        Some("sam@north.example.org"),
    )
    .await;
    let s = srv.login("sam@north.example.org", PASSWORD).await;
    let (status, body) = srv
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&s.access),
            Some(&json!({"display_name": "Sam\u{0}"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The exact body is asserted, so the SQLite and PostgreSQL runs must agree byte for byte.
    assert_eq!(
        body,
        json!({
            "type": "urn:accolade:problem:invalid_input",
            "title": "Invalid input",
            "status": 422,
            "detail": "display_name: must not contain control characters",
            "code": "invalid_input",
            "errors": [{"field": "display_name", "message": "must not contain control characters"}]
        })
    );
    // Nothing stored changed.
    let (_, me) = srv.get("/api/v1/me", &s.access).await;
    assert_eq!(me["display_name"], "Sam Student");
    srv.stop().await;
}

#[tokio::test]
async fn malformed_bodies_get_problem_details_never_500() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    srv.user(
        school.id,
        Role::Admin,
        "Ada Admin",
        Some("admin@north.example.org"),
    )
    .await;
    let s = srv.login("admin@north.example.org", PASSWORD).await;
    let cases: Vec<(Method, &str, &str, &str, StatusCode, &str)> = vec![
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            "{",
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "text/plain",
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            "{\"login\": 5}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            Method::PATCH,
            "/api/v1/me",
            "application/json",
            "{\"handle\": \"ab\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            Method::PATCH,
            "/api/v1/school",
            "application/json",
            "{\"timezone\": \"Mars/Base\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            Method::POST,
            "/api/v1/users",
            "application/json",
            "{\"role\": \"wizard\", \"display_name\": \"x\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            Method::POST,
            "/api/v1/users",
            "application/json",
            "{\"role\": \"student\", \"display_name\": \"x\", \"email\": \"not-an-email\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            Method::GET,
            "/api/v1/users/not-a-uuid",
            "application/json",
            "",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/api/v1/users?limit=abc",
            "application/json",
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            Method::GET,
            "/api/v1/nope",
            "application/json",
            "",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::DELETE,
            "/api/v1/school",
            "application/json",
            "",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::POST,
            "/api/v1/roster/import",
            "text/csv",
            "hello,world\n1,2\n",
            StatusCode::UNPROCESSABLE_ENTITY,
            "roster_rejected",
        ),
    ];
    for (method, path, ctype, body, want, code) in cases {
        let mut req = srv
            .http
            .request(method.clone(), srv.url(path))
            .bearer_auth(&s.access);
        if !body.is_empty() {
            req = req.header("content-type", ctype).body(body.to_owned());
        }
        let res = req.send().await.expect("send");
        assert_eq!(res.status(), want, "{method} {path} {body}");
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{method} {path}"
        );
        let problem: serde_json::Value = res.json().await.expect("json");
        assert_eq!(problem["code"], code, "{method} {path}: {problem}");
        assert_eq!(problem["status"], want.as_u16());
    }
    // A JSON body over the 64 KiB limit → 413.
    let big = json!({"display_name": "x".repeat(100_000)});
    let (status, problem) = srv
        .call(Method::PATCH, "/api/v1/me", Some(&s.access), Some(&big))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem["code"], "payload_too_large");
    srv.stop().await;
}

#[tokio::test]
async fn health_and_openapi() {
    let srv = TestServer::start().await;
    let res = srv
        .http
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(res.status(), StatusCode::OK);
    let ready: serde_json::Value = srv
        .http
        .get(srv.url("/readyz"))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["status"], "ok");
    assert_eq!(
        ready["database"],
        if srv.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    let doc: serde_json::Value = srv
        .http
        .get(srv.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
    // Every path parameter appears in its path; query parameters are declared as such.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("ops") {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().expect("name");
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: `{name}` is not in the path"
                    );
                }
            }
        }
    }
    let page = srv
        .http
        .get(srv.url("/api/docs"))
        .send()
        .await
        .expect("docs")
        .text()
        .await
        .expect("text");
    assert!(page.contains("/api/v1/auth/login"));
    let res = srv
        .http
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert!(res.headers().get("x-request-id").is_some());
    srv.stop().await;
}

#[tokio::test]
async fn field_names_and_bounds_in_problems() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    srv.user(
        school.id,
        Role::Admin,
        "Ada Admin",
        Some("admin@north.example.org"),
    )
    .await;
    let s = srv.login("admin@north.example.org", PASSWORD).await;
    let (status, p) = srv
        .get("/api/v1/users?cursor=9223372036854775808", &s.access)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (status, p) = srv
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&s.access),
            Some(&json!({"display_name": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "display_name", "{p}");
    assert!(
        !p["detail"].as_str().expect("detail").contains("line 1"),
        "{p}"
    );
    let (status, p) = srv
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&s.access),
            Some(&json!({"display_name": "X"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "role", "{p}");
    assert_eq!(p["errors"][0]["message"], "is required");
    srv.stop().await;
}
