//! The public backpack pages, for anyone (no sign-in needed):
//!
//! - `GET /@{handle}`: a student's public profile (display name only if they chose to show it,
//!   and the collections the visitor may see), with follow/block buttons for signed-in
//!   schoolmates;
//! - `GET /@{handle}/{slug}`: one collection (title, subtitle, ordered badges with their images,
//!   names and the student's comments);
//! - `GET /@{handle}/{slug}/embed`: the same collection as a small script-free page that other
//!   sites may frame (`frame-ancestors *`), public collections only;
//! - `GET /@{handle}/card.png`, `/@{handle}/{slug}/card.png`, `/b/{award_id}/card.png`: the
//!   1200×630 preview cards ([`super::card`]);
//! - `GET /oembed?url=…&format=json`: oEmbed 1.0 (<https://oembed.com>, §2.2–2.3) for collection
//!   addresses: a `rich` response whose `html` is an iframe of the embed page.
//!
//! Lookups go through [`crate::backpack::public_profile`] and
//! [`crate::backpack::public_collection`], so the rules are the API's: handles and slugs match
//! case-insensitively and another case (or a slug from before a rename) answers 301 to the
//! canonical address; private collections, `school` ones outside the school, and unknown ones
//! answer 404 the moment they are made private. A signed-in schoolmate blocked by the owner
//! (or blocking them) gets a 404 for `school` collections too. Every page carries Open Graph
//! and Twitter card tags with absolute URLs (from `public_url`) and `noindex` unless the
//! student allowed indexing. Views are counted with [`crate::backpack::count_view`] (once per
//! visitor per day, never the owner's or a crawler's); only the owner sees the count.
//!
//! Nothing personal is shown beyond the display name the student chose to show: no e-mail,
//! no class, no school roster data.

use std::net::IpAddr;

