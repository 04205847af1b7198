//! Checks on uploaded badge images before they are stored (OB 2.0 §BadgeClass `image`;
//! the Baking Specification only defines PNG and SVG, so those are the only types accepted).
//!
//! * Size: at most [`MAX_IMAGE_BYTES`].
//! * PNG: the header is read with the `png` crate (CRCs checked) and the dimensions must be at
//!   most [`MAX_PNG_DIMENSION`] on each side. Pixels are never decoded, so a "decompression
//!   bomb" header costs nothing.
//! * SVG: must be UTF-8, well-formed XML with an `<svg>` root (parsed completely with
//!   quick-xml), and free of script, external references and other active content; see
//!   [`check_svg`] for the exact rules.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Largest accepted upload, in bytes (512 KiB).
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;

/// Largest accepted PNG width and height, in pixels.
pub const MAX_PNG_DIMENSION: u32 = 2048;

/// Deepest element nesting accepted in an SVG (renderers recurse per level).
pub const MAX_SVG_DEPTH: usize = 64;

/// Most elements accepted in an SVG.
pub const MAX_SVG_ELEMENTS: usize = 10_000;

/// Memory the `png` crate may use while reading a PNG header and metadata (4 MiB).
const PNG_HEADER_LIMIT_BYTES: usize = 4 * 1024 * 1024;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The type of an accepted badge image (OB 2.0 Baking Specification: PNG or SVG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// A PNG image.
    Png,
    /// An SVG image.
    Svg,
}

impl ImageKind {
    /// The media type to serve the image with: `"image/png"` or `"image/svg+xml"`.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Svg => "image/svg+xml",
        }
    }

    /// The usual file extension, without the dot: `"png"` or `"svg"`.
    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Svg => "svg",
        }
    }
}

/// An image that passed [`check_image`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedImage {
    /// PNG or SVG.
    pub kind: ImageKind,
    /// Width in pixels: always set for PNG; for SVG only when the root `width` attribute is a
    /// plain number (optionally with `px`), rounded to the nearest pixel.
    pub width: Option<u32>,
    /// Height in pixels, same rules as `width`.
    pub height: Option<u32>,
}

/// Why an uploaded badge image was refused. The messages are meant for school admins.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The file is larger than [`MAX_IMAGE_BYTES`]; `size` is its size in bytes.
    #[error("the image is {} KiB; the maximum is {} KiB", .size.div_ceil(1024), MAX_IMAGE_BYTES / 1024)]
    TooLarge {
        /// Size of the upload in bytes.
        size: usize,
    },
    /// A PNG side is larger than [`MAX_PNG_DIMENSION`] pixels.
    #[error(
        "PNG is {width}×{height} pixels; the maximum is {MAX_PNG_DIMENSION}×{MAX_PNG_DIMENSION}"
    )]
    DimensionsTooLarge {
        /// Width from the PNG header, in pixels.
        width: u32,
        /// Height from the PNG header, in pixels.
        height: u32,
    },
    /// The PNG could not be read (damaged, truncated, bad CRC); the detail comes from the
    /// `png` crate.
    #[error("the PNG file is damaged or invalid: {0}")]
    InvalidPng(String),
    /// The PNG is animated (APNG), which cannot be baked.
    #[error("animated PNGs are not supported; please upload a still image")]
    AnimatedPng,
    /// The SVG is not UTF-8 text.
    #[error("the SVG file is not UTF-8 text")]
    NotUtf8,
    /// The SVG is not well-formed XML or its root element is not `<svg>`.
    #[error("the SVG file is not valid: {0}")]
    InvalidSvg(String),
    /// The SVG contains something that could run script or load outside content; the reason
    /// names it.
    #[error("the SVG file is not allowed because {0}")]
    UnsafeSvg(String),
    /// Neither PNG nor SVG.
    #[error("only PNG and SVG images can be used for badges")]
    UnsupportedType,
}

