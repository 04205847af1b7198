//! Accounts and auth: tokens, refresh rotation, password policy, rate limits.

use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every operation of the OpenAPI document that requires a bearer token, with path
/// parameters filled by `fill`.
async fn protected_operations(
    srv: &TestServer,
    fill: impl Fn(&str, &str) -> String,
) -> Vec<(Method, String)> {
    let doc: Value = srv
        .http
        .get(srv.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json");
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            if op.get("security").is_none() {
                continue;
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            // Fill `{param}` segments.
            let mut filled = String::new();
            for seg in path.split('/') {
                if seg.is_empty() {
                    continue;
                }
                filled.push('/');
                if seg.starts_with('{') {
                    filled.push_str(&fill(path, seg.trim_matches(|c| c == '{' || c == '}')));
                } else {
                    filled.push_str(seg);
                }
            }
            out.push((m, filled));
        }
    }
    assert!(
        out.len() >= 15,
        "expected the protected routes in the OpenAPI doc"
    );
    out
}

#[tokio::test]
async fn alg_none_token_is_rejected_on_every_protected_route() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    let teacher = srv
        .user(
            school.id,
            Role::Teacher,
            "Tina Teacher",
            Some("tina@north.example.org"),
        )
        .await;
    let real = srv.login("tina@north.example.org", PASSWORD).await;
    // Take the real claims, claim teacher, and strip the signature with alg none.
    let payload = real.access.split('.').nth(1).expect("payload");
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("claims");
    claims["role"] = json!("teacher");
    claims["sub"] = json!(teacher.id);
    let forged = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims json"))
    );
    let ops = protected_operations(&srv, |_, _| uuid::Uuid::new_v4().to_string()).await;
    for (method, path) in ops {
        let body = json!({});
        let (status, problem) = srv
            .call(method.clone(), &path, Some(&forged), Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {problem}"
        );
        assert_eq!(problem["code"], "unauthenticated", "{method} {path}");
    }
    // The genuine token still works.
    let (status, _) = srv.get("/api/v1/me", &real.access).await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}

