//! Recipient identity hashing (OB 2.0 §IdentityObject).
//!
//! An award never carries a student's e-mail in clear: the identity is
//! `"sha256$" + hex(sha256(identity + salt))`, with `hashed: true` and the salt published beside
//! it so that a verifier who knows the e-mail can check it.

use sha2::{Digest, Sha256};

/// The kind of identity an Open Badges recipient is identified by (OB 2.0 §IdentityObject `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    /// An e-mail address; lower-cased before hashing.
    Email,
    /// A URL (used for students without e-mail: their profile URL); hashed as given.
    Url,
}

impl IdentityKind {
    /// The OB 2.0 `type` value: `"email"` or `"url"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Url => "url",
        }
    }
}

/// Hashes a recipient identity: `"sha256$" + lowercase hex(sha256(identity + salt))`.
///
/// E-mail identities are trimmed and lower-cased first, as OB 2.0 verifiers compare
/// case-insensitively. Returns the 71-character string used as `recipient.identity`.
pub fn hash_identity(kind: IdentityKind, identity: &str, salt: &str) -> String {
    let normalised = match kind {
        IdentityKind::Email => identity.trim().to_lowercase(),
        IdentityKind::Url => identity.to_owned(),
    };
    let mut hasher = Sha256::new();
    hasher.update(normalised.as_bytes());
    hasher.update(salt.as_bytes());
    format!("sha256${}", hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_identity_matches_reference_vector() {
        // Reference value from the Badges issue: Alice@Example.org with salt "deadsea".
        assert_eq!(
            hash_identity(IdentityKind::Email, "Alice@Example.org", "deadsea"),
            "sha256$c934fdacc6242be0277a284970416aa9bfa583241fb85094bc96c504ee0abd4e"
        );
    }

    #[test]
    fn url_identity_is_case_sensitive() {
        let a = hash_identity(IdentityKind::Url, "https://x.example/@Amy", "s");
        let b = hash_identity(IdentityKind::Url, "https://x.example/@amy", "s");
        assert_ne!(a, b);
        assert!(a.starts_with("sha256$") && a.len() == 71);
    }
}
