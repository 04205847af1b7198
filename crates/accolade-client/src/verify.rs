//! Verifying a baked badge on the phone (OB 2.0 §Verification, hosted): unbake the PNG or SVG,
//! fetch the hosted assertion from its `id`, compare the two, then check revocation, expiry and
//! the recipient (`sha256$` hash of the identity with the published salt).

use accolade_openbadges::{hash_identity, IdentityKind};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{ClientError, Result};

/// The verdict on a badge, in the order they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Issued, hosted, unchanged, not expired, and (when a recipient was given) theirs.
    Valid,
    /// The issuer revoked it (hosted URL answers 410), with the issuer's reason.
    Revoked {
        /// Why, if the issuer said.
        reason: Option<String>,
    },
    /// Past its `expires` date.
    Expired,
    /// The recipient hash does not match the identity asked about.
    WrongRecipient,
    /// The baked assertion differs from the hosted one, or the hosted one is missing (404):
    /// the file was edited or is not from this issuer.
    Tampered,
}

/// What was found, with the facts shown to the person verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The verdict.
    pub verdict: Verdict,
    /// Hosted assertion URL (the assertion's `id`).
    pub assertion_url: String,
    /// Issue date from the baked assertion, if readable.
    pub issued_on: Option<DateTime<Utc>>,
    /// Expiry date, if any.
    pub expires: Option<DateTime<Utc>>,
}

/// The assertion baked into `bytes` (PNG or SVG, told apart by their first bytes): its JSON,
/// and its hosted URL (`id`; for a baked URL-only assertion, that URL).
///
/// # Errors
/// `Invalid("badge", …)` when the file is neither format or holds no assertion.
pub fn unbake(bytes: &[u8]) -> Result<(Option<Value>, String)> {
    let bad = |m: String| ClientError::Invalid("badge", m);
    let text = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        accolade_openbadges::unbake_png(bytes).map_err(|e| bad(e.to_string()))?
    } else {
        let s = std::str::from_utf8(bytes).map_err(|_| bad("not a PNG or SVG image".into()))?;
        if !s.contains("<svg") {
            return Err(bad("not a PNG or SVG image".into()));
        }
        match accolade_openbadges::unbake_svg(s).map_err(|e| bad(e.to_string()))? {
            Some(t) => Some(t),
            None => {
                accolade_openbadges::unbake_svg_verify_url(s).map_err(|e| bad(e.to_string()))?
            }
        }
    };
    let text = text.ok_or_else(|| bad("the image holds no Open Badges assertion".into()))?;
    let text = text.trim();
    if text.starts_with("http://") || text.starts_with("https://") {
        return Ok((None, text.to_owned()));
    }
    let json: Value =
        serde_json::from_str(text).map_err(|e| bad(format!("baked assertion: {e}")))?;
    let id = json
        .get("id")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .ok_or_else(|| bad("the baked assertion has no hosted id".into()))?
        .to_owned();
    Ok((Some(json), id))
}

/// The hosted side, as fetched from the assertion URL.
#[derive(Debug, Clone)]
pub enum Hosted {
    /// 200 with this document.
    Found(Value),
    /// 410: revoked (`revocationReason` from the body, if any).
    Gone(Option<String>),
    /// 404: unknown to the issuer.
    Missing,
}