use accolade_proto::Visibility;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::card::{self, CardSpec};
use crate::backpack::{self, FoundCollection, Lookup, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::ClientIp;
use crate::state::AppState;
use crate::web::i18n::{tr, tr_args};
use crate::web::session::Web;
use crate::web::student::{not_found, school_tz};
use crate::web::{local_path, page};

/// CSP of the embed page: like every page's, but any site may frame it; still no script.
pub const EMBED_CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
                             frame-ancestors *; form-action 'none'; base-uri 'none'; \
                             object-src 'none'";

/// Width of the embedded collection, in CSS pixels (oEmbed `width` unless `maxwidth` is less).
pub const EMBED_WIDTH: u32 = 560;

/// The Open Graph / Twitter card tags of a page (`_og.html`), all URLs absolute.
#[derive(Debug, Clone, Serialize)]
pub struct Og {
    /// `og:title`.
    pub title: String,
    /// `og:description`.
    pub description: String,
    /// `og:url` and `<link rel="canonical">`.
    pub url: String,
    /// `og:image` (1200×630 PNG).
    pub image: String,
    /// `og:image:alt`.
    pub image_alt: String,
    /// `og:site_name`.
    pub site_name: String,
    /// The oEmbed discovery URL (`<link rel="alternate" type="application/json+oembed">`).
    pub oembed: Option<String>,
}

/// The viewer of a public page: the signed-in user (any role) and their school.
pub fn viewer_of(web: &Web) -> Viewer {
    match &web.user {
        Some(u) => Viewer {
            user_id: Some(u.user.id),
            school_id: Some(u.user.school_id),
        },
        None => Viewer::default(),
    }
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

fn moved(path: &str) -> Response {
    let mut res = (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, path.to_owned())],
    )
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The host part of `public_url` (for card footers), e.g. `badges.example.org`.
pub fn host_of(base: &str) -> String {
    base.split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(base)
        .trim_end_matches('/')
        .to_owned()
}

/// `noindex` pages keep the layout's header; indexable ones lose it (the template drops its
/// `<meta name="robots">` too).
fn robots(mut res: Response, indexable: bool) -> Response {
    if indexable {
        res.headers_mut().remove("x-robots-tag");
    }
    res
}

/// The image id at the end of an image URL (`…/ob/v2/images/{id}`).
fn image_id(url: &str) -> Option<Uuid> {
    url.rsplit('/').next()?.parse().ok()
}

fn error(web: &Web, e: &ApiError) -> Response {
    web.finish(crate::web::error_page(
        e,
        web.user.as_ref(),
        &web.csrf(),
        "UTC",
        None,
    ))
}

/// Whether a signed-in viewer and the owner have blocked one another (only checked for
/// `school` collections; a public one is visible to anyone signed out anyway).
async fn blocked(state: &AppState, viewer: Viewer, school_id: Uuid, owner: Uuid) -> bool {
    match viewer.user_id {
        Some(v) if viewer.school_id == Some(school_id) && v != owner => {
            accolade_db::social::blocked_either_way(state.db.conn(), school_id, v, owner)
                .await
                .unwrap_or(true)
        }
        _ => false,
    }
}

async fn visibility_of(state: &AppState, f: &FoundCollection) -> ApiResult<Visibility> {
    let c = accolade_db::collections::by_id(state.db.conn(), f.school_id, f.collection_id)
        .await?
        .ok_or(ApiError::NotFound("collection"))?;
    Ok(Visibility::parse(&c.visibility).unwrap_or_default())
}

/// Looks a collection up for `viewer`, applying blocks; `Err(response)` for a redirect or 404.
async fn find_collection(
    state: &AppState,
    web: &Web,
    viewer: Viewer,
    handle: &str,
    slug: &str,
    suffix: &str,
) -> Result<(FoundCollection, Visibility), Response> {
    let base = state.config.base_url();
    let found = match backpack::public_collection(state.db.conn(), base, handle, slug, viewer).await
    {
        Ok(Lookup::Found(f)) => f,
        Ok(Lookup::Moved(path)) => return Err(moved(&format!("{path}{suffix}"))),
        Ok(Lookup::NotFound) => return Err(not_found(web)),
        Err(e) => return Err(error(web, &e)),
    };
    let vis = match visibility_of(state, &found).await {
        Ok(v) => v,
        Err(e) => return Err(error(web, &e)),
    };
    if vis != Visibility::Public && blocked(state, viewer, found.school_id, found.owner_id).await {
        return Err(not_found(web));
    }
    Ok((found, vis))
}

async fn count(
    state: &AppState,
    school_id: Uuid,
    owner_id: Uuid,
    page_key: &str,
    viewer: Viewer,
    ip: IpAddr,
    headers: &HeaderMap,
) {
    if let Err(e) = backpack::count_view(
        state,
        school_id,
        owner_id,
        page_key,
        viewer.user_id,
        ip,
        user_agent(headers),
    )
    .await
    {
        // A view that could not be counted must not cost the visitor the page.
        tracing::warn!(error = %e, "counting a page view");
    }
}

fn card_query(spec: &CardSpec) -> String {
    format!("?v={}", &spec.key()[..16])
}

fn collection_card_spec(c: &accolade_proto::PublicCollection, host: &str) -> CardSpec {
    CardSpec {
        title: c.title.clone(),
        subtitle: c.subtitle.clone(),
        footer: format!("@{} · {host}", c.handle),
        images: c
            .badges
            .iter()
            .filter_map(|b| image_id(&b.image_url))
            .collect(),
        total: c.badges.len(),
    }
}

/// The Open Graph tags of a collection page.
pub fn collection_og(base: &str, c: &accolade_proto::PublicCollection) -> Og {
    let url = format!("{base}{}", c.path);
    let who = c
        .display_name
        .clone()
        .unwrap_or_else(|| format!("@{}", c.handle));
    let description = match &c.subtitle {
        Some(s) if !s.trim().is_empty() => s.clone(),
        _ => tr_args(
            "backpack-og-collection-description",
            &[
                ("count", c.badges.len().into()),
                ("name", who.clone().into()),
            ],
        ),
    };
    let spec = collection_card_spec(c, &host_of(base));
    Og {
        title: c.title.clone(),
        description,
        image: format!("{url}/card.png{}", card_query(&spec)),
        image_alt: tr_args(
            "backpack-og-image-alt",
            &[
                ("title", c.title.clone().into()),
                ("count", c.badges.len().into()),
            ],
        ),
        oembed: Some(format!(
            "{base}/oembed?url={}&format=json",
            crate::web::url_encode(&url).replace('/', "%2F")
        )),
        url,
        site_name: tr("common-app-name"),
    }
}

/// `GET /@{handle}/{slug}`.
pub async fn collection_page(
    State(state): State<AppState>,
    web: Web,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path((handle, slug)): Path<(String, String)>,
) -> Response {
    let viewer = viewer_of(&web);
    let (found, vis) = match find_collection(&state, &web, viewer, &handle, &slug, "").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let key = backpack::collection_page(found.collection_id);
    count(
        &state,
        found.school_id,
        found.owner_id,
        &key,
        viewer,
        ip,
        &headers,
    )
    .await;
    let is_owner = viewer.user_id == Some(found.owner_id);
    let views = if is_owner {
        backpack::view_count(state.db.conn(), &key).await.ok()
    } else {
        None
    };
    let base = state.config.base_url();
    let tz = school_tz(&state, found.school_id).await;
    let c = &found.view;
    let og = collection_og(base, c);
    let badges: Vec<_> = c
        .badges
        .iter()
        .map(|b| {
            context! {
                award_id => b.award_id,
                name => b.name.clone(),
                image => local_path(&b.image_url, base),
                comment => b.comment.clone(),
                issued => b.issued_on.to_rfc3339(),
                href => format!("/b/{}", b.award_id),
            }
        })
        .collect();
    let res = page(
        StatusCode::OK,
        "backpack_collection.html",
        context! {
            title => c.title.clone(),
            user => web.user.as_ref().map(|u| u.view()),
            collection => context! {
                title => c.title.clone(),
                subtitle => c.subtitle.clone(),
                handle => c.handle.clone(),
                display_name => c.display_name.clone(),
                profile => backpack::profile_path(&c.handle),
                school_only => vis == Visibility::School,
                badges => badges,
            },
            indexable => c.indexable,
            og => og,
            tz => tz,
            owner => is_owner,
            views => views,
            edit => is_owner.then(|| format!("/my/collections/{}", found.collection_id)),
        },
    );
    web.finish(robots(res, c.indexable))
}

/// `GET /@{handle}/{slug}/embed`: the collection for framing on other sites (public ones only:
/// a framed page gets no session cookie, so it is always the anonymous view).
pub async fn embed_page(
    State(state): State<AppState>,
    web: Web,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path((handle, slug)): Path<(String, String)>,
) -> Response {
    let anon = Viewer::default();
    let (found, _) = match find_collection(&state, &web, anon, &handle, &slug, "/embed").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    count(
        &state,
        found.school_id,
        found.owner_id,
        &backpack::collection_page(found.collection_id),
        viewer_of(&web),
        ip,
        &headers,
    )
    .await;
    let base = state.config.base_url();
    let c = &found.view;
    let badges: Vec<_> = c
        .badges
        .iter()
        .map(|b| {
            context! {
                name => b.name.clone(),
                image => local_path(&b.image_url, base),
                comment => b.comment.clone(),
                href => format!("{base}/b/{}", b.award_id),
            }
        })
        .collect();
    let mut res = page(
        StatusCode::OK,
        "backpack_embed.html",
        context! {
            title => c.title.clone(),
            collection => context! {
                title => c.title.clone(),
                subtitle => c.subtitle.clone(),
                handle => c.handle.clone(),
                display_name => c.display_name.clone(),
                url => format!("{base}{}", c.path),
                badges => badges,
            },
        },
    );
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(EMBED_CSP),
    );
    res
}

