//! OneRoster 1.1 CSV bulk export parsing (`orgs.csv`, `users.csv`, `classes.csv`,
//! `enrollments.csv`).

use std::collections::{HashMap, HashSet};

use accolade_proto::{ImportProblem, Role};

use crate::table::{Row, Table};
use crate::text::{clean_name, clean_plain, excerpt, normalise_email, EmailField};
use crate::{
    EnrollmentRole, OneRosterExport, RecordStatus, RosterClass, RosterEnrollment, RosterError,
    RosterOrg, RosterUser,
};

/// File names of the four files Accolade imports, in processing order.
pub(crate) const REQUIRED_FILES: [&str; 4] =
    ["orgs.csv", "users.csv", "classes.csv", "enrollments.csv"];

const ORG_COLUMNS: &[&str] = &["sourcedId", "name", "type"];
const USER_COLUMNS: &[&str] = &["sourcedId", "role", "givenName", "familyName"];
const CLASS_COLUMNS: &[&str] = &["sourcedId", "title", "schoolSourcedId"];
const ENROLLMENT_COLUMNS: &[&str] = &["sourcedId", "classSourcedId", "userSourcedId", "role"];

/// Raw bytes of the four required files plus the names of everything else in the export.
pub(crate) struct ExportFiles {
    /// Contents of the files in [`REQUIRED_FILES`] order.
    pub files: [Vec<u8>; 4],
    /// Other file names found (any order; sorted and de-duplicated by the parser).
    pub ignored: Vec<String>,
}

/// Parses the four files. Every header is checked before any row is parsed, so a bad header
/// anywhere means nothing is imported.
pub(crate) fn parse_export(files: ExportFiles) -> Result<OneRosterExport, RosterError> {
    let [orgs, users, classes, enrollments] = &files.files;
    let orgs = Table::read(REQUIRED_FILES[0], orgs)?;
    let users = Table::read(REQUIRED_FILES[1], users)?;
    let classes = Table::read(REQUIRED_FILES[2], classes)?;
    let enrollments = Table::read(REQUIRED_FILES[3], enrollments)?;
    orgs.require(ORG_COLUMNS)?;
    users.require(USER_COLUMNS)?;
    classes.require(CLASS_COLUMNS)?;
    enrollments.require(ENROLLMENT_COLUMNS)?;

    let mut problems = Vec::new();
    let orgs = parse_rows(&orgs, ORG_COLUMNS, &mut problems, parse_org);
    let users = parse_rows(&users, USER_COLUMNS, &mut problems, parse_user);
    let classes = parse_rows(&classes, CLASS_COLUMNS, &mut problems, parse_class);
    let mut enrollments = parse_rows(
        &enrollments,
        ENROLLMENT_COLUMNS,
        &mut problems,
        parse_enrollment,
    );
    check_references(&users, &classes, &mut enrollments, &mut problems);

    problems.sort_by_key(|p| {
        let rank = REQUIRED_FILES
            .iter()
            .position(|f| *f == p.file)
            .unwrap_or(REQUIRED_FILES.len());
        (rank, p.line)
    });
    let mut ignored = files.ignored;
    ignored.sort();
    ignored.dedup();
    Ok(OneRosterExport {
        orgs,
        users,
        classes,
        enrollments,
        problems,
        ignored_files: ignored,
    })
}

/// What a row parser returns: the record plus warnings (the record is still kept), or the
/// reason the row was skipped.
type Parsed<T> = Result<(T, Vec<String>), String>;

/// A record with a `sourcedId`, for duplicate detection.
trait Sourced {
    fn sourced_id(&self) -> &str;
}

macro_rules! sourced {
    ($($t:ty),*) => {$(
        impl Sourced for $t {
            fn sourced_id(&self) -> &str {
                &self.sourced_id
            }
        }
    )*};
}
sourced!(RosterOrg, RosterUser, RosterClass, RosterEnrollment);

