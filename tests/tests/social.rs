//! Friends inside one school: follow, feed, cheers (one per person; the recipient sees who),
//! blocks (which remove the follower), and another school's students are 404.

use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn award(srv: &TestServer, admin: &str, to: uuid::Uuid) -> String {
    let png = accolade_e2e::badge_image_path("png");
    let res = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(admin)
        .header("content-type", "image/png")
        .body(std::fs::read(png).expect("read"))
        .send()
        .await
        .expect("upload");
    let img: Value = res.json().await.expect("img");
    let (_, badge) = srv
        .post(
            "/api/v1/badge-classes",
            admin,
            json!({"name": "Kindness", "description": "Kind", "criteria_narrative": "Be kind", "image_id": img["id"]}),
        )
        .await;
    let (s, a) = srv
        .post(
            "/api/v1/awards",
            admin,
            json!({"badge_class_id": badge["id"], "recipient_ids": [to]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a["awards"][0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn follows_feed_cheers_and_blocks_stay_inside_the_school() {
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
        "Nora Admin",
        Some("admin@north.example.org"),
    )
    .await;
    let ada = srv
        .user(
            north.id,
            Role::Student,
            "Ada Lovelace",
            Some("ada@north.example.org"),
        )
        .await;
    let ben = srv
        .user(
            north.id,
            Role::Student,
            "Ben Young",
            Some("ben@north.example.org"),
        )
        .await;
    let cat = srv
        .user(
            north.id,
            Role::Student,
            "Cat Stone",
            Some("cat@north.example.org"),
        )
        .await;
    let rex = srv
        .user(
            river.id,
            Role::Student,
            "Rex River",
            Some("rex@river.example.org"),
        )
        .await;
    let admin = srv.login("admin@north.example.org", PASSWORD).await.access;
    let ada_t = srv.login("ada@north.example.org", PASSWORD).await.access;
    let ben_t = srv.login("ben@north.example.org", PASSWORD).await.access;
    let cat_t = srv.login("cat@north.example.org", PASSWORD).await.access;
    let rex_t = srv.login("rex@river.example.org", PASSWORD).await.access;
    let award_id = award(&srv, &admin, ada.id).await;

    // Ben and Cat follow Ada; Rex (another school) cannot: 404.
    for t in [&ben_t, &cat_t] {
        let (s, _) = srv
            .post(&format!("/api/v1/users/{}/follow", ada.id), t, json!({}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (s, _) = srv
        .post(
            &format!("/api/v1/users/{}/follow", ada.id),
            &rex_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = srv
        .post(
            &format!("/api/v1/users/{}/follow", rex.id),
            &ben_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, followers) = srv.get("/api/v1/me/followers", &ada_t).await;
    assert_eq!(followers["people"].as_array().expect("people").len(), 2);

    // Not shared yet: no feed item, and the award cannot be cheered (404).
    let (_, feed) = srv.get("/api/v1/me/feed", &ben_t).await;
    assert_eq!(feed["items"].as_array().expect("items").len(), 0);
    let (s, _) = srv
        .post(
            &format!("/api/v1/awards/{award_id}/cheer"),
            &ben_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Ada shares it with the school.
    let (s, c) = srv
        .post(
            "/api/v1/collections",
            &ada_t,
            json!({"title": "Proud of", "visibility": "school"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = srv
        .post(
            &format!(
                "/api/v1/collections/{}/items",
                c["id"].as_str().expect("id")
            ),
            &ada_t,
            json!({"award_id": award_id, "comment": "Helped a new pupil"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, feed) = srv.get("/api/v1/me/feed", &ben_t).await;
    assert_eq!(feed["items"][0]["award"]["id"], award_id.as_str(), "{feed}");

    // One cheer per person.
    for _ in 0..2 {
        let (s, ch) = srv
            .post(
                &format!("/api/v1/awards/{award_id}/cheer"),
                &ben_t,
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ch["count"], 1);
        assert!(ch.get("people").is_none(), "only the recipient sees who");
    }
    let (s, _) = srv
        .post(
            &format!("/api/v1/awards/{award_id}/cheer"),
            &cat_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Ada sees who cheered; Rex cannot even see the award.
    let (_, mine) = srv
        .get(&format!("/api/v1/awards/{award_id}/cheers"), &ada_t)
        .await;
    assert_eq!(mine["count"], 2);
    let names: Vec<&str> = mine["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| p["display_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Ben Young", "Cat Stone"]);
    let (s, _) = srv
        .get(&format!("/api/v1/awards/{award_id}/cheers"), &rex_t)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = srv
        .post(
            &format!("/api/v1/awards/{award_id}/cheer"),
            &rex_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Cheering one's own award is refused.
    let (s, _) = srv
        .post(
            &format!("/api/v1/awards/{award_id}/cheer"),
            &ada_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Teachers/admins do not follow or cheer.
    let (s, _) = srv
        .post(
            &format!("/api/v1/users/{}/follow", ada.id),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Ada blocks Cat: Cat no longer follows her, cannot follow again, sees nothing.
    let (s, _) = srv
        .post(
            &format!("/api/v1/users/{}/block", cat.id),
            &ada_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, followers) = srv.get("/api/v1/me/followers", &ada_t).await;
    let ids: Vec<&str> = followers["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [ben.id.to_string()]);
    let (s, _) = srv
        .post(
            &format!("/api/v1/users/{}/follow", ada.id),
            &cat_t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = srv
        .get(&format!("/api/v1/awards/{award_id}/cheers"), &cat_t)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = srv
        .get(
            &format!("/api/v1/collections/{}", c["id"].as_str().expect("id")),
            &cat_t,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Ben still sees the school collection; Rex does not.
    let (s, _) = srv
        .get(
            &format!("/api/v1/collections/{}", c["id"].as_str().expect("id")),
            &ben_t,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = srv
        .get(
            &format!("/api/v1/collections/{}", c["id"].as_str().expect("id")),
            &rex_t,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, blocks) = srv.get("/api/v1/me/blocks", &ada_t).await;
    assert_eq!(blocks["people"][0]["id"], cat.id.to_string());
    let (s, _) = srv
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{}/block", cat.id),
            Some(&ada_t),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    srv.stop().await;
}
