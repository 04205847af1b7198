//! Open Badges for Accolade: OB 2.0 documents, recipient identity hashing, baking and badge
//! image checks. Pure functions only (no I/O, network or database); the server decides what
//! to store and serve.
//!
//! * [`documents`]: JSON-LD documents with a fixed key order (OB 2.0 §Profile, §BadgeClass,
//!   §Assertion, §RevocationList).
//! * [`recipient`]: hashed recipient identities (OB 2.0 §IdentityObject).
//! * [`baking`]: baking/unbaking assertions into PNG and SVG (OB 2.0 Baking Specification).
//! * [`images`]: size, dimension and safety checks for uploaded badge images.

pub mod baking;
pub mod documents;
pub mod images;
pub mod raster;
pub mod recipient;

pub use baking::{
    bake_png, bake_svg, unbake_png, unbake_svg, unbake_svg_verify_url, BakeError,
    OPENBADGES_NAMESPACE, PNG_KEYWORD,
};
pub use documents::{
    assertion_json, badge_class_json, issuer_json, revocation_list_json, revoked_assertion_json,
    AssertionDoc, BadgeClassDoc, DocumentError, Evidence, IssuerProfile, RecipientIdentity,
    CONTEXT,
};
pub use images::{
    check_image, check_png, check_svg, CheckedImage, ImageError, ImageKind, MAX_IMAGE_BYTES,
    MAX_PNG_DIMENSION,
};
pub use raster::{rasterize_svg, RasterError};
pub use recipient::{hash_identity, IdentityKind};
