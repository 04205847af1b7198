//! Catalogue completeness: every message id the web templates and the web Rust code use exists
//! in English, and every id of the student-facing catalogues also exists in Spanish.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::i18n::has_message;

/// The student-facing catalogues, which must be complete in Spanish.
const STUDENT_FACING: [&str; 7] = [
    "common", "signin", "student", "claim", "public", "profile", "backpack",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir)
        .expect("readable directory")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// Ids in calls `name("id"` / `name('id'` for each of `names` (whole-word matches only).
fn call_ids(text: &str, names: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    for name in names {
        let pat = format!("{name}(");
        let mut from = 0;
        while let Some(pos) = text[from..].find(&pat) {
            let at = from + pos;
            from = at + pat.len();
            let word_start =
                at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            if !word_start {
                continue;
            }
            let rest = text[from..].trim_start();
            let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let inner = &rest[1..];
            if let Some(end) = inner.find(q) {
                let id = &inner[..end];
                // `t("area-" ~ x)` builds the id at run time: not checkable here.
                if !id.is_empty()
                    && !id.ends_with('-')
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    out.insert(id.to_owned());
                }
            }
        }
    }
    out
}

/// String literals in `text` that look like ids of the given areas (`"area-…"`), for ids
/// passed around in variables before reaching `tr`.
fn prefixed_literals(text: &str, areas: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        // Byte strings (`b"…"`) are not messages.
        let is_bytes = rest[..start].ends_with('b');
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else {
            break;
        };
        let part = &after[..end];
        rest = &after[end + 1..];
        let looks_like_id = part.len() > 3
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !part.ends_with('-');
        if !is_bytes && looks_like_id && areas.iter().any(|a| part.starts_with(&format!("{a}-"))) {
            out.insert(part.to_owned());
        }
    }
    out
}

#[test]
fn every_used_message_exists_in_english() {
    let dir = crate_dir();
    let mut missing = Vec::new();
    let mut templates = Vec::new();
    files(&dir.join("templates/web"), "html", &mut templates);
    assert!(!templates.is_empty());
    let mut used = 0;
    for path in &templates {
        let text = std::fs::read_to_string(path).expect("template");
        for id in call_ids(&text, &["t", "tt"]) {
            used += 1;
            if !has_message("en", &id) {
                missing.push(format!("{}: {id}", path.display()));
            }
        }
    }
    let mut sources = Vec::new();
    files(&dir.join("src/web"), "rs", &mut sources);
    // W1's files also pass ids through variables; check every id-shaped literal there.
    let own = [
        "mod.rs",
        "pages.rs",
        "claim.rs",
        "offer.rs",
        "student.rs",
        "profile.rs",
        "public_badge.rs",
        "session.rs",
    ];
    for path in &sources {
        if path.ends_with("catalogue_tests.rs") || path.ends_with("i18n.rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("source");
        let mut ids = call_ids(&text, &["tr", "tr_args"]);
        let top_level = path.parent() == Some(dir.join("src/web").as_path());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if top_level && own.contains(&name) {
            ids.extend(prefixed_literals(
                &text,
                &[
                    "common", "signin", "claim", "claimed", "offer", "student", "profile", "public",
                ],
            ));
        }
        for id in ids {
            used += 1;
            if !has_message("en", &id) {
                missing.push(format!("{}: {id}", path.display()));
            }
        }
    }
    assert!(used > 100, "the scan found only {used} message uses");
    assert!(
        missing.is_empty(),
        "missing in locales/en:\n{}",
        missing.join("\n")
    );
}

/// Message ids defined in a `.ftl` file (`id = …` at the start of a line; not terms `-x`).
fn ftl_ids(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let (id, _) = l.split_once('=')?;
            let id = id.trim_end();
            let ok = !l.starts_with([' ', '#', '-', '\t'])
                && !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

#[test]
fn student_facing_catalogues_are_complete_in_spanish() {
    let dir = crate_dir().join("locales");
    let mut missing = Vec::new();
    let mut checked = 0;
    for area in STUDENT_FACING {
        let text = std::fs::read_to_string(dir.join(format!("en/{area}.ftl")))
            .unwrap_or_else(|e| panic!("locales/en/{area}.ftl: {e}"));
        for id in ftl_ids(&text) {
            checked += 1;
            assert!(
                has_message("en", &id),
                "{id} in en/{area}.ftl does not load"
            );
            if !has_message("es", &id) {
                missing.push(format!("{area}: {id}"));
            }
        }
    }
    assert!(checked > 100, "only {checked} ids found");
    assert!(
        missing.is_empty(),
        "missing in locales/es:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_scanner_finds_ids() {
    let ids = call_ids(
        r#"{{ t("a-b") }} {{ tt('c-d', x=1) }} {{ at("no") }} tr("e-f")"#,
        &["t", "tt"],
    );
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["a-b", "c-d"]);
    assert_eq!(
        ftl_ids("# c\nx-y = 1\n    .attr = 2\n-term = 3\nz = { $n ->\n"),
        ["x-y", "z"]
    );
}
