//! Accolade's server: the axum application (REST under `/api/v1`), its services (roster import,
//! sign-in cards, demo data) and the `accolade` command-line interface.
//!
//! Start it from a bound listener with [`app::serve`] (tests use 127.0.0.1 port 0) or from the
//! CLI (`accolade serve`).

pub mod app;
pub mod audit_json;
pub mod backpack;
pub mod badges;
pub mod cards;
pub mod claims;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod import;
pub mod mail;
pub mod mailer;
pub mod notify;
pub mod password;
pub mod policy;
pub mod qr;
pub mod ratelimit;
pub mod realtime;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod validate;
pub mod web;

pub use app::{bind, build_state, serve};
pub use config::Config;
pub use state::AppState;
