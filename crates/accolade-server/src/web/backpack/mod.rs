//! The backpack on the web (issue #8): public profile and collection pages at readable
//! addresses with preview cards and oEmbed ([`public`], [`card`]), the student's collection
//! pages ([`collections`]), friends — feed, cheers, follow and block ([`social`]) — and the
//! student's data: export and account deletion ([`data`]).
//!
//! The rules live in [`crate::backpack`] and the REST handlers of `routes::collections`,
//! `routes::social` and `routes::account`; these pages only call them.

pub mod card;
pub mod collections;
pub mod data;
pub mod public;
pub mod social;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// The backpack's web routes (merged into [`super::routes`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/@{handle}", get(public::profile_page))
        .route("/@{handle}/card.png", get(public::profile_card))
        .route("/@{handle}/{slug}", get(public::collection_page))
        .route("/@{handle}/{slug}/embed", get(public::embed_page))
        .route("/@{handle}/{slug}/card.png", get(public::collection_card))
        .route("/b/{id}/card.png", get(public::badge_card))
        .route("/oembed", get(public::oembed))
        .route(
            "/my/collections",
            get(collections::list_page).post(collections::create_post),
        )
        .route("/my/collections/sharing", post(collections::sharing_post))
        .route(
            "/my/collections/{id}",
            get(collections::edit_page).post(collections::settings_post),
        )
        .route("/my/collections/{id}/items", post(collections::item_post))
        .route("/my/collections/{id}/add", post(collections::add_post))
        .route(
            "/my/collections/{id}/delete",
            post(collections::delete_post),
        )
        .route("/feed", get(social::feed_page))
        .route("/feed/cheer", post(social::cheer_post))
        .route("/my/following", post(social::follow_post))
        .route("/my/badges/{id}/cheers", get(social::cheers_page))
        .route("/my/data", get(data::data_page))
        .route("/my/data/export.zip", get(data::export))
        .route("/my/data/delete", post(data::delete_post))
}
