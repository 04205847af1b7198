//! Backpack and sharing services, shared by the REST API (`routes::collections`,
//! `routes::social`) and the public web pages (`/@{handle}`, `/@{handle}/{slug}`):
//!
//! - slugs: [`slugify`], [`unique_slug`];
//! - the public-sharing policy: [`public_allowed`];
//! - wire views: [`collection_view`];
//! - public reads: [`public_profile`], [`public_collection`] answer a [`Lookup`] (found,
//!   301 to the canonical path, or 404 — private, school-only to outsiders, unknown);
//! - view counting: [`count_view`] (with [`is_crawler`] and [`visitor_hash`]), [`view_count`];
//! - friends: [`award_shared_with`] (may this schoolmate see and cheer this award?), [`feed`];
//! - export: [`export_zip`]; account deletion: [`delete_account`].

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;

use accolade_db::collections::Collection as CollectionRow;
use accolade_db::schools::School;
use accolade_db::users::User;
use accolade_proto::{
    Collection, CollectionItem, FeedItem, PersonRef, PublicBadge, PublicCollection,
    PublicCollectionSummary, PublicProfile, PublicSharingOverride, Visibility,
};
use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::ConnectionTrait;
use sha2::Sha256;
use uuid::Uuid;

use crate::badges::{self as svc, ViewCache};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Longest slug, in bytes (the column holds 80; room for a `-NN` suffix).
pub const MAX_SLUG: usize = 60;
/// Most items in one collection.
pub const MAX_ITEMS: usize = 100;
/// Longest item comment, in characters.
pub const MAX_COMMENT: usize = 280;
/// Revocation reason of the awards of a deleted account (shown by their hosted URLs, 410).
pub const DELETED_REASON: &str = "recipient account deleted";

/// A URL-safe slug from a title: accents folded and other scripts transliterated to ASCII
/// (`deunicode`), lower-case, runs of anything but letters and digits become one `-`, at most
/// [`MAX_SLUG`] bytes; `"collection"` when nothing is left. `"R&D. Ünïcødé Ninja"` →
/// `"r-d-unicode-ninja"`.
pub fn slugify(title: &str) -> String {
    let ascii = deunicode::deunicode(title).to_lowercase();
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(MAX_SLUG);
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        "collection".to_owned()
    } else {
        out
    }
}

/// `base`, or `base-2`, `base-3`, … : the first slug none of the owner's other collections
/// uses now.
pub async fn unique_slug(
    conn: &impl ConnectionTrait,
    owner_id: Uuid,
    base: &str,
    except: Option<Uuid>,
) -> ApiResult<String> {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while accolade_db::collections::slug_taken(conn, owner_id, &candidate, except).await? {
        candidate = format!("{base}-{n}");
        n += 1;
        if n > 1000 {
            return Err(ApiError::Conflict(
                "too many collections with this title".into(),
            ));
        }
    }
    Ok(candidate)
}

