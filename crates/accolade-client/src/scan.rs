//! Understanding every QR code Accolade prints (see `crates/accolade-server/src/web`):
//! claim URLs `{public_url}/c/{token}`, peer offers `{public_url}/o/{token}`, sign-in cards
//! `{public_url}/signin/card/{code}`, and typed codes.

/// What a scanned or typed text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// A claim code's QR: `…/c/{token}`.
    Claim {
        /// The token (`r…` rotating, `s…` static, `t…` sheet card).
        token: String,
    },
    /// A typed 8-character claim code (`XXXX-XXXX`).
    ManualClaim {
        /// The code as typed.
        code: String,
    },
    /// A classmate's peer offer: `…/o/{token}`.
    Offer {
        /// The offer token.
        token: String,
    },
    /// A sign-in card: `…/signin/card/{code}` or the typed `XXXX-XXXX-XXXX`.
    SignInCard {
        /// The card's code.
        code: String,
    },
}

impl Scan {
    /// True for a rotating claim token, which expires within two rotation periods and so can
    /// never be queued offline.
    pub fn is_rotating_claim(&self) -> bool {
        matches!(self, Scan::Claim { token } if token.starts_with('r'))
    }
}

const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZILO";

fn bare_code(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!cleaned.is_empty() && cleaned.chars().all(|c| CROCKFORD.contains(c))).then_some(cleaned)
}

fn token_ok(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 200
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parses `text` (a scanned QR payload or typed code). URLs must be on `base_url` (the server
/// this client talks to: same scheme, host and port), so a code for another server or a
/// look-alike host is refused. Returns `None` when the text is none of Accolade's codes.
pub fn parse(base_url: &str, text: &str) -> Option<Scan> {
    let text = text.trim();
    let base = base_url.trim_end_matches('/');
    if let Some(rest) = text.strip_prefix(base) {
        let path = rest.split(['?', '#']).next().unwrap_or("");
        let path = path.trim_end_matches('/');
        let (kind, value) = if let Some(v) = path.strip_prefix("/c/") {
            ("c", v)
        } else if let Some(v) = path.strip_prefix("/o/") {
            ("o", v)
        } else if let Some(v) = path.strip_prefix("/signin/card/") {
            ("card", v)
        } else {
            return None;
        };
        if !token_ok(value) {
            return None;
        }
        let value = value.to_owned();
        return Some(match kind {
            "c" => Scan::Claim { token: value },
            "o" => Scan::Offer { token: value },
            _ => Scan::SignInCard { code: value },
        });
    }
    if text.contains("://") {
        return None;
    }
    match bare_code(text) {
        Some(c) if c.len() == 12 => Some(Scan::SignInCard {
            code: text.to_owned(),
        }),
        Some(c) if c.len() == 8 => Some(Scan::ManualClaim {
            code: text.to_owned(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "https://badges.example.org";

    #[test]
    fn every_printed_form() {
        assert_eq!(
            parse(B, "https://badges.example.org/c/rAbC_d-1"),
            Some(Scan::Claim {
                token: "rAbC_d-1".into()
            })
        );
        assert!(parse(B, "https://badges.example.org/c/rAbC")
            .unwrap()
            .is_rotating_claim());
        assert!(!parse(B, "https://badges.example.org/c/sAbC")
            .unwrap()
            .is_rotating_claim());
        assert_eq!(
            parse(B, " https://badges.example.org/o/xyz?utm=1 "),
            Some(Scan::Offer {
                token: "xyz".into()
            })
        );
        assert_eq!(
            parse(B, "https://badges.example.org/signin/card/ABCD-EFGH-JKMN"),
            Some(Scan::SignInCard {
                code: "ABCD-EFGH-JKMN".into()
            })
        );
        assert_eq!(
            parse(B, "abcd-efgh-jkmn"),
            Some(Scan::SignInCard {
                code: "abcd-efgh-jkmn".into()
            })
        );
        assert_eq!(
            parse(B, "ABCD-1234"),
            Some(Scan::ManualClaim {
                code: "ABCD-1234".into()
            })
        );
    }

    #[test]
    fn refuses_other_hosts_and_junk() {
        assert_eq!(
            parse(B, "https://badges.example.org.evil.test/c/sAbc"),
            None
        );
        assert_eq!(parse(B, "https://evil.test/c/sAbc"), None);
        assert_eq!(parse(B, "https://badges.example.org/c/"), None);
        assert_eq!(parse(B, "https://badges.example.org/c/a%2Fb"), None);
        assert_eq!(parse(B, "https://badges.example.org/admin"), None);
        assert_eq!(parse(B, "hello world"), None);
        assert_eq!(parse(B, ""), None);
    }
}