fn check_size(bytes: &[u8]) -> Result<(), ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        Err(ImageError::TooLarge { size: bytes.len() })
    } else {
        Ok(())
    }
}

/// Checks an uploaded badge image and tells its type and size.
///
/// `bytes` is the whole upload. Files over [`MAX_IMAGE_BYTES`] are refused first; a file with
/// the PNG signature goes to [`check_png`]; a file that starts (after an optional UTF-8 BOM
/// and whitespace) with `<` goes to [`check_svg`]; anything else is
/// [`ImageError::UnsupportedType`].
///
/// # Errors
/// Any [`ImageError`], as described on each variant.
pub fn check_image(bytes: &[u8]) -> Result<CheckedImage, ImageError> {
    check_size(bytes)?;
    if bytes.starts_with(&PNG_SIGNATURE) {
        return check_png(bytes);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.trim_ascii_start().starts_with(b"<") {
        return check_svg(bytes);
    }
    Err(ImageError::UnsupportedType)
}

/// Checks a PNG badge image: size, header, dimensions and metadata chunks.
///
/// Reads the `IHDR` header first and refuses width or height over [`MAX_PNG_DIMENSION`]
/// before anything else is read, then reads the metadata chunks up to the first `IDAT`
/// with every CRC checked. The pixel data is never decoded or allocated.
///
/// # Errors
/// [`ImageError::TooLarge`], [`ImageError::DimensionsTooLarge`], [`ImageError::AnimatedPng`],
/// [`ImageError::InvalidPng`].
pub fn check_png(bytes: &[u8]) -> Result<CheckedImage, ImageError> {
    check_size(bytes)?;
    if !bytes.starts_with(&PNG_SIGNATURE) {
        return Err(ImageError::InvalidPng(
            "the PNG signature is missing".into(),
        ));
    }
    let invalid = |e: png::DecodingError| ImageError::InvalidPng(e.to_string());
    let mut options = png::DecodeOptions::default();
    options.set_skip_ancillary_crc_failures(false);
    let mut decoder = png::Decoder::new_with_options(bytes, options);
    decoder.set_limits(png::Limits {
        bytes: PNG_HEADER_LIMIT_BYTES,
    });
    let header = decoder.read_header_info().map_err(invalid)?;
    let (width, height) = (header.width, header.height);
    if width > MAX_PNG_DIMENSION || height > MAX_PNG_DIMENSION {
        return Err(ImageError::DimensionsTooLarge { width, height });
    }
    // Metadata chunks up to the first IDAT; no pixel buffer is allocated.
    let reader = decoder.read_info().map_err(invalid)?;
    if reader.info().animation_control.is_some() {
        return Err(ImageError::AnimatedPng);
    }
    // The dimensions are now known to be small: decode the pixels once so a damaged image
    // (bad CRC, broken zlib stream, truncated, missing palette) is refused at upload, not when
    // a baked copy is requested.
    let mut options = png::DecodeOptions::default();
    options.set_skip_ancillary_crc_failures(false);
    let mut full = png::Decoder::new_with_options(bytes, options);
    full.set_limits(png::Limits {
        bytes: 64 * 1024 * 1024,
    });
    let mut reader = full.read_info().map_err(invalid)?;
    let mut pixels = vec![0; reader.output_buffer_size()];
    reader.next_frame(&mut pixels).map_err(invalid)?;
    reader.finish().map_err(invalid)?;
    Ok(CheckedImage {
        kind: ImageKind::Png,
        width: Some(width),
        height: Some(height),
    })
}

fn unsafe_svg(reason: impl Into<String>) -> ImageError {
    ImageError::UnsafeSvg(reason.into())
}

/// Shortens a value for an error message.
fn shown(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Whether a value holds a `javascript:` (or `vbscript:`) URL, ignoring case, whitespace and
/// control characters that browsers skip inside a scheme.
fn has_script_scheme(value: &str) -> bool {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    squeezed.contains("javascript:") || squeezed.contains("vbscript:")
}

/// Checks an `href`/`src` value: only same-document fragments and embedded PNG/JPEG/GIF data.
fn check_reference(attr: &str, value: &str) -> Result<(), ImageError> {
    let trimmed = value.trim();
    if trimmed.starts_with('#') {
        return Ok(());
    }
    let lower = trimmed.to_ascii_lowercase();
    const ALLOWED: [&str; 3] = [
        "data:image/png;base64,",
        "data:image/jpeg;base64,",
        "data:image/gif;base64,",
    ];
    if ALLOWED.iter().any(|prefix| lower.starts_with(prefix)) {
        return Ok(());
    }
    Err(unsafe_svg(format!(
        "{attr}=\"{}\" refers to something outside the image (only #fragment links and embedded PNG, JPEG or GIF data are allowed)",
        shown(value)
    )))
}

/// Checks CSS text (a `<style>` element or an attribute value) for `@import`, `url(...)`
/// pointing outside the document, and CSS escapes that could hide either.
fn check_css(place: &str, css: &str, strict_escapes: bool) -> Result<(), ImageError> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Err(unsafe_svg(format!("{place} uses @import")));
    }
    if lower.contains("image-set(") || lower.contains("image(") || lower.contains("cross-fade(") {
        return Err(unsafe_svg(format!(
            "{place} uses a CSS image function that can load from outside the image"
        )));
    }
    if css.contains('\\') && (strict_escapes || css.contains('(')) {
        return Err(unsafe_svg(format!(
            "{place} uses CSS escapes (\\), which could hide external references"
        )));
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let target = rest.trim_start();
        let target = target
            .strip_prefix(['"', '\''])
            .unwrap_or(target)
            .trim_start();
        if !target.starts_with('#') {
            return Err(unsafe_svg(format!(
                "{place} loads url({}) from outside the image (only url(#id) is allowed)",
                shown(rest.split(')').next().unwrap_or(""))
            )));
        }
    }
    Ok(())
}

