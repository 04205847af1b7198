//! Input validation and normalisation shared by the API, the CLI and the importer.
//!
//! Every function returns the cleaned value or an `invalid_input` [`ApiError`] naming the field,
//! so the same bad input gets the same 422 body on SQLite and PostgreSQL (nothing reaches the
//! database unchecked).

use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;

use crate::error::ApiError;

/// True for characters never allowed in names and titles: C0/C1 controls, DEL, and
/// non-characters.
fn forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// A display name or title: NFC, trimmed, inner whitespace collapsed, 1–`max` characters,
/// no control characters (so `\u0000` → 422).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    if value.chars().any(forbidden_char) {
        return Err(ApiError::field(
            field,
            "must not contain control characters",
        ));
    }
    let cleaned: String = value.nfc().collect::<String>();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = cleaned.chars().count();
    if len == 0 || cleaned.chars().all(invisible) {
        return Err(ApiError::field(field, "must not be empty"));
    }
    if len > max {
        return Err(ApiError::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if cleaned.chars().any(bidi_override) {
        return Err(ApiError::field(
            field,
            "must not contain text-direction override characters",
        ));
    }
    Ok(cleaned)
}

/// Zero-width and formatting characters that show nothing.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Bidirectional overrides and embeddings, which can make a name display as something else
/// (isolates are fine: pages wrap names in `<bdi>` anyway).
fn bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}')
}

/// A display name: [`text`] with at most 100 characters.
pub fn display_name(value: &str) -> Result<String, ApiError> {
    text("display_name", value, 100)
}

/// An e-mail address: trimmed and lower-cased; one `@`, non-empty local part, a dotted domain,
/// no whitespace or control characters, at most 320 bytes.
pub fn email(field: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 320
        && !v
            .chars()
            .any(|c| c.is_whitespace() || forbidden_char(c) || "<>()[]\\,;:\"".contains(c))
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(v)
    } else {
        Err(ApiError::field(field, "must be an e-mail address"))
    }
}

/// Words that cannot be handles or slugs because they name routes.
const RESERVED: &[&str] = &[
    "admin",
    "api",
    "app",
    "assets",
    "b",
    "c",
    "present",
    "signin",
    "static",
    "well-known",
    "healthz",
    "readyz",
    "ob",
    "me",
    "settings",
    "accolade",
    "login",
    "logout",
    "docs",
];

/// A handle: lower-case `[a-z0-9-]{3,30}`, not starting or ending with `-`, not reserved.
pub fn handle(value: &str) -> Result<String, ApiError> {
    let v = value.trim().trim_start_matches('@').to_lowercase();
    let shape = (3..=30).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !v.starts_with('-')
        && !v.ends_with('-')
        && !v.contains("--");
    if !shape {
        return Err(ApiError::field(
            "handle",
            "must be 3–30 characters of a–z, 0–9 and single hyphens",
        ));
    }
    if RESERVED.contains(&v.as_str()) {
        return Err(ApiError::field("handle", "is reserved"));
    }
    Ok(v)
}

/// A school slug: lower-case `[a-z0-9-]{2,40}`, not starting or ending with `-`.
pub fn slug(value: &str) -> Result<String, ApiError> {
    let v = value.trim().to_lowercase();
    let ok = (2..=40).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    if ok {
        Ok(v)
    } else {
        Err(ApiError::field(
            "slug",
            "must be 2–40 characters of a–z, 0–9 and hyphens",
        ))
    }
}

/// An IANA time zone name such as `Europe/London`.
pub fn timezone(value: &str) -> Result<String, ApiError> {
    chrono_tz::Tz::from_str(value.trim())
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            ApiError::field(
                "timezone",
                "must be an IANA time zone such as Europe/London",
            )
        })
}

/// Builds a handle base from a person's names: ASCII-transliterated given name plus the
/// family-name initial (`"Zoë"`, `"Brontë"` → `"zoe-b"`), 3–24 characters.
pub fn handle_base(given: &str, family: &str) -> String {
    fn ascii_word(s: &str) -> String {
        let t = deunicode::deunicode(s).to_lowercase();
        let mut out = String::new();
        for c in t.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_matches('-').to_owned()
    }
    let mut base = ascii_word(given);
    base.truncate(20);
    let base = base.trim_matches('-').to_owned();
    let initial = ascii_word(family).chars().next();
    let mut out = match (base.is_empty(), initial) {
        (false, Some(i)) => format!("{base}-{i}"),
        (false, None) => base,
        (true, Some(i)) => format!("user-{i}"),
        (true, None) => "user".to_owned(),
    };
    if out.len() < 3 {
        out.push_str("-x");
    }
    out
}

/// Multi-line text (descriptions, narratives): NFC, trimmed, line breaks kept, no other control
/// characters, 1–`max` characters.
pub fn long_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    if value
        .chars()
        .any(|c| forbidden_char(c) && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ApiError::field(
            field,
            "must not contain control characters",
        ));
    }
    let cleaned: String = value.nfc().collect::<String>().replace("\r\n", "\n");
    let cleaned = cleaned.trim().to_owned();
    let len = cleaned.chars().count();
    if len == 0 {
        return Err(ApiError::field(field, "must not be empty"));
    }
    if len > max {
        return Err(ApiError::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(cleaned)
}

/// An absolute http(s) URL of at most 2048 bytes without whitespace or control characters.
pub fn url(field: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    let ok = v.len() <= 2048
        && (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() > "https://".len()
        && !v.chars().any(|c| c.is_whitespace() || forbidden_char(c));
    if ok {
        Ok(v.to_owned())
    } else {
        Err(ApiError::field(field, "must be an http(s) URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names() {
        assert_eq!(
            display_name("  Ana   María ").ok().as_deref(),
            Some("Ana María")
        );
        assert!(display_name("bad\u{0}name").is_err());
        assert!(display_name("\u{200B}\u{FEFF}").is_err());
        assert!(display_name("abc\u{202E}def").is_err());
        assert!(email("e", "a<b>@x.org").is_err());
        assert!(email("e", "a,b@x.org").is_err());
        assert!(display_name("   ").is_err());
        assert!(display_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            email("e", " L2@NORTH.Example.org ").ok().as_deref(),
            Some("l2@north.example.org")
        );
        assert!(email("e", "no-at.example.org").is_err());
        assert!(email("e", "a@b").is_err());
        assert!(email("e", "a b@c.org").is_err());
    }

    #[test]
    fn handles() {
        assert_eq!(handle("@Amy-B").ok().as_deref(), Some("amy-b"));
        assert!(handle("ab").is_err());
        assert!(handle("admin").is_err());
        assert!(handle("a--b").is_err());
        assert_eq!(handle_base("Zoë", "Brontë"), "zoe-b");
        assert_eq!(handle_base("芳", "张"), "fang-z");
        assert_eq!(handle_base("", ""), "user");
    }

    #[test]
    fn timezones() {
        assert_eq!(
            timezone("Europe/London").ok().as_deref(),
            Some("Europe/London")
        );
        assert!(timezone("Mars/Olympus").is_err());
    }
}
