//! Roster import through the API: the real Northfield and Riverside exports and a teacher's
//! class list, re-imports, broken files, and sign-in cards for imported students.

use accolade_e2e::{fixture, import_roster, zip_folder, TestServer, PASSWORD};
use accolade_proto::{ImportReport, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn data_rows(file: &str) -> u64 {
    let mut r = csv::Reader::from_path(fixture(file)).expect("fixture");
    r.records().count() as u64
}

#[tokio::test]
async fn northfield_and_riverside_import_cleanly_and_reimport_creates_nothing() {
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
    let ra = srv.login("admin@river.example.org", PASSWORD).await;

    let north_zip = zip_folder(&fixture("oneroster/northfield"));
    let (status, body) =
        import_roster(&srv, &na.access, north_zip.clone(), "application/zip").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: ImportReport = serde_json::from_value(body).expect("report");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let users = data_rows("oneroster/northfield/users.csv");
    // Every user row is accounted for; the `tobedeleted` one is skipped, not created.
    assert_eq!(report.users.created + report.users.skipped, users);
    assert_eq!(report.users.created, users - 1);
    assert_eq!(
        report.classes.created,
        data_rows("oneroster/northfield/classes.csv")
    );
    assert!(report.enrollments.created > 900);
    assert_eq!(report.ignored_files.len(), 3);

    // Second import: nothing created, nothing changed.
    let (status, body) = import_roster(&srv, &na.access, north_zip, "application/zip").await;
    assert_eq!(status, StatusCode::OK);
    let again: ImportReport = serde_json::from_value(body).expect("report");
    assert_eq!(again.users.created, 0);
    assert_eq!(again.classes.created, 0);
    assert_eq!(again.enrollments.created, 0);
    assert_eq!(again.users.updated, 0);
    assert!(again.problems.is_empty());

    let river_zip = zip_folder(&fixture("oneroster/riverside"));
    let (status, body) =
        import_roster(&srv, &ra.access, river_zip.clone(), "application/zip").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r: ImportReport = serde_json::from_value(body).expect("report");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.users.created > 0);
    let (_, body) = import_roster(&srv, &ra.access, river_zip, "application/zip").await;
    let r2: ImportReport = serde_json::from_value(body).expect("report");
    assert_eq!(
        (r2.users.created, r2.classes.created, r2.enrollments.created),
        (0, 0, 0)
    );

    // Importing Riverside's export into Northfield is refused whole.
    let (status, body) = import_roster(
        &srv,
        &na.access,
        zip_folder(&fixture("oneroster/riverside")),
        "application/zip",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "roster_rejected");

    // Staff see the imported people; e-mail-less students exist; the audit log has the import.
    let (status, page) = srv
        .get("/api/v1/users?role=student&limit=200", &na.access)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().expect("items").len(), 200);
    assert!(page["next_cursor"].is_string());
    let (_, audit) = srv.get("/api/v1/audit?action=roster.", &na.access).await;
    assert_eq!(audit["items"].as_array().expect("items").len(), 2);
    srv.stop().await;
}

#[tokio::test]
async fn broken_file_changes_nothing_and_bad_rows_are_reported() {
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
    let na = srv.login("admin@north.example.org", PASSWORD).await;

    // users.csv with a wrong header: rejected whole.
    let dir = tempfile::tempdir().expect("tmp");
    for f in ["orgs.csv", "classes.csv", "enrollments.csv", "manifest.csv"] {
        std::fs::copy(
            fixture(&format!("oneroster/northfield/{f}")),
            dir.path().join(f),
        )
        .expect("copy");
    }
    let users = std::fs::read_to_string(fixture("oneroster/northfield/users.csv")).expect("users");
    std::fs::write(
        dir.path().join("users.csv"),
        users.replacen("givenName", "firstName", 1),
    )
    .expect("write");
    let (status, body) =
        import_roster(&srv, &na.access, zip_folder(dir.path()), "application/zip").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "roster_rejected");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("givenName"),
        "{body}"
    );
    let (_, page) = srv.get("/api/v1/users?role=student", &na.access).await;
    assert_eq!(
        page["items"].as_array().expect("items").len(),
        0,
        "nothing imported"
    );

    // One bad row (empty sourcedId on line 3): reported with file and line, the rest imports.
    let mut lines: Vec<String> = users.lines().map(str::to_owned).collect();
    let parts: Vec<&str> = lines[2].splitn(2, ',').collect();
    lines[2] = format!(",{}", parts[1]);
    std::fs::write(dir.path().join("users.csv"), lines.join("\n") + "\n").expect("write");
    let (status, body) =
        import_roster(&srv, &na.access, zip_folder(dir.path()), "application/zip").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: ImportReport = serde_json::from_value(body).expect("report");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.file == "users.csv" && p.line == 3),
        "{:?}",
        report.problems
    );
    assert!(report.users.created > 500);
    srv.stop().await;
}