/// `GET /@{handle}`.
pub async fn profile_page(
    State(state): State<AppState>,
    web: Web,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Response {
    let viewer = viewer_of(&web);
    let conn = state.db.conn();
    let profile = match backpack::public_profile(conn, &handle, viewer).await {
        Ok(Lookup::Found(p)) => p,
        Ok(Lookup::Moved(path)) => return moved(&path),
        Ok(Lookup::NotFound) => return not_found(&web),
        Err(e) => return error(&web, &e),
    };
    let owner = match accolade_db::users::by_handle(conn, &profile.handle).await {
        Ok(Some(u)) => u,
        Ok(None) => return not_found(&web),
        Err(e) => return error(&web, &e.into()),
    };
    let key = backpack::profile_page(owner.id);
    count(
        &state,
        owner.school_id,
        owner.id,
        &key,
        viewer,
        ip,
        &headers,
    )
    .await;
    let is_owner = viewer.user_id == Some(owner.id);
    let views = if is_owner {
        backpack::view_count(conn, &key).await.ok()
    } else {
        None
    };
    // Follow and block, for a signed-in student of the same school.
    let social = match &web.user {
        Some(u)
            if u.is_student()
                && u.user.school_id == owner.school_id
                && !is_owner
                && owner.role == "student" =>
        {
            let following = accolade_db::social::following(conn, owner.school_id, u.user.id)
                .await
                .unwrap_or_default();
            let blocks = accolade_db::social::blocked_by(conn, owner.school_id, u.user.id)
                .await
                .unwrap_or_default();
            Some(context! {
                following => following.contains(&owner.id),
                blocked => blocks.contains(&owner.id),
            })
        }
        _ => None,
    };
    // A blocked schoolmate sees only what a stranger would.
    let mut collections = profile.collections.clone();
    if blocked(&state, viewer, owner.school_id, owner.id).await {
        match backpack::public_profile(conn, &handle, Viewer::default()).await {
            Ok(Lookup::Found(p)) => collections = p.collections,
            _ => return not_found(&web),
        }
    }
    let base = state.config.base_url();
    let who = profile
        .display_name
        .clone()
        .unwrap_or_else(|| format!("@{}", profile.handle));
    let url = format!("{base}{}", backpack::profile_path(&profile.handle));
    let spec = profile_card_spec(&state, &profile.handle, &who, viewer).await;
    let og = Og {
        title: who.clone(),
        description: tr_args(
            "backpack-og-profile-description",
            &[
                ("count", collections.len().into()),
                ("name", who.clone().into()),
            ],
        ),
        image: format!("{url}/card.png{}", card_query(&spec)),
        image_alt: tr_args(
            "backpack-og-profile-image-alt",
            &[("name", who.clone().into())],
        ),
        url,
        site_name: tr("common-app-name"),
        oembed: None,
    };
    let res = page(
        StatusCode::OK,
        "backpack_profile.html",
        context! {
            title => who.clone(),
            user => web.user.as_ref().map(|u| u.view()),
            profile => context! {
                handle => profile.handle.clone(),
                display_name => profile.display_name.clone(),
                collections => collections,
            },
            indexable => profile.indexable,
            og => og,
            owner => is_owner,
            views => views,
            social => social,
            csrf => web.csrf(),
        },
    );
    web.finish(robots(res, profile.indexable))
}

/// A profile's card: the name and the badges of its first collection `viewer` may see.
async fn profile_card_spec(state: &AppState, handle: &str, who: &str, viewer: Viewer) -> CardSpec {
    let conn = state.db.conn();
    let base = state.config.base_url();
    let mut spec = CardSpec {
        title: who.to_owned(),
        subtitle: None,
        footer: format!("@{handle} · {}", host_of(base)),
        images: Vec::new(),
        total: 0,
    };
    if let Ok(Lookup::Found(p)) = backpack::public_profile(conn, handle, viewer).await {
        if let Some(first) = p.collections.first() {
            spec.subtitle = Some(first.title.clone());
            if let Ok(Lookup::Found(f)) =
                backpack::public_collection(conn, base, handle, &first.slug, viewer).await
            {
                spec.images = f
                    .view
                    .badges
                    .iter()
                    .filter_map(|b| image_id(&b.image_url))
                    .collect();
                spec.total = f.view.badges.len();
            }
        }
    }
    spec
}

async fn load_images(state: &AppState, ids: Vec<Uuid>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for id in ids {
        match accolade_db::badges::image(state.db.conn(), id).await {
            Ok(Some(img)) => out.push(img.bytes),
            // A missing image leaves its plate empty rather than failing the card.
            _ => out.push(Vec::new()),
        }
    }
    out
}

async fn card_response(state: &AppState, web: &Web, spec: CardSpec) -> Response {
    let st = state.clone();
    let Some(png) = card::png(spec, |ids| async move { load_images(&st, ids).await }).await else {
        return error(web, &ApiError::Internal("card rendering failed".into()));
    };
    // Signed-in viewers may be seeing a `school` collection: keep those out of shared caches.
    let cache = if web.user.is_some() {
        "private, max-age=300"
    } else {
        "public, max-age=300"
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        png.as_ref().clone(),
    )
        .into_response()
}

/// `GET /@{handle}/{slug}/card.png`: the collection's preview card (1200×630 PNG).
pub async fn collection_card(
    State(state): State<AppState>,
    web: Web,
    Path((handle, slug)): Path<(String, String)>,
) -> Response {
    let viewer = viewer_of(&web);
    let (found, _) = match find_collection(&state, &web, viewer, &handle, &slug, "/card.png").await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let spec = collection_card_spec(&found.view, &host_of(state.config.base_url()));
    card_response(&state, &web, spec).await
}

/// `GET /@{handle}/card.png`: the profile's preview card.
pub async fn profile_card(
    State(state): State<AppState>,
    web: Web,
    Path(handle): Path<String>,
) -> Response {
    let viewer = viewer_of(&web);
    let profile = match backpack::public_profile(state.db.conn(), &handle, viewer).await {
        Ok(Lookup::Found(p)) => p,
        Ok(Lookup::Moved(path)) => return moved(&format!("{path}/card.png")),
        Ok(Lookup::NotFound) => return not_found(&web),
        Err(e) => return error(&web, &e),
    };
    let who = profile
        .display_name
        .clone()
        .unwrap_or_else(|| format!("@{}", profile.handle));
    let spec = profile_card_spec(&state, &profile.handle, &who, viewer).await;
    card_response(&state, &web, spec).await
}

async fn badge_card_spec(
    state: &AppState,
    award: &accolade_db::awards::Award,
) -> ApiResult<CardSpec> {
    let conn = state.db.conn();
    let rev = accolade_db::badges::revision(conn, award.revision_id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    let school = accolade_db::schools::by_id(conn, award.school_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    Ok(CardSpec {
        title: rev.name,
        subtitle: Some(school),
        footer: host_of(state.config.base_url()),
        images: vec![rev.image_id],
        total: 1,
    })
}

/// The Open Graph tags of the public badge page `/b/{award_id}` (absolute URLs; the card is
/// `/b/{award_id}/card.png`). For `public_badge.rs`: `og => backpack::public::badge_og(…)`.
pub async fn badge_og(state: &AppState, award_id: Uuid) -> Option<Og> {
    let award = accolade_db::awards::by_id_public(state.db.conn(), award_id)
        .await
        .ok()??;
    let spec = badge_card_spec(state, &award).await.ok()?;
    let base = state.config.base_url();
    let url = format!("{base}/b/{award_id}");
    Some(Og {
        title: spec.title.clone(),
        description: tr_args(
            "backpack-og-badge-description",
            &[
                ("badge", spec.title.clone().into()),
                ("issuer", spec.subtitle.clone().unwrap_or_default().into()),
            ],
        ),
        image: format!("{url}/card.png{}", card_query(&spec)),
        image_alt: spec.title.clone(),
        url,
        site_name: tr("common-app-name"),
        oembed: None,
    })
}

/// `GET /b/{award_id}/card.png`: a public badge's preview card.
pub async fn badge_card(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(&web);
    };
    let award = match accolade_db::awards::by_id_public(state.db.conn(), id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(&web),
        Err(e) => return error(&web, &e.into()),
    };
    match badge_card_spec(&state, &award).await {
        Ok(spec) => card_response(&state, &web, spec).await,
        Err(ApiError::NotFound(_)) => not_found(&web),
        Err(e) => error(&web, &e),
    }
}

/// Query of `GET /oembed` (oEmbed 1.0 §2.2).
#[derive(Debug, Default, Deserialize)]
pub struct OembedQuery {
    /// The collection address.
    pub url: Option<String>,
    /// `json` (default); anything else is 501.
    pub format: Option<String>,
    /// Largest width the consumer can show.
    pub maxwidth: Option<u32>,
    /// Largest height the consumer can show.
    pub maxheight: Option<u32>,
}

/// oEmbed 1.0 response (§2.3.4), type `rich`.
#[derive(Debug, Serialize)]
pub struct Oembed {
    /// `"1.0"`.
    pub version: &'static str,
    /// `"rich"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Collection title.
    pub title: String,
    /// The display name if shown publicly, else `@handle`.
    pub author_name: String,
    /// The profile address.
    pub author_url: String,
    /// `Accolade`.
    pub provider_name: String,
    /// `public_url`.
    pub provider_url: String,
    /// Suggested cache lifetime, seconds.
    pub cache_age: u64,
    /// An `<iframe>` of the embed page.
    pub html: String,
    /// Width of `html`, pixels.
    pub width: u32,
    /// Height of `html`, pixels.
    pub height: u32,
    /// The preview card (omitted when it would not fit `maxwidth`/`maxheight`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// 1200.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_width: Option<u32>,
    /// 630.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_height: Option<u32>,
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `/@{handle}/{slug}` of an absolute collection URL on this server (query and fragment
/// ignored), else `None`.
fn collection_of_url(base: &str, url: &str) -> Option<(String, String)> {
    let rest = url.trim().strip_prefix(base)?;
    let rest = rest.split(['?', '#']).next()?;
    let rest = rest.strip_prefix("/@")?.trim_end_matches('/');
    let (handle, slug) = rest.split_once('/')?;
    if handle.is_empty() || slug.is_empty() || slug.contains('/') {
        return None;
    }
    Some((handle.to_owned(), slug.to_owned()))
}

/// The iframe HTML of a collection's embed page.
pub fn embed_html(base: &str, path: &str, title: &str, width: u32, height: u32) -> String {
    format!(
        "<iframe src=\"{base}{path}/embed\" width=\"{width}\" height=\"{height}\" title=\"{}\" \
         loading=\"lazy\" sandbox=\"allow-popups allow-popups-to-escape-sandbox\" \
         referrerpolicy=\"no-referrer\" frameborder=\"0\"></iframe>",
        attr_escape(title)
    )
}

/// The height the embed page needs for `n` badges at [`EMBED_WIDTH`] (a header and one row of
/// about 150 px per two badges).
pub fn embed_height(n: usize) -> u32 {
    (120 + n.div_ceil(2).max(1) * 170).min(1200) as u32
}

fn oembed_error(status: StatusCode, detail: &'static str) -> Response {
    let mut res = match status {
        StatusCode::NOT_IMPLEMENTED => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            detail,
        )
            .into_response(),
        _ => ApiError::NotFound(detail).into_response(),
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /oembed?url=…&format=json[&maxwidth=…&maxheight=…]` (oEmbed 1.0): for the address of
/// a public collection, a `rich` response embedding `/@{handle}/{slug}/embed`. Another host,
/// a path that is not a collection, or a collection that is not public: 404. A `format` other
/// than `json`: 501 (§2.3.3). No `url`: 422 problem naming the field.
pub async fn oembed(
    State(state): State<AppState>,
    q: Result<Query<OembedQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return oembed_error(StatusCode::NOT_FOUND, "oembed url");
    };
    if q.format.as_deref().is_some_and(|f| f != "json") {
        return oembed_error(StatusCode::NOT_IMPLEMENTED, "only format=json is supported");
    }
    if q.url.as_deref().is_none_or(|u| u.trim().is_empty()) {
        let mut res =
            ApiError::field("url", "give the address of a public collection").into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return res;
    }
    let base = state.config.base_url();
    let Some((handle, slug)) = q.url.as_deref().and_then(|u| collection_of_url(base, u)) else {
        return oembed_error(StatusCode::NOT_FOUND, "collection");
    };
    let conn = state.db.conn();
    let anon = Viewer::default();
    let mut lookup = backpack::public_collection(conn, base, &handle, &slug, anon).await;
    // Follow one redirect (another case, an old slug) to the canonical collection.
    if let Ok(Lookup::Moved(path)) = &lookup {
        match collection_of_url(base, &format!("{base}{path}")) {
            Some((h, s)) => lookup = backpack::public_collection(conn, base, &h, &s, anon).await,
            None => return oembed_error(StatusCode::NOT_FOUND, "collection"),
        }
    }
    let found = match lookup {
        Ok(Lookup::Found(f)) => f,
        Ok(_) => return oembed_error(StatusCode::NOT_FOUND, "collection"),
        Err(e) => return e.into_response(),
    };
    let c = found.view;
    let width = q
        .maxwidth
        .map_or(EMBED_WIDTH, |m| m.clamp(200, EMBED_WIDTH));
    let height = q.maxheight.map_or(embed_height(c.badges.len()), |m| {
        embed_height(c.badges.len()).min(m.max(100))
    });
    let thumb_fits = q.maxwidth.is_none_or(|m| m >= card::WIDTH)
        && q.maxheight.is_none_or(|m| m >= card::HEIGHT);
    let spec = collection_card_spec(&c, &host_of(base));
    let body = Oembed {
        version: "1.0",
        kind: "rich",
        title: c.title.clone(),
        author_name: c
            .display_name
            .clone()
            .unwrap_or_else(|| format!("@{}", c.handle)),
        author_url: format!("{base}{}", backpack::profile_path(&c.handle)),
        provider_name: tr("common-app-name"),
        provider_url: base.to_owned(),
        cache_age: 3600,
        html: embed_html(base, &c.path, &c.title, width, height),
        width,
        height,
        thumbnail_url: thumb_fits
            .then(|| format!("{base}{}/card.png{}", c.path, card_query(&spec))),
        thumbnail_width: thumb_fits.then_some(card::WIDTH),
        thumbnail_height: thumb_fits.then_some(card::HEIGHT),
    };
    let mut res = Json(body).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oembed_urls() {
        let base = "https://b.example.org";
        assert_eq!(
            collection_of_url(base, "https://b.example.org/@Ada/My-Best?x=1#y"),
            Some(("Ada".into(), "My-Best".into()))
        );
        assert_eq!(collection_of_url(base, "https://b.example.org/@ada"), None);
        assert_eq!(collection_of_url(base, "https://evil.example/@ada/x"), None);
        assert_eq!(
            collection_of_url(base, "https://b.example.org/@ada/x/embed"),
            None
        );
        assert_eq!(host_of("https://b.example.org/"), "b.example.org");
        assert!(embed_html(base, "/@a/b", "R&D \"x\"", 560, 300).contains("R&amp;D &quot;x&quot;"));
    }
}
