//! Open Badges for Accolade: documents, recipient identity hashing and (with the Badges work)
//! baking. Pure functions only; the server decides what to store and serve.

pub mod recipient;

pub use recipient::{hash_identity, IdentityKind};
