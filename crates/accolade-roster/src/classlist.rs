//! Teachers' class-list CSVs: header `name,email,class`.

use std::collections::HashSet;

use crate::table::Table;
use crate::text::{clean_name, clean_plain, excerpt, normalise_email, strip_bom, EmailField};
use crate::{ClassList, ClassListRow, RosterError};

/// The exact header a class list must have (case-insensitive, trimmed).
pub(crate) const CLASS_LIST_COLUMNS: [&str; 3] = ["name", "email", "class"];

/// Columns that mark a file as part of a OneRoster export, with the file they suggest.
const ONEROSTER_HINTS: &[(&str, &str)] = &[
    ("givenname", "users.csv"),
    ("usersourcedid", "enrollments.csv"),
    ("schoolsourcedid", "classes.csv"),
    ("sourcedid", "a file"),
    ("propertyname", "manifest.csv"),
];

/// Parses a class list named `file` (used in problems and errors).
pub(crate) fn parse_class_list(file: &str, bytes: &[u8]) -> Result<ClassList, RosterError> {
    if strip_bom(bytes).trim_ascii().is_empty() {
        return Err(RosterError::Empty);
    }
    let table = Table::read(file, bytes)?;
    check_header(&table)?;

    let name_col = table.column("name");
    let email_col = table.column("email");
    let class_col = table.column("class");
    let mut out = ClassList {
        rows: Vec::new(),
        problems: Vec::new(),
        duplicates_merged: 0,
    };
    let mut seen: HashSet<(bool, String, String)> = HashSet::new();
    for row in table.rows(&[]) {
        let row = match row {
            Ok(row) => row,
            Err(p) => {
                out.problems.push(p);
                continue;
            }
        };
        if row.len() > CLASS_LIST_COLUMNS.len() {
            out.problems.push(table.problem(
                row.line,
                format!(
                    "row has {} fields but a class list has 3 (name,email,class); put a name \
                     that contains a comma in double quotes",
                    row.len()
                ),
            ));
            continue;
        }
        let name = match clean_name(row.get(name_col), "name") {
            Ok(n) if n.is_empty() => Err("name is empty".to_owned()),
            other => other,
        };
        let class = match clean_plain(row.get(class_col), "class") {
            Ok(c) if c.is_empty() => Err("class is empty".to_owned()),
            Ok(c) if c.chars().count() > crate::text::MAX_NAME_CHARS => Err(format!(
                "class is longer than {} characters",
                crate::text::MAX_NAME_CHARS
            )),
            other => other,
        };
        let (name, class) = match (name, class) {
            (Ok(n), Ok(c)) => (n, c),
            (Err(e), _) | (_, Err(e)) => {
                out.problems.push(table.problem(row.line, e));
                continue;
            }
        };
        let email = match normalise_email(row.get(email_col)) {
            EmailField::Absent => None,
            EmailField::Valid(e) => Some(e),
            EmailField::Invalid(raw) => {
                out.problems.push(table.problem(
                    row.line,
                    format!(
                        "e-mail '{}' is not a valid address and was ignored; the pupil was \
                         kept without an e-mail",
                        excerpt(&raw)
                    ),
                ));
                None
            }
        };
        let key = match &email {
            // The same pupil may be listed in several classes: one row per (pupil, class).
            Some(e) => (true, e.clone(), class.to_lowercase()),
            None => (false, name.to_lowercase(), class.to_lowercase()),
        };
        if !seen.insert(key) {
            out.duplicates_merged += 1;
            continue;
        }
        out.rows.push(ClassListRow {
            line: row.line,
            name,
            email,
            class,
        });
    }
    Ok(out)
}