fn lower_utf8(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_lowercase()
}

/// Checks one element's name and attributes.
fn check_element(element: &BytesStart<'_>, reader_pos: u64) -> Result<(), ImageError> {
    let invalid = |e: &dyn std::fmt::Display| {
        ImageError::InvalidSvg(format!("XML error near byte {reader_pos}: {e}"))
    };
    let name = lower_utf8(element.local_name().as_ref());
    match name.as_str() {
        "script" | "handler" => {
            return Err(unsafe_svg("it contains a <script> element"));
        }
        "foreignobject" => {
            return Err(unsafe_svg(
                "it contains a <foreignObject> element (embedded HTML)",
            ))
        }
        "iframe" | "embed" | "object" | "img" | "video" | "audio" | "source" | "meta" | "link"
        | "base" | "form" | "input" | "frame" | "picture" | "track" => {
            return Err(unsafe_svg(format!(
                "it contains an <{name}> element (embedded content)"
            )))
        }
        _ => {}
    }
    // Only SVG elements (no HTML or other vocabularies mixed in).
    let (_, ns_prefix) = element.name().decompose();
    if let Some(prefix) = ns_prefix {
        let p = prefix.as_ref();
        if p != b"svg" && p != b"xlink" && p != b"openbadges" {
            return Err(unsafe_svg(format!(
                "it contains an element from another vocabulary (<{}>)",
                String::from_utf8_lossy(element.name().as_ref())
            )));
        }
    }
    let animates = matches!(
        name.as_str(),
        "animate" | "set" | "animatemotion" | "animatetransform" | "animatecolor"
    );
    for attr in element.attributes() {
        let attr = attr.map_err(|e| invalid(&e))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let local = lower_utf8(attr.key.local_name().as_ref());
        let value = attr.unescape_value().map_err(|e| invalid(&e))?;
        if key.starts_with("xmlns") {
            let ns = value.trim();
            let allowed = [
                "http://www.w3.org/2000/svg",
                "http://www.w3.org/1999/xlink",
                "http://www.w3.org/XML/1998/namespace",
                "http://openbadges.org",
            ];
            if !allowed.contains(&ns) {
                return Err(unsafe_svg(format!(
                    "it declares another vocabulary ({key}=\"{}\")",
                    shown(ns)
                )));
            }
        }
        if matches!(
            local.as_str(),
            "srcset"
                | "poster"
                | "action"
                | "formaction"
                | "http-equiv"
                | "background"
                | "ping"
                | "lowsrc"
                | "dynsrc"
                | "codebase"
                | "data"
        ) {
            return Err(unsafe_svg(format!(
                "it has a {key} attribute, which can load or navigate elsewhere"
            )));
        }
        if local.starts_with("on") {
            return Err(unsafe_svg(format!(
                "it has an event handler attribute ({key}) that runs script"
            )));
        }
        if has_script_scheme(&value) {
            return Err(unsafe_svg(format!("{key} contains a javascript: URL")));
        }
        if local == "href" || local == "src" {
            check_reference(&key, &value)?;
        }
        if animates && local == "attributename" {
            let target = value.trim().to_ascii_lowercase();
            let target_local = target.rsplit(':').next().unwrap_or(&target);
            if target_local == "href" || target_local == "src" || target_local.starts_with("on") {
                return Err(unsafe_svg(format!(
                    "an <{name}> element changes the {target} attribute"
                )));
            }
        }
        let place = format!("the {key} attribute");
        check_css(&place, &value, local == "style")?;
    }
    Ok(())
}

