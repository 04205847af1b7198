//! The backpack web pages over real HTTP (no JavaScript), on SQLite or PostgreSQL:
//! public addresses (200 → private → 404, case-insensitive slugs and 301s, renames), preview
//! cards (Open Graph / Twitter tags with absolute URLs, a 1200×630 PNG), oEmbed and the
//! frameable embed page, view counting, `school` visibility, blocks and tenancy, follow /
//! cheer / block pages, the student's collection pages (reorder without JS, the school's
//! sharing policy as a field error, delete with confirmation), export and account deletion,
//! and a crawler over the demo school that finds no e-mail address on any public page.

mod web_common;

use std::collections::{BTreeSet, VecDeque};

use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;
use web_common::{unescape, Browser, Page};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/// A school with public sharing on (minimum grade 8), a teacher, Ada (grade 9, three awards)
/// and Ben (grade 7, one award); and a second school with its own student.
struct World {
    srv: TestServer,
    ada: accolade_db::users::User,
    ben: accolade_db::users::User,
    awards: Vec<Uuid>,
    ben_award: Uuid,
}

const ADA: &str = "ada@north.example.org";
const BEN: &str = "ben@north.example.org";
const CARL: &str = "carl@south.example.org";
const TEACHER: &str = "tom@north.example.org";

