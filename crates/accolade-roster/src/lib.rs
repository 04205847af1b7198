//! Roster parsing for Accolade: OneRoster 1.1 CSV bulk exports and teachers' class lists.
//!
//! This crate is pure parsing — no database, no network. It turns
//!
//! 1. a **OneRoster 1.1 CSV** export (a folder, or a `.zip` of one) into an
//!    [`OneRosterExport`]: `orgs.csv`, `users.csv`, `classes.csv` and `enrollments.csv` are
//!    read, any other file is listed in [`OneRosterExport::ignored_files`];
//! 2. a **class list** CSV with the header `name,email,class` into a [`ClassList`].
//!
//! Whole-file failures (a missing file, a header without a required column, an unreadable
//! archive) are [`RosterError`]s and nothing is imported. Bad *rows* are reported as
//! [`ImportProblem`]s (file name plus 1-based line number, header = line 1) and the rest of the
//! file is still parsed.
//!
//! CSV handling follows RFC 4180 via the `csv` crate: quoted fields may contain commas and line
//! breaks, CRLF and LF line ends both work, a UTF-8 byte-order mark is stripped, headers are
//! matched by name case-insensitively after trimming (column order may vary), and fully blank
//! lines are skipped.

use std::path::Path;

pub use accolade_proto::ImportProblem;
pub use accolade_proto::Role;

mod classlist;
mod oneroster;
mod source;
mod table;
mod text;

/// Most entries (files and folders) accepted in a zip archive.
pub const MAX_ZIP_ENTRIES: usize = 64;

/// Largest accepted size of one file, in bytes (50 MiB): a zip entry's declared and actual
/// uncompressed size, a file in an export folder, or a class-list CSV.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Largest accepted total size of an export, in bytes (200 MiB): the sum of a zip's declared
/// uncompressed sizes, of the bytes actually unpacked, or of a folder's four files; also the
/// largest `.zip` file [`load_path`] will open.
pub const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;

/// File name used in [`ImportProblem::file`] and errors for a class list given to
/// [`load_bytes`], which has no file name of its own.
pub const UPLOADED_CLASS_LIST_NAME: &str = "class-list.csv";

/// What a roster file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterSource {
    /// A OneRoster 1.1 CSV bulk export (folder or zip).
    OneRoster(OneRosterExport),
    /// A teacher's class list (`name,email,class`).
    ClassList(ClassList),
}

/// Loads a roster from disk, choosing the format from the path.
///
/// - a directory → OneRoster export folder (the four files must sit directly inside it);
/// - `*.zip` (case-insensitive) → OneRoster export archive, see [`load_bytes`];
/// - `*.csv` → class list with the header `name,email,class`. A file from a OneRoster export
///   (e.g. `users.csv`) is refused with [`RosterError::UnknownFormat`] telling the user to pass
///   the whole folder instead.
///
/// Errors: [`RosterError::Io`] if the path cannot be read or a file exceeds
/// [`MAX_FILE_BYTES`] (a `.zip`: [`MAX_TOTAL_BYTES`]); [`RosterError::UnknownFormat`] for any
/// other extension; otherwise as for the format chosen.
pub fn load_path(path: &Path) -> Result<RosterSource, RosterError> {
    let meta = std::fs::metadata(path).map_err(|source| RosterError::Io {
        path: path.display().to_string(),
        source,
    })?;
    if meta.is_dir() {
        let files = source::export_from_dir(path)?;
        return oneroster::parse_export(files).map(RosterSource::OneRoster);
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "zip" => {
            let bytes = source::read_capped(path, MAX_TOTAL_BYTES)?;
            let files = source::export_from_zip(&bytes)?;
            oneroster::parse_export(files).map(RosterSource::OneRoster)
        }
        "csv" => {
            let bytes = source::read_capped(path, MAX_FILE_BYTES)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            classlist::parse_class_list(&name, &bytes).map(RosterSource::ClassList)
        }
        _ => Err(RosterError::UnknownFormat(format!(
            "{} is not a OneRoster export folder, a .zip of one, or a .csv class list",
            path.display()
        ))),
    }
}