/// Accepts exactly `name,email,class`; explains OneRoster files and other headers.
fn check_header(table: &Table) -> Result<(), RosterError> {
    let lower: Vec<String> = table.header.iter().map(|h| h.to_lowercase()).collect();
    if lower.iter().map(String::as_str).eq(CLASS_LIST_COLUMNS) {
        return Ok(());
    }
    if let Some((_, looks_like)) = ONEROSTER_HINTS
        .iter()
        .find(|(col, _)| lower.iter().any(|h| h == col))
    {
        return Err(RosterError::UnknownFormat(format!(
            "{} looks like {looks_like} from a OneRoster export, not a class list; import the \
             whole export folder (or its .zip) instead of a single file",
            table.file
        )));
    }
    let missing = table.missing(&CLASS_LIST_COLUMNS);
    if !missing.is_empty() {
        return Err(RosterError::BadHeader {
            file: table.file.clone(),
            missing,
        });
    }
    Err(RosterError::UnknownFormat(format!(
        "{}: a class list must have exactly the columns name,email,class in that order, \
         but the header is '{}'",
        table.file,
        excerpt(&table.header.join(","))
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ClassList, RosterError> {
        parse_class_list("list.csv", s.as_bytes())
    }

    #[test]
    fn rows_are_cleaned_and_merged() {
        let list = parse(
            "\u{feff} Name , EMAIL ,Class\r\n\
             \"  Ann   Lee \", ANN@X.ORG ,7a \r\n\
             Bob Ray,,7A\r\n\
             ann lee,ann@x.org,7B\r\n\
             BOB   RAY,,7a\r\n\
             Bob Ray,,7B\r\n\
             \"Taylor, Sam\",sam@x.org,7A\r\n",
        )
        .unwrap();
        assert_eq!(list.problems, vec![]);
        // Same e-mail in another class is another membership, not a duplicate.
        assert_eq!(list.duplicates_merged, 1);
        let got: Vec<_> = list
            .rows
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.name.as_str(),
                    r.email.as_deref(),
                    r.class.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "Ann Lee", Some("ann@x.org"), "7a"),
                (3, "Bob Ray", None, "7A"),
                (4, "ann lee", Some("ann@x.org"), "7B"),
                (6, "Bob Ray", None, "7B"),
                (7, "Taylor, Sam", Some("sam@x.org"), "7A"),
            ]
        );
    }

    #[test]
    fn bad_rows_are_problems() {
        let list = parse(
            "name,email,class\n\
             ,a@x.org,7A\n\
             Ann,b@x.org,\n\
             Bo,bad-mail,7A\n\
             Sam Taylor, Jr.,s@x.org,7A\n\
             Cy\u{7},c@x.org,7A\n\
             Di\n\
             Ed,e@x.org,7A\n",
        )
        .unwrap();
        let names: Vec<_> = list.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Bo", "Ed"]);
        assert_eq!(list.rows[0].email, None);
        let lines: Vec<_> = list.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7]);
        assert!(list.problems.iter().all(|p| p.file == "list.csv"));
        assert!(list.problems[0].reason.contains("name is empty"));
        assert!(list.problems[1].reason.contains("class is empty"));
        assert!(list.problems[2].reason.contains("bad-mail"));
        assert!(list.problems[3].reason.contains("4 fields"));
        assert!(list.problems[4].reason.contains("control"));
        assert!(list.problems[5].reason.contains("class is empty"));
    }

    #[test]
    fn headers() {
        assert!(matches!(parse(""), Err(RosterError::Empty)));
        assert!(matches!(parse("\u{feff}\r\n  \n"), Err(RosterError::Empty)));
        let err = parse("name,mail,class\nA,a@x.org,7A\n").unwrap_err();
        assert!(
            matches!(&err, RosterError::BadHeader { missing, .. } if missing == &["email"]),
            "{err:?}"
        );
        let err = parse("email,name,class\n").unwrap_err();
        assert!(matches!(err, RosterError::UnknownFormat(_)), "{err:?}");
        let err = parse("sourcedId,status,role,givenName,familyName\n").unwrap_err();
        match err {
            RosterError::UnknownFormat(m) => {
                assert!(m.contains("users.csv") && m.contains("folder"))
            }
            other => panic!("{other:?}"),
        }
        // Header only: an empty but valid list.
        let list = parse("name,email,class\n").unwrap();
        assert!(list.rows.is_empty() && list.problems.is_empty());
    }
}
