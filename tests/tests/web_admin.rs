//! The admin web pages (`/admin…`) over real HTTP, on SQLite and (with `ACCOLADE_TEST_PG_URL`)
//! PostgreSQL: only admins get in (teachers and students get 403, signed-out browsers the
//! sign-in page); every form needs its CSRF token; uploading Riverside's OneRoster export
//! shows the import report; broken, empty and oversized uploads say why in plain words;
//! settings errors appear next to their fields with the typed values kept; users can be found,
//! deactivated and reactivated; and another school's people, classes and audit entries never
//! appear.

mod web_common;

use accolade_e2e::{fixture, zip_folder, TestServer};
use accolade_proto::Role;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use uuid::Uuid;
use web_common::{unescape, Browser, Page};

const ADMIN: &str = "ada.admin@north.example.org";
const TEACHER: &str = "tom.teacher@north.example.org";
const STUDENT: &str = "sam.student@north.example.org";
const OTHER_ADMIN: &str = "olga.admin@south.example.org";

/// Two schools: North (admin, teacher, student, class 7A) and South (admin, a student named
/// "Zelda Southern", class "South Secret Class").
struct World {
    srv: TestServer,
    north: Uuid,
    student_id: Uuid,
    south_student: Uuid,
    south_class: Uuid,
}

async fn world_with(tweak: impl FnOnce(&mut accolade_server::Config)) -> World {
    let srv = TestServer::start_with(tweak).await;
    let north = srv.school("north", "North School", "Europe/London").await;
    let south = srv
        .school("south", "South School", "America/New_York")
        .await;
    srv.user(north.id, Role::Admin, "Ada Admin", Some(ADMIN))
        .await;
    srv.user(north.id, Role::Teacher, "Tom Teacher", Some(TEACHER))
        .await;
    let student = srv
        .user(north.id, Role::Student, "Sam Student", Some(STUDENT))
        .await;
    srv.user(south.id, Role::Admin, "Olga Admin", Some(OTHER_ADMIN))
        .await;
    let zelda = srv
        .user(
            south.id,
            Role::Student,
            "Zelda Southern",
            Some("zelda@south.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    let c7a = accolade_db::classes::create(conn, north.id, "7A".into(), None, None)
        .await
        .expect("class");
    accolade_db::classes::enroll(conn, north.id, c7a.id, student.id, "student", None)
        .await
        .expect("enroll");
    let secret =
        accolade_db::classes::create(conn, south.id, "South Secret Class".into(), None, None)
            .await
            .expect("class");
    accolade_db::classes::enroll(conn, south.id, secret.id, zelda.id, "student", None)
        .await
        .expect("enroll");
    World {
        srv,
        north: north.id,
        student_id: student.id,
        south_student: zelda.id,
        south_class: secret.id,
    }
}

async fn world() -> World {
    world_with(|_| {}).await
}

async fn signed_in(w: &World, login: &str) -> Browser {
    let mut b = Browser::new(&w.srv);
    // The sign-in page itself, once signed in: always there, with the session's CSRF token.
    let p = b.sign_in(login, "/signin").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    b
}

/// The number in `<td class="num {class}">` of the report row `row_id`.
fn report_cell(p: &Page, row_id: &str, class: &str) -> u64 {
    let row_start = p
        .body
        .find(&format!("id=\"{row_id}\""))
        .unwrap_or_else(|| panic!("no row {row_id} in\n{}", p.body));
    let row = &p.body[row_start..];
    let row = &row[..row.find("</tr>").expect("row end")];
    let marker = format!("class=\"num {class}\">");
    let at = row.find(&marker).expect("cell") + marker.len();
    row[at..at + row[at..].find('<').expect("cell end")]
        .trim()
        .parse()
        .expect("a number")
}

fn upload(csrf: Option<&str>, name: &str, bytes: Vec<u8>, mime: &str) -> Form {
    let mut form = Form::new();
    if let Some(c) = csrf {
        form = form.text("csrf", c.to_owned());
    }
    form.part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .expect("mime"),
    )
}

const PAGES: [&str; 7] = [
    "/admin",
    "/admin/roster",
    "/admin/users",
    "/admin/classes",
    "/admin/settings",
    "/admin/audit",
    "/admin/users?role=student&q=sam",
];

#[tokio::test]
async fn only_admins_get_in() {
    let w = world().await;
    // Signed out: to the sign-in page, coming back afterwards.
    let mut anon = Browser::new(&w.srv);
    for path in PAGES {
        let p = anon.get(path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            p.location().starts_with("/signin?next=%2Fadmin")
                || p.location().starts_with("/signin?next=/admin"),
            "{path}: {}",
            p.location()
        );
    }
    // Teachers and students: 403 with a plain explanation, on every page and every form.
    for login in [TEACHER, STUDENT] {
        let mut b = signed_in(&w, login).await;
        for path in PAGES {
            b.get(path)
                .await
                .expect(StatusCode::FORBIDDEN, "Only for school admins");
        }
        let csrf = b.get("/signin").await.csrf();
        b.post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("timezone", "Asia/Tokyo"),
                ("weekly_nomination_allowance", "9"),
                ("email_sender", ""),
            ],
        )
        .await
        .expect(StatusCode::FORBIDDEN, "Only for school admins");
        let path = format!("/admin/users/{}/active", w.student_id);
        b.post(&path, &[("csrf", &csrf), ("active", "false")])
            .await
            .expect(StatusCode::FORBIDDEN, "Only for school admins");
        let p = b
            .post_multipart(
                "/admin/roster",
                upload(
                    Some(&csrf),
                    "riverside.zip",
                    zip_folder(&fixture("oneroster/riverside")),
                    "application/zip",
                ),
            )
            .await;
        p.expect(StatusCode::FORBIDDEN, "Only for school admins");
    }
    let school = accolade_db::schools::by_id(w.srv.state.db.conn(), w.north)
        .await
        .expect("db")
        .expect("school");
    assert_eq!(school.timezone, "Europe/London", "nothing changed");
    let sam = accolade_db::users::by_id(w.srv.state.db.conn(), w.north, w.student_id)
        .await
        .expect("db")
        .expect("user");
    assert!(sam.active);
    let users = accolade_db::users::all_in_school(w.srv.state.db.conn(), w.north)
        .await
        .expect("db");
    assert_eq!(users.len(), 3, "no roster was imported");

    // The admin gets every page.
    let mut admin = signed_in(&w, ADMIN).await;
    admin
        .get("/admin")
        .await
        .expect(StatusCode::OK, "North School");
    for path in PAGES {
        let p = admin.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        assert!(p.content_type().starts_with("text/html"));
        let csp = p
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: CSP {csp}");
    }
    w.srv.stop().await;
}

