//! The web app across roles in a real browser (headless Debian Chromium over WebDriver; the
//! test fails, rather than skips, when Chromium, chromedriver or axe-core is missing —
//! `.ci/run` installs them):
//!
//! 1. the teacher opens the moderation queue (`/teach/queue`, laptop size) and leaves it open;
//! 2. a student (phone size) signs in and nominates a classmate through `/nominate`;
//! 3. without a reload the teacher's queue offers the new nomination; the teacher shows it and
//!    approves it;
//! 4. the classmate signs in and finds the new badge in `/my/badges`;
//! 5. an admin uploads the Riverside OneRoster zip on `/admin/roster` and sees the report.
//!
//! Every main page is screenshotted at 390×844 and 1366×768 into the artifacts directory
//! (`$ACCOLADE_ARTIFACTS_DIR`, default `<workspace>/target/artifacts`, files
//! `web-<page>-<w>x<h>.png`), and checked with axe-core (WCAG 2.1 A/AA rules): the test fails
//! listing every `serious` or `critical` violation, and any page that scrolls sideways.

mod web_common;

use std::time::{Duration, Instant};

use accolade_e2e::{fixture, zip_folder};
use accolade_proto::Role;
use fantoccini::Locator;
use serde_json::{json, Value};
use web_common::browser::{
    axe_violations, describe, open, serious, start_driver, Browser, LAPTOP, PHONE,
};
use web_common::{code, setup, student, TEACHER};

const ADMIN: &str = "adele.admin@north.example.org";
const NOMINATOR: &str = "ada@north.example.org";
const NOMINEE: &str = "grace@north.example.org";
const BADGE: &str = "Kind Classmate";