/// The number in a roster grade: `"07"`, `"7"`, `"Year 7"`, `"Y7"` → 7; `"KG"`/`"PK"` → 0;
/// `None` when there is no number.
pub fn grade_number(grade: Option<&str>) -> Option<i32> {
    let g = grade?.trim();
    if g.eq_ignore_ascii_case("kg") || g.eq_ignore_ascii_case("pk") {
        return Some(0);
    }
    let digits: String = g
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// May `user` make a collection `public`? The school switch must be on; then an admin's
/// per-student override decides, else the school's minimum grade (a missing or non-numeric
/// grade counts as below it). Staff are not subject to the grade rule.
pub fn public_allowed(school: &School, user: &User) -> bool {
    if !school.allow_public_sharing || user.deleted_at.is_some() {
        return false;
    }
    match PublicSharingOverride::parse(&user.public_sharing) {
        PublicSharingOverride::Denied => false,
        PublicSharingOverride::Allowed => true,
        PublicSharingOverride::Default => match school.public_sharing_min_grade {
            None => true,
            Some(_) if user.role != "student" => true,
            Some(min) => grade_number(user.grade.as_deref()).is_some_and(|g| g >= min),
        },
    }
}

/// `/@{handle}`: a student's public profile path.
pub fn profile_path(handle: &str) -> String {
    format!("/@{handle}")
}

/// `/@{handle}/{slug}`: a collection's public path.
pub fn collection_path(handle: &str, slug: &str) -> String {
    format!("/@{handle}/{slug}")
}

/// The view-count key of a collection page.
pub fn collection_page(id: Uuid) -> String {
    format!("collection:{id}")
}

/// The view-count key of a profile page.
pub fn profile_page(owner_id: Uuid) -> String {
    format!("profile:{owner_id}")
}

/// The view-count key of a public badge page.
pub fn badge_page(award_id: Uuid) -> String {
    format!("award:{award_id}")
}

/// The wire view of a collection; `with_views` adds the view count (owner only).
pub async fn collection_view(
    conn: &impl ConnectionTrait,
    base: &str,
    c: &CollectionRow,
    owner: &User,
    with_views: bool,
) -> ApiResult<Collection> {
    let mut cache = ViewCache::default();
    let mut items = Vec::new();
    for item in accolade_db::collections::items(conn, c.id).await? {
        let Some(a) = accolade_db::awards::by_id(conn, c.school_id, item.award_id).await? else {
            continue;
        };
        items.push(CollectionItem {
            award: svc::award_view(conn, base, &mut cache, &a).await?,
            comment: item.comment,
        });
    }
    let views = if with_views {
        Some(accolade_db::collections::view_count(conn, &collection_page(c.id)).await?)
    } else {
        None
    };
    Ok(Collection {
        id: c.id,
        owner: PersonRef {
            id: owner.id,
            display_name: owner.display_name.clone(),
        },
        title: c.title.clone(),
        subtitle: c.subtitle.clone(),
        slug: c.slug.clone(),
        visibility: Visibility::parse(&c.visibility).unwrap_or_default(),
        public_path: collection_path(&owner.handle, &c.slug),
        items,
        views,
        created_at: c.created_at.with_timezone(&Utc),
        updated_at: c.updated_at.with_timezone(&Utc),
    })
}

/// The answer of a public lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<T> {
    /// Shown at this address.
    Found(T),
    /// Lives at another address (another letter case, or an old slug): answer 301 with this
    /// path.
    Moved(String),
    /// Unknown, private, or shared with a school the viewer is not signed in to: 404.
    NotFound,
}

/// Who is looking at a public page: nobody signed in, or a signed-in user (school members
/// also see `school` collections; owners see their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Viewer {
    /// The signed-in user, if any.
    pub user_id: Option<Uuid>,
    /// Their school.
    pub school_id: Option<Uuid>,
}

/// Whether `viewer` may see `c`. `public_ok` is [`public_allowed`] for its owner *now*: a
/// `public` collection of a student the school no longer lets share publicly (the switch
/// turned off, the grade rule, an admin's override) is shown to the school only, until
/// sharing is allowed again.
fn can_see(c: &CollectionRow, viewer: Viewer, public_ok: bool) -> bool {
    match Visibility::parse(&c.visibility).unwrap_or_default() {
        Visibility::Public if public_ok => true,
        Visibility::Public => viewer.school_id == Some(c.school_id),
        Visibility::School => viewer.school_id == Some(c.school_id),
        Visibility::Private => viewer.user_id == Some(c.owner_id),
    }
}

/// `viewer` as `owner`'s public pages treat them: a schoolmate whom the owner blocked (or
/// who blocked the owner) sees only what anyone may see, as if signed out — never the
/// owner's `school` collections.
async fn unless_blocked(
    conn: &impl ConnectionTrait,
    viewer: Viewer,
    owner: &User,
) -> ApiResult<Viewer> {
    match viewer.user_id {
        Some(id)
            if id != owner.id
                && viewer.school_id == Some(owner.school_id)
                && accolade_db::social::blocked_either_way(conn, owner.school_id, id, owner.id)
                    .await? =>
        {
            Ok(Viewer::default())
        }
        _ => Ok(viewer),
    }
}

/// [`public_allowed`] for `user` under their school's current policy.
async fn owner_may_share_publicly(conn: &impl ConnectionTrait, user: &User) -> ApiResult<bool> {
    Ok(accolade_db::schools::by_id(conn, user.school_id)
        .await?
        .is_some_and(|school| public_allowed(&school, user)))
}

async fn owner_by_handle(conn: &impl ConnectionTrait, handle: &str) -> ApiResult<Lookup<User>> {
    let lower = handle.to_lowercase();
    let Some(user) = accolade_db::users::by_handle(conn, &lower).await? else {
        return Ok(Lookup::NotFound);
    };
    if !user.active || user.deleted_at.is_some() {
        return Ok(Lookup::NotFound);
    }
    if lower != handle {
        return Ok(Lookup::Moved(profile_path(&user.handle)));
    }
    Ok(Lookup::Found(user))
}