/// Loads a roster from uploaded bytes.
///
/// Bytes starting with the zip magic `PK\x03\x04` (or `PK\x05\x06`, an empty archive) are a
/// OneRoster export archive: the four files are found by file name anywhere inside it (they
/// may sit in a sub-folder), directory entries, `__MACOSX/` and hidden files are skipped, and
/// every other file name is listed in [`OneRosterExport::ignored_files`]. Archive limits:
/// [`MAX_ZIP_ENTRIES`], [`MAX_FILE_BYTES`] per entry and [`MAX_TOTAL_BYTES`] in total, checked
/// against the declared sizes and the bytes actually unpacked.
///
/// Anything else is a class-list CSV named [`UPLOADED_CLASS_LIST_NAME`] in problems.
///
/// Errors: [`RosterError::Empty`] for no bytes; [`RosterError::Zip`] for a damaged, oversized
/// or ambiguous archive; otherwise as for the format.
pub fn load_bytes(bytes: &[u8]) -> Result<RosterSource, RosterError> {
    if bytes.is_empty() {
        return Err(RosterError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let files = source::export_from_zip(bytes)?;
        return oneroster::parse_export(files).map(RosterSource::OneRoster);
    }
    classlist::parse_class_list(UPLOADED_CLASS_LIST_NAME, bytes).map(RosterSource::ClassList)
}

/// OneRoster `status` of a record (OneRoster 1.1 CSV §2.1 "status"): `active` or
/// `tobedeleted`, case-insensitive. An empty field is [`RecordStatus::Active`] (delta exports
/// may omit it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RecordStatus {
    /// `active` (or empty): the record exists.
    #[default]
    Active,
    /// `tobedeleted`: the source system has removed the record.
    ToBeDeleted,
}

impl RecordStatus {
    /// OneRoster wire form: `"active"` or `"tobedeleted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Active => "active",
            RecordStatus::ToBeDeleted => "tobedeleted",
        }
    }
}

/// A parsed OneRoster 1.1 CSV bulk export. Records keep file order; rows that could not be
/// used are left out and described in `problems`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneRosterExport {
    /// Rows of `orgs.csv` (OneRoster 1.1 CSV §orgs.csv).
    pub orgs: Vec<RosterOrg>,
    /// Rows of `users.csv` with an imported role (OneRoster 1.1 CSV §users.csv).
    pub users: Vec<RosterUser>,
    /// Rows of `classes.csv` (OneRoster 1.1 CSV §classes.csv).
    pub classes: Vec<RosterClass>,
    /// Rows of `enrollments.csv` whose class and user are both in the export
    /// (OneRoster 1.1 CSV §enrollments.csv).
    pub enrollments: Vec<RosterEnrollment>,
    /// Rows that were skipped, or kept with a caveat (an invalid e-mail dropped), with the file
    /// name (`"users.csv"`) and 1-based line (header = line 1); sorted by file
    /// (orgs, users, classes, enrollments) then line.
    pub problems: Vec<ImportProblem>,
    /// Other files in the export, e.g. `["academicSessions.csv", "courses.csv",
    /// "manifest.csv"]`: bare file names, sorted, without duplicates.
    pub ignored_files: Vec<String>,
}

/// One organisation (school, district …) from `orgs.csv` (OneRoster 1.1 CSV §orgs.csv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterOrg {
    /// 1-based line in `orgs.csv` where the row starts.
    pub line: u64,
    /// `sourcedId`: the SIS's stable id, non-empty, trimmed.
    pub sourced_id: String,
    /// `status`.
    pub status: RecordStatus,
    /// `name`: trimmed, inner whitespace collapsed, 1–200 characters.
    pub name: String,
    /// `type` as given (trimmed), e.g. `"school"`, `"district"`; non-empty.
    pub org_type: String,
    /// `identifier` (e.g. a national school number); `None` when empty.
    pub identifier: Option<String>,
}

/// One person from `users.csv` (OneRoster 1.1 CSV §users.csv).
///
/// Roles: `administrator` → [`Role::Admin`], `teacher` and `aide` → [`Role::Teacher`],
/// `student` → [`Role::Student`]; rows with `parent`, `guardian`, `relative` or `proctor` are
/// skipped with the problem "role 'parent' is not imported".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterUser {
    /// 1-based line in `users.csv` where the row starts.
    pub line: u64,
    /// `sourcedId`: the SIS's stable id, non-empty, trimmed.
    pub sourced_id: String,
    /// `status`.
    pub status: RecordStatus,
    /// `enabledUser`: `true`/`false`, case-insensitive; empty = `true`.
    pub enabled: bool,
    /// `orgSourcedIds`: comma-separated inside the field, each trimmed, empties dropped.
    pub org_sourced_ids: Vec<String>,
    /// `role`, mapped as described on the type.
    pub role: Role,
    /// `username`; `None` when empty.
    pub username: Option<String>,
    /// `givenName`: trimmed, inner whitespace collapsed, ≤ 200 characters, may be empty if
    /// `family_name` is not.
    pub given_name: String,
    /// `familyName`: as `given_name`.
    pub family_name: String,
    /// `email`: trimmed and lower-cased; `None` when empty, or when it is not a plausible
    /// address (then a problem notes that it was ignored, and the user is still imported).
    pub email: Option<String>,
    /// `grades`: the first grade if several are listed (e.g. `"07"`); `None` when empty.
    pub grades: Option<String>,
}