#[tokio::test]
async fn class_list_import_cleans_and_merges() {
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
    let na = srv.login("admin@north.example.org", PASSWORD).await;
    let csv = std::fs::read(fixture("classlist/9C-computing.csv")).expect("classlist");
    let (status, body) = import_roster(&srv, &na.access, csv.clone(), "text/csv").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: ImportReport = serde_json::from_value(body).expect("report");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.classes.created, 1);
    let created = report.users.created;
    assert!(created >= 25);
    assert_eq!(report.enrollments.created, created);

    let (_, page) = srv
        .get("/api/v1/users?role=student&limit=200", &na.access)
        .await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len() as u64, created);
    assert!(items
        .iter()
        .any(|u| u["email"] == "l2@northfield.example.org"));
    assert!(
        items.iter().any(|u| u["email"].is_null()),
        "missing e-mail accepted"
    );
    assert!(items.iter().all(|u| u["email"]
        .as_str()
        .is_none_or(|e| e == e.trim() && e == e.to_lowercase())));

    // Importing again: nothing new.
    let (_, body) = import_roster(&srv, &na.access, csv, "text/csv").await;
    let again: ImportReport = serde_json::from_value(body).expect("report");
    assert_eq!(
        (
            again.users.created,
            again.classes.created,
            again.enrollments.created
        ),
        (0, 0, 0)
    );

    // The class matched case-insensitively ("9c" rows joined "9C").
    let (_, classes) = srv.get("/api/v1/classes", &na.access).await;
    assert_eq!(classes.as_array().expect("classes").len(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn signin_cards_work_once_expire_and_are_replaced() {
    let srv = TestServer::start_with(|c| c.signin_card_ttl_days = 14).await;
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
    let na = srv.login("admin@north.example.org", PASSWORD).await;
    let csv = std::fs::read(fixture("classlist/9C-computing.csv")).expect("classlist");
    import_roster(&srv, &na.access, csv, "text/csv").await;
    let (_, classes) = srv.get("/api/v1/classes", &na.access).await;
    let class_id = classes[0]["id"].as_str().expect("id").to_owned();

    let (status, sheet) = srv
        .post(
            &format!("/api/v1/classes/{class_id}/signin-cards"),
            &na.access,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let cards = sheet["cards"].as_array().expect("cards").clone();
    assert!(cards.len() >= 25);
    let first = &cards[0];
    let code = first["code"].as_str().expect("code").to_owned();
    assert!(first["url"].as_str().expect("url").starts_with(&srv.base));

    let card_login = |code: String| {
        let srv = &srv;
        async move {
            srv.call(
                Method::POST,
                "/api/v1/auth/card",
                None,
                Some(&json!({"code": code})),
            )
            .await
        }
    };
    // Lower-case with spaces works; then the card is used up.
    let (status, tokens) = card_login(code.to_lowercase().replace('-', " ")).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["user"]["id"], first["user_id"]);
    assert_eq!(tokens["user"]["role"], "student");
    let (status, problem) = card_login(code.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "invalid_credentials");

    // The QR URL form works too; issuing new cards revokes the old unused ones.
    let second_url = cards[1]["url"].as_str().expect("url").to_owned();
    let (status, _) = srv
        .post(
            &format!("/api/v1/classes/{class_id}/signin-cards"),
            &na.access,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(card_login(second_url).await.0, StatusCode::UNAUTHORIZED);

    // SVG sheet.
    let res = srv
        .http
        .post(srv.url(&format!(
            "/api/v1/classes/{class_id}/signin-cards?format=svg"
        )))
        .bearer_auth(&na.access)
        .send()
        .await
        .expect("svg");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("image/svg+xml"));
    let svg = res.text().await.expect("svg text");
    assert!(svg.starts_with("<svg") && svg.contains("Works once"));

    // A student cannot print cards.
    let (_, fresh) = srv
        .post(
            &format!("/api/v1/classes/{class_id}/signin-cards"),
            &na.access,
            json!({}),
        )
        .await;
    let (_, st) = card_login(fresh["cards"][0]["code"].as_str().expect("code").to_owned()).await;
    let student_token = st["access_token"].as_str().expect("token").to_owned();
    let (status, _) = srv
        .post(
            &format!("/api/v1/classes/{class_id}/signin-cards"),
            &student_token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Expired cards do not work.
    let (_, fresh) = srv
        .post(
            &format!("/api/v1/classes/{class_id}/signin-cards"),
            &na.access,
            json!({}),
        )
        .await;
    let code = fresh["cards"][0]["code"].as_str().expect("code").to_owned();
    expire_all_cards(&srv).await;
    assert_eq!(card_login(code).await.0, StatusCode::UNAUTHORIZED);
    srv.stop().await;
}

async fn expire_all_cards(srv: &TestServer) {
    use accolade_db::sea_orm::{ConnectionTrait, Statement};
    let db = srv.state.db.conn();
    let past = "2000-01-01T00:00:00+00:00";
    let sql = if srv.is_postgres() {
        format!("UPDATE signin_cards SET expires_at = '{past}'::timestamptz")
    } else {
        format!("UPDATE signin_cards SET expires_at = '{past}'")
    };
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("expire cards");
}
