//! Open Badges 2.0 JSON-LD documents (OB 2.0 §Profile, §BadgeClass, §Assertion,
//! §RevocationList).
//!
//! Every builder returns compact JSON text with a **fixed key order**: the server stores the
//! exact bytes at issue time and serves and bakes those same bytes, so the output for a given
//! input never changes. Keys are emitted in the order documented on each function; optional
//! keys are left out when their value is `None` (or an empty list where stated).
//!
//! Serialisation goes through private `#[derive(Serialize)]` structs whose field order is the
//! key order, so no map ordering feature is involved.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::recipient::IdentityKind;

/// The Open Badges 2.0 JSON-LD context URL, the `@context` of every document
/// (OB 2.0 §Context).
pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// Errors from the document builders.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// A BadgeClass needs a criteria URL, a criteria narrative, or both
    /// (OB 2.0 §BadgeClass `criteria`, §Criteria).
    #[error("a badge needs criteria: give a criteria URL, a narrative, or both")]
    MissingCriteria,
}

/// An issuer profile: the school (OB 2.0 §Profile, used as `Issuer`).
///
/// All URLs are absolute `https` URLs chosen by the server; this module does not check them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerProfile {
    /// The profile's own hosted URL (`id`).
    pub id: String,
    /// Display name of the issuer, e.g. the school's name (`name`).
    pub name: String,
    /// The issuer's home page (`url`).
    pub url: String,
    /// Contact e-mail address (`email`), omitted when `None`.
    pub email: Option<String>,
    /// Short description (`description`), omitted when `None`.
    pub description: Option<String>,
    /// URL (or data URI) of the issuer's logo (`image`), omitted when `None`.
    pub image: Option<String>,
    /// URL of the issuer's revocation list (`revocationList`, OB 2.0 §RevocationList),
    /// omitted when `None`.
    pub revocation_list: Option<String>,
}

/// A badge class revision (OB 2.0 §BadgeClass).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeClassDoc {
    /// The hosted URL of this badge class revision (`id`).
    pub id: String,
    /// Badge name (`name`).
    pub name: String,
    /// Badge description (`description`).
    pub description: String,
    /// URL of the badge image (`image`).
    pub image: String,
    /// URL of a page describing the criteria (`criteria.id`), optional.
    pub criteria_url: Option<String>,
    /// Markdown narrative of the criteria (`criteria.narrative`), optional.
    /// At least one of `criteria_url` and `criteria_narrative` must be given.
    pub criteria_narrative: Option<String>,
    /// URL of the issuer profile (`issuer`).
    pub issuer: String,
    /// Tags (`tags`), omitted when empty.
    pub tags: Vec<String>,
}

/// A hashed recipient identity (OB 2.0 §IdentityObject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientIdentity {
    /// The **already hashed** identity, `"sha256$" + hex` (see [`crate::hash_identity`]).
    /// Never put a clear e-mail address here: the document always says `"hashed": true`.
    pub identity: String,
    /// The identity type (`type`: `"email"` or `"url"`).
    pub kind: IdentityKind,
    /// The salt used for hashing (`salt`).
    pub salt: String,
}

/// One piece of evidence for an award (OB 2.0 §Evidence).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    /// URL of the evidence (`id`), omitted when `None`.
    pub id: Option<String>,
    /// Markdown narrative (`narrative`), omitted when `None`.
    pub narrative: Option<String>,
    /// Short name of the evidence (`name`), omitted when `None`.
    pub name: Option<String>,
}

/// A hosted assertion: one award of a badge to one student (OB 2.0 §Assertion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionDoc {
    /// The hosted URL of this assertion (`id`); verification is `hosted`, so this URL must
    /// answer with these same bytes.
    pub id: String,
    /// URL of the BadgeClass revision awarded (`badge`).
    pub badge: String,
    /// The hashed recipient (`recipient`).
    pub recipient: RecipientIdentity,
    /// Award time (`issuedOn`), written as RFC 3339 UTC with whole seconds and `Z`
    /// (sub-second precision is truncated).
    pub issued_on: DateTime<Utc>,
    /// Expiry time (`expires`), same format as `issued_on`; omitted when `None`.
    pub expires: Option<DateTime<Utc>>,
    /// Evidence (`evidence`, an array of objects), omitted when empty.
    pub evidence: Vec<Evidence>,
    /// Markdown narrative of the award (`narrative`), omitted when `None`.
    pub narrative: Option<String>,
    /// URL of the (baked) image of this award (`image`), omitted when `None`.
    pub image: Option<String>,
}

/// Formats a timestamp as OB 2.0 `DateTime`: RFC 3339, UTC, whole seconds, `Z`
/// (e.g. `2026-11-30T09:15:00Z`).
fn ob_datetime(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Only strings, booleans and nested structs of them: serialisation cannot fail.
    serde_json::to_string(value).expect("serialising an Open Badges document cannot fail")
}