/// The public profile of `handle` (case-insensitive; another case answers `Moved`): display
/// name only if the student opted in, and the collections `viewer` may see. `NotFound` when
/// there is nothing to show.
pub async fn public_profile(
    conn: &impl ConnectionTrait,
    handle: &str,
    viewer: Viewer,
) -> ApiResult<Lookup<PublicProfile>> {
    let user = match owner_by_handle(conn, handle).await? {
        Lookup::Found(u) => u,
        Lookup::Moved(p) => return Ok(Lookup::Moved(p)),
        Lookup::NotFound => return Ok(Lookup::NotFound),
    };
    let public_ok = owner_may_share_publicly(conn, &user).await?;
    let viewer = unless_blocked(conn, viewer, &user).await?;
    let mut collections = Vec::new();
    for c in accolade_db::collections::of_owner(conn, user.school_id, user.id, None).await? {
        if !can_see(&c, viewer, public_ok) {
            continue;
        }
        let count = visible_badges(conn, &c).await?.len() as u32;
        collections.push(PublicCollectionSummary {
            path: collection_path(&user.handle, &c.slug),
            title: c.title,
            subtitle: c.subtitle,
            slug: c.slug,
            badge_count: count,
        });
    }
    if collections.is_empty() {
        return Ok(Lookup::NotFound);
    }
    Ok(Lookup::Found(PublicProfile {
        display_name: user.show_name_publicly.then(|| user.display_name.clone()),
        handle: user.handle,
        collections,
        indexable: user.allow_indexing,
    }))
}

async fn visible_badges(
    conn: &impl ConnectionTrait,
    c: &CollectionRow,
) -> ApiResult<Vec<(accolade_db::awards::Award, Option<String>)>> {
    let mut out = Vec::new();
    for item in accolade_db::collections::items(conn, c.id).await? {
        let Some(a) = accolade_db::awards::by_id(conn, c.school_id, item.award_id).await? else {
            continue;
        };
        if a.hidden || svc::award_status(&a) != accolade_proto::AwardStatus::Valid {
            continue;
        }
        out.push((a, item.comment));
    }
    Ok(out)
}

/// A collection found by [`public_collection`], with the ids needed to count the view.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCollection {
    /// What the page shows.
    pub view: PublicCollection,
    /// Collection id.
    pub collection_id: Uuid,
    /// Owner id.
    pub owner_id: Uuid,
    /// Owner's school.
    pub school_id: Uuid,
}

/// The collection at `/@{handle}/{slug}` as `viewer` may see it. Another letter case of the
/// handle or slug, or a slug the collection had before a rename, answers `Moved` with the
/// canonical path; private collections (to anyone but the owner) and `school` ones (outside
/// the school) answer `NotFound`, exactly like unknown ones. Hidden, revoked and expired
/// badges are left out.
pub async fn public_collection(
    conn: &impl ConnectionTrait,
    base: &str,
    handle: &str,
    slug: &str,
    viewer: Viewer,
) -> ApiResult<Lookup<FoundCollection>> {
    let (user, mut moved) = match owner_by_handle(conn, handle).await? {
        Lookup::Found(u) => (u, false),
        Lookup::Moved(_) => {
            match accolade_db::users::by_handle(conn, &handle.to_lowercase()).await? {
                Some(u) => (u, true),
                None => return Ok(Lookup::NotFound),
            }
        }
        Lookup::NotFound => return Ok(Lookup::NotFound),
    };
    let lower = slug.to_lowercase();
    moved |= lower != slug;
    let c = match accolade_db::collections::by_slug(conn, user.id, &lower).await? {
        Some(c) => c,
        None => match accolade_db::collections::by_old_slug(conn, user.id, &lower).await? {
            Some(c) => {
                moved = true;
                c
            }
            None => return Ok(Lookup::NotFound),
        },
    };
    let viewer = unless_blocked(conn, viewer, &user).await?;
    if c.school_id != user.school_id
        || !can_see(&c, viewer, owner_may_share_publicly(conn, &user).await?)
    {
        return Ok(Lookup::NotFound);
    }
    let path = collection_path(&user.handle, &c.slug);
    if moved {
        return Ok(Lookup::Moved(path));
    }
    let mut cache_school = None;
    let mut badges = Vec::new();
    for (a, comment) in visible_badges(conn, &c).await? {
        let Some(rev) = accolade_db::badges::revision(conn, a.revision_id).await? else {
            continue;
        };
        if cache_school.is_none() {
            cache_school = accolade_db::schools::by_id(conn, a.school_id)
                .await?
                .map(|s| s.name);
        }
        badges.push(PublicBadge {
            award_id: a.id,
            name: rev.name,
            description: rev.description,
            image_url: svc::image_url(base, rev.image_id),
            issuer_name: cache_school.clone().unwrap_or_default(),
            issued_on: a.issued_on.with_timezone(&Utc),
            comment,
            assertion_url: svc::assertion_url(base, a.id),
        });
    }
    Ok(Lookup::Found(FoundCollection {
        view: PublicCollection {
            display_name: user.show_name_publicly.then(|| user.display_name.clone()),
            handle: user.handle.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            slug: c.slug.clone(),
            path,
            badges,
            indexable: user.allow_indexing,
            updated_at: c.updated_at.with_timezone(&Utc),
        },
        collection_id: c.id,
        owner_id: user.id,
        school_id: c.school_id,
    }))
}

