//! Preview cards: the 1200×630 PNG a social network shows for a shared collection or badge
//! (Open Graph `og:image`, Twitter `summary_large_image`).
//!
//! The layout (background, title, subtitle, handle, a plate under each badge) is an SVG
//! rasterised with `resvg`; its text uses the DejaVu Sans Bold font compiled into the binary
//! (`assets/fonts/`, Bitstream Vera licence, see `LICENSE-DejaVu.txt`) so no system font is
//! needed and every server draws the same card. The badge images are then drawn onto the
//! pixmap with `tiny-skia` (PNG badges decoded with the `png` crate, SVG badges rasterised by
//! [`accolade_openbadges::rasterize_svg`]), scaled with bicubic filtering: resvg itself only
//! draws raster images with its `raster-images` feature, which pulls in JPEG/GIF/WebP decoders
//! we do not need.
//!
//! Cards are cached in memory keyed by a SHA-256 of everything drawn ([`CardSpec::key`]), so
//! a rename, a reorder or a new badge gives a new card and an unchanged collection costs one
//! hash.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use resvg::{tiny_skia, usvg};
use sha2::{Digest, Sha256};

/// Card width in pixels (Open Graph's recommended 1.91:1 size).
pub const WIDTH: u32 = 1200;
/// Card height in pixels.
pub const HEIGHT: u32 = 630;
/// Most badges drawn on one card (the rest are counted as "+N").
pub const MAX_BADGES: usize = 5;
/// Cards kept in memory before the cache is emptied.
const CACHE_ENTRIES: usize = 256;

/// The font compiled in for the card text.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
const FONT_FAMILY: &str = "DejaVu Sans";

/// What a card shows.
#[derive(Debug, Clone, Default)]
pub struct CardSpec {
    /// Large title (a collection title or a badge name), one or two lines.
    pub title: String,
    /// Smaller line under the title (subtitle, or the issuer of a badge).
    pub subtitle: Option<String>,
    /// Bottom-left line, e.g. `@ada · Accolade`.
    pub footer: String,
    /// The badge images in order (image ids; images never change, so the ids identify the
    /// pixels for the cache key).
    pub images: Vec<uuid::Uuid>,
    /// How many badges there are in all (more than drawn: "+N").
    pub total: usize,
}

impl CardSpec {
    /// The cache key: SHA-256 (hex) of everything drawn.
    pub fn key(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.title.as_str(),
            self.subtitle.as_deref().unwrap_or("\u{0}"),
            self.footer.as_str(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        for id in self.images.iter().take(MAX_BADGES) {
            h.update(id.as_bytes());
        }
        h.update((self.total as u64).to_be_bytes());
        hex::encode(h.finalize())
    }
}

static CACHE: LazyLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The PNG of `spec`, from the cache, or drawn now (on a blocking thread: a card takes tens
/// of milliseconds of CPU) with the image bytes `load` gives for the first [`MAX_BADGES`]
/// image ids (`image/png` or `image/svg+xml`, as stored).
pub async fn png<F, Fut>(spec: CardSpec, load: F) -> Option<Arc<Vec<u8>>>
where
    F: FnOnce(Vec<uuid::Uuid>) -> Fut,
    Fut: std::future::Future<Output = Vec<Vec<u8>>>,
{
    let key = spec.key();
    if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Some(hit);
    }
    let images = load(spec.images.iter().take(MAX_BADGES).copied().collect()).await;
    let bytes = tokio::task::spawn_blocking(move || render(&spec, &images))
        .await
        .ok()??;
    let bytes = Arc::new(bytes);
    if let Ok(mut c) = CACHE.lock() {
        if c.len() >= CACHE_ENTRIES {
            c.clear();
        }
        c.insert(key, bytes.clone());
    }
    Some(bytes)
}

fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML text.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Splits `text` into at most `lines` lines of about `per_line` characters at spaces; an
/// overflowing last line ends with `…`.
pub fn wrap(text: &str, per_line: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let len = current.chars().count();
        if len == 0 && w.chars().count() > per_line {
            // One very long word: cut it.
            current = w.chars().take(per_line).collect();
            i += 1;
            out.push(std::mem::take(&mut current));
        } else if len == 0 {
            current.push_str(w);
            i += 1;
        } else if len + 1 + w.chars().count() <= per_line {
            current.push(' ');
            current.push_str(w);
            i += 1;
        } else {
            out.push(std::mem::take(&mut current));
        }
        if out.len() == lines {
            break;
        }
    }
    if !current.is_empty() && out.len() < lines {
        out.push(current);
    }
    if i < words.len() {
        if let Some(last) = out.last_mut() {
            let mut cut: String = last.chars().take(per_line.saturating_sub(1)).collect();
            cut = cut.trim_end().to_owned();
            cut.push('…');
            *last = cut;
        }
    }
    out
}

