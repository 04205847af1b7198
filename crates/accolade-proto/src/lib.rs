//! Accolade wire types.
//!
//! Every JSON body the REST API (`/api/v1`) accepts or returns is defined here, together with
//! the stable error codes carried by RFC 9457 problem details. The crate does no I/O so that the
//! server, the end-to-end tests and the mobile client share exactly one definition.
//!
//! Conventions:
//! - ids are UUIDs (`"0190…"`), timestamps are RFC 3339 strings in UTC (`"2026-11-30T09:00:00Z"`);
//! - field names are `snake_case`;
//! - optional fields are omitted from responses when absent, and may be omitted from requests.

pub mod auth;
pub mod backpack;
pub mod badges;
pub mod claims;
pub mod error;
pub mod roster;
pub mod school;
pub mod users;
pub mod ws;

pub use auth::*;
pub use backpack::*;
pub use badges::*;
pub use claims::*;
pub use error::*;
pub use roster::*;
pub use school::*;
pub use users::*;
pub use ws::{
    AwardEvent, ClaimCounted, ClientMessage, Hello, NominationEvent, Ready, ResyncRequired,
    RosterImported, ServerMessage, WsTicket, PROTOCOL_VERSION,
};

/// Version of the REST API described by these types; the path prefix is `/api/v{API_VERSION}`.
pub const API_VERSION: u32 = 1;
