//! QR claiming: exactly once under concurrency, windows in the school's time zone, rotation,
//! audiences, pause/close, manual codes, QR images, live counts, and peer offers.

use std::time::Duration;

use accolade_e2e::ws::Client;
use accolade_e2e::{ws_url, Session, TestServer, PASSWORD};
use accolade_proto::Role;
use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

struct School {
    srv: TestServer,
    school_id: Uuid,
    class_id: Uuid,
    other_class: Uuid,
    teacher: Session,
    badge: Value,
}

async fn school(tz: &str) -> School {
    let srv = TestServer::start().await;
    let s = srv.school("north", "North School", tz).await;
    srv.user(
        s.id,
        Role::Teacher,
        "Tess Teacher",
        Some("tess@north.example.org"),
    )
    .await;
    let conn = srv.state.db.conn();
    let class = accolade_db::classes::create(conn, s.id, "7A".into(), None, None)
        .await
        .expect("class");
    let other = accolade_db::classes::create(conn, s.id, "7B".into(), None, None)
        .await
        .expect("class");
    let teacher = srv.login("tess@north.example.org", PASSWORD).await;
    let png = accolade_e2e::badge_image_path("png");
    let img: Value = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(&teacher.access)
        .header("content-type", "image/png")
        .body(std::fs::read(png).expect("png"))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let (status, badge) = srv
        .post(
            "/api/v1/badge-classes",
            &teacher.access,
            json!({"name": "Science Fair", "description": "Came to the fair", "criteria_narrative": "Attend", "image_id": img["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{badge}");
    School {
        srv,
        school_id: s.id,
        class_id: class.id,
        other_class: other.id,
        teacher,
        badge,
    }
}

/// `n` students enrolled in `class`, each with a session.
async fn students(s: &School, n: usize, class: Uuid, tag: &str) -> Vec<Session> {
    let conn = s.srv.state.db.conn();
    let mut out = Vec::new();
    for i in 0..n {
        let u = s
            .srv
            .user(
                s.school_id,
                Role::Student,
                &format!("Kid{tag}{i} Test"),
                None,
            )
            .await;
        accolade_db::classes::enroll(conn, s.school_id, class, u.id, "student", None)
            .await
            .expect("enroll");
        let t = accolade_server::routes::auth::start_session(&s.srv.state, &u)
            .await
            .expect("session");
        out.push(accolade_e2e::Session {
            id: u.id,
            school_id: s.school_id,
            access: t.access_token,
            refresh: t.refresh_token,
        });
    }
    out
}

async fn code(s: &School, body: Value) -> Value {
    let ends = (s.srv.state.now() + chrono::Duration::days(30)).to_rfc3339();
    let mut b =
        json!({"badge_class_id": s.badge["id"], "title": "Science Fair 2026", "ends_at": ends});
    for (k, v) in body.as_object().expect("object") {
        b[k] = v.clone();
    }
    let (status, c) = s
        .srv
        .post("/api/v1/claim-codes", &s.teacher.access, b)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c
}

async fn current(s: &School, code: &Value) -> Value {
    let (status, cur) = s
        .srv
        .get(
            &format!(
                "/api/v1/claim-codes/{}/current",
                code["id"].as_str().expect("id")
            ),
            &s.teacher.access,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cur}");
    cur
}

async fn claim(srv: &TestServer, who: &Session, body: Value) -> (StatusCode, Value) {
    srv.call(
        Method::POST,
        "/api/v1/claims",
        Some(&who.access),
        Some(&body),
    )
    .await
}

async fn awards_of(s: &School, badge: &Value) -> u64 {
    let id: Uuid = badge["id"].as_str().expect("id").parse().expect("uuid");
    accolade_db::badges::award_counts(s.srv.state.db.conn(), id)
        .await
        .expect("count")
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_students_race_for_a_single_use_code() {
    let s = school("Europe/London").await;
    let kids = students(&s, 64, s.class_id, "a").await;
    let c = code(&s, json!({"mode": "static", "max_claims": 1})).await;
    let url = current(&s, &c).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let mut tasks = Vec::new();
    for k in kids {
        let http = s.srv.http.clone();
        let endpoint = s.srv.url("/api/v1/claims");
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let res = http
                .post(endpoint)
                .bearer_auth(&k.access)
                .json(&json!({"token": url}))
                .send()
                .await
                .expect("claim");
            let status = res.status();
            let body: Value = res.json().await.expect("json");
            (status, body)
        }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for t in tasks {
        let (status, body) = t.await.expect("join");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "claim_limit_reached");
                conflicts += 1
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, conflicts), (1, 63));
    assert_eq!(awards_of(&s, &s.badge).await, 1);
    s.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_student_twice_at_once_gets_one_assertion() {
    let s = school("Europe/London").await;
    let kid = students(&s, 1, s.class_id, "b").await.remove(0);
    let c = code(&s, json!({"mode": "rotating"})).await;
    let url = current(&s, &c).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let (a, b) = tokio::join!(
        claim(&s.srv, &kid, json!({"token": url})),
        claim(&s.srv, &kid, json!({"token": url}))
    );
    let mut statuses = vec![a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        vec![StatusCode::OK, StatusCode::CREATED],
        "{} / {}",
        a.1,
        b.1
    );
    assert_eq!(a.1["award"]["id"], b.1["award"]["id"]);
    let again = claim(&s.srv, &kid, json!({"token": url})).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(again.1["already_claimed"], true);
    assert_eq!(again.1["award"]["id"], a.1["award"]["id"]);
    assert_eq!(awards_of(&s, &s.badge).await, 1);
    // The award is an OB 2.0 assertion with the claim as evidence.
    let doc: Value = s
        .srv
        .http
        .get(a.1["award"]["assertion_url"].as_str().expect("url"))
        .send()
        .await
        .expect("hosted")
        .json()
        .await
        .expect("json");
    assert_eq!(
        doc["evidence"][0]["narrative"],
        "Claimed at Science Fair 2026"
    );
    s.srv.stop().await;
}

#[tokio::test]
async fn window_end_is_a_full_timestamp_in_the_school_time_zone() {
    let s = school("Australia/Sydney").await;
    let kid = students(&s, 2, s.class_id, "c").await;
    s.srv.state.set_now(Some(
        Utc.with_ymd_and_hms(2018, 1, 10, 9, 0, 0)
            .single()
            .expect("t"),
    ));
    let c = code(
        &s,
        json!({"mode": "static", "starts_at": "2018-01-10T08:00", "ends_at": "2018-01-11 00:00"}),
    )
    .await;
    assert_eq!(c["ends_at"], "2018-01-10T13:00:00Z");
    assert_eq!(c["ends_at_local"], "2018-01-11 00:00");
    let url = current(&s, &c).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    s.srv.state.set_now(Some(
        Utc.with_ymd_and_hms(2018, 1, 10, 12, 59, 59)
            .single()
            .expect("t"),
    ));
    assert_eq!(
        claim(&s.srv, &kid[0], json!({"token": url})).await.0,
        StatusCode::CREATED
    );
    s.srv.state.set_now(Some(
        Utc.with_ymd_and_hms(2018, 1, 10, 13, 0, 0)
            .single()
            .expect("t"),
    ));
    let (status, problem) = claim(&s.srv, &kid[1], json!({"token": url})).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(problem["code"], "claim_closed");
    // Before the window: 403 with opens_at.
    s.srv.state.set_now(Some(
        Utc.with_ymd_and_hms(2018, 1, 9, 20, 0, 0)
            .single()
            .expect("t"),
    ));
    let (status, problem) = claim(&s.srv, &kid[1], json!({"token": url})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["code"], "claim_not_open");
    assert_eq!(problem["opens_at"], "2018-01-09T21:00:00Z");
    s.srv.stop().await;
}

#[tokio::test]
async fn rotation_audience_tampering_pause_close_and_manual_codes() {
    let s = school("Europe/London").await;
    let kids = students(&s, 3, s.class_id, "d").await;
    let outsider = students(&s, 1, s.other_class, "e").await.remove(0);
    let t0 = Utc
        .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("t");
    s.srv.state.set_now(Some(t0));
    let c = code(&s, json!({"mode": "rotating", "rotation_secs": 15, "class_ids": [s.class_id], "max_claims": 2})).await;
    let old = current(&s, &c).await;
    let old_url = old["url"].as_str().expect("url").to_owned();

    // Not in the audience: 403, and the failed claim does not use up the limit.
    let (status, problem) = claim(&s.srv, &outsider, json!({"token": old_url})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["code"], "not_in_audience");

    // One period later the previous QR still works; two periods later it does not.
    s.srv
        .state
        .set_now(Some(t0 + chrono::Duration::seconds(15)));
    assert_eq!(
        claim(&s.srv, &kids[0], json!({"token": old_url})).await.0,
        StatusCode::CREATED
    );
    s.srv
        .state
        .set_now(Some(t0 + chrono::Duration::seconds(31)));
    let (status, problem) = claim(&s.srv, &kids[1], json!({"token": old_url})).await;
    assert_eq!(status, StatusCode::GONE, "{problem}");

    // A token whose code id is swapped for another code's fails its HMAC: 404.
    let other = code(&s, json!({"mode": "rotating"})).await;
    let other_id: Uuid = other["id"].as_str().expect("id").parse().expect("uuid");
    let now_url = current(&s, &c).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let token = now_url.rsplit('/').next().expect("token");
    use base64::Engine;
    let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token[1..])
        .expect("b64");
    raw[..16].copy_from_slice(other_id.as_bytes());
    let forged = format!(
        "r{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    );
    assert_eq!(
        claim(&s.srv, &kids[1], json!({"token": forged})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        claim(&s.srv, &kids[1], json!({"token": "nonsense"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Pause → 403; resume; the manual code works in lower case with hyphens.
    let id = c["id"].as_str().expect("id");
    assert_eq!(
        s.srv
            .post(
                &format!("/api/v1/claim-codes/{id}/pause"),
                &s.teacher.access,
                json!({})
            )
            .await
            .0,
        StatusCode::OK
    );
    let manual = current(&s, &c).await["manual_code"]
        .as_str()
        .expect("manual")
        .to_owned();
    let (status, problem) = claim(&s.srv, &kids[1], json!({"code": manual})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["code"], "claim_not_open");
    assert_eq!(
        s.srv
            .post(
                &format!("/api/v1/claim-codes/{id}/resume"),
                &s.teacher.access,
                json!({})
            )
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = claim(&s.srv, &kids[1], json!({"code": manual.to_lowercase()})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Limit 2 reached: 409.
    let (status, problem) = claim(&s.srv, &kids[2], json!({"code": manual})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "claim_limit_reached");
    // Closed: 410.
    assert_eq!(
        s.srv
            .post(
                &format!("/api/v1/claim-codes/{id}/close"),
                &s.teacher.access,
                json!({})
            )
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        claim(&s.srv, &kids[2], json!({"code": manual})).await.0,
        StatusCode::GONE
    );
    // The teacher sees who claimed.
    let (_, who) = s
        .srv
        .get(
            &format!("/api/v1/claim-codes/{id}/claims"),
            &s.teacher.access,
        )
        .await;
    assert_eq!(who.as_array().expect("claimers").len(), 2);
    // Teachers cannot claim; students cannot manage codes.
    assert_eq!(
        claim(&s.srv, &s.teacher, json!({"code": manual})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.srv
            .get(&format!("/api/v1/claim-codes/{id}"), &kids[0].access)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    s.srv.stop().await;
}

#[tokio::test]
async fn sheet_cards_are_single_use_and_qr_images_decode() {
    let s = school("Europe/London").await;
    let kids = students(&s, 3, s.class_id, "f").await;
    let c = code(&s, json!({"mode": "sheet", "sheet_size": 2})).await;
    let id = c["id"].as_str().expect("id");
    let (_, cards) = s
        .srv
        .get(
            &format!("/api/v1/claim-codes/{id}/sheet"),
            &s.teacher.access,
        )
        .await;
    let cards = cards.as_array().expect("cards").clone();
    assert_eq!(cards.len(), 2);
    assert_eq!(
        claim(&s.srv, &kids[0], json!({"token": cards[0]["url"]}))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        claim(&s.srv, &kids[1], json!({"token": cards[0]["url"]}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        claim(&s.srv, &kids[1], json!({"code": cards[1]["manual_code"]}))
            .await
            .0,
        StatusCode::CREATED
    );
    let svg = s
        .srv
        .http
        .get(s.srv.url(&format!("/api/v1/claim-codes/{id}/sheet")))
        .bearer_auth(&s.teacher.access)
        .header("accept", "image/svg+xml")
        .send()
        .await
        .expect("sheet svg")
        .text()
        .await
        .expect("text");
    assert!(svg.starts_with("<svg"));

    // The rotating QR PNG decodes to the current claim URL.
    let r = code(&s, json!({"mode": "rotating"})).await;
    let rid = r["id"].as_str().expect("id");
    let url = current(&s, &r).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let png = s
        .srv
        .http
        .get(s.srv.url(&format!("/api/v1/claim-codes/{rid}/qr.png")))
        .bearer_auth(&s.teacher.access)
        .send()
        .await
        .expect("png")
        .bytes()
        .await
        .expect("bytes");
    let decoder = png::Decoder::new(std::io::Cursor::new(png.to_vec()));
    let mut reader = decoder.read_info().expect("png info");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("frame");
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().expect("decode");
    assert!(
        content == url || content.starts_with(&format!("{}/c/r", s.srv.base)),
        "{content}"
    );
    let svg = s
        .srv
        .http
        .get(s.srv.url(&format!("/api/v1/claim-codes/{rid}/qr.svg")))
        .bearer_auth(&s.teacher.access)
        .send()
        .await
        .expect("svg");
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    s.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_presenter_gets_live_counts() {
    let s = school("Europe/London").await;
    let kids = students(&s, 2, s.class_id, "g").await;
    let c = code(&s, json!({"mode": "static"})).await;
    let url = current(&s, &c).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let mut ws = Client::connect(&ws_url(&s.srv, &s.teacher.access, None).await)
        .await
        .expect("ws");
    ws.until_ready().await;
    for (i, k) in kids.iter().enumerate() {
        assert_eq!(
            claim(&s.srv, k, json!({"token": url})).await.0,
            StatusCode::CREATED
        );
        let ev = ws.next_event(Duration::from_secs(10)).await;
        assert_eq!(ev["type"], "claim.counted");
        assert_eq!(ev["data"]["count"], i + 1);
        assert_eq!(ev["data"]["claim_code_id"], c["id"]);
        assert!(ev["data"]["first_name"]
            .as_str()
            .expect("name")
            .starts_with("Kid"));
    }
    s.srv.stop().await;
}

#[tokio::test]
async fn peer_offers_nominate_the_scanner_once() {
    let s = school("Europe/London").await;
    let kids = students(&s, 3, s.class_id, "h").await;
    let outsider = students(&s, 1, s.other_class, "i").await.remove(0);
    let (status, offer) = s
        .srv
        .post(
            "/api/v1/offers",
            &kids[0].access,
            json!({"badge_class_id": s.badge["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    assert!(offer["qr_svg"].as_str().expect("svg").contains("<svg"));
    let url = offer["url"].clone();
    let (status, problem) = s
        .srv
        .post(
            "/api/v1/offers/accept",
            &kids[0].access,
            json!({"token": url}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "self_nomination");
    assert_eq!(
        s.srv
            .post(
                "/api/v1/offers/accept",
                &outsider.access,
                json!({"token": url})
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, accepted) = s
        .srv
        .post(
            "/api/v1/offers/accept",
            &kids[1].access,
            json!({"token": url}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    assert_eq!(accepted["nomination"]["status"], "pending");
    assert_eq!(accepted["nomination"]["nominator"]["id"], json!(kids[0].id));
    assert_eq!(accepted["nomination"]["nominee"]["id"], json!(kids[1].id));
    assert_eq!(
        s.srv
            .post(
                "/api/v1/offers/accept",
                &kids[2].access,
                json!({"token": url})
            )
            .await
            .0,
        StatusCode::GONE
    );
    // Expired offers do not work.
    let (_, offer2) = s
        .srv
        .post(
            "/api/v1/offers",
            &kids[0].access,
            json!({"badge_class_id": s.badge["id"]}),
        )
        .await;
    s.srv
        .state
        .set_now(Some(Utc::now() + chrono::Duration::minutes(11)));
    assert_eq!(
        s.srv
            .post(
                "/api/v1/offers/accept",
                &kids[2].access,
                json!({"token": offer2["url"]})
            )
            .await
            .0,
        StatusCode::GONE
    );
    s.srv.stop().await;
}
