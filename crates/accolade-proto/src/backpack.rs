//! Backpack and sharing: collections of awards, their public read-only views, sharing
//! settings and policy, follows, the feed, cheers and account deletion.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::badges::{Award, PersonRef};

/// Who may see a collection. `private` (the default): only its owner; `school`: signed-in
/// members of the same school; `public`: anyone with the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the owner.
    #[default]
    Private,
    /// Signed-in members of the owner's school.
    School,
    /// Anyone.
    Public,
}

impl Visibility {
    /// The stored and wire string: `private`, `school` or `public`.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::School => "school",
            Visibility::Public => "public",
        }
    }

    /// Parses the stored string.
    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "private" => Some(Visibility::Private),
            "school" => Some(Visibility::School),
            "public" => Some(Visibility::Public),
            _ => None,
        }
    }
}

/// One award in a collection, with the owner's comment ("why this one matters").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CollectionItem {
    /// The award.
    pub award: Award,
    /// The owner's comment, up to 280 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A collection as its owner (or a schoolmate, when shared with the school) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Collection {
    /// Collection id.
    pub id: Uuid,
    /// Owner.
    pub owner: PersonRef,
    /// Title, 1–120 characters.
    pub title: String,
    /// Subtitle, up to 280 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// URL slug derived from the title: lower-case ASCII letters, digits and `-`, unique per
    /// owner.
    pub slug: String,
    /// Who may see it.
    pub visibility: Visibility,
    /// Address of its public page, `/@{handle}/{slug}` (answers 404 unless public).
    pub public_path: String,
    /// Awards in display order.
    pub items: Vec<CollectionItem>,
    /// Counted views of the public page (at most one per visitor per day; the owner's own and
    /// crawlers' not counted). Only the owner sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub views: Option<u64>,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
    /// Last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/collections` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateCollectionRequest {
    /// Title, 1–120 characters; the slug is derived from it.
    pub title: String,
    /// Subtitle, up to 280 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Visibility (default `private`).
    #[serde(default)]
    pub visibility: Visibility,
}

/// `PATCH /api/v1/collections/{id}` body; absent fields are unchanged. A new title derives a
/// new slug; the old address then answers 301 to the new one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateCollectionRequest {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New subtitle; `""` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// New visibility. `public` is refused (403 `public_sharing_not_allowed`) when the school's
    /// policy does not allow it for this student.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

/// An award to put in a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CollectionItemInput {
    /// One of the owner's own awards.
    pub award_id: Uuid,
    /// Comment, up to 280 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `PUT /api/v1/collections/{id}/items` body: the complete ordered list (add, remove,
/// reorder and edit comments in one request). At most 100 items, no award twice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SetItemsRequest {
    /// Items in display order.
    pub items: Vec<CollectionItemInput>,
}

/// One badge on a public page: nothing about the student beyond what the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicBadge {
    /// Award (assertion) id.
    pub award_id: Uuid,
    /// Badge name.
    pub name: String,
    /// Badge description.
    pub description: String,
    /// Absolute URL of the badge image.
    pub image_url: String,
    /// Issuer (school) name.
    pub issuer_name: String,
    /// When issued (UTC).
    pub issued_on: DateTime<Utc>,
    /// The owner's comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Absolute URL of the hosted OB 2.0 assertion (verification).
    pub assertion_url: String,
}

/// `GET /api/v1/public/users/{handle}/collections/{slug}`: a public collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicCollection {
    /// Owner's handle.
    pub handle: String,
    /// Owner's display name, only when they chose to show it on public pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Title.
    pub title: String,
    /// Subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Canonical slug.
    pub slug: String,
    /// Canonical path, `/@{handle}/{slug}`.
    pub path: String,
    /// Badges in display order (hidden, revoked and expired ones left out).
    pub badges: Vec<PublicBadge>,
    /// False unless the owner allowed search engines (pages then carry `noindex`).
    pub indexable: bool,
    /// Last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

