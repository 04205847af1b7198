//! Parses the shared real-world fixtures (`../shared/fixtures` beside the repository root).

use std::io::Write;
use std::path::{Path, PathBuf};

use accolade_roster::{
    load_bytes, load_path, ClassList, EnrollmentRole, OneRosterExport, RecordStatus, Role,
    RosterError, RosterSource,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

fn fixture(rel: &str) -> PathBuf {
    Path::new(FIXTURES).join(rel)
}

fn oneroster(path: &Path) -> OneRosterExport {
    match load_path(path) {
        Ok(RosterSource::OneRoster(x)) => x,
        other => panic!(
            "{}: expected a OneRoster export, got {other:?}",
            path.display()
        ),
    }
}

fn class_list(path: &Path) -> ClassList {
    match load_path(path) {
        Ok(RosterSource::ClassList(l)) => l,
        other => panic!("{}: expected a class list, got {other:?}", path.display()),
    }
}

/// Number of data records in a CSV file, counted independently with the csv crate.
fn data_rows(path: &Path) -> usize {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap()
        .byte_records()
        .count()
}

/// Zips every file of `dir` under `prefix/`, plus a directory entry and macOS junk.
fn zip_folder(dir: &Path, prefix: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.add_directory(format!("{prefix}/"), opts).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        w.start_file(format!("{prefix}/{name}"), opts).unwrap();
        w.write_all(&std::fs::read(&path).unwrap()).unwrap();
        w.start_file(format!("__MACOSX/{prefix}/._{name}"), opts)
            .unwrap();
        w.write_all(b"\x00\x05\x16\x07 resource fork").unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn northfield_folder() {
    let dir = fixture("oneroster/northfield");
    let x = oneroster(&dir);
    assert_eq!(x.problems, vec![], "unexpected problems");
    assert_eq!(x.orgs.len(), data_rows(&dir.join("orgs.csv")));
    assert_eq!(x.users.len(), data_rows(&dir.join("users.csv")));
    assert_eq!(x.classes.len(), data_rows(&dir.join("classes.csv")));
    assert_eq!(x.enrollments.len(), data_rows(&dir.join("enrollments.csv")));
    // Hand-checked numbers from the fixture description.
    assert_eq!(x.users.len(), 607);
    assert_eq!(x.classes.len(), 35);
    assert_eq!(x.enrollments.len(), 963);
    let count = |role| x.users.iter().filter(|u| u.role == role).count();
    assert_eq!(
        (
            count(Role::Student),
            count(Role::Teacher),
            count(Role::Admin)
        ),
        (581, 25, 1)
    );
    assert_eq!(
        x.ignored_files,
        vec!["academicSessions.csv", "courses.csv", "manifest.csv"]
    );

    let deleted: Vec<_> = x
        .users
        .iter()
        .filter(|u| u.status == RecordStatus::ToBeDeleted)
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].sourced_id, "northfield-stu-0606");
    assert_eq!(deleted[0].family_name, "Musiała");
    // Its enrolments are marked too; all others stay active.
    for e in &x.enrollments {
        let expected = if e.user_sourced_id == "northfield-stu-0606" {
            RecordStatus::ToBeDeleted
        } else {
            RecordStatus::Active
        };
        assert_eq!(e.status, expected, "{}", e.sourced_id);
    }

    let no_email: Vec<_> = x.users.iter().filter(|u| u.email.is_none()).collect();
    assert_eq!(no_email.len(), 115);
    assert!(no_email.iter().all(|u| u.role == Role::Student));

    let robert = x
        .users
        .iter()
        .find(|u| u.sourced_id == "northfield-stu-0102")
        .unwrap();
    assert_eq!(robert.family_name, "O'Enríquez");
    assert_eq!(robert.given_name, "Robert");
    assert_eq!(robert.email, None);
    assert_eq!(robert.grades.as_deref(), Some("07"));
    assert_eq!(robert.org_sourced_ids, vec!["org-northfield"]);

    let admin = &x.users[0];
    assert_eq!(admin.line, 2);
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(
        admin.email.as_deref(),
        Some("user11@staff.northfield.example.org")
    );
    assert!(admin.enabled);

    assert_eq!(x.orgs[0].sourced_id, "org-northfield");
    assert_eq!(x.orgs[0].org_type, "school");
    assert_eq!(x.orgs[0].identifier.as_deref(), Some("NORTHFIELD"));
    assert_eq!(x.classes[0].title, "7A Homeroom");
    assert_eq!(x.classes[0].class_code.as_deref(), Some("7A"));
    let last = x.enrollments.last().unwrap();
    assert_eq!(last.line, 964);
    assert!(x
        .enrollments
        .iter()
        .any(|e| e.role == EnrollmentRole::Teacher));
}