/// Polls `script` (a JavaScript expression) until it is true (15 s at most).
async fn until(b: &Browser, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v =
            b.c.execute(&format!("return !!({script});"), vec![])
                .await
                .expect("script");
        if v == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nominate_moderate_award_and_import_in_a_real_browser() {
    // Fail early and clearly when axe-core is missing.
    web_common::browser::axe_path();
    let driver = start_driver().await;
    let f = setup(BADGE, "Europe/London").await;
    let base = f.srv.base.clone();
    f.srv
        .user(f.school_id, Role::Admin, "Adele Admin", Some(ADMIN))
        .await;
    student(&f, "Ada Lovelace", NOMINATOR, f.class_id).await;
    let grace = student(&f, "Grace Hopper", NOMINEE, f.class_id).await;
    // An open claim code, so the teacher's code pages have something to show.
    let claim_code = code(&f, json!({"title": "Science Fair 2026"})).await;
    let code_id = claim_code["id"].as_str().expect("code id").to_owned();
    let badge_id = f.badge["id"].as_str().expect("badge id").to_owned();
    let profiles = tempfile::tempdir().expect("profiles");
    let mut findings: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();

    // 1. The teacher opens the queue and leaves it open.
    let mut teacher = open(&driver, &profiles.path().join("teacher"), LAPTOP).await;
    teacher.sign_in(&base, TEACHER, "/teach/queue").await;
    assert_eq!(teacher.path().await, "/teach/queue");
    until(
        &teacher,
        "the queue's live channel",
        "document.getElementById('queue').getAttribute('data-live') === 'yes'",
    )
    .await;
    teacher
        .c
        .execute("window.__noReload = true;", vec![])
        .await
        .expect("mark page");

    // 2. A student nominates a classmate on a phone.
    let mut nominator = open(&driver, &profiles.path().join("nominator"), PHONE).await;
    nominator
        .sign_in(
            &base,
            NOMINATOR,
            &format!("/nominate?class_id={}", f.class_id),
        )
        .await;
    nominator.wait_for("#nominate-form").await;
    findings.extend(nominator.capture("web-student-nominate").await);
    nominator.resize(PHONE).await;
    nominator
        .wait_for("#nominee_id")
        .await
        .select_by_value(&grace.id.to_string())
        .await
        .expect("pick classmate");
    nominator
        .wait_for("#badge_id")
        .await
        .select_by_value(&badge_id)
        .await
        .expect("pick badge");
    nominator
        .fill(
            "#narrative",
            "Grace helped everyone at the science fair and explained her project twice.",
        )
        .await;
    nominator.click("#nominate-submit").await;
    nominator.wait_for("main").await;
    assert!(
        nominator
            .c
            .find(Locator::Css("#nominate-error"))
            .await
            .is_err(),
        "the nomination was refused: {}",
        nominator.text("main").await
    );
    assert_eq!(nominator.path().await, "/my/nominations");
    let mine = nominator.text("main").await;
    assert!(mine.contains("Grace Hopper"), "my nominations: {mine}");

    // 3. The open queue offers it without a reload; the teacher approves.
    until(
        &teacher,
        "the new-nomination bar",
        "!document.getElementById('q-new').hidden",
    )
    .await;
    teacher.click("#q-new-button").await;
    let item = teacher.wait_for("li.q-item").await;
    assert!(
        item.text().await.expect("text").contains("Grace Hopper"),
        "the queue shows the nominee"
    );
    let same_page = teacher
        .c
        .execute("return window.__noReload === true;", vec![])
        .await
        .expect("script");
    assert_eq!(same_page, Value::Bool(true), "the queue page was reloaded");
    findings.extend(teacher.capture("web-teacher-queue").await);
    let id = item.attr("data-id").await.expect("attr").expect("data-id");
    teacher
        .click(&format!("#n-{id} button[value=approve]"))
        .await;
    until(
        &teacher,
        "the approved nomination to leave the queue",
        &format!("document.getElementById('n-{id}') === null"),
    )
    .await;

    // The nominator's pages.
    nominator.goto(&format!("{base}/my/nominations")).await;
    findings.extend(nominator.capture("web-student-my-nominations").await);
    nominator.goto(&format!("{base}/profile")).await;
    findings.extend(nominator.capture("web-student-profile").await);
    nominator.goto(&format!("{base}/claim")).await;
    findings.extend(nominator.capture("web-student-claim").await);
    nominator.close().await;

    // 4. The classmate sees the new badge.
    let mut nominee = open(&driver, &profiles.path().join("nominee"), PHONE).await;
    nominee.sign_in(&base, NOMINEE, "/my/badges").await;
    assert_eq!(nominee.path().await, "/my/badges");
    let main = nominee.text("main").await;
    assert!(main.contains(BADGE), "the new badge is listed: {main}");
    nominee
        .c
        .find(Locator::Css(&format!("main img[alt=\"{BADGE}\"]")))
        .await
        .expect("badge image with its name as alt text");
    findings.extend(nominee.capture("web-student-my-badges").await);
    let award_href = nominee
        .c
        .find(Locator::Css("main a[href^=\"/my/badges/\"]"))
        .await
        .expect("link to the badge")
        .attr("href")
        .await
        .expect("href")
        .expect("href");
    nominee.goto(&format!("{base}{award_href}")).await;
    assert!(nominee.text("h1").await.contains(BADGE));
    findings.extend(nominee.capture("web-student-badge-detail").await);
    let award_id = award_href.trim_start_matches("/my/badges/").to_owned();
    nominee.close().await;

    // The teacher's other pages.
    for (path, name) in [
        ("/teach/badges", "web-teacher-badges"),
        ("/teach/award", "web-teacher-award"),
        ("/teach/codes", "web-teacher-codes"),
        ("/teach/classes", "web-teacher-classes"),
        ("/teach/badges/new", "web-teacher-badge-new"),
        (
            &format!("/teach/badges/{badge_id}"),
            "web-teacher-badge-edit",
        ),
        ("/teach/awards", "web-teacher-awards"),
        (
            &format!("/teach/awards/{award_id}"),
            "web-teacher-award-detail",
        ),
        ("/teach/codes/new", "web-teacher-code-new"),
        (&format!("/teach/codes/{code_id}"), "web-teacher-code"),
        (
            &format!("/teach/classes/{}", f.class_id),
            "web-teacher-class",
        ),
    ] {
        teacher.goto(&format!("{base}{path}")).await;
        if teacher.path().await != path {
            missing.push(format!("{path} (went to {})", teacher.path().await));
            continue;
        }
        findings.extend(teacher.capture(name).await);
    }
    teacher.close().await;

    // 5. The admin imports the Riverside roster and sees the report.
    let mut admin = open(&driver, &profiles.path().join("admin"), LAPTOP).await;
    admin.sign_in(&base, ADMIN, "/admin").await;
    assert_eq!(admin.path().await, "/admin");
    findings.extend(admin.capture("web-admin-overview").await);
    admin.goto(&format!("{base}/admin/roster")).await;
    let upload_dir = tempfile::tempdir().expect("upload dir");
    let zip_path = upload_dir.path().join("riverside.zip");
    std::fs::write(&zip_path, zip_folder(&fixture("oneroster/riverside"))).expect("zip");
    admin
        .wait_for("#file")
        .await
        .send_keys(&zip_path.display().to_string())
        .await
        .expect("choose file");
    admin.click("#upload-button").await;
    admin.wait_for("#import-report").await;
    let report = admin.text("#import-report").await;
    assert!(report.contains("Import finished"), "{report}");
    assert!(
        admin.text("#report-users .created").await.trim() == "64",
        "64 people created: {report}"
    );
    findings.extend(admin.capture("web-admin-roster-report").await);
    for (path, name) in [
        ("/admin/users", "web-admin-users"),
        ("/admin/classes", "web-admin-classes"),
        ("/admin/settings", "web-admin-settings"),
        ("/admin/audit", "web-admin-audit"),
    ] {
        admin.goto(&format!("{base}{path}")).await;
        findings.extend(admin.capture(name).await);
    }
    assert!(admin.text("#audit").await.contains("roster.import"));
    let first_class = accolade_db::classes::all_in_school(f.srv.state.db.conn(), f.school_id)
        .await
        .expect("classes")
        .into_iter()
        .find(|c| c.title == "5A Homeroom")
        .expect("an imported class");
    admin
        .goto(&format!("{base}/admin/classes/{}", first_class.id))
        .await;
    findings.extend(admin.capture("web-admin-class").await);
    // Error states: a settings form with a wrong value, a broken upload.
    admin.goto(&format!("{base}/admin/settings")).await;
    admin.fill("#weekly_nomination_allowance", "lots").await;
    admin.click("#settings-save").await;
    admin.wait_for("#allowance-error").await;
    assert_eq!(
        admin
            .wait_for("#weekly_nomination_allowance")
            .await
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("lots"),
        "the typed value is kept"
    );
    findings.extend(admin.capture("web-admin-settings-errors").await);
    admin.goto(&format!("{base}/admin/roster")).await;
    let broken = upload_dir.path().join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 not really a zip").expect("write");
    admin
        .wait_for("#file")
        .await
        .send_keys(&broken.display().to_string())
        .await
        .expect("choose file");
    admin.click("#upload-button").await;
    assert!(admin
        .text("#file-error")
        .await
        .contains("could not be imported"));
    findings.extend(admin.capture("web-admin-roster-error").await);
    admin.close().await;

    // Signed out: the sign-in page and the public badge page.
    let mut anon = open(&driver, &profiles.path().join("anon"), PHONE).await;
    anon.goto(&format!("{base}/signin")).await;
    findings.extend(anon.capture("web-signin").await);
    // The check itself works: an image without alt text and unreadable text are caught.
    anon.c
        .execute(
            "var i = document.createElement('img'); i.src = '/assets/none.png'; \
             document.querySelector('main').appendChild(i); \
             var p = document.createElement('p'); p.textContent = 'faint'; \
             p.style.color = '#eee'; p.style.background = '#fff'; \
             document.querySelector('main').appendChild(p);",
            vec![],
        )
        .await
        .expect("break the page");
    let caught = serious(axe_violations(&anon.c).await);
    let ids: Vec<&str> = caught.iter().map(|v| v.id.as_str()).collect();
    assert!(
        ids.contains(&"image-alt") && ids.contains(&"color-contrast"),
        "axe-core missed planted violations: {ids:?}"
    );
    assert!(describe(&caught).contains("<img src=\"/assets/none.png\">"));
    anon.goto(&format!("{base}/b/{award_id}")).await;
    let public = anon.text("main").await;
    assert!(public.contains(BADGE), "public badge page: {public}");
    assert!(
        !public.contains(NOMINEE),
        "never an e-mail on a public page"
    );
    findings.extend(anon.capture("web-public-badge").await);
    anon.close().await;

    f.srv.stop().await;
    drop(driver);
    assert!(missing.is_empty(), "pages missing: {missing:?}");
    assert!(
        findings.is_empty(),
        "accessibility (axe-core, serious/critical) and layout findings:\n{}",
        findings.join("\n")
    );
}