#[derive(Serialize)]
struct IssuerJson<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    name: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(rename = "revocationList", skip_serializing_if = "Option::is_none")]
    revocation_list: Option<&'a str>,
}

/// Builds the issuer profile document (OB 2.0 §Profile, `type: "Issuer"`).
///
/// Key order: `@context`, `type`, `id`, `name`, `url`, then `email`, `description`,
/// `image`, `revocationList` when present. Returns compact JSON text; cannot fail.
pub fn issuer_json(issuer: &IssuerProfile) -> String {
    to_json(&IssuerJson {
        context: CONTEXT,
        kind: "Issuer",
        id: &issuer.id,
        name: &issuer.name,
        url: &issuer.url,
        email: issuer.email.as_deref(),
        description: issuer.description.as_deref(),
        image: issuer.image.as_deref(),
        revocation_list: issuer.revocation_list.as_deref(),
    })
}

#[derive(Serialize)]
struct CriteriaJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
}

#[derive(Serialize)]
struct BadgeClassJson<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    name: &'a str,
    description: &'a str,
    image: &'a str,
    criteria: CriteriaJson<'a>,
    issuer: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
}

/// Builds a badge class document (OB 2.0 §BadgeClass).
///
/// Key order: `@context`, `type` (`"BadgeClass"`), `id`, `name`, `description`, `image`,
/// `criteria` (`{"id"?, "narrative"?}`, OB 2.0 §Criteria), `issuer`, then `tags` when
/// non-empty. Returns compact JSON text.
///
/// # Errors
/// [`DocumentError::MissingCriteria`] when both `criteria_url` and `criteria_narrative`
/// are `None`.
pub fn badge_class_json(badge: &BadgeClassDoc) -> Result<String, DocumentError> {
    if badge.criteria_url.is_none() && badge.criteria_narrative.is_none() {
        return Err(DocumentError::MissingCriteria);
    }
    Ok(to_json(&BadgeClassJson {
        context: CONTEXT,
        kind: "BadgeClass",
        id: &badge.id,
        name: &badge.name,
        description: &badge.description,
        image: &badge.image,
        criteria: CriteriaJson {
            id: badge.criteria_url.as_deref(),
            narrative: badge.criteria_narrative.as_deref(),
        },
        issuer: &badge.issuer,
        tags: &badge.tags,
    }))
}

#[derive(Serialize)]
struct RecipientJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    hashed: bool,
    salt: &'a str,
    identity: &'a str,
}

#[derive(Serialize)]
struct VerificationJson {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct EvidenceJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct AssertionJson<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    recipient: RecipientJson<'a>,
    badge: &'a str,
    verification: VerificationJson,
    #[serde(rename = "issuedOn")]
    issued_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<EvidenceJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
}

/// Builds a hosted assertion document (OB 2.0 §Assertion, §VerificationObject `hosted`).
///
/// Key order: `@context`, `type` (`"Assertion"`), `id`,
/// `recipient` (`{"type","hashed":true,"salt","identity"}`, OB 2.0 §IdentityObject), `badge`,
/// `verification` (`{"type":"hosted"}`), `issuedOn`, then `expires`, `evidence` (array of
/// `{"id"?,"narrative"?,"name"?}`, left out when empty), `narrative`, `image` when present.
/// `issuedOn`/`expires` are RFC 3339 UTC with whole seconds, e.g. `2026-11-30T09:15:00Z`.
/// Returns compact JSON text; cannot fail.
pub fn assertion_json(assertion: &AssertionDoc) -> String {
    to_json(&AssertionJson {
        context: CONTEXT,
        kind: "Assertion",
        id: &assertion.id,
        recipient: RecipientJson {
            kind: assertion.recipient.kind.as_str(),
            hashed: true,
            salt: &assertion.recipient.salt,
            identity: &assertion.recipient.identity,
        },
        badge: &assertion.badge,
        verification: VerificationJson { kind: "hosted" },
        issued_on: ob_datetime(&assertion.issued_on),
        expires: assertion.expires.as_ref().map(ob_datetime),
        evidence: assertion
            .evidence
            .iter()
            .map(|e| EvidenceJson {
                id: e.id.as_deref(),
                narrative: e.narrative.as_deref(),
                name: e.name.as_deref(),
            })
            .collect(),
        narrative: assertion.narrative.as_deref(),
        image: assertion.image.as_deref(),
    })
}

#[derive(Serialize)]
struct RevokedEntryJson<'a> {
    id: &'a str,
    #[serde(rename = "revocationReason", skip_serializing_if = "Option::is_none")]
    revocation_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct RevocationListJson<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    issuer: &'a str,
    #[serde(rename = "revokedAssertions")]
    revoked_assertions: Vec<RevokedEntryJson<'a>>,
}