#[tokio::test]
async fn forms_without_a_csrf_token_are_refused() {
    let w = world().await;
    let mut b = signed_in(&w, ADMIN).await;
    b.post(
        "/admin/settings",
        &[
            ("timezone", "Asia/Tokyo"),
            ("weekly_nomination_allowance", "9"),
        ],
    )
    .await
    .expect(StatusCode::FORBIDDEN, "This form has expired");
    b.post(
        "/admin/settings",
        &[
            ("csrf", "AAAAAAAAAAAAAAAAAAAAAA"),
            ("timezone", "Asia/Tokyo"),
            ("weekly_nomination_allowance", "9"),
        ],
    )
    .await
    .expect(StatusCode::FORBIDDEN, "This form has expired");
    let path = format!("/admin/users/{}/active", w.student_id);
    b.post(&path, &[("active", "false")])
        .await
        .expect(StatusCode::FORBIDDEN, "This form has expired");
    b.post_multipart(
        "/admin/roster",
        upload(
            None,
            "riverside.zip",
            zip_folder(&fixture("oneroster/riverside")),
            "application/zip",
        ),
    )
    .await
    .expect(StatusCode::FORBIDDEN, "This form has expired");
    // A token from another browser's session does not work either.
    let mut other = signed_in(&w, ADMIN).await;
    let foreign = other.get("/admin/settings").await.csrf();
    b.post(&path, &[("csrf", &foreign), ("active", "false")])
        .await
        .expect(StatusCode::FORBIDDEN, "This form has expired");

    let conn = w.srv.state.db.conn();
    let school = accolade_db::schools::by_id(conn, w.north)
        .await
        .expect("db")
        .expect("school");
    assert_eq!(school.timezone, "Europe/London");
    assert!(
        accolade_db::users::by_id(conn, w.north, w.student_id)
            .await
            .expect("db")
            .expect("user")
            .active
    );
    assert_eq!(
        accolade_db::users::all_in_school(conn, w.north)
            .await
            .expect("db")
            .len(),
        3
    );
    w.srv.stop().await;
}

