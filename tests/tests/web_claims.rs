//! The QR-claiming web pages over plain HTTP (no JavaScript): CSRF, cookie flags, CSP, app-link
//! files, the status codes of the friendly error pages, HTML escaping, sign-in cards, peer
//! offers, and the vouched-for rotating link that survives signing in.

mod web_common;

use std::time::Duration;

use accolade_e2e::ws::Client;
use accolade_e2e::PASSWORD;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use web_common::{code, current, path_of, setup, setup_with, student, Browser, TEACHER};

const CSP: &str = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; \
                   connect-src 'self' ws: wss:; frame-ancestors 'none'";

fn csp_of(p: &web_common::Page) -> String {
    p.headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_needs_csrf_and_sets_a_safe_cookie() {
    let f = setup("Science Fair", "Europe/London").await;
    let mut b = Browser::new(&f.srv);

    let p = b.get("/signin?next=/claim").await;
    p.expect(StatusCode::OK, "Sign in");
    assert!(csp_of(&p).starts_with(CSP), "{}", csp_of(&p));
    assert_eq!(
        p.headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(p.body.contains("<html lang=\"en\">"));
    assert!(p.body.contains("name=\"viewport\""));
    assert!(
        p.body.contains("<label for=\"login\">") && p.body.contains("<label for=\"password\">")
    );
    assert!(!p.body.contains("<script>") && !p.body.contains("style="));
    let pre = p.set_cookies();
    assert!(
        pre.iter().any(|c| c.starts_with("accolade_pre=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")
            && c.contains("Path=/")),
        "{pre:?}"
    );
    let csrf = p.csrf();

    // No token, a wrong token, or a token of another browser: 403, nothing happens.
    let login = [
        ("login", TEACHER),
        ("password", PASSWORD),
        ("next", "/claim"),
    ];
    let res = b.post("/signin", &login).await;
    res.expect(StatusCode::FORBIDDEN, "This form has expired");
    assert!(res
        .set_cookies()
        .iter()
        .all(|c| !c.starts_with("accolade_session=")));
    let mut with_bad = login.to_vec();
    with_bad.push(("csrf", "AAAAAAAAAAAAAAAAAAAAAA"));
    b.post("/signin", &with_bad)
        .await
        .expect(StatusCode::FORBIDDEN, "expired");
    let mut other = Browser::new(&f.srv);
    let other_csrf = other.get("/signin").await.csrf();
    let mut with_other = login.to_vec();
    with_other.push(("csrf", &other_csrf));
    b.post("/signin", &with_other)
        .await
        .expect(StatusCode::FORBIDDEN, "expired");

    // Wrong password: the form again, 401, the login kept, no session.
    let res = b
        .post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("login", TEACHER),
                ("password", "not the password"),
                ("next", "/claim"),
            ],
        )
        .await;
    res.expect(StatusCode::UNAUTHORIZED, "don&#x27;t match");
    assert!(res.body.contains(&format!("value=\"{TEACHER}\"")));
    assert!(!b.cookies.contains_key("accolade_session"));

    // An off-site `next` is ignored.
    let with_next = vec![
        ("csrf", csrf.as_str()),
        ("login", TEACHER),
        ("password", PASSWORD),
        ("next", "//evil.example/"),
    ];
    let res = b.post("/signin", &with_next).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/account");
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("accolade_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "http: no Secure flag: {cookie}");
    let token = b.cookies["accolade_session"].clone();
    assert!(token.len() >= 43, "256-bit opaque token");

    // Signed in: /account sends a teacher to the queue; pages show the display name, never
    // the e-mail.
    let acct = b.get("/account").await;
    assert_eq!(acct.status, StatusCode::SEE_OTHER);
    assert_eq!(acct.location(), "/teach/queue");
    let page = b.get("/signout").await;
    page.expect(StatusCode::OK, "<bdi>Tess Teacher</bdi>");
    assert!(!page.body.contains(TEACHER));

    // The cookie keeps working: the refresh token is looked up, not rotated.
    b.get("/signout")
        .await
        .expect(StatusCode::OK, "<bdi>Tess Teacher</bdi>");

    // Sign out needs the token too; then the session is gone.
    b.post("/signout", &[])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");
    let csrf = b.get("/signout").await.csrf();
    let res = b.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("accolade_session=;") && c.contains("Max-Age=0")));
    let gone = b.get("/account").await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(gone.location(), "/signin?next=/account");

    // An old cookie replayed after sign-out does not work either.
    let mut replay = Browser::new(&f.srv);
    replay
        .cookies
        .insert("accolade_session".into(), token.clone());
    assert_eq!(replay.get("/account").await.status, StatusCode::SEE_OTHER);

    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_cookies_are_secure_and_host_prefixed() {
    let f = setup_with(
        |c| c.public_url = "https://badges.example.org".into(),
        "Science Fair",
        "Europe/London",
    )
    .await;
    let mut b = Browser::new(&f.srv);
    let p = b.get("/signin").await;
    assert!(
        p.set_cookies()
            .iter()
            .any(|c| c.starts_with("__Host-accolade_pre=") && c.contains("; Secure")),
        "{:?}",
        p.set_cookies()
    );
    let csrf = p.csrf();
    let res = b
        .post(
            "/signin",
            &[("csrf", &csrf), ("login", TEACHER), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-accolade_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_sign_in_is_rate_limited() {
    let f = setup_with(
        |c| c.login_per_account_per_minute = 3, // one is used by the API login of the setup
        "Science Fair",
        "Europe/London",
    )
    .await;
    let mut b = Browser::new(&f.srv);
    let csrf = b.get("/signin").await.csrf();
    let wrong = [
        ("csrf", csrf.as_str()),
        ("login", TEACHER),
        ("password", "wrong password"),
    ];
    for _ in 0..2 {
        assert_eq!(
            b.post("/signin", &wrong).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let res = b.post("/signin", &wrong).await;
    res.expect(StatusCode::TOO_MANY_REQUESTS, "Too many tries");
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_link_files_come_from_the_config() {
    let f = setup_with(
        |c| {
            c.ios_app_ids = vec!["ABCDE12345.org.example.accolade".into()];
            c.android_app = Some(accolade_server::config::AndroidApp {
                package: "org.example.accolade".into(),
                sha256_cert_fingerprints: vec![vec!["AB"; 32].join(":")],
            });
        },
        "Science Fair",
        "UTC",
    )
    .await;
    let res = f
        .srv
        .http
        .get(f.srv.url("/.well-known/apple-app-site-association"))
        .send()
        .await
        .expect("aasa");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    let aasa: Value = res.json().await.expect("json");
    let detail = &aasa["applinks"]["details"][0];
    assert_eq!(detail["appIDs"], json!(["ABCDE12345.org.example.accolade"]));
    assert_eq!(detail["appID"], "ABCDE12345.org.example.accolade");
    assert_eq!(
        detail["components"],
        json!([{"/": "/c/*"}, {"/": "/o/*"}, {"/": "/signin/card/*"}])
    );
    assert_eq!(detail["paths"], json!(["/c/*", "/o/*", "/signin/card/*"]));

    let res = f
        .srv
        .http
        .get(f.srv.url("/.well-known/assetlinks.json"))
        .send()
        .await
        .expect("assetlinks");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    let links: Value = res.json().await.expect("json");
    assert_eq!(
        links[0]["relation"],
        json!(["delegate_permission/common.handle_all_urls"])
    );
    assert_eq!(links[0]["target"]["namespace"], "android_app");
    assert_eq!(links[0]["target"]["package_name"], "org.example.accolade");
    assert_eq!(
        links[0]["target"]["sha256_cert_fingerprints"][0]
            .as_str()
            .expect("fp")
            .len(),
        95
    );
    f.srv.stop().await;

    // Unconfigured: valid, empty documents.
    let f = setup("Science Fair", "UTC").await;
    let aasa: Value = f
        .srv
        .http
        .get(f.srv.url("/.well-known/apple-app-site-association"))
        .send()
        .await
        .expect("aasa")
        .json()
        .await
        .expect("json");
    assert_eq!(aasa, json!({"applinks": {"apps": [], "details": []}}));
    let links: Value = f
        .srv
        .http
        .get(f.srv.url("/.well-known/assetlinks.json"))
        .send()
        .await
        .expect("assetlinks")
        .json()
        .await
        .expect("json");
    assert_eq!(links, json!([]));
    f.srv.stop().await;

    // Malformed values are refused at start-up.
    let bad = accolade_server::Config {
        ios_app_ids: vec!["org.example.accolade".into()],
        ..accolade_server::Config::default()
    };
    assert!(bad.validate().is_err());
    let bad = accolade_server::Config {
        android_app: Some(accolade_server::config::AndroidApp {
            package: "org.example.accolade".into(),
            sha256_cert_fingerprints: vec!["AB:CD".into()],
        }),
        ..accolade_server::Config::default()
    };
    assert!(bad.validate().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_pages_answer_every_case_with_its_status() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let _bob = student(&f, "Bob Other", "bob@north.example.org", f.other_class).await;
    let mut anon = Browser::new(&f.srv);

    // Unknown code: 404 page, signed in or not.
    anon.get("/c/rAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await
        .expect(StatusCode::NOT_FOUND, "We don&#x27;t know this code");
    anon.get("/c/x")
        .await
        .expect(StatusCode::NOT_FOUND, "know this code");

    // An open code, signed out: the badge, and the sign-in forms coming back here.
    let open = code(&f, json!({"mode": "static"})).await;
    let (open_url, open_manual) = current(&f, &open).await;
    let p = anon.get(&path_of(&f, &open_url)).await;
    p.expect(StatusCode::OK, "Sign in to claim your badge");
    assert!(p.body.contains("alt=\"Science Fair\""), "{}", p.body);
    assert!(p.body.contains("<label for=\"card-code\">"));
    let next = p.input_value("next").expect("next");
    assert!(next.starts_with(&path_of(&f, &open_url)), "{next}");
    assert!(next.contains("seen=") && next.contains("sig="), "{next}");

    // Sign in through the page and come back to the claim button.
    let mut ada_web = Browser::new(&f.srv);
    let confirm = ada_web.sign_in("ada@north.example.org", &next).await;
    confirm.expect(StatusCode::OK, "Claim this badge");
    assert!(csp_of(&confirm).starts_with(CSP));
    // Claiming needs the CSRF token.
    let form_path = path_of(&f, &open_url);
    let seen = confirm.input_value("seen").expect("seen");
    let sig = confirm.input_value("sig").expect("sig");
    ada_web
        .post(&form_path, &[("seen", &seen), ("sig", &sig)])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");
    let csrf = confirm.csrf();
    let done = ada_web
        .post(
            &form_path,
            &[("csrf", &csrf), ("seen", &seen), ("sig", &sig)],
        )
        .await;
    done.expect(StatusCode::OK, "You got a badge!");
    assert!(done.body.contains("alt=\"Science Fair\""));
    assert!(
        done.body.contains("href=\"&#x2f;my&#x2f;badges\"")
            || done.body.contains("href=\"/my/badges\"")
    );
    let (_, mine) = f.srv.get("/api/v1/me/awards", &ada.access).await;
    assert_eq!(mine["items"].as_array().expect("items").len(), 1);
    // Again: "already", no second award.
    let again = ada_web.get(&form_path).await;
    again.expect(StatusCode::OK, "You already have this badge");
    let my = ada_web.get("/my/badges").await;
    my.expect(StatusCode::OK, "<bdi>Science Fair</bdi>");

    // The manual code page: unknown code → the form again (404); the right code → already.
    let m = ada_web.get("/claim").await;
    m.expect(StatusCode::OK, "<label for=\"code\">Claim code</label>");
    let csrf = m.csrf();
    ada_web
        .post("/claim", &[("csrf", &csrf), ("code", "ZZZZ-ZZZZ")])
        .await
        .expect(StatusCode::NOT_FOUND, "We don&#x27;t know this code");
    ada_web
        .post(
            "/claim",
            &[("csrf", &csrf), ("code", &open_manual.to_lowercase())],
        )
        .await
        .expect(StatusCode::OK, "You already have this badge");
    ada_web
        .post("/claim", &[("code", &open_manual)])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");

    // Closed: 410. Expired window: 410.
    let closed = code(&f, json!({"mode": "static"})).await;
    let (closed_url, _) = current(&f, &closed).await;
    let (status, _) = f
        .srv
        .post(
            &format!(
                "/api/v1/claim-codes/{}/close",
                closed["id"].as_str().expect("id")
            ),
            &f.teacher.access,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    anon.get(&path_of(&f, &closed_url))
        .await
        .expect(StatusCode::GONE, "This code is closed");
    ada_web
        .get(&path_of(&f, &closed_url))
        .await
        .expect(StatusCode::GONE, "closed this code");

    // Not open yet: 403 with the opening time in the school's time zone.
    let later = code(
        &f,
        json!({"mode": "static", "starts_at": "2099-06-01T09:30", "ends_at": "2099-06-02T09:30"}),
    )
    .await;
    let (later_url, _) = current(&f, &later).await;
    let p = ada_web.get(&path_of(&f, &later_url)).await;
    p.expect(StatusCode::FORBIDDEN, "Not open yet");
    assert!(
        p.body.contains("2099-06-01 09:30 (Europe&#x2f;London)")
            || p.body.contains("2099-06-01 09:30 (Europe/London)"),
        "{}",
        p.body
    );

    // Used up: 409 (another student took the only claim).
    let single = code(&f, json!({"mode": "static", "max_claims": 1})).await;
    let (single_url, _) = current(&f, &single).await;
    let cara = student(&f, "Cara Third", "cara@north.example.org", f.class_id).await;
    let (status, _) = f
        .srv
        .call(
            Method::POST,
            "/api/v1/claims",
            Some(&cara.access),
            Some(&json!({"token": single_url})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    ada_web
        .get(&path_of(&f, &single_url))
        .await
        .expect(StatusCode::CONFLICT, "All used up");

    // Another class's code: 403.
    let theirs = code(&f, json!({"mode": "static", "class_ids": [f.other_class]})).await;
    let (theirs_url, _) = current(&f, &theirs).await;
    ada_web
        .get(&path_of(&f, &theirs_url))
        .await
        .expect(StatusCode::FORBIDDEN, "Not for your class");

    // A teacher cannot claim.
    let mut tess = Browser::new(&f.srv);
    tess.sign_in(TEACHER, "/account").await;
    tess.get(&path_of(&f, &open_url))
        .await
        .expect(StatusCode::FORBIDDEN, "Only students claim badges");

    // Signed out, the manual-code page asks to sign in first.
    let p = anon.get("/claim").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/signin?next=/claim");
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn badge_names_and_titles_are_escaped() {
    let evil = "<script>alert(1)</script> & \"Co\"";
    let f = setup(evil, "UTC").await;
    let _ada = student(&f, "Ada <b>Bold</b>", "ada@north.example.org", f.class_id).await;
    let c = code(
        &f,
        json!({"mode": "static", "title": "<img src=x onerror=alert(2)>"}),
    )
    .await;
    let (url, _) = current(&f, &c).await;
    let mut b = Browser::new(&f.srv);
    let p = b.get(&path_of(&f, &url)).await;
    p.expect(
        StatusCode::OK,
        "&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &quot;Co&quot;",
    );
    assert!(!p.body.contains("<script>alert"), "{}", p.body);
    assert!(!p.body.contains("<img src=x"), "{}", p.body);
    let next = p.input_value("next").expect("next");
    let confirm = b.sign_in("ada@north.example.org", &next).await;
    confirm.expect(StatusCode::OK, "<bdi>Ada &lt;b&gt;Bold&lt;/b&gt;</bdi>");
    assert!(!confirm.body.contains("<script>alert"));

    let mut t = Browser::new(&f.srv);
    let present = t
        .sign_in(
            TEACHER,
            &format!("/present/{}", c["id"].as_str().expect("id")),
        )
        .await;
    present.expect(StatusCode::OK, "&lt;img src=x onerror=alert(2)&gt;");
    assert!(!present.body.contains("<script>alert") && !present.body.contains("<img src=x"));
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projector_page_is_for_the_codes_teacher() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    f.srv
        .user(
            f.school_id,
            accolade_proto::Role::Teacher,
            "Other Teacher",
            Some("otto@north.example.org"),
        )
        .await;
    let c = code(&f, json!({"rotation_secs": 30})).await;
    let id = c["id"].as_str().expect("id").to_owned();
    let page_path = format!("/present/{id}");

    // Signed out: to the sign-in page and back.
    let mut anon = Browser::new(&f.srv);
    let p = anon.get(&page_path).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), format!("/signin?next={page_path}"));
    assert_eq!(
        anon.get(&format!("{page_path}/state")).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Another teacher and a student: 403 pages; an unknown id: 404 page.
    let mut otto = Browser::new(&f.srv);
    otto.sign_in("otto@north.example.org", "/profile")
        .await
        .expect(StatusCode::OK, "Signed in as");
    otto.get(&page_path).await.expect(
        StatusCode::FORBIDDEN,
        "who made this code, or an admin, can present it",
    );
    otto.get("/present/00000000-0000-0000-0000-000000000000")
        .await
        .expect(StatusCode::NOT_FOUND, "know this code");
    otto.get("/present/not-a-uuid")
        .await
        .expect(StatusCode::NOT_FOUND, "know this code");
    let mut ada_web = Browser::new(&f.srv);
    ada_web.sign_in("ada@north.example.org", "/account").await;
    ada_web
        .get(&page_path)
        .await
        .expect(StatusCode::FORBIDDEN, "can&#x27;t do this");

    // The teacher: the page, its state, its QR and a WebSocket ticket.
    let mut tess = Browser::new(&f.srv);
    let p = tess.sign_in(TEACHER, &page_path).await;
    p.expect(StatusCode::OK, "id=\"qr\"");
    assert!(csp_of(&p).starts_with(CSP));
    assert!(
        p.body.contains("src=\"&#x2f;assets&#x2f;present.js?v=")
            || p.body.contains("src=\"/assets/present.js?v=")
    );
    let (url, manual) = current(&f, &c).await;
    assert!(p.body.contains(&manual), "manual code shown");
    assert!(p
        .body
        .contains("id=\"count\" class=\"big count\" aria-live=\"polite\">0<"));
    let st = tess.get(&format!("{page_path}/state")).await;
    assert_eq!(st.status, StatusCode::OK);
    let st: Value = serde_json::from_str(&st.body).expect("json");
    assert_eq!(st["url"], json!(url));
    assert_eq!(st["state"], "active");
    assert!(st["qr_src"]
        .as_str()
        .expect("src")
        .starts_with(&format!("{page_path}/qr.svg?v=")));
    let svg = tess.get(st["qr_src"].as_str().expect("src")).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.content_type(), "image/svg+xml");
    assert!(svg.body.contains("<svg"));
    assert_eq!(
        otto.get(&format!("{page_path}/qr.svg")).await.status,
        StatusCode::FORBIDDEN
    );

    // Assets are served by the app itself.
    let css = tess.get("/assets/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css"));
    let js = tess.get("/assets/present.js").await;
    assert!(js.content_type().starts_with("text/javascript"));
    assert!(js.body.contains("claim.counted"));

    // The ticket needs the page's CSRF token in a header.
    let ticket_path = format!("{page_path}/ws-ticket");
    assert_eq!(
        tess.post(&ticket_path, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = p
        .body
        .split("data-csrf=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("data-csrf")
        .to_owned();
    let t = tess
        .post_with_header(&ticket_path, "x-csrf-token", &csrf)
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let t: Value = serde_json::from_str(&t.body).expect("json");
    let ws = format!(
        "{}/api/v1/ws?ticket={}",
        f.srv.base.replacen("http", "ws", 1),
        t["ticket"].as_str().expect("ticket")
    );
    let mut client = Client::connect(&ws).await.expect("ws");
    client.until_ready().await;
    let (status, _) = f
        .srv
        .call(
            Method::POST,
            "/api/v1/claims",
            Some(&ada.access),
            Some(&json!({"token": url})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let ev = client.next_event(Duration::from_secs(10)).await;
    assert_eq!(ev["type"], "claim.counted");
    assert_eq!(ev["data"]["count"], 1);
    assert_eq!(ev["data"]["first_name"], "Ada");
    client.close().await;

    // A reload shows the count and the first name.
    let p = tess.get(&page_path).await;
    assert!(p.body.contains("aria-live=\"polite\">1<"), "{}", p.body);
    assert!(p.body.contains("<li><bdi>Ada</bdi></li>"));

    // The teacher's claim codes page lists the code.
    tess.get("/teach/codes").await.expect(StatusCode::OK, &id);
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotating_link_opened_in_time_survives_signing_in() {
    let f = setup("Science Fair", "UTC").await;
    student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    student(&f, "Bea Late", "bea@north.example.org", f.class_id).await;
    let start = chrono::Utc::now();
    f.srv.state.set_now(Some(start));
    let c = code(&f, json!({"rotation_secs": 15})).await;
    let (url, _) = current(&f, &c).await;
    let path = path_of(&f, &url);

    // Ada opens the link in time; signing in takes a minute; the claim still works.
    let mut ada = Browser::new(&f.srv);
    let p = ada.get(&path).await;
    p.expect(StatusCode::OK, "Sign in to claim");
    let next = p.input_value("next").expect("next");
    f.srv
        .state
        .set_now(Some(start + chrono::Duration::seconds(60)));
    let confirm = ada.sign_in("ada@north.example.org", &next).await;
    confirm.expect(StatusCode::OK, "Claim this badge");
    let csrf = confirm.csrf();
    let seen = confirm.input_value("seen").expect("seen");
    let sig = confirm.input_value("sig").expect("sig");
    ada.post(&path, &[("csrf", &csrf), ("seen", &seen), ("sig", &sig)])
        .await
        .expect(StatusCode::OK, "You got a badge!");

    // Bea opens the same link a minute late: it has rotated away.
    let mut bea = Browser::new(&f.srv);
    bea.sign_in("bea@north.example.org", "/account").await;
    bea.get(&path)
        .await
        .expect(StatusCode::GONE, "This QR code has changed");
    // A tampered voucher does not help.
    let forged = next.replace("sig=", "sig=A");
    bea.get(&forged)
        .await
        .expect(StatusCode::GONE, "This QR code has changed");
    // And a genuine voucher expires after five minutes.
    f.srv
        .state
        .set_now(Some(start + chrono::Duration::seconds(60 + 301)));
    bea.get(&next)
        .await
        .expect(StatusCode::GONE, "This QR code has changed");
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_cards_and_peer_offers_work_in_the_browser() {
    let f = setup("Science Fair", "UTC").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    // A student without e-mail, signing in with a card.
    let kid = f
        .srv
        .user(f.school_id, accolade_proto::Role::Student, "Kit Card", None)
        .await;
    accolade_db::classes::enroll(
        f.srv.state.db.conn(),
        f.school_id,
        f.class_id,
        kid.id,
        "student",
        None,
    )
    .await
    .expect("enroll");
    let (status, sheet) = f
        .srv
        .post(
            &format!("/api/v1/classes/{}/signin-cards", f.class_id),
            &f.teacher.access,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sheet}");
    let card = sheet["cards"]
        .as_array()
        .expect("cards")
        .iter()
        .find(|c| c["user_id"] == json!(kid.id))
        .expect("kit's card")
        .clone();
    let card_path = path_of(&f, card["url"].as_str().expect("url"));
    assert!(card_path.starts_with("/signin/card/"));

    // Opening the card's URL changes nothing: one button does.
    let mut kit = Browser::new(&f.srv);
    let p = kit.get(&format!("{card_path}?next=/claim")).await;
    p.expect(StatusCode::OK, "Sign in with your card");
    let csrf = p.csrf();
    let code = p.input_value("code").expect("code");
    kit.post("/signin/card", &[("code", &code), ("next", "/claim")])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");
    let res = kit
        .post(
            "/signin/card",
            &[("csrf", &csrf), ("code", &code), ("next", "/claim")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/claim");
    kit.get("/claim")
        .await
        .expect(StatusCode::OK, "<bdi>Kit Card</bdi>");
    // The card works once.
    let mut again = Browser::new(&f.srv);
    let csrf = again.get(&card_path).await.csrf();
    again
        .post("/signin/card", &[("csrf", &csrf), ("code", &code)])
        .await
        .expect(StatusCode::UNAUTHORIZED, "doesn&#x27;t work");

    // Peer offer: Ada offers, Kit accepts in the browser.
    let (status, offer) = f
        .srv
        .post(
            "/api/v1/offers",
            &ada.access,
            json!({"badge_class_id": f.badge["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    let offer_path = path_of(&f, offer["url"].as_str().expect("url"));
    let mut anon = Browser::new(&f.srv);
    let p = anon.get(&offer_path).await;
    p.expect(StatusCode::OK, "Sign in to see your nomination");
    assert!(!p.body.contains("Ada"), "no names before signing in");
    let p = kit.get(&offer_path).await;
    p.expect(
        StatusCode::OK,
        "<bdi>Ada Lovelace</bdi> wants to nominate you",
    );
    let csrf = p.csrf();
    kit.post(&offer_path, &[])
        .await
        .expect(StatusCode::FORBIDDEN, "expired");
    kit.post(&offer_path, &[("csrf", &csrf)])
        .await
        .expect(StatusCode::OK, "Nomination sent");
    kit.get(&offer_path)
        .await
        .expect(StatusCode::GONE, "Too late");
    // Ada's own offer.
    let mut ada_web = Browser::new(&f.srv);
    ada_web.sign_in("ada@north.example.org", "/account").await;
    let (_, own) = f
        .srv
        .post(
            "/api/v1/offers",
            &ada.access,
            json!({"badge_class_id": f.badge["id"]}),
        )
        .await;
    ada_web
        .get(&path_of(&f, own["url"].as_str().expect("url")))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY, "This is your own offer");
    f.srv.stop().await;
}