async fn badge(srv: &TestServer, token: &str, name: &str) -> Value {
    let png = accolade_e2e::badge_image_path("png");
    let res = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(std::fs::read(png).expect("read"))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let img: Value = res.json().await.expect("img");
    let (s, b) = srv
        .post(
            "/api/v1/badge-classes",
            token,
            json!({"name": name, "description": "Well done", "criteria_narrative": "Do it", "image_id": img["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

async fn award(srv: &TestServer, token: &str, badge: &Value, to: Uuid) -> Uuid {
    let (s, res) = srv
        .post(
            "/api/v1/awards",
            token,
            json!({"badge_class_id": badge["id"], "recipient_ids": [to]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{res}");
    res["awards"][0]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid")
}

async fn world() -> World {
    let srv = TestServer::start().await;
    let north = srv
        .school("northfield", "Northfield Academy", "Europe/London")
        .await;
    srv.user(
        north.id,
        Role::Admin,
        "Nora Admin",
        Some("admin@north.example.org"),
    )
    .await;
    srv.user(north.id, Role::Teacher, "Tom Teacher", Some(TEACHER))
        .await;
    let mut ada = srv
        .user(north.id, Role::Student, "Ada Lovelace", Some(ADA))
        .await;
    let mut ben = srv
        .user(north.id, Role::Student, "Ben Young", Some(BEN))
        .await;
    ada.grade = Some("09".into());
    ada.show_name_publicly = true;
    let ada = accolade_db::users::save(srv.state.db.conn(), ada)
        .await
        .expect("ada");
    ben.grade = Some("7".into());
    let ben = accolade_db::users::save(srv.state.db.conn(), ben)
        .await
        .expect("ben");
    let admin = srv.login("admin@north.example.org", PASSWORD).await.access;
    let (s, _) = srv
        .call(
            Method::PUT,
            "/api/v1/school/sharing",
            Some(&admin),
            Some(&json!({"allow_public_sharing": true, "min_grade": 8})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut awards = Vec::new();
    let mut first = None;
    for name in ["Helper", "Scientist", "Artist"] {
        let b = badge(&srv, &admin, name).await;
        awards.push(award(&srv, &admin, &b, ada.id).await);
        first.get_or_insert(b);
    }
    let ben_award = award(&srv, &admin, first.as_ref().expect("badge"), ben.id).await;
    let south = srv
        .school("southfield", "Southfield School", "Europe/London")
        .await;
    srv.user(south.id, Role::Student, "Carl Other", Some(CARL))
        .await;
    World {
        srv,
        ada,
        ben,
        awards,
        ben_award,
    }
}

async fn signed_in(srv: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(srv);
    let p = b.sign_in(login, "/my/collections").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    b
}

/// Creates a collection through the web form; returns its id.
async fn create(b: &mut Browser, title: &str, visibility: &str) -> String {
    let csrf = b.get("/my/collections").await.csrf();
    let res = b
        .post(
            "/my/collections",
            &[
                ("csrf", &csrf),
                ("title", title),
                ("subtitle", ""),
                ("visibility", visibility),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let loc = res.location();
    let id = loc
        .strip_prefix("/my/collections/")
        .and_then(|r| r.split('?').next())
        .expect("collection address")
        .to_owned();
    b.get(&loc).await.expect(StatusCode::OK, "Add your badges");
    id
}

async fn add(b: &mut Browser, id: &str, award: Uuid, comment: &str) {
    let csrf = b.get(&format!("/my/collections/{id}")).await.csrf();
    let res = b
        .post(
            &format!("/my/collections/{id}/add"),
            &[
                ("csrf", &csrf),
                ("award_id", &award.to_string()),
                ("comment", comment),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

async fn settings(b: &mut Browser, id: &str, title: &str, visibility: &str) -> Page {
    let csrf = b.get(&format!("/my/collections/{id}")).await.csrf();
    b.post(
        &format!("/my/collections/{id}"),
        &[
            ("csrf", &csrf),
            ("title", title),
            ("subtitle", "What I am proud of"),
            ("visibility", visibility),
        ],
    )
    .await
}

/// An anonymous visit with a browser's user agent (no cookies, no redirects followed).
async fn anon(srv: &TestServer, path: &str, ua: &str) -> Page {
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
        .get(srv.url(path))
        .header("user-agent", ua)
        .send()
        .await
        .expect("get");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.text().await.expect("body");
    Page {
        status,
        headers,
        body,
    }
}

/// The `content` of `<meta property|name="{key}" content="…">` (unescaped).
fn meta(body: &str, key: &str) -> Option<String> {
    for attr in ["property", "name"] {
        let marker = format!("<meta {attr}=\"{key}\" content=\"");
        if let Some(start) = body.find(&marker) {
            let rest = &body[start + marker.len()..];
            let end = rest.find('"')?;
            return Some(unescape(&rest[..end]));
        }
    }
    None
}

/// The `href` of the first `<link rel="{rel}" …>` (unescaped).
fn link_href(body: &str, rel: &str) -> Option<String> {
    let marker = format!("<link rel=\"{rel}\"");
    let start = body.find(&marker)?;
    let tag = &body[start..start + body[start..].find('>')?];
    let h = tag.find("href=\"")? + 6;
    let end = tag[h..].find('"')?;
    Some(unescape(&tag[h..h + end]))
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let d = png::Decoder::new(std::io::Cursor::new(bytes));
    let r = d.read_info().expect("a PNG");
    (r.info().width, r.info().height)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_collection_is_200_then_404_when_private() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "Science Fair", "public").await;
    add(&mut ada, &id, w.awards[1], "I built a volcano").await;
    let path = format!("/@{}/science-fair", w.ada.handle);

    let p = anon(&w.srv, &path, FIREFOX).await;
    p.expect(StatusCode::OK, "I built a volcano");
    assert!(p.body.contains("<bdi>Scientist</bdi>"));
    assert!(p.body.contains("alt=\"Scientist\""));
    assert!(!p.body.contains(ADA), "no e-mail on a public page");
    assert!(!p.body.contains("Northfield"), "no school or class names");
    assert!(p
        .body
        .contains("<meta name=\"robots\" content=\"noindex\">"));
    assert_eq!(
        p.headers.get("x-robots-tag").and_then(|v| v.to_str().ok()),
        Some("noindex")
    );

    // Private: 404 at once, for anyone but the owner.
    let res = settings(&mut ada, &id, "Science Fair", "private").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    anon(&w.srv, &path, FIREFOX)
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    let mut ben = signed_in(&w.srv, BEN).await;
    assert_eq!(ben.get(&path).await.status, StatusCode::NOT_FOUND);
    ada.get(&path)
        .await
        .expect(StatusCode::OK, "I built a volcano");

    // The profile lists public collections only; with none, it is a 404 too.
    anon(&w.srv, &format!("/@{}", w.ada.handle), FIREFOX)
        .await
        .expect(StatusCode::NOT_FOUND, "Not found");
    settings(&mut ada, &id, "Science Fair", "public").await;
    let prof = anon(&w.srv, &format!("/@{}", w.ada.handle), FIREFOX).await;
    prof.expect(StatusCode::OK, "<bdi>Science Fair</bdi>");
    assert!(
        prof.body.contains("<bdi>Ada Lovelace</bdi>"),
        "the name she chose to show"
    );

    // Opting in to indexing drops noindex.
    let csrf = ada.get("/my/collections").await.csrf();
    let res = ada
        .post(
            "/my/collections/sharing",
            &[
                ("csrf", &csrf),
                ("show_name", "yes"),
                ("allow_indexing", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let p = anon(&w.srv, &path, FIREFOX).await;
    assert!(p.body.contains("<meta name=\"robots\" content=\"all\">"));
    assert!(p.headers.get("x-robots-tag").is_none());
    w.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unicode_title_gets_a_url_safe_slug_and_old_addresses_redirect() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "R&D. Ünïcødé Ninja", "public").await;
    let page = ada.get(&format!("/my/collections/{id}")).await;
    let canonical = format!("/@{}/r-d-unicode-ninja", w.ada.handle);
    assert!(
        unescape(&page.body).contains(&format!("{}{canonical}", w.srv.base)),
        "{}",
        page.body
    );
    anon(&w.srv, &canonical, FIREFOX)
        .await
        .expect(StatusCode::OK, "R&amp;D. Ünïcødé Ninja");

    // Other letter cases 301 to the canonical address, which resolves.
    let upper_handle = w.ada.handle.to_uppercase();
    for path in [
        format!("/@{}/R-D-Unicode-Ninja", w.ada.handle),
        format!("/@{upper_handle}/r-d-unicode-ninja"),
        format!("/@{upper_handle}/R-D-UNICODE-NINJA"),
    ] {
        let p = anon(&w.srv, &path, FIREFOX).await;
        assert_eq!(p.status, StatusCode::MOVED_PERMANENTLY, "{path}");
        assert_eq!(p.location(), canonical, "{path}");
    }
    let p = anon(&w.srv, &format!("/@{upper_handle}"), FIREFOX).await;
    assert_eq!(p.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(p.location(), format!("/@{}", w.ada.handle));

    // Rename: the page shows the new address, the old one answers 301.
    let res = settings(&mut ada, &id, "Robot Club", "public").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().ends_with("?renamed=1"), "{}", res.location());
    let new = format!("/@{}/robot-club", w.ada.handle);
    let renamed = ada.get(&res.location()).await;
    renamed.expect(StatusCode::OK, "new address");
    assert!(unescape(&renamed.body).contains(&format!("{}{new}", w.srv.base)));
    let p = anon(&w.srv, &canonical, FIREFOX).await;
    assert_eq!(p.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(p.location(), new);
    let p = anon(&w.srv, &format!("{canonical}/card.png"), FIREFOX).await;
    assert_eq!(p.location(), format!("{new}/card.png"));
    w.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_cards_have_absolute_urls_and_are_1200x630_pngs() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "My proudest badges", "public").await;
    for (i, a) in w.awards.iter().enumerate() {
        add(&mut ada, &id, *a, &format!("Reason {i}")).await;
    }
    let path = format!("/@{}/my-proudest-badges", w.ada.handle);
    let p = anon(&w.srv, &path, FIREFOX).await;
    p.expect(StatusCode::OK, "Reason 2");
    let base = &w.srv.base;
    assert_eq!(
        meta(&p.body, "og:url").as_deref(),
        Some(&*format!("{base}{path}"))
    );
    assert_eq!(
        meta(&p.body, "og:title").as_deref(),
        Some("My proudest badges")
    );
    assert_eq!(
        meta(&p.body, "twitter:card").as_deref(),
        Some("summary_large_image")
    );
    assert_eq!(meta(&p.body, "og:image:width").as_deref(), Some("1200"));
    let image = meta(&p.body, "og:image").expect("og:image");
    assert!(
        image.starts_with(&format!("{base}{path}/card.png")),
        "{image}"
    );
    assert_eq!(meta(&p.body, "twitter:image").as_deref(), Some(&*image));
    assert!(meta(&p.body, "og:description")
        .expect("description")
        .contains("3 badges"));
    assert_eq!(
        link_href(&p.body, "canonical").as_deref(),
        Some(&*format!("{base}{path}"))
    );

    let res = w.srv.http.get(&image).send().await.expect("card");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    let cache = res.headers()["cache-control"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cache.contains("max-age"), "{cache}");
    let bytes = res.bytes().await.expect("bytes");
    assert_eq!(png_size(&bytes), (1200, 630));
    std::fs::write(
        web_common::artifacts_dir().join("backpack-card-1200x630.png"),
        &bytes,
    )
    .expect("keep the card");
    // The same card again comes from the cache, byte for byte.
    let again = w
        .srv
        .http
        .get(&image)
        .send()
        .await
        .expect("card")
        .bytes()
        .await
        .expect("b");
    assert_eq!(bytes, again);

    // The profile and a public badge page have cards too.
    let prof = anon(&w.srv, &format!("/@{}", w.ada.handle), FIREFOX).await;
    let img = meta(&prof.body, "og:image").expect("profile og:image");
    assert!(
        img.starts_with(&format!("{base}/@{}/card.png", w.ada.handle)),
        "{img}"
    );
    let bytes = w
        .srv
        .http
        .get(&img)
        .send()
        .await
        .expect("card")
        .bytes()
        .await
        .expect("b");
    assert_eq!(png_size(&bytes), (1200, 630));
    let badge_card = w
        .srv
        .http
        .get(w.srv.url(&format!("/b/{}/card.png", w.awards[0])))
        .send()
        .await
        .expect("badge card");
    assert_eq!(badge_card.status(), StatusCode::OK);
    assert_eq!(png_size(&badge_card.bytes().await.expect("b")), (1200, 630));
    let b = anon(&w.srv, &format!("/b/{}", w.awards[0]), FIREFOX).await;
    b.expect(StatusCode::OK, "twitter:card");
    let img = meta(&b.body, "og:image").expect("badge og:image");
    assert!(
        img.starts_with(&format!("{base}/b/{}/card.png", w.awards[0])),
        "{img}"
    );
    assert_eq!(
        meta(&b.body, "og:url"),
        Some(format!("{base}/b/{}", w.awards[0]))
    );
    assert_eq!(meta(&b.body, "og:title").as_deref(), Some("Helper"));
    let bytes = w
        .srv
        .http
        .get(&img)
        .send()
        .await
        .expect("card")
        .bytes()
        .await
        .expect("b");
    assert_eq!(png_size(&bytes), (1200, 630));

    // A private collection has no card either.
    settings(&mut ada, &id, "My proudest badges", "private").await;
    assert_eq!(
        anon(&w.srv, &format!("{path}/card.png"), FIREFOX)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    w.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oembed_and_the_frameable_embed_page() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "Art <Show>", "public").await;
    add(&mut ada, &id, w.awards[2], "My first painting").await;
    let path = format!("/@{}/art-show", w.ada.handle);
    let url = w.srv.url(&path);
    let p = anon(&w.srv, &path, FIREFOX).await;
    let discovery = {
        let marker = "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"";
        let start = p.body.find(marker).expect("oEmbed discovery") + marker.len();
        unescape(&p.body[start..start + p.body[start..].find('"').expect("end")])
    };
    assert!(
        discovery.starts_with(&format!("{}/oembed?url=", w.srv.base)),
        "{discovery}"
    );
    let res = w.srv.http.get(&discovery).send().await.expect("oembed");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("application/json"));
    let o: Value = res.json().await.expect("json");
    assert_eq!(o["version"], "1.0");
    assert_eq!(o["type"], "rich");
    assert_eq!(o["title"], "Art <Show>");
    assert_eq!(o["author_name"], "Ada Lovelace");
    assert_eq!(o["provider_url"], w.srv.base);
    let html = o["html"].as_str().expect("html");
    assert!(html.contains(&format!("src=\"{url}/embed\"")), "{html}");
    assert!(html.contains("title=\"Art &lt;Show&gt;\""), "{html}");
    assert!(o["width"].as_u64().expect("w") > 0 && o["height"].as_u64().expect("h") > 0);
    assert_eq!(o["thumbnail_width"], 1200);

    // maxwidth is honoured (and the 1200-px thumbnail left out).
    let (s, o) = w
        .srv
        .call(
            Method::GET,
            &format!("/oembed?url={}&maxwidth=300", urlencode(&url)),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(o["width"].as_u64().expect("w") <= 300);
    assert!(o.get("thumbnail_url").is_none(), "{o}");
    // Unsupported format: 501; not a collection, another site, unknown: 404.
    for (q, status) in [
        (
            format!("url={}&format=xml", urlencode(&url)),
            StatusCode::NOT_IMPLEMENTED,
        ),
        (
            format!(
                "url={}",
                urlencode(&format!("{}/@{}", w.srv.base, w.ada.handle))
            ),
            StatusCode::NOT_FOUND,
        ),
        (
            format!(
                "url={}",
                urlencode("https://elsewhere.example/@ada/art-show")
            ),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("url={}", urlencode(&format!("{url}-nope"))),
            StatusCode::NOT_FOUND,
        ),
        ("format=json".to_owned(), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "url=&format=json".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (s, body) = w
            .srv
            .call(Method::GET, &format!("/oembed?{q}"), None, None)
            .await;
        assert_eq!(s, status, "{q}: {body}");
    }

    // The embed page: frameable by anyone, still no script, the badges and comments.
    let e = anon(&w.srv, &format!("{path}/embed"), FIREFOX).await;
    e.expect(StatusCode::OK, "My first painting");
    // Frameable by anyone: no X-Frame-Options contradicting the CSP.
    assert!(e.headers.get("x-frame-options").is_none());
    let csp = e.headers["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(
        !csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!e.body.contains("<script"));
    assert!(e.body.contains("target=\"_blank\""));
    // Other pages still refuse framing.
    let normal = anon(&w.srv, &path, FIREFOX).await;
    assert!(normal.headers["content-security-policy"]
        .to_str()
        .expect("csp")
        .contains("frame-ancestors 'none'"));

    // The owner's page shows the snippet and the share link.
    let own = ada.get(&format!("/my/collections/{id}")).await;
    own.expect(StatusCode::OK, "embed-code");
    let own_text = unescape(&own.body);
    assert!(
        own_text.contains(&format!("<iframe src=\"{url}/embed\"")),
        "{own_text}"
    );
    assert!(own_text.contains(&format!("value=\"{url}\"")));

    // A `school` collection is not embeddable, and its oEmbed is a 404.
    settings(&mut ada, &id, "Art <Show>", "school").await;
    let (s, _) = w
        .srv
        .call(
            Method::GET,
            &format!("/oembed?url={}", urlencode(&url)),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        anon(&w.srv, &format!("{path}/embed"), FIREFOX).await.status,
        StatusCode::NOT_FOUND
    );
    w.srv.stop().await;
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn views_of(p: &Page) -> Option<String> {
    let start = p.body.find("id=\"views\">")? + "id=\"views\">".len();
    Some(p.body[start..start + p.body[start..].find('<')?].to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_are_counted_once_per_visitor_per_day_not_owner_nor_crawlers() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "Counted", "public").await;
    add(&mut ada, &id, w.awards[0], "").await;
    let path = format!("/@{}/counted", w.ada.handle);
    let count = || async {
        let mut a = signed_in(&w.srv, ADA).await;
        let own = a.get(&format!("/my/collections/{id}")).await;
        views_of(&own).expect("the owner sees the count")
    };
    assert_eq!(count().await, "Seen 0 times (only you can see this number)");

    // The owner's own visits do not count; she sees the number on her public page.
    let own = ada.get(&path).await;
    own.expect(StatusCode::OK, "id=\"views\"");
    assert_eq!(count().await, "Seen 0 times (only you can see this number)");

    // A visitor counts once per day; a visitor never sees the number.
    let v = anon(&w.srv, &path, FIREFOX).await;
    v.expect(StatusCode::OK, "Counted");
    assert!(views_of(&v).is_none() && !v.body.contains("Seen "));
    anon(&w.srv, &path, FIREFOX).await;
    assert_eq!(count().await, "Seen once (only you can see this number)");

    // Crawlers and link-preview fetchers are not counted.
    for ua in [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0",
        "",
    ] {
        anon(&w.srv, &path, ua)
            .await
            .expect(StatusCode::OK, "Counted");
    }
    assert_eq!(count().await, "Seen once (only you can see this number)");

    // A signed-in schoolmate is another visitor: counted once.
    let ben = signed_in(&w.srv, BEN).await;
    let cookies: String = ben
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    for _ in 0..2 {
        let res = w
            .srv
            .http
            .get(w.srv.url(&path))
            .header("user-agent", FIREFOX)
            .header("cookie", &cookies)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.expect("body");
        assert!(body.contains("Signed in as") && !body.contains("id=\"views\""));
    }
    assert_eq!(count().await, "Seen 2 times (only you can see this number)");
    w.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_collections_are_for_signed_in_schoolmates_only() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "For my school", "school").await;
    add(&mut ada, &id, w.awards[0], "Only you lot").await;
    let path = format!("/@{}/for-my-school", w.ada.handle);
    assert_eq!(
        anon(&w.srv, &path, FIREFOX).await.status,
        StatusCode::NOT_FOUND
    );
    let mut ben = signed_in(&w.srv, BEN).await;
    let p = ben.get(&path).await;
    p.expect(StatusCode::OK, "Only you lot");
    assert!(p.body.contains("Only people signed in to your school"));
    // Another school's student: 404, here and on the owner's pages (tenancy).
    let mut carl = signed_in(&w.srv, CARL).await;
    assert_eq!(carl.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        carl.get(&format!("/@{}", w.ada.handle)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        carl.get(&format!("/my/collections/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let csrf = carl.get("/my/collections").await.csrf();
    let res = carl
        .post(
            &format!("/my/collections/{id}/items"),
            &[
                ("csrf", &csrf),
                ("award_id", &w.awards[0].to_string()),
                ("op", "remove"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = carl
        .post(
            &format!("/my/collections/{id}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A schoolmate cannot edit it either.
    assert_eq!(
        ben.get(&format!("/my/collections/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        carl.get(&format!("/my/badges/{}/cheers", w.awards[0]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Once Ada blocks Ben, her school collection is a 404 for him.
    let csrf = ada.get("/my/collections").await.csrf();
    let handle = w.ben.handle.clone();
    let res = ada
        .post(
            "/my/following",
            &[("csrf", &csrf), ("handle", &handle), ("action", "block")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(ben.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ben.get(&format!("/@{}", w.ada.handle)).await.status,
        StatusCode::NOT_FOUND
    );
    w.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_cheer_and_block_pages() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "Shared", "school").await;
    add(&mut ada, &id, w.awards[1], "").await;
    let mut ben = signed_in(&w.srv, BEN).await;
    ben.get("/feed")
        .await
        .expect(StatusCode::OK, "Follow schoolmates");

    // Ben follows Ada from her profile.
    let prof = ben.get(&format!("/@{}", w.ada.handle)).await;
    prof.expect(StatusCode::OK, "id=\"follow-button\"");
    assert!(prof.body.contains(">Follow<"));
    let res = ben
        .post(
            "/my/following",
            &[("handle", &w.ada.handle), ("action", "follow")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "CSRF needed");
    let csrf = prof.csrf();
    let res = ben
        .post(
            "/my/following",
            &[
                ("csrf", &csrf),
                ("handle", &w.ada.handle),
                ("action", "follow"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("/@{}", w.ada.handle));
    ben.get(&res.location())
        .await
        .expect(StatusCode::OK, "Stop following");

    // The feed shows her shared award; Ben cheers it (once).
    let feed = ben.get("/feed").await;
    feed.expect(StatusCode::OK, "<bdi>Scientist</bdi>");
    assert!(feed.body.contains("No cheers yet"));
    assert!(feed.body.contains("<bdi>Ada Lovelace</bdi>"));
    for _ in 0..2 {
        let res = ben
            .post(
                "/feed/cheer",
                &[
                    ("csrf", &csrf),
                    ("award_id", &w.awards[1].to_string()),
                    ("action", "cheer"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let feed = ben.get("/feed").await;
    assert!(feed.body.contains("One cheer"), "{}", feed.body);
    assert!(feed.body.contains("Take back cheer"));
    // An award not shared with him cannot be cheered.
    let res = ben
        .post(
            "/feed/cheer",
            &[
                ("csrf", &csrf),
                ("award_id", &w.awards[0].to_string()),
                ("action", "cheer"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Ada sees who cheered; Ben cannot open that page for her award.
    let cheers = ada.get(&format!("/my/badges/{}/cheers", w.awards[1])).await;
    cheers.expect(StatusCode::OK, "One person cheered this badge");
    assert!(cheers.body.contains("<bdi>Ben Young</bdi>"));
    assert!(!cheers.body.contains(BEN));
    assert_eq!(
        ben.get(&format!("/my/badges/{}/cheers", w.awards[1]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let own = ben.get(&format!("/my/badges/{}/cheers", w.ben_award)).await;
    own.expect(StatusCode::OK, "Nobody has cheered");

    // Ada blocks Ben: his follow is gone, his feed is empty, her profile is a 404 for him.
    let csrf_a = ada.get("/my/collections").await.csrf();
    let res = ada
        .post(
            "/my/following",
            &[
                ("csrf", &csrf_a),
                ("handle", &w.ben.handle),
                ("action", "block"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let feed = ben.get("/feed").await;
    assert!(!feed.body.contains("<bdi>Scientist</bdi>"));
    assert!(
        feed.body.contains("You don&#x27;t follow anyone yet")
            || feed.body.contains("don't follow")
    );
    assert_eq!(
        ben.get(&format!("/@{}", w.ada.handle)).await.status,
        StatusCode::NOT_FOUND
    );
    let feed_a = ada.get("/feed").await;
    feed_a.expect(StatusCode::OK, "People you blocked");
    assert!(feed_a.body.contains("<bdi>Ben Young</bdi>"));

    // Teachers get the 403 page for student pages; signed-out browsers the sign-in page.
    let mut t = Browser::new(&w.srv);
    t.sign_in(TEACHER, "/account").await;
    for p in ["/my/collections", "/feed", "/my/data"] {
        assert_eq!(t.get(p).await.status, StatusCode::FORBIDDEN, "{p}");
    }
    let mut nobody = Browser::new(&w.srv);
    let res = nobody.get("/feed").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/signin?next=/feed");
    w.srv.stop().await;
}

async fn item(
    b: &mut Browser,
    id: &str,
    csrf: &str,
    award: Uuid,
    op: &str,
    comment: String,
) -> Page {
    let award = award.to_string();
    b.post(
        &format!("/my/collections/{id}/items"),
        &[
            ("csrf", csrf),
            ("award_id", &award),
            ("op", op),
            ("comment", &comment),
        ],
    )
    .await
}

fn order_of(body: &str, names: &[&str]) -> Vec<usize> {
    let mut pos: Vec<(usize, usize)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (body.find(&format!("<bdi>{n}</bdi>")).expect(n), i))
        .collect();
    pos.sort();
    pos.into_iter().map(|(_, i)| i).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_reorder_comment_policy_and_delete() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "Order", "public").await;
    for a in &w.awards {
        add(&mut ada, &id, *a, "").await;
    }
    let path = format!("/@{}/order", w.ada.handle);
    let names = ["Helper", "Scientist", "Artist"];
    assert_eq!(
        order_of(&anon(&w.srv, &path, FIREFOX).await.body, &names),
        [0, 1, 2]
    );
    let edit = format!("/my/collections/{id}");
    let csrf = ada.get(&edit).await.csrf();
    let r = item(&mut ada, &id, &csrf, w.awards[0], "down", String::new()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        order_of(&anon(&w.srv, &path, FIREFOX).await.body, &names),
        [1, 0, 2]
    );
    item(&mut ada, &id, &csrf, w.awards[2], "up", String::new()).await;
    assert_eq!(
        order_of(&anon(&w.srv, &path, FIREFOX).await.body, &names),
        [1, 2, 0]
    );
    // Up on the first is a no-op, not an error.
    let r = item(&mut ada, &id, &csrf, w.awards[1], "up", String::new()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // A comment too long: 422, the error beside it, the typed text kept.
    let long = "x".repeat(281);
    let r = item(&mut ada, &id, &csrf, w.awards[1], "comment", long.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(&long));
    assert!(r.body.contains("field-error"));
    let r = item(
        &mut ada,
        &id,
        &csrf,
        w.awards[1],
        "comment",
        "Best <day>".into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let public = anon(&w.srv, &path, FIREFOX).await;
    assert!(public.body.contains("Best &lt;day&gt;"));
    // Remove.
    item(&mut ada, &id, &csrf, w.awards[2], "remove", String::new()).await;
    let public = anon(&w.srv, &path, FIREFOX).await;
    assert!(!public.body.contains("<bdi>Artist</bdi>"));

    // Ben (grade 7, the school's minimum is 8) cannot make a collection public: a field error.
    let mut ben = signed_in(&w.srv, BEN).await;
    let csrf_b = ben.get("/my/collections").await.csrf();
    let r = ben
        .post(
            "/my/collections",
            &[
                ("csrf", &csrf_b),
                ("title", "Mine"),
                ("subtitle", "kept"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("id=\"visibility-error\""), "{}", r.body);
    assert!(r
        .body
        .contains("does not allow you to make collections public"));
    assert!(r.body.contains("value=\"Mine\"") && r.body.contains("value=\"kept\""));
    // Without a CSRF token nothing is created.
    let r = ben
        .post(
            "/my/collections",
            &[("title", "Sneaky"), ("visibility", "private")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!ben.get("/my/collections").await.body.contains("Sneaky"));

    // Delete needs the box ticked.
    let r = ada
        .post(&format!("{edit}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"confirm-error\""));
    let r = ada
        .post(
            &format!("{edit}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/my/collections?deleted=1");
    assert_eq!(
        anon(&w.srv, &path, FIREFOX).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(ada.get(&edit).await.status, StatusCode::NOT_FOUND);
    w.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_data_export_and_account_deletion() {
    let w = world().await;
    let mut ada = signed_in(&w.srv, ADA).await;
    let id = create(&mut ada, "Before I go", "public").await;
    add(&mut ada, &id, w.awards[0], "").await;
    let page = ada.get("/my/data").await;
    page.expect(StatusCode::OK, "Download my data (zip)");
    assert!(page.body.contains(&w.ada.handle));

    let zip = ada.get("/my/data/export.zip").await;
    assert_eq!(zip.status, StatusCode::OK);
    assert!(
        zip.content_type().starts_with("application/zip"),
        "{}",
        zip.content_type()
    );

    // A wrong handle: 422, nothing deleted, the typed text kept.
    let csrf = page.csrf();
    let r = ada
        .post(
            "/my/data/delete",
            &[("csrf", &csrf), ("confirm_handle", "not-me")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"not-me\"") && r.body.contains("confirm_handle-error"));
    let path = format!("/@{}/before-i-go", w.ada.handle);
    assert_eq!(anon(&w.srv, &path, FIREFOX).await.status, StatusCode::OK);

    let r = ada
        .post(
            "/my/data/delete",
            &[("csrf", &csrf), ("confirm_handle", &w.ada.handle)],
        )
        .await;
    r.expect(StatusCode::OK, "Your account is deleted");
    assert!(r
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("accolade_session=;") && c.contains("Max-Age=0")));
    assert_eq!(
        anon(&w.srv, &path, FIREFOX).await.status,
        StatusCode::NOT_FOUND
    );
    let res = ada.get("/my/collections").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "signed out");
    // The badge's hosted assertion is gone (410).
    let (s, _) = w
        .srv
        .call(
            Method::GET,
            &format!("/ob/v2/assertions/{}", w.awards[0]),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::GONE);
    w.srv.stop().await;
}

/// Every e-mail address in `text` (a plain scanner: local part, `@`, a dotted domain).
fn emails(text: &str) -> Vec<String> {
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' {
            continue;
        }
        let mut s = i;
        while s > 0 && local(chars[s - 1]) {
            s -= 1;
        }
        let mut e = i + 1;
        while e < chars.len() && domain(chars[e]) {
            e += 1;
        }
        let left: String = chars[s..i].iter().collect();
        let right: String = chars[i + 1..e].iter().collect();
        let right = right.trim_end_matches('.');
        let tld_ok = right.rsplit_once('.').is_some_and(|(d, tld)| {
            !d.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        });
        if !left.is_empty() && tld_ok {
            out.push(format!("{left}@{right}"));
        }
    }
    out
}

/// Same-origin links (`href`, `src`) of an HTML page, as paths.
fn links(base: &str, body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut from = 0;
        while let Some(pos) = body[from..].find(attr) {
            let start = from + pos + attr.len();
            let Some(len) = body[start..].find('"') else {
                break;
            };
            from = start + len;
            let raw = unescape(&body[start..start + len]);
            let path = if let Some(rest) = raw.strip_prefix(base) {
                rest.to_owned()
            } else if raw.starts_with('/') && !raw.starts_with("//") {
                raw
            } else {
                continue;
            };
            let path = path.split('#').next().unwrap_or_default().to_owned();
            if !path.is_empty() {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn the_email_scanner_finds_addresses() {
    assert_eq!(
        emails("write to ada@demo.example.org."),
        ["ada@demo.example.org"]
    );
    assert!(emails("/@ada/my-best and @handle and a@b").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawler_finds_no_email_on_the_demo_schools_public_pages() {
    let srv = TestServer::start().await;
    accolade_server::demo::load(&srv.state).await.expect("demo");
    let conn = srv.state.db.conn();
    let school = accolade_db::schools::by_slug(conn, accolade_server::demo::DEMO_SLUG)
        .await
        .expect("school")
        .expect("demo");
    // Start at every profile, every collection address and every public badge page.
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut public_collections = 0;
    for u in accolade_db::users::all_in_school(conn, school.id)
        .await
        .expect("users")
    {
        queue.push_back(format!("/@{}", u.handle));
        for c in accolade_db::collections::of_owner(conn, school.id, u.id, None)
            .await
            .expect("collections")
        {
            public_collections += usize::from(c.visibility == "public");
            queue.push_back(format!("/@{}/{}", u.handle, c.slug));
            queue.push_back(format!("/@{}/{}/embed", u.handle, c.slug));
        }
        for a in accolade_db::awards::by_recipient(conn, school.id, u.id, 0, 1000)
            .await
            .expect("awards")
        {
            queue.push_back(format!("/b/{}", a.id));
        }
    }
    assert!(public_collections > 0, "the demo has a public collection");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut seen = BTreeSet::new();
    let mut ok_html = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 3000 {
            continue;
        }
        let res = client
            .get(srv.url(&path))
            .header("user-agent", FIREFOX)
            .send()
            .await
            .expect("get");
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = res.bytes().await.expect("body");
        let text = String::from_utf8_lossy(&bytes);
        let found = emails(&text);
        assert!(
            found.is_empty(),
            "e-mail address on {path} ({status}): {found:?}"
        );
        if ct.starts_with("text/html") {
            if status == StatusCode::OK {
                ok_html += 1;
            }
            for l in links(&srv.base, &text) {
                if !seen.contains(&l) {
                    queue.push_back(l);
                }
            }
        }
    }
    assert!(ok_html >= 3, "crawled {ok_html} pages: {seen:?}");
    assert!(
        seen.iter()
            .any(|p| p.ends_with("/card.png") || p.contains("/card.png?"))
            || ok_html > 0
    );
    srv.stop().await;
}