#[tokio::test]
async fn uploading_the_riverside_export_shows_the_report() {
    let w = world().await;
    let mut b = signed_in(&w, ADMIN).await;
    let form_page = b.get("/admin/roster").await;
    form_page.expect(StatusCode::OK, "enctype=\"multipart/form-data\"");
    assert!(form_page.body.contains("<label for=\"file\">"));
    assert!(
        form_page.body.contains("At most <bdi>20 MB</bdi>."),
        "the API's upload limit is shown"
    );
    let zip = zip_folder(&fixture("oneroster/riverside"));
    let p = b
        .post_multipart(
            "/admin/roster",
            upload(
                Some(&form_page.csrf()),
                "riverside.zip",
                zip.clone(),
                "application/zip",
            ),
        )
        .await;
    p.expect(StatusCode::OK, "Import finished");
    assert!(p.body.contains("Every row was imported"), "{}", p.body);
    // users.csv has 65 rows (one `tobedeleted`, skipped), classes.csv 3.
    assert_eq!(report_cell(&p, "report-users", "created"), 64);
    assert_eq!(report_cell(&p, "report-users", "skipped"), 1);
    assert_eq!(report_cell(&p, "report-classes", "created"), 3);
    assert!(report_cell(&p, "report-enrollments", "created") > 0);
    assert!(p.body.contains("courses.csv"), "ignored files are listed");

    // The same export again: nothing new, nothing changed.
    let again = b
        .post_multipart(
            "/admin/roster",
            upload(Some(&p.csrf()), "riverside.zip", zip, "application/zip"),
        )
        .await;
    again.expect(StatusCode::OK, "Import finished");
    assert_eq!(report_cell(&again, "report-users", "created"), 0);
    assert_eq!(report_cell(&again, "report-users", "updated"), 0);
    assert_eq!(report_cell(&again, "report-classes", "created"), 0);

    // The people, classes and the audit entry show up on the other pages.
    b.get("/admin/classes")
        .await
        .expect(StatusCode::OK, "5A Homeroom");
    let users = b.get("/admin/users?q=Allain").await;
    users.expect(StatusCode::OK, "Aleksander Allain");
    b.get("/admin/audit?action=roster.")
        .await
        .expect(StatusCode::OK, "roster.import");
    // 64 + 3 people: two pages of 50.
    let first = b.get("/admin/users").await;
    first.expect(StatusCode::OK, "rel=\"next\"");
    let second = b.get("/admin/users?cursor=50").await;
    second.expect(StatusCode::OK, "rel=\"prev\"");
    assert!(!second.body.contains("rel=\"next\""));
    w.srv.stop().await;
}

