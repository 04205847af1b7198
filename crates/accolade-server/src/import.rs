//! Applies a parsed roster ([`accolade_roster::RosterSource`]) to one school, in one write
//! transaction: a file rejected as a whole changes nothing; bad rows are reported and skipped.
//!
//! OneRoster records are keyed by `sourcedId`, so re-importing the same or a newer export
//! updates in place and never duplicates. Class lists are keyed by e-mail (or, without e-mail,
//! by name within the class) and classes by title or class code, case-insensitively.

use std::collections::{HashMap, HashSet};

use accolade_db::entities::{classes, users};
use accolade_db::schools::School;
use accolade_db::{audit, Db, WriteTxn};
use accolade_proto::{ImportProblem, ImportReport};
use accolade_roster::{
    ClassList, EnrollmentRole, OneRosterExport, RecordStatus, RosterSource, RosterUser,
};
use uuid::Uuid;

use crate::error::ApiError;
use crate::validate;

/// The display name Accolade derives from roster names. Students get their given name and
/// family initial ("Amira K.") so that nothing more identifying is shown to others by default;
/// staff get their full name.
pub fn derive_display_name(role: &str, given: &str, family: &str) -> String {
    let given = given.trim();
    let family = family.trim();
    let name = if role == "student" {
        match family.chars().next() {
            Some(initial) if !given.is_empty() => format!("{given} {initial}."),
            Some(_) => family.to_owned(),
            None => given.to_owned(),
        }
    } else {
        format!("{given} {family}").trim().to_owned()
    };
    let name: String = name.chars().take(100).collect();
    if name.is_empty() {
        "Student".to_owned()
    } else {
        name
    }
}

/// Picks a free handle starting from `base` (adding a short random suffix), also avoiding
/// `reserved_in_batch`.
pub async fn unique_handle(
    txn: &WriteTxn,
    base: &str,
    reserved_in_batch: &mut HashSet<String>,
) -> Result<String, ApiError> {
    for attempt in 0..20 {
        let candidate = if attempt == 0 && base.len() >= 5 {
            base.to_owned()
        } else {
            let suffix: String = crate::cards::random_crockford(4).to_lowercase();
            let mut b = base.to_owned();
            b.truncate(24);
            format!("{}-{suffix}", b.trim_end_matches('-'))
        };
        if reserved_in_batch.contains(&candidate) || validate::handle(&candidate).is_err() {
            continue;
        }
        if !accolade_db::users::handle_taken(&**txn, &candidate).await? {
            reserved_in_batch.insert(candidate.clone());
            return Ok(candidate);
        }
    }
    Err(ApiError::Internal("could not find a free handle".into()))
}

/// Imports `source` into `school`, recording `roster.import` in the audit log.
pub async fn apply(
    db: &Db,
    school: &School,
    source: RosterSource,
    actor: Option<Uuid>,
) -> Result<ImportReport, ApiError> {
    let txn = db.begin_write().await?;
    let (report, kind) = match source {
        RosterSource::OneRoster(export) => {
            (apply_oneroster(&txn, school, export).await?, "oneroster")
        }
        RosterSource::ClassList(list) => (apply_classlist(&txn, school, list).await?, "classlist"),
    };
    audit::record(
        &*txn,
        audit::Record {
            school_id: school.id,
            actor_id: actor,
            action: "roster.import",
            target_type: "school",
            target_id: Some(school.id.to_string()),
            before: None,
            after: Some(serde_json::json!({
                "format": kind,
                "users": report.users,
                "classes": report.classes,
                "enrollments": report.enrollments,
                "problems": report.problems.len(),
            })),
        },
    )
    .await?;
    crate::notify::roster_imported(&txn, school.id, &report).await?;
    txn.commit().await?;
    Ok(report)
}

fn problem(report: &mut ImportReport, file: &str, line: u64, reason: impl Into<String>) {
    report.problems.push(ImportProblem {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    });
}