/// One collection listed on a public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicCollectionSummary {
    /// Title.
    pub title: String,
    /// Subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Slug.
    pub slug: String,
    /// Path, `/@{handle}/{slug}`.
    pub path: String,
    /// Number of badges shown.
    pub badge_count: u32,
}

/// `GET /api/v1/public/users/{handle}`: a student's public profile (404 when they have no
/// public collection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicProfile {
    /// Handle.
    pub handle: String,
    /// Display name, only when the student chose to show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Public collections, oldest first.
    pub collections: Vec<PublicCollectionSummary>,
    /// False unless the student allowed search engines.
    pub indexable: bool,
}

/// `GET`/`PATCH /api/v1/me/sharing`: the caller's public-page choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SharingSettings {
    /// Show my display name on my public pages (default false: the handle only).
    pub show_name_publicly: bool,
    /// Let search engines index my public pages (default false: `noindex`).
    pub allow_indexing: bool,
    /// Read-only: may I make a collection public under my school's policy?
    pub public_allowed: bool,
}

/// `PATCH /api/v1/me/sharing` body; absent fields are unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateSharingSettings {
    /// See [`SharingSettings::show_name_publicly`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_name_publicly: Option<bool>,
    /// See [`SharingSettings::allow_indexing`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_indexing: Option<bool>,
}

/// `GET`/`PUT /api/v1/school/sharing`: the school's public-sharing policy.
///
/// A student may make a collection `public` when `allow_public_sharing` is on and either an
/// admin allowed them individually, or (no individual denial and) `min_grade` is unset or their
/// roster grade is at least `min_grade` (e.g. 8 keeps year 7 and below, roughly the under-13s,
/// private). A student whose grade is missing or not a number counts as below `min_grade`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SharingPolicy {
    /// Master switch for `public` collections in the school.
    pub allow_public_sharing: bool,
    /// Lowest roster grade (0–13) allowed to share publicly; `null` = no grade rule.
    #[serde(default)]
    pub min_grade: Option<i32>,
}

/// An admin's decision for one student, overriding the grade rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicSharingOverride {
    /// Follow the school's grade rule.
    Default,
    /// Allowed whatever the grade (the school switch still applies).
    Allowed,
    /// Never public.
    Denied,
}

impl PublicSharingOverride {
    /// Stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicSharingOverride::Default => "default",
            PublicSharingOverride::Allowed => "allowed",
            PublicSharingOverride::Denied => "denied",
        }
    }

    /// Parses the stored string (unknown values read as `default`).
    pub fn parse(s: &str) -> PublicSharingOverride {
        match s {
            "allowed" => PublicSharingOverride::Allowed,
            "denied" => PublicSharingOverride::Denied,
            _ => PublicSharingOverride::Default,
        }
    }
}

/// `PUT /api/v1/users/{id}/sharing` body and answer (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserSharing {
    /// The override.
    pub public_sharing: PublicSharingOverride,
    /// Read-only in answers: the resulting decision.
    #[serde(default)]
    pub public_allowed: bool,
}

/// A list of people (follows, followers, blocks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct People {
    /// People, oldest relation first.
    pub people: Vec<PersonRef>,
}

/// One entry of the feed: an award a followed schoolmate shares with the school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedItem {
    /// The award.
    pub award: Award,
    /// Number of cheers.
    pub cheers: u64,
    /// Did I cheer it?
    pub cheered_by_me: bool,
}

/// `GET /api/v1/awards/{id}/cheers`: the recipient sees who cheered; others only the count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Cheers {
    /// Number of cheers.
    pub count: u64,
    /// Did I cheer it?
    pub cheered_by_me: bool,
    /// Who cheered, oldest first: only for the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<PersonRef>>,
}

/// `DELETE /api/v1/me` body: deleting one's own account needs an explicit confirmation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeleteAccountRequest {
    /// Must be `true`.
    pub confirm: bool,
}