/// Known crawlers and link-preview fetchers (by `User-Agent`), whose visits are not counted;
/// an empty or missing agent counts as a robot too.
pub fn is_crawler(user_agent: Option<&str>) -> bool {
    const BOTS: &[&str] = &[
        "bot",
        "crawl",
        "spider",
        "slurp",
        "facebookexternalhit",
        "facebot",
        "embedly",
        "preview",
        "whatsapp",
        "telegram",
        "discord",
        "slack",
        "curl/",
        "wget",
        "python-requests",
        "headless",
        "lighthouse",
        "ia_archiver",
        "mediapartners",
        "bingpreview",
        "yandex",
        "baiduspider",
        "duckduck",
        "applebot",
        "petalbot",
        "semrush",
        "ahrefs",
    ];
    match user_agent.map(str::trim) {
        None | Some("") => true,
        Some(ua) => {
            let ua = ua.to_ascii_lowercase();
            BOTS.iter().any(|b| ua.contains(b))
        }
    }
}

/// The stored visitor key: HMAC-SHA256 (keyed with a server secret) of the day and the visitor
/// (a signed-in user's id, else IP and user agent), hex. It changes every day and cannot be
/// turned back into an address.
pub fn visitor_hash(key: &[u8], day: &str, visitor: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"accolade-page-view\0");
    mac.update(day.as_bytes());
    mac.update(b"\0");
    mac.update(visitor.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Counts one view of `page` (see [`collection_page`], [`profile_page`], [`badge_page`]) of
/// `owner_id`'s, unless the viewer is the owner or a known crawler, or this visitor was already
/// counted today (UTC). Returns true when counted.
pub async fn count_view(
    state: &AppState,
    school_id: Uuid,
    owner_id: Uuid,
    page: &str,
    viewer_user_id: Option<Uuid>,
    ip: IpAddr,
    user_agent: Option<&str>,
) -> ApiResult<bool> {
    if viewer_user_id == Some(owner_id) || is_crawler(user_agent) {
        return Ok(false);
    }
    let day = state.now().format("%Y-%m-%d").to_string();
    let visitor = match viewer_user_id {
        Some(id) => format!("user:{id}"),
        None => format!("anon:{ip}|{}", user_agent.unwrap_or_default()),
    };
    let hash = visitor_hash(&state.link_key, &day, &visitor);
    let txn = state.db.begin_write().await?;
    let counted =
        accolade_db::collections::record_view(&*txn, school_id, owner_id, page, &day, &hash)
            .await?;
    txn.commit().await?;
    Ok(counted)
}

/// Counted views of `page` (show it to the page's owner only).
pub async fn view_count(conn: &impl ConnectionTrait, page: &str) -> ApiResult<u64> {
    Ok(accolade_db::collections::view_count(conn, page).await?)
}

/// May `viewer` (a member of `school_id`) see and cheer award `a`? Its recipient, yes; anyone
/// else in the school only when the award is live, not hidden, in one of the recipient's
/// `school` or `public` collections, and neither has blocked the other.
pub async fn award_shared_with(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    viewer: Uuid,
    a: &accolade_db::awards::Award,
) -> ApiResult<bool> {
    if a.school_id != school_id {
        return Ok(false);
    }
    if a.recipient_id == viewer {
        return Ok(true);
    }
    if a.hidden || a.revoked_at.is_some() {
        return Ok(false);
    }
    if accolade_db::social::blocked_either_way(conn, school_id, viewer, a.recipient_id).await? {
        return Ok(false);
    }
    let shared = accolade_db::collections::shared_award_ids(
        conn,
        school_id,
        &[a.recipient_id],
        &["school", "public"],
    )
    .await?;
    Ok(shared.contains(&a.id))
}

/// The feed of `user`: awards that the people they follow share with the school (live, not
/// hidden, in a `school` or `public` collection), newest first, with cheer counts.
pub async fn feed(
    conn: &impl ConnectionTrait,
    base: &str,
    school_id: Uuid,
    user: Uuid,
    offset: u64,
    limit: u64,
) -> ApiResult<Vec<FeedItem>> {
    let following = accolade_db::social::following(conn, school_id, user).await?;
    let ids = accolade_db::collections::shared_award_ids(
        conn,
        school_id,
        &following,
        &["school", "public"],
    )
    .await?;
    let mut awards = Vec::new();
    for id in ids {
        if let Some(a) = accolade_db::awards::by_id(conn, school_id, id).await? {
            if !a.hidden && a.revoked_at.is_none() {
                awards.push(a);
            }
        }
    }
    awards.sort_by(|a, b| b.issued_on.cmp(&a.issued_on).then(b.id.cmp(&a.id)));
    let mut cache = ViewCache::default();
    let mut out = Vec::new();
    for a in awards
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
    {
        let cheers = accolade_db::social::cheers_of(conn, school_id, a.id).await?;
        out.push(FeedItem {
            award: svc::award_view(conn, base, &mut cache, &a).await?,
            cheers: cheers.len() as u64,
            cheered_by_me: cheers.iter().any(|c| c.user_id == user),
        });
    }
    Ok(out)
}

/// Everything of one student in a zip: `badges/{award}.png` and `.svg` (baked, for live
/// awards), `badges/{award}.json` (the hosted OB 2.0 assertion, exactly as issued, for every
/// award), `awards.json`, `collections.json`, `nominations.json` (made and received) and a
/// readable `index.html`. The caller has checked the right to export (the student, or an
/// admin of their school).
pub async fn export_zip(state: &AppState, school_id: Uuid, user_id: Uuid) -> ApiResult<Vec<u8>> {
    let conn = state.db.conn();
    let base = state.config.base_url();
    let user = accolade_db::users::by_id(conn, school_id, user_id)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(ApiError::NotFound("user"))?;
    let awards = accolade_db::awards::by_recipient(conn, school_id, user.id, 0, 100_000).await?;
    let mut cache = ViewCache::default();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut award_views = Vec::new();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for a in &awards {
        let view = svc::award_view(conn, base, &mut cache, a).await?;
        names.insert(a.id, view.badge.name.clone());
        files.push((format!("badges/{}.json", a.id), a.json.clone().into_bytes()));
        if a.revoked_at.is_none() {
            let rev = accolade_db::badges::revision(conn, a.revision_id)
                .await?
                .ok_or_else(|| ApiError::Internal("missing revision".into()))?;
            let image = accolade_db::badges::image(conn, rev.image_id)
                .await?
                .ok_or_else(|| ApiError::Internal("missing image".into()))?;
            let json = a.json.clone();
            let verify = svc::assertion_url(base, a.id);
            let baked = tokio::task::spawn_blocking(move || {
                let png = crate::routes::ob::bake(image.clone(), &json, &verify, true);
                let svg = crate::routes::ob::bake(image, &json, &verify, false);
                (png, svg)
            })
            .await
            .map_err(|e| ApiError::Internal(format!("bake task: {e}")))?;
            // A design that cannot be rendered still leaves its JSON in the export.
            if let Ok(png) = baked.0 {
                files.push((format!("badges/{}.png", a.id), png));
            }
            if let Ok(svg) = baked.1 {
                files.push((format!("badges/{}.svg", a.id), svg));
            }
        }
        award_views.push(view);
    }
    let mut collections = Vec::new();
    for c in accolade_db::collections::of_owner(conn, school_id, user.id, None).await? {
        collections.push(collection_view(conn, base, &c, &user, true).await?);
    }
    let mut nominations = Vec::new();
    let made = accolade_db::nominations::by_nominator(conn, school_id, user.id, 0, 100_000).await?;
    let received = accolade_db::nominations::for_nominee(conn, school_id, user.id).await?;
    for n in made.iter().chain(received.iter()) {
        nominations.push(svc::nomination_view(conn, base, &mut cache, n).await?);
    }
    files.push(("awards.json".into(), pretty(&award_views)));
    files.push(("collections.json".into(), pretty(&collections)));
    files.push(("nominations.json".into(), pretty(&nominations)));
    files.push((
        "index.html".into(),
        index_html(&user, &award_views, &collections).into_bytes(),
    ));

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name, opts)
            .map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
        zip.write_all(&bytes)
            .map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
    }
    let cursor = zip
        .finish()
        .map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
    Ok(cursor.into_inner())
}