#[tokio::test]
async fn bad_uploads_say_what_is_wrong() {
    let w = world_with(|c| c.max_upload_bytes = 64 * 1024).await;
    let mut b = signed_in(&w, ADMIN).await;
    let csrf = b.get("/admin/roster").await.csrf();

    // A damaged zip: refused whole, nothing imported.
    let mut broken = b"PK\x03\x04".to_vec();
    broken.extend_from_slice(&[0x55; 300]);
    let p = b
        .post_multipart(
            "/admin/roster",
            upload(Some(&csrf), "export.zip", broken, "application/zip"),
        )
        .await;
    p.expect(
        StatusCode::UNPROCESSABLE_ENTITY,
        "This file could not be imported, so nothing was changed",
    );
    assert!(p.body.contains("aria-invalid=\"true\""));
    assert!(p.body.contains("id=\"file-error\""));

    // No file chosen.
    let p = b
        .post_multipart(
            "/admin/roster",
            upload(Some(&csrf), "", Vec::new(), "application/octet-stream"),
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY, "Choose a file to upload.");

    // Larger than max_upload_bytes: 413, the same limit as the API.
    let p = b
        .post_multipart(
            "/admin/roster",
            upload(Some(&csrf), "huge.csv", vec![b'a'; 65 * 1024], "text/csv"),
        )
        .await;
    p.expect(
        StatusCode::PAYLOAD_TOO_LARGE,
        "This file is too large: the limit is 64 KB. Nothing was imported.",
    );

    // A class list with one bad row: the rest imports; the row is listed with file and line.
    let csv =
        "name,email,class\nAnna Example,anna@north.example.org,8B\n,nobody@north.example.org,8B\n";
    let p = b
        .post_multipart(
            "/admin/roster",
            upload(Some(&csrf), "list.csv", csv.as_bytes().to_vec(), "text/csv"),
        )
        .await;
    p.expect(StatusCode::OK, "Import finished");
    assert!(
        p.body.contains("One row could not be imported"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("<td class=\"num\">3</td>"),
        "line 3 is named: {}",
        p.body
    );
    assert_eq!(report_cell(&p, "report-users", "created"), 1);

    let users = accolade_db::users::all_in_school(w.srv.state.db.conn(), w.north)
        .await
        .expect("db");
    assert_eq!(users.len(), 4, "only Anna was added");
    w.srv.stop().await;
}

#[tokio::test]
async fn settings_errors_keep_what_was_typed() {
    let w = world().await;
    let mut b = signed_in(&w, ADMIN).await;
    let form = b.get("/admin/settings").await;
    form.expect(StatusCode::OK, "Time zone");
    assert!(unescape(&form.body).contains("<option selected>Europe/London</option>"));
    for id in [
        "timezone",
        "weekly_nomination_allowance",
        "allow_public_sharing",
        "email_sender",
    ] {
        assert!(
            form.body.contains(&format!("<label for=\"{id}\">")),
            "label for {id}"
        );
    }
    let csrf = form.csrf();
    let p = b
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("timezone", "Mars/Olympus_Mons"),
                ("weekly_nomination_allowance", "lots & lots"),
                ("allow_public_sharing", "on"),
                ("email_sender", "not an address <x>"),
            ],
        )
        .await;
    p.expect(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Some settings need fixing",
    );
    assert!(p.body.contains("Choose a time zone from the list"));
    assert!(p.body.contains("Enter a whole number from 0 to 100."));
    assert!(p.body.contains("Enter an e-mail address such as"));
    // Typed values come back, escaped.
    assert!(
        unescape(&p.body)
            .contains("<option value=\"Mars/Olympus_Mons\" selected>Mars/Olympus_Mons</option>"),
        "{}",
        p.body
    );
    assert_eq!(
        p.input_value("weekly_nomination_allowance").as_deref(),
        Some("lots & lots")
    );
    assert_eq!(
        p.input_value("email_sender").as_deref(),
        Some("not an address <x>")
    );
    assert!(p
        .body
        .contains("name=\"allow_public_sharing\" value=\"on\" checked"));
    // One wrong field keeps the others as typed too.
    let p = b
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("timezone", "Asia/Tokyo"),
                ("weekly_nomination_allowance", "101"),
                ("email_sender", "badges@north.example.org"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY, "Enter a whole number");
    assert!(unescape(&p.body).contains("<option selected>Asia/Tokyo</option>"));
    assert_eq!(
        p.input_value("weekly_nomination_allowance").as_deref(),
        Some("101")
    );
    assert!(!p.body.contains("Choose a time zone from the list"));
    let unchanged = accolade_db::schools::by_id(w.srv.state.db.conn(), w.north)
        .await
        .expect("db")
        .expect("school");
    assert_eq!(unchanged.timezone, "Europe/London");

    // A valid form saves (audited) and says so.
    let p = b
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("timezone", "Asia/Tokyo"),
                ("weekly_nomination_allowance", "7"),
                ("allow_public_sharing", "on"),
                ("email_sender", "Badges@North.example.org"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/admin/settings?saved=1");
    let saved = b.get("/admin/settings?saved=1").await;
    saved.expect(StatusCode::OK, "Settings saved.");
    assert!(unescape(&saved.body).contains("<option selected>Asia/Tokyo</option>"));
    let s = accolade_db::schools::by_id(w.srv.state.db.conn(), w.north)
        .await
        .expect("db")
        .expect("school");
    assert_eq!(s.timezone, "Asia/Tokyo");
    assert_eq!(s.weekly_nomination_allowance, 7);
    assert!(s.allow_public_sharing);
    assert_eq!(s.email_sender.as_deref(), Some("badges@north.example.org"));
    // Unticking the box turns sharing off; an empty sender clears it.
    let p = b
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("timezone", "Asia/Tokyo"),
                ("weekly_nomination_allowance", "0"),
                ("email_sender", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let s = accolade_db::schools::by_id(w.srv.state.db.conn(), w.north)
        .await
        .expect("db")
        .expect("school");
    assert!(!s.allow_public_sharing);
    assert_eq!(s.weekly_nomination_allowance, 0);
    assert_eq!(s.email_sender, None);
    // The audit log shows the change, in the school's (new) time zone.
    let audit = b.get("/admin/audit").await;
    audit.expect(StatusCode::OK, "school.update");
    assert!(
        audit.body.contains("Times are in <bdi>Asia/Tokyo</bdi>"),
        "{}",
        audit.body
    );
    assert!(audit.body.contains("<bdi>Ada Admin</bdi>"));
    w.srv.stop().await;
}

#[tokio::test]
async fn users_can_be_found_deactivated_and_reactivated() {
    let w = world().await;
    let mut b = signed_in(&w, ADMIN).await;
    let p = b.get("/admin/users?role=student").await;
    p.expect(StatusCode::OK, "Sam Student");
    assert!(!p.body.contains("Tom Teacher"), "role filter");
    let p = b.get("/admin/users?q=tom").await;
    p.expect(StatusCode::OK, "Tom Teacher");
    assert!(!p.body.contains("Sam Student"), "search");
    let classes = b.get("/admin/classes").await;
    classes.expect(StatusCode::OK, "7A");
    let c7a = accolade_db::classes::all_in_school(w.srv.state.db.conn(), w.north)
        .await
        .expect("db")[0]
        .id;
    let members = b.get(&format!("/admin/classes/{c7a}")).await;
    members.expect(StatusCode::OK, "<bdi>Sam Student</bdi>");
    let in_class = b.get(&format!("/admin/users?class_id={c7a}")).await;
    in_class.expect(StatusCode::OK, "Sam Student");
    assert!(!in_class.body.contains("Tom Teacher"));
    // No button to deactivate oneself.
    let all = b.get("/admin/users").await;
    assert!(all.body.contains("Deactivate Sam Student"));
    assert!(!all.body.contains("Deactivate Ada Admin"));

    let path = format!("/admin/users/{}/active", w.student_id);
    let back = "/admin/users?role=student";
    let p = b
        .post(
            &path,
            &[("csrf", &all.csrf()), ("active", "false"), ("back", back)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), back);
    let conn = w.srv.state.db.conn();
    let sam = accolade_db::users::by_id(conn, w.north, w.student_id)
        .await
        .expect("db")
        .expect("user");
    assert!(!sam.active);
    // Deactivated people are hidden unless asked for.
    let p = b.get("/admin/users?role=student").await;
    assert!(!p.body.contains("Sam Student"));
    let p = b.get("/admin/users?role=student&inactive=1").await;
    p.expect(StatusCode::OK, "Reactivate Sam Student");
    // An outside `back` is not followed.
    let p = b
        .post(
            &path,
            &[
                ("csrf", &all.csrf()),
                ("active", "true"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/admin/users");
    assert!(
        accolade_db::users::by_id(conn, w.north, w.student_id)
            .await
            .expect("db")
            .expect("user")
            .active
    );
    // The API's rule holds: an admin cannot deactivate themselves.
    let me = accolade_db::users::by_email(conn, w.north, ADMIN)
        .await
        .expect("db")
        .expect("admin");
    let p = b
        .post(
            &format!("/admin/users/{}/active", me.id),
            &[("csrf", &all.csrf()), ("active", "false")],
        )
        .await;
    p.expect(
        StatusCode::CONFLICT,
        "admins cannot demote or deactivate themselves",
    );
    w.srv.stop().await;
}

#[tokio::test]
async fn another_schools_data_never_shows() {
    let w = world().await;
    let mut b = signed_in(&w, ADMIN).await;
    let p = b.get("/admin/users?inactive=1").await;
    p.expect(StatusCode::OK, "Sam Student");
    assert!(!p.body.contains("Zelda"), "{}", p.body);
    assert!(!p.body.contains("Olga"));
    let p = b.get("/admin/users?q=zelda").await;
    p.expect(StatusCode::OK, "Nobody matches these filters.");
    let p = b.get("/admin/classes").await;
    assert!(!p.body.contains("South Secret Class"));
    // Another school's class: 404, and as a filter: 404 too.
    b.get(&format!("/admin/classes/{}", w.south_class))
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    b.get(&format!("/admin/users?class_id={}", w.south_class))
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    b.get("/admin/classes/not-a-uuid")
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    // Another school's user cannot be deactivated.
    let csrf = b.get("/admin/users").await.csrf();
    b.post(
        &format!("/admin/users/{}/active", w.south_student),
        &[("csrf", &csrf), ("active", "false")],
    )
    .await
    .expect(StatusCode::NOT_FOUND, "Not found");
    let zelda = accolade_db::users::by_id_unscoped(w.srv.state.db.conn(), w.south_student)
        .await
        .expect("db")
        .expect("user");
    assert!(zelda.active);
    // South's admin changes settings; North's audit log does not show it, South's does.
    let mut south = signed_in(&w, OTHER_ADMIN).await;
    let csrf = south.get("/admin/settings").await.csrf();
    let p = south
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("timezone", "America/Chicago"),
                ("weekly_nomination_allowance", "4"),
                ("email_sender", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    south
        .get("/admin/audit")
        .await
        .expect(StatusCode::OK, "<bdi>Olga Admin</bdi>");
    let p = b.get("/admin/audit").await;
    p.expect(StatusCode::OK, "Audit log");
    assert!(!p.body.contains("Olga"), "{}", p.body);
    assert!(!p.body.contains("school.update"));
    let p = b.get("/admin").await;
    p.expect(StatusCode::OK, "North School");
    assert!(p.body.contains("id=\"count-students\">1<"), "{}", p.body);
    w.srv.stop().await;
}