#[test]
fn riverside_folder_with_bom_and_crlf() {
    let dir = fixture("oneroster/riverside");
    let x = oneroster(&dir);
    assert_eq!(x.problems, vec![], "unexpected problems");
    assert_eq!(x.orgs.len(), data_rows(&dir.join("orgs.csv")));
    assert_eq!(x.users.len(), data_rows(&dir.join("users.csv")));
    assert_eq!(x.classes.len(), data_rows(&dir.join("classes.csv")));
    assert_eq!(x.enrollments.len(), data_rows(&dir.join("enrollments.csv")));
    assert_eq!(
        (x.users.len(), x.classes.len(), x.enrollments.len()),
        (65, 3, 87)
    );
    // First column (sourcedId, behind the BOM) was recognised.
    assert_eq!(x.orgs[0].sourced_id, "org-riverside");
    assert_eq!(x.users[0].sourced_id, "riverside-adm-0001");
    // Real line numbers despite CRLF line ends.
    assert_eq!(x.users[0].line, 2);
    assert_eq!(x.users.last().unwrap().line, 66);
    assert_eq!(x.enrollments.last().unwrap().line, 88);
    // CRLF did not leave '\r' at the end of the last column.
    assert!(x.users.iter().all(|u| !u.sourced_id.contains('\r')));
    assert_eq!(x.enrollments[0].role, EnrollmentRole::Teacher);
    assert_eq!(
        x.ignored_files,
        vec!["academicSessions.csv", "courses.csv", "manifest.csv"]
    );
    assert_eq!(
        x.users
            .iter()
            .filter(|u| u.status == RecordStatus::ToBeDeleted)
            .count(),
        1
    );
    assert!(x.users.iter().any(|u| u.family_name == "O'Benson"));
}

#[test]
fn zipped_exports_match_folders() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["northfield", "riverside"] {
        let dir = fixture(&format!("oneroster/{name}"));
        let from_folder = oneroster(&dir);
        let bytes = zip_folder(&dir, &format!("export-2026/{name}"));

        let from_bytes = match load_bytes(&bytes).unwrap() {
            RosterSource::OneRoster(x) => x,
            other => panic!("{other:?}"),
        };
        assert_eq!(from_bytes, from_folder, "{name}: load_bytes differs");

        let path = tmp.path().join(format!("{name}.zip"));
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(
            oneroster(&path),
            from_folder,
            "{name}: load_path(zip) differs"
        );
    }
}