fn pretty<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn index_html(user: &User, awards: &[accolade_proto::Award], collections: &[Collection]) -> String {
    let mut rows = String::new();
    for a in awards {
        let files = if a.status == accolade_proto::AwardStatus::Revoked {
            format!("<a href=\"badges/{0}.json\">JSON</a>", a.id)
        } else {
            format!(
                "<a href=\"badges/{0}.png\">PNG</a> · <a href=\"badges/{0}.svg\">SVG</a> · <a href=\"badges/{0}.json\">JSON</a>",
                a.id
            )
        };
        rows.push_str(&format!(
            "<tr><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&a.badge.name),
            a.issued_on.format("%Y-%m-%d"),
            esc(&format!("{:?}", a.status).to_lowercase()),
            files
        ));
    }
    let mut cols = String::new();
    for c in collections {
        cols.push_str(&format!(
            "<li><bdi>{}</bdi> ({}, {} badges)</li>\n",
            esc(&c.title),
            c.visibility.as_str(),
            c.items.len()
        ));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Badges of {name}</title></head><body>\
         <h1>Badges of <bdi>{name}</bdi></h1>\
         <p>Each badge is an Open Badge 2.0: the PNG and SVG files carry the signed-off assertion inside them \
         and can be imported into any Open Badges backpack; the JSON file is the assertion itself.</p>\
         <table><thead><tr><th scope=\"col\">Badge</th><th scope=\"col\">Issued</th><th scope=\"col\">Status</th><th scope=\"col\">Files</th></tr></thead>\
         <tbody>{rows}</tbody></table>\
         <h2>Collections</h2><ul>{cols}</ul>\
         <p>Also included: awards.json, collections.json, nominations.json.</p></body></html>",
        name = esc(&user.display_name)
    )
}

