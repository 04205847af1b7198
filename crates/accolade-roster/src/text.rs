//! Small text helpers shared by the OneRoster and class-list parsers.

/// Longest accepted name or title, in Unicode scalar values (`char`s).
pub(crate) const MAX_NAME_CHARS: usize = 200;

/// Longest accepted e-mail address, in bytes (RFC 3696 errata: 64 + 1 + 255).
pub(crate) const MAX_EMAIL_BYTES: usize = 320;

/// Strips a leading UTF-8 byte-order mark (`EF BB BF`), if any.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// `true` for C0 controls, DEL and C1 controls (`char::is_control`).
fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Trims `raw` and rejects control characters. Used for identifiers, codes and class names,
/// whose inner spacing is kept as given. `what` names the field in the error message.
pub(crate) fn clean_plain(raw: &str, what: &str) -> Result<String, String> {
    let s = raw.trim();
    if has_control(s) {
        return Err(format!(
            "{what} contains a control character (tab, line break or similar)"
        ));
    }
    Ok(s.to_owned())
}

/// Cleans a person's name or a title: trims, rejects control characters, collapses runs of
/// whitespace to one space and caps the length at [`MAX_NAME_CHARS`]. May return `""`.
pub(crate) fn clean_name(raw: &str, what: &str) -> Result<String, String> {
    let s = clean_plain(raw, what)?;
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = collapsed.chars().count();
    if len > MAX_NAME_CHARS {
        return Err(format!(
            "{what} is {len} characters long; at most {MAX_NAME_CHARS} are allowed"
        ));
    }
    Ok(collapsed)
}

/// Permissive syntactic e-mail check: exactly one `@`, a non-empty local part, a domain that
/// contains a dot (not at either end), no whitespace or control characters, ≤ 320 bytes.
pub(crate) fn is_valid_email(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_EMAIL_BYTES {
        return false;
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

/// Result of normalising an optional e-mail field.
pub(crate) enum EmailField {
    /// The field was empty.
    Absent,
    /// A plausible address, trimmed and lower-cased.
    Valid(String),
    /// Not an address; holds the trimmed original for the problem message.
    Invalid(String),
}

/// Trims and lower-cases an e-mail field and validates it with [`is_valid_email`].
pub(crate) fn normalise_email(raw: &str) -> EmailField {
    let s = raw.trim();
    if s.is_empty() {
        return EmailField::Absent;
    }
    let lower = s.to_lowercase();
    if is_valid_email(&lower) {
        EmailField::Valid(lower)
    } else {
        EmailField::Invalid(s.to_owned())
    }
}

/// Shortens user-supplied text for inclusion in a problem message.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 60;
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if cleaned.chars().count() > MAX {
        let mut out: String = cleaned.chars().take(MAX).collect();
        out.push('…');
        out
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped_once() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFa,b"), b"a,b");
        assert_eq!(strip_bom(b"a,b"), b"a,b");
        assert_eq!(strip_bom(b""), b"");
    }

    #[test]
    fn names_are_trimmed_and_collapsed() {
        assert_eq!(
            clean_name("  Ann   Marie \u{a0} O'Neil ", "name").unwrap(),
            "Ann Marie O'Neil"
        );
        assert_eq!(clean_name("", "name").unwrap(), "");
        assert!(clean_name("Ann\tMarie", "name").is_err());
        assert!(clean_name("Ann\u{7f}", "name").is_err());
        assert!(clean_name("Ann\nMarie", "name").is_err());
        assert!(clean_name(&"x".repeat(200), "name").is_ok());
        assert!(clean_name(&"é".repeat(201), "name").is_err());
    }

    #[test]
    fn email_syntax() {
        for ok in [
            "a@b.c",
            "first.last+tag@school.example.org",
            "ज8@northfield.example.org",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "@b.c",
            "a@",
            "a@b",
            "a@@b.c",
            "a@b@c.d",
            "a b@c.d",
            "a@.c",
            "a@c.",
            "a\u{0}@b.c",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
        let long = format!("{}@example.org", "a".repeat(320));
        assert!(!is_valid_email(&long));
    }

    #[test]
    fn email_normalisation() {
        assert!(matches!(normalise_email("  "), EmailField::Absent));
        assert!(matches!(normalise_email(" A@B.ORG "), EmailField::Valid(e) if e == "a@b.org"));
        assert!(matches!(normalise_email("nope"), EmailField::Invalid(e) if e == "nope"));
    }

    #[test]
    fn excerpt_caps_length() {
        assert_eq!(excerpt("abc"), "abc");
        assert_eq!(excerpt(&"x".repeat(100)).chars().count(), 61);
        assert_eq!(excerpt("a\u{0}b"), "a\u{FFFD}b");
    }
}