fn parse_rows<T: Sourced>(
    table: &Table,
    required: &[&str],
    problems: &mut Vec<ImportProblem>,
    parse: fn(&Table, &Row) -> Parsed<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for row in table.rows(required) {
        let row = match row {
            Ok(row) => row,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match parse(table, &row) {
            Ok((record, warnings)) => {
                if !seen.insert(record.sourced_id().to_owned()) {
                    problems.push(table.problem(
                        row.line,
                        format!(
                            "duplicate sourcedId '{}'; the earlier row was kept",
                            excerpt(record.sourced_id())
                        ),
                    ));
                    continue;
                }
                problems.extend(warnings.into_iter().map(|w| table.problem(row.line, w)));
                out.push(record);
            }
            Err(reason) => problems.push(table.problem(row.line, reason)),
        }
    }
    out
}

/// `sourcedId` (required, non-empty) and `status` (optional) shared by every file.
fn sourced_id_and_status(t: &Table, row: &Row) -> Result<(String, RecordStatus), String> {
    let id = clean_plain(row.get(t.column("sourcedId")), "sourcedId")?;
    if id.is_empty() {
        return Err("sourcedId is empty".to_owned());
    }
    let status = parse_status(row.get(t.column("status")))?;
    Ok((id, status))
}

fn parse_status(raw: &str) -> Result<RecordStatus, String> {
    match raw.to_ascii_lowercase().as_str() {
        "" | "active" => Ok(RecordStatus::Active),
        "tobedeleted" => Ok(RecordStatus::ToBeDeleted),
        _ => Err(format!(
            "unknown status '{}' (expected active or tobedeleted)",
            excerpt(raw)
        )),
    }
}

/// A required, non-empty reference such as `schoolSourcedId`.
fn required_ref(t: &Table, row: &Row, column: &str) -> Result<String, String> {
    let v = clean_plain(row.get(t.column(column)), column)?;
    if v.is_empty() {
        return Err(format!("{column} is empty"));
    }
    Ok(v)
}

/// An optional plain field: trimmed, `None` when empty.
fn optional_plain(t: &Table, row: &Row, column: &str) -> Result<Option<String>, String> {
    let v = clean_plain(row.get(t.column(column)), column)?;
    Ok((!v.is_empty()).then_some(v))
}

fn parse_org(t: &Table, row: &Row) -> Parsed<RosterOrg> {
    let (sourced_id, status) = sourced_id_and_status(t, row)?;
    let name = clean_name(row.get(t.column("name")), "name")?;
    if name.is_empty() {
        return Err("name is empty".to_owned());
    }
    let org_type = required_ref(t, row, "type")?;
    let identifier = optional_plain(t, row, "identifier")?;
    Ok((
        RosterOrg {
            line: row.line,
            sourced_id,
            status,
            name,
            org_type,
            identifier,
        },
        Vec::new(),
    ))
}

fn parse_user(t: &Table, row: &Row) -> Parsed<RosterUser> {
    let (sourced_id, status) = sourced_id_and_status(t, row)?;
    let raw_role = row.get(t.column("role"));
    let role = match raw_role.to_ascii_lowercase().as_str() {
        "administrator" => Role::Admin,
        "teacher" | "aide" => Role::Teacher,
        "student" => Role::Student,
        "parent" | "guardian" | "relative" | "proctor" => {
            return Err(format!("role '{raw_role}' is not imported"));
        }
        "" => return Err("role is empty".to_owned()),
        _ => {
            return Err(format!(
                "unknown role '{}' (expected administrator, teacher, aide or student)",
                excerpt(raw_role)
            ))
        }
    };
    let raw_enabled = row.get(t.column("enabledUser"));
    let enabled = match raw_enabled.to_ascii_lowercase().as_str() {
        "" | "true" => true,
        "false" => false,
        _ => {
            return Err(format!(
                "enabledUser '{}' is neither true nor false",
                excerpt(raw_enabled)
            ))
        }
    };
    let org_sourced_ids = clean_plain(row.get(t.column("orgSourcedIds")), "orgSourcedIds")?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let username = optional_plain(t, row, "username")?;
    let given_name = clean_name(row.get(t.column("givenName")), "givenName")?;
    let family_name = clean_name(row.get(t.column("familyName")), "familyName")?;
    if given_name.is_empty() && family_name.is_empty() {
        return Err("givenName and familyName are both empty".to_owned());
    }
    let mut warnings = Vec::new();
    let email = match normalise_email(row.get(t.column("email"))) {
        EmailField::Absent => None,
        EmailField::Valid(e) => Some(e),
        EmailField::Invalid(raw) => {
            warnings.push(format!(
                "e-mail '{}' is not a valid address and was ignored; the user was imported \
                 without an e-mail",
                excerpt(&raw)
            ));
            None
        }
    };
    let grades = clean_plain(row.get(t.column("grades")), "grades")?
        .split(',')
        .map(str::trim)
        .find(|g| !g.is_empty())
        .map(str::to_owned);
    Ok((
        RosterUser {
            line: row.line,
            sourced_id,
            status,
            enabled,
            org_sourced_ids,
            role,
            username,
            given_name,
            family_name,
            email,
            grades,
        },
        warnings,
    ))
}

fn parse_class(t: &Table, row: &Row) -> Parsed<RosterClass> {
    let (sourced_id, status) = sourced_id_and_status(t, row)?;
    let title = clean_name(row.get(t.column("title")), "title")?;
    if title.is_empty() {
        return Err("title is empty".to_owned());
    }
    let class_code = optional_plain(t, row, "classCode")?;
    let school_sourced_id = required_ref(t, row, "schoolSourcedId")?;
    Ok((
        RosterClass {
            line: row.line,
            sourced_id,
            status,
            title,
            class_code,
            school_sourced_id,
        },
        Vec::new(),
    ))
}

fn parse_enrollment(t: &Table, row: &Row) -> Parsed<RosterEnrollment> {
    let (sourced_id, status) = sourced_id_and_status(t, row)?;
    let class_sourced_id = required_ref(t, row, "classSourcedId")?;
    let user_sourced_id = required_ref(t, row, "userSourcedId")?;
    let raw_role = row.get(t.column("role"));
    let role = match raw_role.to_ascii_lowercase().as_str() {
        "teacher" | "aide" | "administrator" => EnrollmentRole::Teacher,
        "student" => EnrollmentRole::Student,
        "" => return Err("role is empty".to_owned()),
        _ => {
            return Err(format!(
                "enrolment role '{}' is not imported (expected student, teacher, aide or \
                 administrator)",
                excerpt(raw_role)
            ))
        }
    };
    Ok((
        RosterEnrollment {
            line: row.line,
            sourced_id,
            status,
            class_sourced_id,
            user_sourced_id,
            role,
        },
        Vec::new(),
    ))
}

/// Drops enrolments whose class or user is not in the export (each one a problem) and marks
/// enrolments of `tobedeleted` users or classes as [`RecordStatus::ToBeDeleted`].
fn check_references(
    users: &[RosterUser],
    classes: &[RosterClass],
    enrollments: &mut Vec<RosterEnrollment>,
    problems: &mut Vec<ImportProblem>,
) {
    let user_status: HashMap<&str, RecordStatus> = users
        .iter()
        .map(|u| (u.sourced_id.as_str(), u.status))
        .collect();
    let class_status: HashMap<&str, RecordStatus> = classes
        .iter()
        .map(|c| (c.sourced_id.as_str(), c.status))
        .collect();
    enrollments.retain_mut(|e| {
        let class = class_status.get(e.class_sourced_id.as_str()).copied();
        let user = user_status.get(e.user_sourced_id.as_str()).copied();
        let mut missing = Vec::new();
        if class.is_none() {
            missing.push(format!(
                "class '{}' which is not in classes.csv",
                excerpt(&e.class_sourced_id)
            ));
        }
        if user.is_none() {
            missing.push(format!(
                "user '{}' which is not in users.csv (or was skipped)",
                excerpt(&e.user_sourced_id)
            ));
        }
        if !missing.is_empty() {
            problems.push(ImportProblem {
                file: REQUIRED_FILES[3].to_owned(),
                line: e.line,
                reason: format!("enrolment refers to {}", missing.join(" and ")),
            });
            return false;
        }
        if class == Some(RecordStatus::ToBeDeleted) || user == Some(RecordStatus::ToBeDeleted) {
            e.status = RecordStatus::ToBeDeleted;
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORGS: &str = "sourcedId,name,type\norg-1,Test School,school\n";
    const USERS: &str = "sourcedId,status,role,givenName,familyName,email,enabledUser,orgSourcedIds,grades,username\n\
        u1,active,student,Ann,Lee,ANN@X.ORG,TRUE,\"org-1, org-2\",\"07,08\",ann\n\
        u2,,teacher,  Bob   , Ray ,,false,org-1,,\n\
        u3,tobedeleted,student,Cy,Doe,,,org-1,,\n";
    const CLASSES: &str = "sourcedId,title,schoolSourcedId,classCode\nc1,7A Maths,org-1,7A\n";
    const ENROLLMENTS: &str = "sourcedId,classSourcedId,userSourcedId,role\n\
        e1,c1,u1,student\ne2,c1,u2,teacher\ne3,c1,u3,student\n";

    fn export(
        orgs: &str,
        users: &str,
        classes: &str,
        enrollments: &str,
    ) -> Result<OneRosterExport, RosterError> {
        parse_export(ExportFiles {
            files: [orgs, users, classes, enrollments].map(|s| s.as_bytes().to_vec()),
            ignored: vec!["manifest.csv".into(), "courses.csv".into()],
        })
    }

    fn ok(users: &str, enrollments: &str) -> OneRosterExport {
        export(ORGS, users, CLASSES, enrollments).unwrap()
    }

    #[test]
    fn small_export_parses() {
        let x = ok(USERS, ENROLLMENTS);
        assert_eq!(x.problems, vec![]);
        assert_eq!(x.ignored_files, vec!["courses.csv", "manifest.csv"]);
        assert_eq!(x.orgs.len(), 1);
        assert_eq!(x.orgs[0].identifier, None);
        let u1 = &x.users[0];
        assert_eq!(u1.line, 2);
        assert_eq!(u1.email.as_deref(), Some("ann@x.org"));
        assert_eq!(u1.org_sourced_ids, vec!["org-1", "org-2"]);
        assert_eq!(u1.grades.as_deref(), Some("07"));
        assert_eq!(u1.username.as_deref(), Some("ann"));
        assert!(u1.enabled);
        let u2 = &x.users[1];
        assert_eq!(
            (u2.given_name.as_str(), u2.family_name.as_str()),
            ("Bob", "Ray")
        );
        assert_eq!(
            (u2.role, u2.enabled, u2.status),
            (Role::Teacher, false, RecordStatus::Active)
        );
        assert_eq!(u2.email, None);
        assert_eq!(x.classes[0].class_code.as_deref(), Some("7A"));
        assert_eq!(x.enrollments.len(), 3);
        assert_eq!(x.enrollments[1].role, EnrollmentRole::Teacher);
        assert_eq!(x.enrollments[0].status, RecordStatus::Active);
        // u3 is tobedeleted, so its enrolment is too.
        assert_eq!(x.enrollments[2].status, RecordStatus::ToBeDeleted);
    }

    #[test]
    fn missing_column_rejects_whole_export() {
        let users = "sourcedId,role,familyName\nu1,student,Lee\n";
        let err = export(ORGS, users, CLASSES, ENROLLMENTS).unwrap_err();
        match &err {
            RosterError::BadHeader { file, missing } => {
                assert_eq!(file, "users.csv");
                assert_eq!(missing, &vec!["givenName".to_owned()]);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("givenName"), "{err}");
        // Later files are checked too, even when earlier ones are fine.
        let err = export(ORGS, USERS, CLASSES, "sourcedId,role\n").unwrap_err();
        assert!(
            matches!(err, RosterError::BadHeader { ref file, .. } if file == "enrollments.csv")
        );
        // An empty file has no header at all.
        let err = export("", USERS, CLASSES, ENROLLMENTS).unwrap_err();
        assert!(matches!(err, RosterError::BadHeader { ref missing, .. } if missing.len() == 3));
    }

    #[test]
    fn column_order_and_case_do_not_matter() {
        let users = " FAMILYNAME ,GivenName,ROLE,SourcedId\nLee,Ann,Student,u1\n";
        let x = ok(
            users,
            "sourcedId,classSourcedId,userSourcedId,role\ne1,c1,u1,student\n",
        );
        assert_eq!(x.problems, vec![]);
        assert_eq!(x.users[0].given_name, "Ann");
        assert_eq!(x.users[0].role, Role::Student);
    }

    #[test]
    fn bad_rows_in_the_middle() {
        let users = "sourcedId,status,role,givenName,familyName\n\
            u1,active,student,Ann,Lee\n\
            ,active,student,No,Id\n\
            u2,active,student,Bob,Ray\n\
            u3,archived,student,Cy,Doe\n\
            u4,active,student,Di,Eve\n";
        let x = ok(users, "sourcedId,classSourcedId,userSourcedId,role\n");
        let ids: Vec<_> = x.users.iter().map(|u| u.sourced_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2", "u4"]);
        assert_eq!(x.problems.len(), 2);
        assert_eq!(
            (x.problems[0].file.as_str(), x.problems[0].line),
            ("users.csv", 3)
        );
        assert!(x.problems[0].reason.contains("sourcedId"));
        assert_eq!(
            (x.problems[1].file.as_str(), x.problems[1].line),
            ("users.csv", 5)
        );
        assert!(x.problems[1].reason.contains("archived"));
        assert_eq!(x.users[2].line, 6);
    }

    #[test]
    fn invalid_utf8_row_is_a_problem() {
        let mut users = b"sourcedId,role,givenName,familyName\nu1,student,Ann,Lee\n".to_vec();
        users.extend_from_slice(b"u2,student,Bj\xF6rn,Berg\nu3,student,Cy,Doe\n");
        let x = parse_export(ExportFiles {
            files: [
                ORGS.as_bytes().to_vec(),
                users,
                CLASSES.as_bytes().to_vec(),
                b"sourcedId,classSourcedId,userSourcedId,role\n".to_vec(),
            ],
            ignored: vec![],
        })
        .unwrap();
        assert_eq!(x.users.len(), 2);
        assert_eq!(x.problems.len(), 1);
        assert_eq!(x.problems[0].line, 3);
        assert!(x.problems[0].reason.contains("UTF-8"));
    }

    #[test]
    fn duplicates_roles_names_and_emails() {
        let users = "sourcedId,role,givenName,familyName,email,enabledUser\n\
            u1,student,Ann,Lee,,\n\
            u1,student,Ann,Again,,\n\
            p1,parent,Pat,Lee,,\n\
            a1,aide,Al,Ide,,\n\
            x1,wizard,X,Y,,\n\
            n1,student,,,,\n\
            t1,student,Tab\tby,Lee,,\n\
            e1,student,Eve,Lee,not-an-email,\n\
            b1,student,Bo,Lee,,maybe\n\
            l1,student,Long,"
            .to_owned()
            + &"x".repeat(201)
            + ",,\n";
        let x = ok(&users, "sourcedId,classSourcedId,userSourcedId,role\n");
        let ids: Vec<_> = x.users.iter().map(|u| u.sourced_id.as_str()).collect();
        assert_eq!(ids, ["u1", "a1", "e1"]);
        assert_eq!(x.users[0].family_name, "Lee");
        assert_eq!(x.users[1].role, Role::Teacher);
        assert_eq!(x.users[2].email, None);
        let lines: Vec<_> = x.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 6, 7, 8, 9, 10, 11]);
        let reasons: Vec<_> = x.problems.iter().map(|p| p.reason.as_str()).collect();
        assert!(reasons[0].starts_with("duplicate sourcedId 'u1'"));
        assert_eq!(reasons[1], "role 'parent' is not imported");
        assert!(reasons[2].contains("wizard"));
        assert!(reasons[3].contains("both empty"));
        assert!(reasons[4].contains("control character"));
        assert!(reasons[5].contains("not-an-email") && reasons[5].contains("ignored"));
        assert!(reasons[6].contains("enabledUser"));
        assert!(reasons[7].contains("201 characters"));
    }

    #[test]
    fn dangling_enrolments_are_problems() {
        let enrollments = "sourcedId,classSourcedId,userSourcedId,role\n\
            e1,c1,u1,student\n\
            e2,c9,u1,student\n\
            e3,c1,u9,student\n\
            e4,c1,u2,guardian\n\
            e5,c1,u2,Aide\n\
            e1,c1,u2,teacher\n";
        let x = ok(USERS, enrollments);
        let ids: Vec<_> = x
            .enrollments
            .iter()
            .map(|e| e.sourced_id.as_str())
            .collect();
        assert_eq!(ids, ["e1", "e5"]);
        assert_eq!(x.enrollments[1].role, EnrollmentRole::Teacher);
        let got: Vec<_> = x
            .problems
            .iter()
            .map(|p| (p.file.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("enrollments.csv", 3),
                ("enrollments.csv", 4),
                ("enrollments.csv", 5),
                ("enrollments.csv", 7)
            ]
        );
        assert!(x.problems[0].reason.contains("class 'c9'"));
        assert!(x.problems[1].reason.contains("user 'u9'"));
        assert!(x.problems[2].reason.contains("guardian"));
        assert!(x.problems[3].reason.contains("duplicate"));
    }

    #[test]
    fn classes_and_orgs_validation() {
        let classes = "sourcedId,title,schoolSourcedId,status\n\
            c1,  7A   Maths ,org-1,Active\n\
            c2,,org-1,\n\
            c3,Art,,\n\
            c4,Old,org-1,tobedeleted\n";
        let x = export(
            "sourcedId,name,type,identifier\norg-1,School,school,ID1\norg-2,,school,\n",
            USERS,
            classes,
            "sourcedId,classSourcedId,userSourcedId,role\ne1,c4,u1,student\n",
        )
        .unwrap();
        assert_eq!(x.orgs.len(), 1);
        assert_eq!(x.orgs[0].identifier.as_deref(), Some("ID1"));
        assert_eq!(x.orgs[0].org_type, "school");
        assert_eq!(x.classes.len(), 2);
        assert_eq!(x.classes[0].title, "7A Maths");
        assert_eq!(x.classes[0].class_code, None);
        assert_eq!(x.classes[1].status, RecordStatus::ToBeDeleted);
        assert_eq!(x.enrollments[0].status, RecordStatus::ToBeDeleted);
        let got: Vec<_> = x
            .problems
            .iter()
            .map(|p| (p.file.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            [("orgs.csv", 3), ("classes.csv", 3), ("classes.csv", 4)]
        );
    }

    #[test]
    fn short_row_losing_required_fields() {
        let users = "sourcedId,role,givenName,familyName,email\nu1,student\nu2,student,Bo,Lee\n";
        let x = ok(users, "sourcedId,classSourcedId,userSourcedId,role\n");
        assert_eq!(x.users.len(), 1);
        assert_eq!(x.users[0].sourced_id, "u2");
        assert_eq!(x.problems.len(), 1);
        assert_eq!(x.problems[0].line, 2);
        assert!(x.problems[0].reason.contains("givenName"));
    }
}