/// One class from `classes.csv` (OneRoster 1.1 CSV §classes.csv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterClass {
    /// 1-based line in `classes.csv` where the row starts.
    pub line: u64,
    /// `sourcedId`: the SIS's stable id, non-empty, trimmed.
    pub sourced_id: String,
    /// `status`.
    pub status: RecordStatus,
    /// `title`: trimmed, inner whitespace collapsed, 1–200 characters, e.g. `"7A Homeroom"`.
    pub title: String,
    /// `classCode`, e.g. `"7A"`; `None` when empty.
    pub class_code: Option<String>,
    /// `schoolSourcedId`: the org the class belongs to; non-empty.
    pub school_sourced_id: String,
}

/// Role of a user within one class (OneRoster 1.1 CSV §enrollments.csv `role`):
/// `teacher`, `aide` and `administrator` → [`EnrollmentRole::Teacher`], `student` →
/// [`EnrollmentRole::Student`]; any other role makes the row a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnrollmentRole {
    /// A pupil in the class.
    Student,
    /// Someone who teaches or supports the class.
    Teacher,
}

impl EnrollmentRole {
    /// Lower-case form: `"student"` or `"teacher"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentRole::Student => "student",
            EnrollmentRole::Teacher => "teacher",
        }
    }
}

/// One enrolment from `enrollments.csv` (OneRoster 1.1 CSV §enrollments.csv). Both referenced
/// records exist in the same export (otherwise the row is a problem instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEnrollment {
    /// 1-based line in `enrollments.csv` where the row starts.
    pub line: u64,
    /// `sourcedId`: the SIS's stable id, non-empty, trimmed.
    pub sourced_id: String,
    /// `status`; forced to [`RecordStatus::ToBeDeleted`] when the user or the class is
    /// `tobedeleted`.
    pub status: RecordStatus,
    /// `classSourcedId`: a [`RosterClass::sourced_id`] in the same export.
    pub class_sourced_id: String,
    /// `userSourcedId`: a [`RosterUser::sourced_id`] in the same export.
    pub user_sourced_id: String,
    /// `role` within the class.
    pub role: EnrollmentRole,
}

/// A parsed teacher's class list (CSV with the exact header `name,email,class`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassList {
    /// Distinct pupils in file order (the first occurrence of each duplicate is kept).
    pub rows: Vec<ClassListRow>,
    /// Rows skipped (empty name or class, wrong field count, invalid UTF-8 …) or kept with a
    /// caveat (an invalid e-mail dropped), with file name and 1-based line.
    pub problems: Vec<ImportProblem>,
    /// Rows dropped as duplicates of an earlier row: same class and the same e-mail when
    /// there is one, otherwise the same name (all case-insensitive).
    pub duplicates_merged: u64,
}

/// One pupil from a class list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassListRow {
    /// 1-based line in the file where the row starts (header = line 1).
    pub line: u64,
    /// `name`: trimmed, inner whitespace collapsed, 1–200 characters.
    pub name: String,
    /// `email`: trimmed, lower-cased; `None` when empty or not a plausible address.
    pub email: Option<String>,
    /// `class`: trimmed, case kept as written, 1–200 characters (matching to a class is the
    /// importer's job).
    pub class: String,
}