/// The layout SVG (everything but the badge images).
fn layout_svg(spec: &CardSpec, slots: &[(f32, f32, f32)]) -> String {
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1d3557"/><stop offset="1" stop-color="#2a6f97"/></linearGradient></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>
<rect x="0" y="{}" width="{WIDTH}" height="12" fill="#f4a261"/>
"##,
        HEIGHT - 12
    );
    let title_lines = wrap(&spec.title, 30, 2);
    let mut y = 112.0;
    for line in &title_lines {
        svg.push_str(&format!(
            r##"<text x="60" y="{y}" font-family="{FONT_FAMILY}" font-weight="bold" font-size="60" fill="#ffffff">{}</text>
"##,
            xml_escape(line)
        ));
        y += 72.0;
    }
    if let Some(sub) = spec.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        if let Some(line) = wrap(sub, 56, 1).first() {
            svg.push_str(&format!(
                r##"<text x="60" y="{}" font-family="{FONT_FAMILY}" font-size="30" fill="#d8e6f0">{}</text>
"##,
                y - 14.0,
                xml_escape(line)
            ));
        }
    }
    for (x, top, size) in slots {
        svg.push_str(&format!(
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="24" fill="#ffffff" fill-opacity="0.95"/>
"##,
            x - 10.0,
            top - 10.0,
            size + 20.0,
            size + 20.0
        ));
    }
    if spec.total > MAX_BADGES {
        let more = spec.total - MAX_BADGES;
        svg.push_str(&format!(
            r##"<text x="1140" y="{}" text-anchor="end" font-family="{FONT_FAMILY}" font-size="34" fill="#ffffff">+{more}</text>
"##,
            HEIGHT - 52
        ));
    }
    svg.push_str(&format!(
        r##"<text x="60" y="{}" font-family="{FONT_FAMILY}" font-size="30" fill="#ffffff">{}</text>
</svg>"##,
        HEIGHT - 52,
        xml_escape(&spec.footer)
    ));
    svg
}

/// Where the badges go: `(x, y, size)` of each, centred in the middle band.
fn slots(n: usize) -> Vec<(f32, f32, f32)> {
    if n == 0 {
        return Vec::new();
    }
    let size: f32 = if n <= 3 { 200.0 } else { 170.0 };
    let gap: f32 = 44.0;
    let total = n as f32 * size + (n as f32 - 1.0) * gap;
    let left = (WIDTH as f32 - total) / 2.0;
    let top = 292.0 + (200.0 - size) / 2.0;
    (0..n)
        .map(|i| (left + i as f32 * (size + gap), top, size))
        .collect()
}

/// A badge image as a premultiplied pixmap: PNGs of any bit depth and colour type through
/// the `png` crate, SVGs rasterised. `None` for anything undecodable (the plate stays empty).
fn badge_pixmap(bytes: &[u8]) -> Option<tiny_skia::Pixmap> {
    let png_bytes;
    let data = if bytes.starts_with(b"\x89PNG") {
        bytes
    } else {
        png_bytes = accolade_openbadges::rasterize_svg(bytes).ok()?;
        &png_bytes[..]
    };
    let mut decoder = png::Decoder::new(std::io::Cursor::new(data));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_limits(png::Limits {
        bytes: 64 * 1024 * 1024,
    });
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).ok()?;
    let (w, h) = (info.width, info.height);
    let px = (w as usize) * (h as usize);
    let mut rgba = Vec::with_capacity(px * 4);
    let src = &buf[..info.buffer_size()];
    match info.color_type {
        png::ColorType::Rgba => rgba.extend_from_slice(&src[..px * 4]),
        png::ColorType::Rgb => {
            for c in src.chunks_exact(3).take(px) {
                rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
            }
        }
        png::ColorType::GrayscaleAlpha => {
            for c in src.chunks_exact(2).take(px) {
                rgba.extend_from_slice(&[c[0], c[0], c[0], c[1]]);
            }
        }
        png::ColorType::Grayscale => {
            for &g in src.iter().take(px) {
                rgba.extend_from_slice(&[g, g, g, 255]);
            }
        }
        png::ColorType::Indexed => return None,
    }
    if rgba.len() != px * 4 {
        return None;
    }
    for p in rgba.chunks_exact_mut(4) {
        let a = p[3] as u16;
        for c in &mut p[..3] {
            *c = ((*c as u16 * a + 127) / 255) as u8;
        }
    }
    tiny_skia::Pixmap::from_vec(rgba, tiny_skia::IntSize::from_wh(w, h)?)
}