#[test]
fn classlist_9c() {
    let path = fixture("classlist/9C-computing.csv");
    let list = class_list(&path);
    assert_eq!(list.problems, vec![], "unexpected problems");
    assert!(list.duplicates_merged >= 1);
    assert_eq!(list.duplicates_merged, 1);
    // 31 data rows, one of them a duplicate.
    assert_eq!(list.rows.len(), 30);

    // Upper-case e-mail lower-cased.
    let leonard = list
        .rows
        .iter()
        .find(|r| r.name.starts_with("Leonard"))
        .unwrap();
    assert_eq!(leonard.email.as_deref(), Some("l2@northfield.example.org"));
    // Missing e-mail.
    let david = list
        .rows
        .iter()
        .find(|r| r.name == "David Vallejo")
        .unwrap();
    assert_eq!(david.email, None);
    assert_eq!(david.line, 8);
    // Quoted name containing a comma (and quotes) kept whole.
    let sam = list
        .rows
        .iter()
        .find(|r| r.email.as_deref() == Some("sam.t@northfield.example.org"))
        .unwrap();
    assert_eq!(sam.name, "\"Sam\" Taylor, Jr.");
    // Stray spaces trimmed (name with leading/trailing and double spaces; e-mail with a
    // trailing space).
    let munoz = list
        .rows
        .iter()
        .find(|r| r.name.ends_with("Munoz"))
        .unwrap();
    assert!(!munoz.name.starts_with(' '));
    assert!(!munoz.name.contains("  "));
    assert!(list
        .rows
        .iter()
        .all(|r| r.name == r.name.trim() && r.class == r.class.trim()));
    assert!(list
        .rows
        .iter()
        .filter_map(|r| r.email.as_deref())
        .all(|e| e == e.trim() && e == e.to_lowercase()));
    let j8 = list
        .rows
        .iter()
        .find(|r| r.email.as_deref() == Some("ज8@northfield.example.org"))
        .unwrap();
    assert_eq!(j8.class, "9c");
    // The duplicate (line 30) was merged into line 13.
    let alexandria: Vec<_> = list
        .rows
        .iter()
        .filter(|r| r.email.as_deref() == Some("a11@northfield.example.org"))
        .collect();
    assert_eq!(alexandria.len(), 1);
    assert_eq!(alexandria[0].line, 13);
    assert_eq!(list.rows[0].line, 2);
    assert_eq!(list.rows[0].class, "9C");

    // The same bytes uploaded give the same rows (file name differs in problems only).
    match load_bytes(&std::fs::read(&path).unwrap()).unwrap() {
        RosterSource::ClassList(l) => assert_eq!(l, list),
        other => panic!("{other:?}"),
    }
}

#[test]
fn users_csv_without_given_name_is_rejected() {
    let src = fixture("oneroster/riverside");
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let mut bytes = std::fs::read(&path).unwrap();
        if name == "users.csv" {
            let text = String::from_utf8(bytes).unwrap();
            bytes = text.replacen("givenName", "firstName", 1).into_bytes();
        }
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    match load_path(tmp.path()) {
        Err(RosterError::BadHeader { file, missing }) => {
            assert_eq!(file, "users.csv");
            assert_eq!(missing, vec!["givenName"]);
        }
        other => panic!("expected BadHeader, got {other:?}"),
    }
}

#[test]
fn bad_rows_in_a_real_export() {
    let src = fixture("oneroster/northfield");
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, tmp.path().join(path.file_name().unwrap())).unwrap();
    }
    let users_path = tmp.path().join("users.csv");
    let text = std::fs::read_to_string(&users_path).unwrap();
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    // Line 101: empty sourcedId; line 201: unknown status; line 301: invalid UTF-8.
    lines[100] = lines[100]
        .splitn(2, |b| *b == b',')
        .nth(1)
        .unwrap()
        .to_vec();
    lines[100].insert(0, b',');
    let s = String::from_utf8(lines[200].clone()).unwrap();
    lines[200] = s.replacen(",active,", ",archived,", 1).into_bytes();
    let s = String::from_utf8(lines[300].clone()).unwrap();
    let mut bad = s.replacen(",true,", ",tr\u{e9}ue,", 1).into_bytes();
    let pos = bad.iter().position(|b| *b == 0xC3).unwrap();
    bad.remove(pos); // leaves a lone continuation byte 0xA9
    lines[300] = bad;
    let mut out = lines.join(&b'\n');
    out.push(b'\n');
    std::fs::write(&users_path, out).unwrap();

    let x = oneroster(tmp.path());
    let user_problems: Vec<_> = x
        .problems
        .iter()
        .filter(|p| p.file == "users.csv")
        .map(|p| p.line)
        .collect();
    assert_eq!(user_problems, vec![101, 201, 301]);
    assert!(x.problems[0].reason.contains("sourcedId"));
    assert!(x.problems[1].reason.contains("archived"));
    assert!(x.problems[2].reason.contains("UTF-8"));
    assert_eq!(x.users.len(), 607 - 3);
    // The skipped users' enrolments are reported as dangling; everything else is kept.
    assert!(x
        .problems
        .iter()
        .filter(|p| p.file != "users.csv")
        .all(|p| p.file == "enrollments.csv" && p.reason.contains("not in users.csv")));
}