/// Why a roster could not be read at all. Messages are written for a school administrator.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The file or folder could not be read, or a file is larger than the size limit.
    #[error("could not read {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A required OneRoster file (e.g. `"users.csv"`) is not in the export.
    #[error(
        "the OneRoster export has no {0}; export orgs.csv, users.csv, classes.csv and \
         enrollments.csv together"
    )]
    MissingFile(String),
    /// The header row of `file` lacks required columns; nothing was imported.
    #[error(
        "{file}: the header row is missing the required column(s) {}; nothing was imported",
        .missing.join(", ")
    )]
    BadHeader {
        /// File name, e.g. `"users.csv"`.
        file: String,
        /// Absent column names, as the specification spells them, e.g. `["givenName"]`.
        missing: Vec<String>,
    },
    /// The header row of `file` is not valid UTF-8.
    #[error(
        "{file}, line {line}: the file is not UTF-8 text; save it as \"CSV UTF-8\" and try again"
    )]
    NotUtf8 {
        /// File name.
        file: String,
        /// 1-based line of the header row.
        line: u64,
    },
    /// The zip archive is damaged, too large, has too many entries, or holds two exports.
    #[error("the zip archive cannot be used: {0}")]
    Zip(String),
    /// The file or upload is empty.
    #[error("the file is empty")]
    Empty,
    /// Neither a OneRoster export nor a class list; the message says what was expected.
    #[error("{0}")]
    UnknownFormat(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes (64-bit LCG, Knuth's MMIX constants).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn byte(&mut self) -> u8 {
            (self.next() & 0xFF) as u8
        }
    }

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, data) in files {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    const ORGS: &[u8] = b"sourcedId,name,type\norg-1,School,school\n";
    const USERS: &[u8] = b"sourcedId,role,givenName,familyName\nu1,student,Ann,Lee\n";
    const CLASSES: &[u8] = b"sourcedId,title,schoolSourcedId\nc1,7A,org-1\n";
    const ENROLLMENTS: &[u8] = b"sourcedId,classSourcedId,userSourcedId,role\ne1,c1,u1,student\n";

    fn valid_zip() -> Vec<u8> {
        zip_of(&[
            ("x/orgs.csv", ORGS),
            ("x/users.csv", USERS),
            ("x/classes.csv", CLASSES),
            ("x/enrollments.csv", ENROLLMENTS),
            ("x/manifest.csv", b"propertyName,value\n"),
            ("__MACOSX/x/._users.csv", b"\x00\x05\x16\x07"),
            ("x/.DS_Store", b"junk"),
        ])
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = Lcg(0x5eed);
        let zip = valid_zip();
        let csv = b"name,email,class\n\"A, B\",a@b.c,7A\n".to_vec();
        let alphabet: &[u8] =
            b",\"\r\n @.abcEMAILnameclass\xEF\xBB\xBF\xFF\x00\tu1c1org-1studentactivetobedeleted";
        for round in 0..4000 {
            let len = (rng.next() % 600) as usize;
            let mut bytes: Vec<u8> = match round % 5 {
                // Pure noise.
                0 => (0..len).map(|_| rng.byte()).collect(),
                // Noise behind the zip magic.
                1 => b"PK\x03\x04"
                    .iter()
                    .copied()
                    .chain((0..len).map(|_| rng.byte()))
                    .collect(),
                // A valid zip with a few bytes flipped, or truncated.
                2 => {
                    let mut z = zip.clone();
                    for _ in 0..(1 + rng.next() % 8) {
                        let i = (rng.next() as usize) % z.len();
                        z[i] = rng.byte();
                    }
                    if rng.byte() < 85 {
                        z.truncate((rng.next() as usize) % z.len());
                    }
                    z
                }
                // A class list followed by CSV-ish noise from a delimiter-heavy alphabet.
                3 => {
                    let mut v = csv.clone();
                    v.extend((0..len).map(|_| alphabet[(rng.next() as usize) % alphabet.len()]));
                    v
                }
                // A zipped export whose files have valid headers and noisy bodies.
                _ => {
                    let mut noisy = |header: &[u8]| {
                        let mut v = header.to_vec();
                        let n = (rng.next() % 300) as usize;
                        v.extend((0..n).map(|_| alphabet[(rng.next() as usize) % alphabet.len()]));
                        v
                    };
                    let files = [
                        noisy(&ORGS[..ORGS.len() / 2]),
                        noisy(USERS),
                        noisy(CLASSES),
                        noisy(ENROLLMENTS),
                    ];
                    zip_of(&[
                        ("orgs.csv", &files[0]),
                        ("users.csv", &files[1]),
                        ("classes.csv", &files[2]),
                        ("enrollments.csv", &files[3]),
                    ])
                }
            };
            if rng.byte() < 36 {
                bytes.insert(0, 0xEF);
            }
            let _ = load_bytes(&bytes);
        }
    }

    #[test]
    fn zip_with_subfolder_and_junk() {
        let RosterSource::OneRoster(x) = load_bytes(&valid_zip()).unwrap() else {
            panic!("expected OneRoster");
        };
        assert_eq!(x.ignored_files, vec!["manifest.csv"]);
        assert_eq!(x.problems, vec![]);
        assert_eq!((x.users.len(), x.enrollments.len()), (1, 1));
    }

    #[test]
    fn zip_missing_file_and_duplicates() {
        let z = zip_of(&[
            ("orgs.csv", ORGS),
            ("users.csv", USERS),
            ("classes.csv", CLASSES),
        ]);
        let err = load_bytes(&z).unwrap_err();
        assert!(matches!(&err, RosterError::MissingFile(f) if f == "enrollments.csv"));
        assert!(err.to_string().contains("enrollments.csv"));

        let z = zip_of(&[
            ("a/orgs.csv", ORGS),
            ("a/users.csv", USERS),
            ("b/users.csv", USERS),
            ("a/classes.csv", CLASSES),
            ("a/enrollments.csv", ENROLLMENTS),
        ]);
        let err = load_bytes(&z).unwrap_err();
        assert!(matches!(&err, RosterError::Zip(m) if m.contains("more than one users.csv")));

        let empty = zip_of(&[]);
        assert!(matches!(
            load_bytes(&empty),
            Err(RosterError::MissingFile(_))
        ));
    }

    #[test]
    fn zip_entry_limit() {
        let names: Vec<String> = (0..=MAX_ZIP_ENTRIES).map(|i| format!("f{i}.csv")).collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let err = load_bytes(&zip_of(&files)).unwrap_err();
        assert!(
            matches!(&err, RosterError::Zip(m) if m.contains("65 entries")),
            "{err}"
        );
    }

    #[test]
    fn zip_bomb_is_refused() {
        // 51 MiB of zeros deflates to ~50 KiB.
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("users.csv", opts).unwrap();
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..51 {
            w.write_all(&chunk).unwrap();
        }
        let mut bytes = w.finish().unwrap().into_inner();
        let err = load_bytes(&bytes).unwrap_err();
        assert!(
            matches!(&err, RosterError::Zip(m) if m.contains("users.csv unpacks to 51 MiB")),
            "{err}"
        );

        // Lie about the size (1 KiB) in the local and central headers: the actual read is
        // capped all the same.
        let patch = |bytes: &mut Vec<u8>, sig: &[u8], field: usize| {
            let at = bytes.windows(4).position(|w| w == sig).unwrap() + field;
            bytes[at..at + 4].copy_from_slice(&1024u32.to_le_bytes());
        };
        patch(&mut bytes, b"PK\x03\x04", 22);
        patch(&mut bytes, b"PK\x01\x02", 24);
        let err = load_bytes(&bytes).unwrap_err();
        assert!(
            matches!(&err, RosterError::Zip(m) if m.contains("users.csv unpacks to more than 50 MiB")),
            "{err}"
        );
    }

    #[test]
    fn load_bytes_class_list_and_empty() {
        assert!(matches!(load_bytes(b""), Err(RosterError::Empty)));
        let RosterSource::ClassList(list) = load_bytes(b"name,email,class\nAnn,,7A\n").unwrap()
        else {
            panic!("expected a class list");
        };
        assert_eq!(list.rows.len(), 1);
        let err = load_bytes(b"name,email,class\n,,7A\n").unwrap();
        let RosterSource::ClassList(list) = err else {
            panic!()
        };
        assert_eq!(list.problems[0].file, UPLOADED_CLASS_LIST_NAME);
    }

    #[test]
    fn load_path_dispatch() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_path(&dir.path().join("nope")).unwrap_err();
        assert!(matches!(err, RosterError::Io { .. }));
        let other = dir.path().join("list.xlsx");
        std::fs::write(&other, b"x").unwrap();
        assert!(matches!(
            load_path(&other),
            Err(RosterError::UnknownFormat(_))
        ));
        let users = dir.path().join("users.csv");
        std::fs::write(&users, USERS).unwrap();
        let err = load_path(&users).unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
        // The folder now lacks orgs.csv.
        let err = load_path(dir.path()).unwrap_err();
        assert!(
            matches!(&err, RosterError::MissingFile(f) if f == "orgs.csv"),
            "{err}"
        );
        let zip = dir.path().join("Export.ZIP");
        std::fs::write(&zip, valid_zip()).unwrap();
        assert!(matches!(load_path(&zip), Ok(RosterSource::OneRoster(_))));
    }

    #[test]
    fn error_messages_read_well() {
        let e = RosterError::BadHeader {
            file: "users.csv".into(),
            missing: vec!["givenName".into(), "role".into()],
        };
        assert_eq!(
            e.to_string(),
            "users.csv: the header row is missing the required column(s) givenName, role; \
             nothing was imported"
        );
        assert!(RosterError::NotUtf8 {
            file: "a.csv".into(),
            line: 1
        }
        .to_string()
        .contains("UTF-8"));
    }
}