async fn apply_oneroster(
    txn: &WriteTxn,
    school: &School,
    export: OneRosterExport,
) -> Result<ImportReport, ApiError> {
    let mut report = ImportReport {
        problems: export.problems.clone(),
        ignored_files: export.ignored_files.clone(),
        ..Default::default()
    };

    // Which org in the export is this school? Bind on first import, check afterwards.
    let school_orgs: Vec<_> = export
        .orgs
        .iter()
        .filter(|o| o.org_type.eq_ignore_ascii_case("school"))
        .collect();
    let org_id = match &school.sourced_id {
        Some(bound) => {
            if !export.orgs.iter().any(|o| &o.sourced_id == bound) {
                return Err(ApiError::RosterRejected(format!(
                    "this export does not contain this school's organisation ({bound}); \
                     it looks like another school's roster"
                )));
            }
            bound.clone()
        }
        None => match school_orgs.as_slice() {
            [only] => {
                let mut s = school.clone();
                s.sourced_id = Some(only.sourced_id.clone());
                accolade_db::schools::save(&**txn, s).await?;
                only.sourced_id.clone()
            }
            [] => {
                return Err(ApiError::RosterRejected(
                    "orgs.csv has no organisation of type school".into(),
                ))
            }
            _ => {
                return Err(ApiError::RosterRejected(
                    "orgs.csv has several schools; import one school's export at a time".into(),
                ))
            }
        },
    };

    // Users.
    let existing = accolade_db::users::all_in_school(&**txn, school.id).await?;
    let mut by_sourced: HashMap<String, users::Model> = existing
        .iter()
        .filter_map(|u| u.sourced_id.clone().map(|s| (s, u.clone())))
        .collect();
    let mut emails_in_use: HashMap<String, Uuid> = existing
        .iter()
        .filter_map(|u| u.email.clone().map(|e| (e, u.id)))
        .collect();
    let mut handles = HashSet::new();
    let mut user_ids: HashMap<String, Uuid> = HashMap::new();
    let mut inactive_users: HashSet<String> = HashSet::new();

    for ru in &export.users {
        if !ru.org_sourced_ids.is_empty() && !ru.org_sourced_ids.iter().any(|o| o == &org_id) {
            problem(
                &mut report,
                "users.csv",
                ru.line,
                format!(
                    "user {} does not belong to this school's organisation",
                    ru.sourced_id
                ),
            );
            report.users.skipped += 1;
            continue;
        }
        let remove = ru.status == RecordStatus::ToBeDeleted || !ru.enabled;
        match by_sourced.get(&ru.sourced_id).cloned() {
            Some(current) if remove => {
                inactive_users.insert(ru.sourced_id.clone());
                if current.active {
                    deactivate(txn, &current).await?;
                    report.users.updated += 1;
                } else {
                    report.users.skipped += 1;
                }
            }
            None if remove => {
                inactive_users.insert(ru.sourced_id.clone());
                report.users.skipped += 1;
            }
            Some(current) => {
                let updated =
                    update_user(txn, &mut report, current, ru, &mut emails_in_use).await?;
                user_ids.insert(ru.sourced_id.clone(), updated.0.id);
                if updated.1 {
                    report.users.updated += 1;
                } else {
                    report.users.skipped += 1;
                }
                by_sourced.insert(ru.sourced_id.clone(), updated.0);
            }
            None => {
                let mut email = ru.email.clone();
                if let Some(e) = &email {
                    if emails_in_use.contains_key(e) {
                        problem(
                            &mut report,
                            "users.csv",
                            ru.line,
                            format!(
                            "e-mail {e} is already used by another user; imported without e-mail"
                        ),
                        );
                        email = None;
                    }
                }
                let role = ru.role.as_str();
                let base = validate::handle_base(&ru.given_name, &ru.family_name);
                let handle = unique_handle(txn, &base, &mut handles).await?;
                let created = accolade_db::users::create(
                    &**txn,
                    accolade_db::users::NewUser {
                        school_id: school.id,
                        role: role.to_owned(),
                        display_name: derive_display_name(role, &ru.given_name, &ru.family_name),
                        given_name: non_empty(&ru.given_name),
                        family_name: non_empty(&ru.family_name),
                        email: email.clone(),
                        handle,
                        grade: ru.grades.clone(),
                        sourced_id: Some(ru.sourced_id.clone()),
                        password_hash: None,
                    },
                )
                .await?;
                if let Some(e) = email {
                    emails_in_use.insert(e, created.id);
                }
                user_ids.insert(ru.sourced_id.clone(), created.id);
                by_sourced.insert(ru.sourced_id.clone(), created);
                report.users.created += 1;
            }
        }
    }
    // Users not in this export but known from earlier imports keep their ids for enrolments.
    for (sid, u) in &by_sourced {
        if u.active && !inactive_users.contains(sid) {
            user_ids.entry(sid.clone()).or_insert(u.id);
        }
    }

    // Classes.
    let existing_classes = accolade_db::classes::all_in_school(&**txn, school.id).await?;
    let mut class_by_sourced: HashMap<String, classes::Model> = existing_classes
        .into_iter()
        .filter_map(|c| c.sourced_id.clone().map(|s| (s, c)))
        .collect();
    let mut class_ids: HashMap<String, Uuid> = HashMap::new();
    for rc in &export.classes {
        if rc.school_sourced_id != org_id {
            problem(
                &mut report,
                "classes.csv",
                rc.line,
                format!("class {} belongs to another organisation", rc.sourced_id),
            );
            report.classes.skipped += 1;
            continue;
        }
        let active = rc.status != RecordStatus::ToBeDeleted;
        match class_by_sourced.get(&rc.sourced_id).cloned() {
            Some(current) => {
                if current.title != rc.title
                    || current.class_code != rc.class_code
                    || current.active != active
                {
                    let mut c = current.clone();
                    c.title = rc.title.clone();
                    c.class_code = rc.class_code.clone();
                    c.active = active;
                    let saved = accolade_db::classes::save(&**txn, c).await?;
                    class_by_sourced.insert(rc.sourced_id.clone(), saved);
                    report.classes.updated += 1;
                } else {
                    report.classes.skipped += 1;
                }
                if active {
                    class_ids.insert(rc.sourced_id.clone(), current.id);
                }
            }
            None if !active => report.classes.skipped += 1,
            None => {
                let c = accolade_db::classes::create(
                    &**txn,
                    school.id,
                    rc.title.clone(),
                    rc.class_code.clone(),
                    Some(rc.sourced_id.clone()),
                )
                .await?;
                class_ids.insert(rc.sourced_id.clone(), c.id);
                class_by_sourced.insert(rc.sourced_id.clone(), c);
                report.classes.created += 1;
            }
        }
    }
    for (sid, c) in &class_by_sourced {
        if c.active {
            class_ids.entry(sid.clone()).or_insert(c.id);
        }
    }

    // Enrolments.
    let existing_enr = accolade_db::classes::enrollments_in_school(&**txn, school.id).await?;
    let mut enr: HashMap<(Uuid, Uuid), String> = existing_enr
        .into_iter()
        .map(|e| ((e.class_id, e.user_id), e.role))
        .collect();
    for re in &export.enrollments {
        let remove =
            re.status == RecordStatus::ToBeDeleted || inactive_users.contains(&re.user_sourced_id);
        let (Some(&class_id), Some(&user_id)) = (
            class_ids.get(&re.class_sourced_id),
            user_ids.get(&re.user_sourced_id),
        ) else {
            if !remove {
                problem(
                    &mut report,
                    "enrollments.csv",
                    re.line,
                    format!(
                        "enrolment {} refers to a class or user that was not imported",
                        re.sourced_id
                    ),
                );
            }
            report.enrollments.skipped += 1;
            continue;
        };
        if remove {
            if accolade_db::classes::unenroll(&**txn, school.id, class_id, user_id).await? {
                enr.remove(&(class_id, user_id));
                report.enrollments.updated += 1;
            } else {
                report.enrollments.skipped += 1;
            }
            continue;
        }
        let role = match re.role {
            EnrollmentRole::Student => "student",
            EnrollmentRole::Teacher => "teacher",
        };
        match enr.get(&(class_id, user_id)) {
            Some(r) if r == role => report.enrollments.skipped += 1,
            Some(_) => {
                accolade_db::classes::enroll(
                    &**txn,
                    school.id,
                    class_id,
                    user_id,
                    role,
                    Some(re.sourced_id.clone()),
                )
                .await?;
                enr.insert((class_id, user_id), role.to_owned());
                report.enrollments.updated += 1;
            }
            None => {
                accolade_db::classes::enroll(
                    &**txn,
                    school.id,
                    class_id,
                    user_id,
                    role,
                    Some(re.sourced_id.clone()),
                )
                .await?;
                enr.insert((class_id, user_id), role.to_owned());
                report.enrollments.created += 1;
            }
        }
    }
    Ok(report)
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

async fn deactivate(txn: &WriteTxn, user: &users::Model) -> Result<(), ApiError> {
    let mut u = user.clone();
    u.active = false;
    accolade_db::users::save(&**txn, u).await?;
    accolade_db::classes::unenroll_all(&**txn, user.id).await?;
    accolade_db::auth::revoke_all_for_user(&**txn, user.id, "deactivated").await?;
    accolade_db::cards::revoke_unused(&**txn, user.id).await?;
    Ok(())
}

/// Applies roster fields to an existing user; returns the saved row and whether it changed.
async fn update_user(
    txn: &WriteTxn,
    report: &mut ImportReport,
    current: users::Model,
    ru: &RosterUser,
    emails_in_use: &mut HashMap<String, Uuid>,
) -> Result<(users::Model, bool), ApiError> {
    let mut u = current.clone();
    let role = ru.role.as_str();
    let old_derived = derive_display_name(
        &current.role,
        current.given_name.as_deref().unwrap_or(""),
        current.family_name.as_deref().unwrap_or(""),
    );
    // Keep a display name the user chose themselves; follow the roster otherwise.
    if current.display_name == old_derived {
        u.display_name = derive_display_name(role, &ru.given_name, &ru.family_name);
    }
    u.role = role.to_owned();
    u.given_name = non_empty(&ru.given_name);
    u.family_name = non_empty(&ru.family_name);
    u.grade = ru.grades.clone();
    u.active = true;
    if ru.email != current.email {
        match &ru.email {
            Some(e)
                if emails_in_use
                    .get(e)
                    .is_some_and(|owner| *owner != current.id) =>
            {
                problem(
                    report,
                    "users.csv",
                    ru.line,
                    format!("e-mail {e} is already used by another user; e-mail not changed"),
                );
            }
            new => {
                if let Some(old) = &current.email {
                    emails_in_use.remove(old);
                }
                if let Some(e) = new {
                    emails_in_use.insert(e.clone(), current.id);
                }
                u.email = new.clone();
            }
        }
    }
    if u == current {
        return Ok((current, false));
    }
    let saved = accolade_db::users::save(&**txn, u).await?;
    Ok((saved, true))
}

async fn apply_classlist(
    txn: &WriteTxn,
    school: &School,
    list: ClassList,
) -> Result<ImportReport, ApiError> {
    let mut report = ImportReport {
        problems: list.problems.clone(),
        ..Default::default()
    };
    report.users.skipped += list.duplicates_merged;
    let file = "class list";
    let mut classes_by_key: HashMap<String, classes::Model> = HashMap::new();
    for c in accolade_db::classes::all_in_school(&**txn, school.id).await? {
        if !c.active {
            continue;
        }
        classes_by_key
            .entry(c.title.to_lowercase())
            .or_insert_with(|| c.clone());
        if let Some(code) = &c.class_code {
            classes_by_key.entry(code.to_lowercase()).or_insert(c);
        }
    }
    let mut handles = HashSet::new();
    let mut created_classes: HashSet<Uuid> = HashSet::new();
    for row in &list.rows {
        let key = row.class.to_lowercase();
        let class = match classes_by_key.get(&key) {
            Some(c) => {
                if !created_classes.contains(&c.id) {
                    report.classes.skipped += 1;
                    created_classes.insert(c.id);
                }
                c.clone()
            }
            None => {
                let title = match validate::text("class", &row.class, 200) {
                    Ok(t) => t,
                    Err(_) => {
                        problem(&mut report, file, row.line, "class name is not valid");
                        report.users.skipped += 1;
                        continue;
                    }
                };
                let c = accolade_db::classes::create(&**txn, school.id, title, None, None).await?;
                created_classes.insert(c.id);
                classes_by_key.insert(key, c.clone());
                report.classes.created += 1;
                c
            }
        };
        let (given, family) = match row.name.split_once(' ') {
            Some((g, f)) => (g.to_owned(), f.to_owned()),
            None => (row.name.clone(), String::new()),
        };
        // Match by e-mail first, then by name among the class's students.
        let mut existing = match &row.email {
            Some(e) => accolade_db::users::by_email(&**txn, school.id, e).await?,
            None => None,
        };
        if existing.is_none() {
            let members = accolade_db::classes::members(&**txn, school.id, class.id).await?;
            existing = members.into_iter().map(|(u, _)| u).find(|u| {
                let full = format!(
                    "{} {}",
                    u.given_name.as_deref().unwrap_or(""),
                    u.family_name.as_deref().unwrap_or("")
                );
                full.trim().to_lowercase() == row.name.to_lowercase()
                    && (row.email.is_none() || u.email == row.email)
            });
        }
        let user = match existing {
            Some(u) => {
                if u.role != "student" {
                    problem(
                        &mut report,
                        file,
                        row.line,
                        "this e-mail belongs to a staff member",
                    );
                    report.users.skipped += 1;
                    continue;
                }
                report.users.skipped += 1;
                u
            }
            None => {
                let base = validate::handle_base(&given, &family);
                let handle = unique_handle(txn, &base, &mut handles).await?;
                let u = accolade_db::users::create(
                    &**txn,
                    accolade_db::users::NewUser {
                        school_id: school.id,
                        role: "student".into(),
                        display_name: derive_display_name("student", &given, &family),
                        given_name: non_empty(&given),
                        family_name: non_empty(&family),
                        email: row.email.clone(),
                        handle,
                        grade: None,
                        sourced_id: None,
                        password_hash: None,
                    },
                )
                .await?;
                report.users.created += 1;
                u
            }
        };
        if accolade_db::classes::enroll(&**txn, school.id, class.id, user.id, "student", None)
            .await?
        {
            report.enrollments.created += 1;
        } else {
            report.enrollments.skipped += 1;
        }
    }
    Ok(report)
}