/// Parses an SVG length given as a plain number (optionally `px`) into whole pixels.
fn plain_dimension(value: &str) -> Option<u32> {
    let number = value.trim();
    let number = number.strip_suffix("px").unwrap_or(number).trim_end();
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let parsed: f64 = number.parse().ok()?;
    if parsed.is_finite() && parsed >= 0.5 && parsed <= f64::from(u32::MAX) {
        // In range and positive: the cast cannot truncate meaningfully.
        Some(parsed.round() as u32)
    } else {
        None
    }
}

/// Checks an SVG badge image: UTF-8, well-formed XML with an `<svg>` root, and no active
/// or external content.
///
/// The whole document is parsed with quick-xml (end tags matched, comments checked, entity
/// and character references in text and attributes resolved, one root element). It is
/// refused ([`ImageError::UnsafeSvg`]) when it contains any of:
/// * a `script` (or SVG Tiny `handler`), `foreignObject`, `iframe`, `embed` or `object`
///   element, with any namespace prefix;
/// * an attribute whose local name starts with `on` (event handlers; case-insensitive);
/// * an attribute value containing `javascript:` or `vbscript:` (case-insensitive, ignoring
///   whitespace and control characters);
/// * an `href`/`xlink:href`/`src` value that is neither a `#fragment` nor
///   `data:image/png|jpeg|gif;base64,…`;
/// * an animation element (`animate`, `set`, …) whose `attributeName` is `href`, `src` or
///   an `on…` handler;
/// * a `<!DOCTYPE …>` (and so any `<!ENTITY …>`) or `<?xml-stylesheet …?>`;
/// * in a `<style>` element or any attribute: `@import`, `url(…)` other than `url(#id)`, or
///   a CSS escape (`\`) in a `<style>` element, a `style` attribute or a value calling a
///   CSS function.
///
/// Width and height come from the root's `width`/`height` when they are plain numbers.
///
/// # Errors
/// [`ImageError::TooLarge`], [`ImageError::NotUtf8`], [`ImageError::InvalidSvg`],
/// [`ImageError::UnsafeSvg`].
pub fn check_svg(bytes: &[u8]) -> Result<CheckedImage, ImageError> {
    check_size(bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|_| ImageError::NotUtf8)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);

    let mut reader = Reader::from_str(text);
    reader.config_mut().check_comments = true;

    let mut depth = 0usize;
    let mut elements = 0usize;
    let mut root_seen = false;
    let mut root_closed = false;
    let (mut width, mut height) = (None, None);
    // Inside a <style> element: its depth and the CSS collected so far.
    let mut style: Option<(usize, String)> = None;

    loop {
        let event = reader.read_event().map_err(|e| {
            ImageError::InvalidSvg(format!(
                "XML error near byte {}: {e}",
                reader.error_position()
            ))
        })?;
        let pos = reader.buffer_position();
        let invalid = |msg: String| ImageError::InvalidSvg(format!("near byte {pos}: {msg}"));
        match event {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(unsafe_svg(
                    "it has a <!DOCTYPE> declaration (entity declarations are not allowed)",
                ))
            }
            Event::PI(pi) => {
                if pi.target().eq_ignore_ascii_case(b"xml-stylesheet") {
                    return Err(unsafe_svg("it links a stylesheet (<?xml-stylesheet?>)"));
                }
            }
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Start(ref element) | Event::Empty(ref element) => {
                if root_closed {
                    return Err(invalid("there is more than one root element".into()));
                }
                check_element(element, pos)?;
                if !root_seen {
                    root_seen = true;
                    if element.local_name().as_ref() != b"svg" {
                        return Err(invalid(format!(
                            "the root element is <{}>, not <svg>",
                            String::from_utf8_lossy(element.name().as_ref())
                        )));
                    }
                    for attr in element.attributes().flatten() {
                        let value = attr.unescape_value().unwrap_or_default();
                        match attr.key.as_ref() {
                            b"width" => width = plain_dimension(&value),
                            b"height" => height = plain_dimension(&value),
                            _ => {}
                        }
                    }
                }
                elements += 1;
                if elements > MAX_SVG_ELEMENTS {
                    return Err(invalid(format!(
                        "it has more than {MAX_SVG_ELEMENTS} elements"
                    )));
                }
                if matches!(event, Event::Start(_)) && depth >= MAX_SVG_DEPTH {
                    return Err(invalid(format!(
                        "elements are nested more than {MAX_SVG_DEPTH} deep"
                    )));
                }
                if matches!(event, Event::Start(_)) {
                    if style.is_none()
                        && element.local_name().as_ref().eq_ignore_ascii_case(b"style")
                    {
                        style = Some((depth, String::new()));
                    }
                    depth += 1;
                } else if depth == 0 {
                    root_closed = true;
                }
            }
            Event::End(_) => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| invalid("unexpected end tag".into()))?;
                if let Some((style_depth, css)) = &style {
                    if *style_depth == depth {
                        check_css("a <style> element", css, true)?;
                        style = None;
                    }
                }
                if depth == 0 {
                    root_closed = true;
                }
            }
            Event::Text(text) => {
                let text = text.unescape().map_err(|e| invalid(e.to_string()))?;
                if depth == 0 && !text.trim().is_empty() {
                    return Err(invalid("there is text outside the root element".into()));
                }
                if let Some((_, css)) = &mut style {
                    css.push_str(&text);
                }
            }
            Event::CData(cdata) => {
                if depth == 0 {
                    return Err(invalid("there is CDATA outside the root element".into()));
                }
                if let Some((_, css)) = &mut style {
                    css.push_str(&cdata.decode().map_err(|e| invalid(e.to_string()))?);
                }
            }
        }
    }
    if !root_seen {
        return Err(ImageError::InvalidSvg("there is no <svg> element".into()));
    }
    if depth != 0 {
        return Err(ImageError::InvalidSvg(
            "the document ends before all elements are closed".into(),
        ));
    }
    Ok(CheckedImage {
        kind: ImageKind::Svg,
        width,
        height,
    })
}