fn date(v: Option<&Value>) -> Option<DateTime<Utc>> {
    v.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// Decides the verdict. `identities` are who the badge should belong to (an e-mail and/or a
/// profile URL; empty = don't check the recipient); `now` is the current time.
pub fn check(
    baked: Option<&Value>,
    assertion_url: &str,
    hosted: &Hosted,
    identities: &[String],
    now: DateTime<Utc>,
) -> Verification {
    let doc = match hosted {
        Hosted::Found(doc) => doc,
        Hosted::Gone(reason) => {
            return Verification {
                verdict: Verdict::Revoked {
                    reason: reason.clone(),
                },
                assertion_url: assertion_url.to_owned(),
                issued_on: baked.and_then(|b| date(b.get("issuedOn"))),
                expires: baked.and_then(|b| date(b.get("expires"))),
            }
        }
        Hosted::Missing => {
            return Verification {
                verdict: Verdict::Tampered,
                assertion_url: assertion_url.to_owned(),
                issued_on: None,
                expires: None,
            }
        }
    };
    let mut out = Verification {
        verdict: Verdict::Valid,
        assertion_url: assertion_url.to_owned(),
        issued_on: date(doc.get("issuedOn")),
        expires: date(doc.get("expires")),
    };
    let same_id = doc.get("id").and_then(Value::as_str) == Some(assertion_url);
    if !same_id || baked.is_some_and(|b| b != doc) {
        out.verdict = Verdict::Tampered;
    } else if out.expires.is_some_and(|e| e <= now) {
        out.verdict = Verdict::Expired;
    } else if !identities.is_empty() && !recipient_matches(doc, identities) {
        out.verdict = Verdict::WrongRecipient;
    }
    out
}

/// True when the assertion's recipient is one of `identities` (OB 2.0 §IdentityObject: hashed
/// `sha256$…` with `salt`, or plain).
pub fn recipient_matches(doc: &Value, identities: &[String]) -> bool {
    let Some(r) = doc.get("recipient") else {
        return false;
    };
    let kind = match r.get("type").and_then(Value::as_str) {
        Some("email") => IdentityKind::Email,
        Some("url") => IdentityKind::Url,
        _ => return false,
    };
    let Some(identity) = r.get("identity").and_then(Value::as_str) else {
        return false;
    };
    let hashed = r.get("hashed").and_then(Value::as_bool).unwrap_or(false);
    let salt = r.get("salt").and_then(Value::as_str).unwrap_or("");
    identities.iter().any(|candidate| {
        if hashed {
            hash_identity(kind, candidate, salt).eq_ignore_ascii_case(identity)
        } else if kind == IdentityKind::Email {
            candidate.trim().eq_ignore_ascii_case(identity)
        } else {
            candidate == identity
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(expires: Option<&str>) -> Value {
        let mut d = json!({
            "id": "https://b.test/ob/v2/assertions/1",
            "recipient": {"type": "email", "hashed": true, "salt": "deadsea",
                "identity": hash_identity(IdentityKind::Email, "alice@example.org", "deadsea")},
            "issuedOn": "2026-01-01T00:00:00Z",
        });
        if let Some(e) = expires {
            d["expires"] = json!(e);
        }
        d
    }

    #[test]
    fn verdicts() {
        let url = "https://b.test/ob/v2/assertions/1";
        let now = Utc::now();
        let me = vec!["Alice@Example.org".to_owned()];
        let d = doc(None);
        assert_eq!(
            check(Some(&d), url, &Hosted::Found(d.clone()), &me, now).verdict,
            Verdict::Valid
        );
        let other = vec!["bob@example.org".to_owned()];
        assert_eq!(
            check(Some(&d), url, &Hosted::Found(d.clone()), &other, now).verdict,
            Verdict::WrongRecipient
        );
        let old = doc(Some("2026-01-02T00:00:00Z"));
        let later = DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            check(Some(&old), url, &Hosted::Found(old.clone()), &me, later).verdict,
            Verdict::Expired
        );
        let mut edited = d.clone();
        edited["issuedOn"] = json!("2020-01-01T00:00:00Z");
        assert_eq!(
            check(Some(&edited), url, &Hosted::Found(d.clone()), &me, now).verdict,
            Verdict::Tampered
        );
        assert_eq!(
            check(
                Some(&d),
                url,
                &Hosted::Gone(Some("mistake".into())),
                &me,
                now
            )
            .verdict,
            Verdict::Revoked {
                reason: Some("mistake".into())
            }
        );
        assert_eq!(
            check(Some(&d), url, &Hosted::Missing, &me, now).verdict,
            Verdict::Tampered
        );
    }

    #[test]
    fn unbake_rejects_non_images() {
        assert!(unbake(b"hello").is_err());
        assert!(unbake(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>").is_err());
    }
}