#[tokio::test]
async fn refresh_rotation_reuse_logout_and_races() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    srv.user(
        school.id,
        Role::Student,
        "Sam Student",
        Some("sam@north.example.org"),
    )
    .await;
    let refresh = |token: String| {
        let srv = &srv;
        async move {
            srv.call(
                Method::POST,
                "/api/v1/auth/refresh",
                None,
                Some(&json!({ "refresh_token": token })),
            )
            .await
        }
    };

    // Rotate, then reuse the old token: 401 and the whole family is revoked.
    let s = srv.login("sam@north.example.org", PASSWORD).await;
    let (status, rotated) = refresh(s.refresh.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let new_refresh = rotated["refresh_token"]
        .as_str()
        .expect("new refresh")
        .to_owned();
    let new_access = rotated["access_token"]
        .as_str()
        .expect("new access")
        .to_owned();
    let (status, problem) = refresh(s.refresh.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "invalid_refresh_token");
    let (status, _) = refresh(new_refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "family must be revoked");
    let (status, _) = srv.get("/api/v1/me", &new_access).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "access tokens of the family die too"
    );

    // Logout, then reuse: 401.
    let s = srv.login("sam@north.example.org", PASSWORD).await;
    let (status, _) = srv
        .call(Method::POST, "/api/v1/auth/logout", Some(&s.access), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = refresh(s.refresh.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = srv.get("/api/v1/me", &s.access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Two concurrent refreshes with one token: exactly one 200.
    for _ in 0..5 {
        let s = srv.login("sam@north.example.org", PASSWORD).await;
        let (a, b) = tokio::join!(refresh(s.refresh.clone()), refresh(s.refresh.clone()));
        let oks = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(oks, 1, "statuses {:?} {:?}", a.0, b.0);
        assert!([a.0, b.0].contains(&StatusCode::UNAUTHORIZED));
    }
    srv.stop().await;
}

#[tokio::test]
async fn password_policy_every_byte_counts_and_nul_is_rejected() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    let admin = srv
        .user(
            school.id,
            Role::Admin,
            "Ada Admin",
            Some("admin@north.example.org"),
        )
        .await;
    let a = srv.login("admin@north.example.org", PASSWORD).await;
    let x = format!("{}X", "a".repeat(72));
    let y = format!("{}Y", "a".repeat(72));
    let (status, _) = srv
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", admin.id),
            Some(&a.access),
            Some(&json!({ "password": x })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let login = |pw: String| {
        let srv = &srv;
        async move {
            srv.call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"login": "admin@north.example.org", "password": pw})),
            )
            .await
        }
    };
    assert_eq!(login(y).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(x).await.0, StatusCode::OK);

    let (status, problem) = login("\u{0}secret".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "invalid_password");
    let a = srv
        .login("admin@north.example.org", &format!("{}X", "a".repeat(72)))
        .await;
    let (status, problem) = srv
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&a.access),
            Some(&json!({"current_password": format!("{}X", "a".repeat(72)), "new_password": "\u{0}secretsecret"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "invalid_password");
    srv.stop().await;
}

#[tokio::test]
async fn login_is_rate_limited_per_account_with_retry_after() {
    let srv = TestServer::start_with(|c| {
        c.login_per_account_per_minute = 3;
        c.login_per_ip_per_minute = 1000;
    })
    .await;
    let school = srv.school("north", "North", "Europe/London").await;
    srv.user(
        school.id,
        Role::Student,
        "Sam Student",
        Some("sam@north.example.org"),
    )
    .await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let res = srv
            .http
            .post(srv.url("/api/v1/auth/login"))
            .json(&json!({"login": "SAM@north.example.org", "password": "wrong password"}))
            .send()
            .await
            .expect("send");
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
        statuses.push(res.status());
    }
    assert_eq!(&statuses[..3], &[StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
    let secs: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!(secs >= 1);
    srv.stop().await;
}

#[tokio::test]
async fn expired_and_foreign_tokens_are_401() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    let u = srv
        .user(
            school.id,
            Role::Student,
            "Sam Student",
            Some("sam@north.example.org"),
        )
        .await;
    let s = srv.login("sam@north.example.org", PASSWORD).await;
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(s.access.split('.').nth(1).expect("payload"))
            .expect("b64"),
    )
    .expect("json");
    let sid: uuid::Uuid = serde_json::from_value(claims["sid"].clone()).expect("sid");
    // Signed with another key.
    let other = accolade_server::tokens::TokenKeys::new(&[9u8; 32], 900, 0);
    let (foreign, _) = other.issue(u.id, school.id, "admin", sid).expect("issue");
    assert_eq!(
        srv.get("/api/v1/me", &foreign).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Correct key, already expired (the server's leeway is 5 s).
    let key = "test-signing-key-0123456789-abcdefghijklmnop";
    let expired_keys = accolade_server::tokens::TokenKeys::new(key.as_bytes(), 0, 0);
    let mut claims = accolade_server::tokens::Claims {
        sub: u.id,
        sch: school.id,
        role: "student".into(),
        sid,
        iat: 0,
        exp: chrono::Utc::now().timestamp() - 60,
        iss: "accolade".into(),
    };
    let tok = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .expect("encode");
    drop(expired_keys);
    assert_eq!(
        srv.get("/api/v1/me", &tok).await.0,
        StatusCode::UNAUTHORIZED
    );
    // HS512 with the right key is still refused: the algorithm is fixed.
    claims.exp = chrono::Utc::now().timestamp() + 600;
    let tok = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .expect("encode");
    assert_eq!(
        srv.get("/api/v1/me", &tok).await.0,
        StatusCode::UNAUTHORIZED
    );
    srv.stop().await;
}

#[tokio::test]
async fn an_email_in_two_schools_is_only_revealed_to_someone_with_a_fitting_password() {
    let srv = TestServer::start().await;
    let a = srv.school("alpha", "Alpha School", "Europe/London").await;
    let b = srv.school("beta", "Beta School", "Europe/London").await;
    for school in [a.id, b.id] {
        srv.user(
            school,
            Role::Teacher,
            "Sam Shared",
            Some("sam@shared.example.org"),
        )
        .await;
    }
    let login = |password: &'static str, school: Option<&'static str>| {
        let mut body = json!({"login": "sam@shared.example.org", "password": password});
        if let Some(s) = school {
            body["school"] = json!(s);
        }
        srv.http
            .post(srv.url("/api/v1/auth/login"))
            .json(&body)
            .send()
    };
    // A wrong password looks exactly like an unknown account: nothing about the two schools.
    let res = login("not the password at all", None).await.expect("login");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], "invalid_credentials");
    // The right password fits both accounts: which school?
    let res = login(PASSWORD, None).await.expect("login");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], "school_required");
    // Naming the school signs in there.
    let res = login(PASSWORD, Some("beta")).await.expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    srv.stop().await;
}