/// Draws `spec` with the badge `images` (bytes, in order) as a [`WIDTH`]×[`HEIGHT`] PNG.
/// `None` only if rendering fails outright.
pub fn render(spec: &CardSpec, images: &[Vec<u8>]) -> Option<Vec<u8>> {
    let shown: Vec<&Vec<u8>> = images.iter().take(MAX_BADGES).collect();
    let places = slots(shown.len());
    let svg = layout_svg(spec, &places);
    let opt = usvg::Options {
        fontdb: fontdb(),
        font_family: FONT_FAMILY.to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(svg.as_bytes(), &opt).ok()?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    for (bytes, (x, y, size)) in shown.iter().zip(places) {
        let Some(img) = badge_pixmap(bytes) else {
            continue;
        };
        let (w, h) = (img.width() as f32, img.height() as f32);
        let scale = size / w.max(h);
        let dx = x + (size - w * scale) / 2.0;
        let dy = y + (size - h * scale) / 2.0;
        pixmap.draw_pixmap(
            0,
            0,
            img.as_ref(),
            &tiny_skia::PixmapPaint {
                quality: tiny_skia::FilterQuality::Bicubic,
                ..tiny_skia::PixmapPaint::default()
            },
            tiny_skia::Transform::from_row(scale, 0.0, 0.0, scale, dx, dy),
            None,
        );
    }
    pixmap.encode_png().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(png_bytes: &[u8]) -> (u32, u32) {
        let d = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let r = d.read_info().expect("png");
        (r.info().width, r.info().height)
    }

    #[test]
    fn wraps_titles() {
        assert_eq!(
            wrap("R&D. Ünïcødé Ninja", 30, 2),
            vec!["R&D. Ünïcødé Ninja"]
        );
        let w = wrap("one two three four five six seven", 10, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…'), "{w:?}");
        assert_eq!(wrap(&"x".repeat(50), 10, 2)[0].chars().count(), 10);
        assert!(wrap("", 10, 2).is_empty());
    }

    #[test]
    fn draws_text_and_badges() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40" fill="#c33"/></svg>"##;
        let spec = CardSpec {
            title: "R&D. Ünïcødé <Ninja>".into(),
            subtitle: Some("What I am proud of".into()),
            footer: "@ada · Accolade".into(),
            images: vec![uuid::Uuid::nil(); 7],
            total: 7,
        };
        let png_bytes = render(&spec, &vec![svg.to_vec(); 7]).expect("render");
        assert_eq!(dims(&png_bytes), (WIDTH, HEIGHT));
        // The text was drawn with the bundled font: the title area is not just background.
        let pix = tiny_skia::Pixmap::decode_png(&png_bytes).expect("decode");
        let white = (40..120)
            .flat_map(|y| (60..600).map(move |x| (x, y)))
            .filter(|(x, y)| {
                let p = pix.pixel(*x, *y).expect("pixel");
                p.red() > 240 && p.green() > 240 && p.blue() > 240
            })
            .count();
        assert!(white > 500, "title pixels: {white}");
        // A badge (red circle) is drawn in the first slot.
        let (x, y, size) = slots(5)[0];
        let p = pix
            .pixel((x + size / 2.0) as u32, (y + size / 2.0) as u32)
            .expect("pixel");
        assert!(p.red() > 150 && p.green() < 100, "{p:?}");
        assert_ne!(spec.key(), CardSpec::default().key());
    }
}