/// Builds an issuer's revocation list (OB 2.0 §RevocationList).
///
/// `issuer_id` is the issuer profile URL, `list_id` the list's own hosted URL, and `revoked`
/// holds `(assertion URL, optional reason)` pairs, kept in the given order.
/// Key order: `@context`, `type` (`"RevocationList"`), `id`, `issuer`, `revokedAssertions`
/// (always present, possibly `[]`; entries `{"id","revocationReason"?}`).
/// Returns compact JSON text; cannot fail.
pub fn revocation_list_json(
    issuer_id: &str,
    list_id: &str,
    revoked: &[(String, Option<String>)],
) -> String {
    to_json(&RevocationListJson {
        context: CONTEXT,
        kind: "RevocationList",
        id: list_id,
        issuer: issuer_id,
        revoked_assertions: revoked
            .iter()
            .map(|(id, reason)| RevokedEntryJson {
                id,
                revocation_reason: reason.as_deref(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct RevokedAssertionJson<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: &'a str,
    revoked: bool,
    #[serde(rename = "revocationReason", skip_serializing_if = "Option::is_none")]
    revocation_reason: Option<&'a str>,
}

/// Builds the body a revoked hosted assertion URL answers with (with HTTP 410 Gone)
/// (OB 2.0 §Assertion `revoked`, `revocationReason`; §Hosted Verification).
///
/// `id` is the assertion URL. Key order: `@context`, `id`, `revoked` (always `true`),
/// then `revocationReason` when `reason` is `Some`. Returns compact JSON text; cannot fail.
pub fn revoked_assertion_json(id: &str, reason: Option<&str>) -> String {
    to_json(&RevokedAssertionJson {
        context: CONTEXT,
        id,
        revoked: true,
        revocation_reason: reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn issuer() -> IssuerProfile {
        IssuerProfile {
            id: "https://badges.example.org/ob/issuers/1".into(),
            name: "Hillside Primary School".into(),
            url: "https://hillside.example.org".into(),
            email: Some("office@hillside.example.org".into()),
            description: Some("A village school.".into()),
            image: Some("https://badges.example.org/ob/issuers/1/logo.png".into()),
            revocation_list: Some("https://badges.example.org/ob/issuers/1/revocations".into()),
        }
    }

    fn badge() -> BadgeClassDoc {
        BadgeClassDoc {
            id: "https://badges.example.org/ob/badges/7/r/2".into(),
            name: "Star Helper".into(),
            description: "Helped classmates all week — \"every day\".".into(),
            image: "https://badges.example.org/ob/badges/7/r/2/image.png".into(),
            criteria_url: Some("https://badges.example.org/badges/7".into()),
            criteria_narrative: Some("Help **three** classmates.\n\n- ask first".into()),
            issuer: "https://badges.example.org/ob/issuers/1".into(),
            tags: vec!["kindness".into(), "year-3".into()],
        }
    }

    fn assertion() -> AssertionDoc {
        AssertionDoc {
            id: "https://badges.example.org/ob/assertions/0193".into(),
            badge: "https://badges.example.org/ob/badges/7/r/2".into(),
            recipient: RecipientIdentity {
                identity: crate::hash_identity(IdentityKind::Email, "Alice@Example.org", "deadsea"),
                kind: IdentityKind::Email,
                salt: "deadsea".into(),
            },
            issued_on: Utc.with_ymd_and_hms(2026, 11, 30, 9, 15, 0).unwrap()
                + chrono::Duration::milliseconds(734),
            expires: Some(Utc.with_ymd_and_hms(2027, 11, 30, 9, 15, 0).unwrap()),
            evidence: vec![
                Evidence {
                    id: Some("https://badges.example.org/evidence/1".into()),
                    narrative: None,
                    name: Some("Photo of the poster".into()),
                },
                Evidence {
                    id: None,
                    narrative: Some("Ran the class library for a week.".into()),
                    name: None,
                },
            ],
            narrative: Some("Alice helped **everyone**.".into()),
            image: Some("https://badges.example.org/ob/assertions/0193/image.png".into()),
        }
    }

    /// The top-level keys of a JSON object, in the order they appear in the text.
    fn keys(json: &str) -> Vec<String> {
        struct OrderedKeys(Vec<String>);
        impl<'de> serde::Deserialize<'de> for OrderedKeys {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = OrderedKeys;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<OrderedKeys, A::Error> {
                        let mut keys = Vec::new();
                        while let Some(k) = map.next_key::<String>()? {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            keys.push(k);
                        }
                        Ok(OrderedKeys(keys))
                    }
                }
                d.deserialize_map(V)
            }
        }
        let _: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        serde_json::from_str::<OrderedKeys>(json)
            .expect("a JSON object")
            .0
    }

    #[test]
    fn issuer_snapshot_and_key_order() {
        let json = issuer_json(&issuer());
        insta::assert_snapshot!("issuer", json);
        assert_eq!(
            keys(&json),
            [
                "@context",
                "type",
                "id",
                "name",
                "url",
                "email",
                "description",
                "image",
                "revocationList"
            ]
        );
    }

    #[test]
    fn minimal_issuer_omits_optional_keys() {
        let json = issuer_json(&IssuerProfile {
            email: None,
            description: None,
            image: None,
            revocation_list: None,
            ..issuer()
        });
        insta::assert_snapshot!("issuer_minimal", json);
        assert_eq!(keys(&json), ["@context", "type", "id", "name", "url"]);
    }

    #[test]
    fn badge_class_snapshot_and_key_order() {
        let json = badge_class_json(&badge()).unwrap();
        insta::assert_snapshot!("badge_class", json);
        assert_eq!(
            keys(&json),
            [
                "@context",
                "type",
                "id",
                "name",
                "description",
                "image",
                "criteria",
                "issuer",
                "tags"
            ]
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["type"], "BadgeClass");
        assert_eq!(v["criteria"]["id"], "https://badges.example.org/badges/7");
    }

    #[test]
    fn badge_class_criteria_rules() {
        let none = BadgeClassDoc {
            criteria_url: None,
            criteria_narrative: None,
            ..badge()
        };
        assert_eq!(badge_class_json(&none), Err(DocumentError::MissingCriteria));

        let narrative_only = BadgeClassDoc {
            criteria_url: None,
            tags: vec![],
            ..badge()
        };
        let json = badge_class_json(&narrative_only).unwrap();
        insta::assert_snapshot!("badge_class_narrative_only", json);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v["criteria"].get("id").is_none());
        assert!(v.get("tags").is_none());
    }

    #[test]
    fn assertion_snapshot_and_key_order() {
        let json = assertion_json(&assertion());
        insta::assert_snapshot!("assertion", json);
        assert_eq!(
            keys(&json),
            [
                "@context",
                "type",
                "id",
                "recipient",
                "badge",
                "verification",
                "issuedOn",
                "expires",
                "evidence",
                "narrative",
                "image"
            ]
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["issuedOn"], "2026-11-30T09:15:00Z");
        assert_eq!(v["expires"], "2027-11-30T09:15:00Z");
        assert_eq!(v["recipient"]["hashed"], true);
        assert_eq!(v["recipient"]["type"], "email");
        assert_eq!(v["verification"]["type"], "hosted");
        assert!(json.contains(
            r#""recipient":{"type":"email","hashed":true,"salt":"deadsea","identity":"sha256$"#
        ));
    }

    #[test]
    fn minimal_assertion_omits_optional_keys() {
        let doc = AssertionDoc {
            recipient: RecipientIdentity {
                identity: crate::hash_identity(
                    IdentityKind::Url,
                    "https://badges.example.org/s/x",
                    "s",
                ),
                kind: IdentityKind::Url,
                salt: "s".into(),
            },
            expires: None,
            evidence: vec![],
            narrative: None,
            image: None,
            ..assertion()
        };
        let json = assertion_json(&doc);
        insta::assert_snapshot!("assertion_minimal", json);
        assert_eq!(
            keys(&json),
            [
                "@context",
                "type",
                "id",
                "recipient",
                "badge",
                "verification",
                "issuedOn"
            ]
        );
        // Deterministic: same input, same bytes.
        assert_eq!(json, assertion_json(&doc));
    }

    #[test]
    fn revocation_list_snapshot_and_key_order() {
        let json = revocation_list_json(
            "https://badges.example.org/ob/issuers/1",
            "https://badges.example.org/ob/issuers/1/revocations",
            &[
                (
                    "https://badges.example.org/ob/assertions/0001".into(),
                    Some("Awarded to the wrong student".into()),
                ),
                ("https://badges.example.org/ob/assertions/0002".into(), None),
            ],
        );
        insta::assert_snapshot!("revocation_list", json);
        assert_eq!(
            keys(&json),
            ["@context", "type", "id", "issuer", "revokedAssertions"]
        );
        let empty = revocation_list_json("https://i", "https://l", &[]);
        assert!(empty.ends_with(r#""revokedAssertions":[]}"#));
    }

    #[test]
    fn revoked_assertion_snapshot_and_key_order() {
        let json = revoked_assertion_json(
            "https://badges.example.org/ob/assertions/0001",
            Some("Awarded to the wrong student"),
        );
        insta::assert_snapshot!("revoked_assertion", json);
        assert_eq!(
            keys(&json),
            ["@context", "id", "revoked", "revocationReason"]
        );
        let bare = revoked_assertion_json("https://a", None);
        assert_eq!(
            bare,
            r#"{"@context":"https://w3id.org/openbadges/v2","id":"https://a","revoked":true}"#
        );
    }
}