/// Deletes `user_id`'s account (the student themself, or an admin `actor` for a student of
/// their school), in one transaction: revokes every live award with the reason
/// [`DELETED_REASON`] (their hosted assertions then answer 410), deletes collections, follows,
/// blocks, cheers, sessions and cards, anonymises the user row and ends their live
/// connections, and records `user.delete` in the audit log without personal data.
pub async fn delete_account(
    state: &AppState,
    actor: Uuid,
    school_id: Uuid,
    user_id: Uuid,
) -> ApiResult<()> {
    let txn = state.db.begin_write().await?;
    let user = accolade_db::users::by_id(&*txn, school_id, user_id)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(ApiError::NotFound("user"))?;
    let awards = accolade_db::awards::by_recipient(&*txn, school_id, user.id, 0, 100_000).await?;
    let mut revoked = 0u32;
    for a in &awards {
        if accolade_db::awards::revoke(&*txn, a.id, Some(actor), DELETED_REASON).await? {
            revoked += 1;
        }
    }
    let collections = accolade_db::collections::delete_all_of(&*txn, school_id, user.id).await?;
    accolade_db::social::forget_user(&*txn, school_id, user.id).await?;
    accolade_db::classes::unenroll_all(&*txn, user.id).await?;
    accolade_db::auth::revoke_all_for_user(&*txn, user.id, "account_deleted").await?;
    crate::notify::user_sessions_ended(&txn, user.id).await?;
    // `erase` only touches a row not yet deleted: of two concurrent deletions (PostgreSQL does
    // not serialise writers) the second finds nothing here, and answers 404 — rolling back
    // instead of auditing the deletion twice.
    if !accolade_db::accounts::erase(&*txn, school_id, user.id).await? {
        return Err(ApiError::NotFound("user"));
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id,
            actor_id: (actor != user.id).then_some(actor),
            action: "user.delete",
            target_type: "user",
            target_id: Some(user.id.to_string()),
            before: None,
            after: Some(serde_json::json!({
                "deleted": true,
                "by_self": actor == user.id,
                "role": user.role,
                "awards_revoked": revoked,
                "collections_deleted": collections,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
