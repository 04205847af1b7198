//! Baking and unbaking assertions into badge images (OB 2.0 Baking Specification).
//!
//! * PNG (OB 2.0 Baking Specification §PNG): the assertion is stored in one uncompressed
//!   `iTXt` chunk with keyword `openbadges`, written before the `IDAT` chunks. PNG decoding,
//!   chunk reading, CRC checks and encoding are done by the `png` crate.
//! * SVG (OB 2.0 Baking Specification §SVG): the assertion is stored in an
//!   `<openbadges:assertion verify="…">` element, first child of the root `<svg>`, holding the
//!   JSON in CDATA, with `xmlns:openbadges="http://openbadges.org"` on the root. XML is read
//!   and written by `quick-xml`.
//!
//! All functions work on in-memory bytes/strings only.

use std::borrow::Cow;

use png::text_metadata::ITXtChunk;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::Writer;

/// The PNG text chunk keyword for a baked assertion (OB 2.0 Baking Specification §PNG).
pub const PNG_KEYWORD: &str = "openbadges";

/// The XML namespace of the `openbadges:` prefix (OB 2.0 Baking Specification §SVG).
pub const OPENBADGES_NAMESPACE: &str = "http://openbadges.org";

/// Memory budget for decoding a PNG while baking or unbaking, in bytes (64 MiB): both the
/// `png` crate's internal allocations and the decoded pixel buffer must fit in it.
pub const PNG_DECODE_LIMIT_BYTES: usize = 64 * 1024 * 1024;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const ASSERTION_QNAME: &str = "openbadges:assertion";

/// Why an image could not be baked or unbaked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BakeError {
    /// The bytes do not start with the PNG signature.
    #[error("the file is not a PNG image")]
    NotPng,
    /// The document is XML but not an SVG image (e.g. the root element is not `<svg>`).
    #[error("the file is not an SVG image: {0}")]
    NotSvg(String),
    /// The SVG is not well-formed XML; the message gives the byte offset and the problem.
    #[error("the SVG is not well-formed XML: {0}")]
    BadXml(String),
    /// The `openbadges` chunk is a zTXt chunk or a compressed iTXt chunk. The Baking
    /// Specification requires it uncompressed; it is not inflated.
    #[error("the openbadges PNG chunk is compressed, which the Open Badges baking specification forbids")]
    CompressedChunk,
    /// Decoding the PNG would need more than [`PNG_DECODE_LIMIT_BYTES`].
    #[error("the PNG is too large to bake (it needs more than 64 MiB once decoded)")]
    TooLarge,
    /// The PNG is animated (APNG); only still images can be baked.
    #[error("animated PNGs cannot be baked")]
    Animated,
    /// The PNG is damaged or unsupported (bad CRC, truncated data, …); the message comes
    /// from the `png` crate.
    #[error("the PNG could not be read or written: {0}")]
    Png(String),
    /// The assertion text or verify URL contains characters XML cannot carry byte for byte
    /// (control characters, carriage returns, U+FFFE/U+FFFF).
    #[error("the assertion contains characters that cannot be baked into an SVG: {0}")]
    UnrepresentableText(String),
}

fn png_decode_err(e: png::DecodingError) -> BakeError {
    match e {
        png::DecodingError::LimitsExceeded => BakeError::TooLarge,
        other => BakeError::Png(other.to_string()),
    }
}

fn png_encode_err(e: png::EncodingError) -> BakeError {
    BakeError::Png(e.to_string())
}

/// Decoder options: CRC checked on every chunk, including ancillary ones such as `iTXt`.
fn strict_decode_options() -> png::DecodeOptions {
    let mut options = png::DecodeOptions::default();
    options.set_ignore_crc(false);
    options.set_skip_ancillary_crc_failures(false);
    options
}

fn png_decoder(png_bytes: &[u8]) -> Result<png::Decoder<&[u8]>, BakeError> {
    if !png_bytes.starts_with(&PNG_SIGNATURE) {
        return Err(BakeError::NotPng);
    }
    let mut decoder = png::Decoder::new_with_options(png_bytes, strict_decode_options());
    decoder.set_limits(png::Limits {
        bytes: PNG_DECODE_LIMIT_BYTES,
    });
    decoder.set_transformations(png::Transformations::IDENTITY);
    Ok(decoder)
}

/// Bakes an assertion into a PNG (OB 2.0 Baking Specification §PNG).
///
/// `png_bytes` is a complete PNG file; `assertion_json` is the exact assertion text to embed
/// (normally the stored output of [`crate::assertion_json`]). The image is decoded (CRCs
/// checked, at most [`PNG_DECODE_LIMIT_BYTES`] of memory) and re-encoded with the same
/// dimensions, colour type, bit depth, palette, `tRNS`, gamma/chromaticities/sRGB/ICC profile
/// and pixel density, plus exactly one uncompressed `iTXt` chunk with keyword `openbadges`
/// placed before the first `IDAT`. Any text chunk of the input (including an earlier
/// `openbadges` one) is dropped, so re-baking replaces the assertion. Interlaced input is
/// written non-interlaced. Returns the new PNG file.
///
/// # Errors
/// [`BakeError::NotPng`] without the PNG signature, [`BakeError::TooLarge`] over the memory
/// budget, [`BakeError::Animated`] for APNG, [`BakeError::Png`] for damaged input.
pub fn bake_png(png_bytes: &[u8], assertion_json: &str) -> Result<Vec<u8>, BakeError> {
    let decoder = png_decoder(png_bytes)?;
    let mut reader = decoder.read_info().map_err(png_decode_err)?;
    if reader.info().animation_control.is_some() {
        return Err(BakeError::Animated);
    }
    let buffer_size = reader.output_buffer_size();
    if buffer_size > PNG_DECODE_LIMIT_BYTES {
        return Err(BakeError::TooLarge);
    }
    let mut pixels = vec![0u8; buffer_size];
    let frame = reader.next_frame(&mut pixels).map_err(png_decode_err)?;
    pixels.truncate(frame.buffer_size());
    // Read (and CRC-check) the chunks after the image data too.
    reader.finish().map_err(png_decode_err)?;

    let source = reader.info();
    let mut info = png::Info::with_size(source.width, source.height);
    info.bit_depth = source.bit_depth;
    info.color_type = source.color_type;
    info.palette = source.palette.clone();
    info.trns = source.trns.clone();
    info.pixel_dims = source.pixel_dims;
    info.source_gamma = source.source_gamma;
    info.source_chromaticities = source.source_chromaticities;
    info.srgb = source.srgb;
    info.icc_profile = source.icc_profile.clone();

    let mut out = Vec::with_capacity(png_bytes.len() + assertion_json.len() + 64);
    {
        let mut encoder = png::Encoder::with_info(&mut out, info).map_err(png_encode_err)?;
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        // `add_itxt_chunk` builds an uncompressed `ITXtChunk` (compression flag 0); the encoder
        // writes the header's text chunks before any image data.
        encoder
            .add_itxt_chunk(PNG_KEYWORD.to_owned(), assertion_json.to_owned())
            .map_err(png_encode_err)?;
        let mut writer = encoder.write_header().map_err(png_encode_err)?;
        writer.write_image_data(&pixels).map_err(png_encode_err)?;
        writer.finish().map_err(png_encode_err)?;
    }
    Ok(out)
}

fn openbadges_text(info: &png::Info<'_>) -> Result<Option<String>, BakeError> {
    if info
        .compressed_latin1_text
        .iter()
        .any(|chunk| chunk.keyword == PNG_KEYWORD)
    {
        return Err(BakeError::CompressedChunk);
    }
    let chunk: Option<&ITXtChunk> = info
        .utf8_text
        .iter()
        .find(|chunk| chunk.keyword == PNG_KEYWORD);
    match chunk {
        None => Ok(None),
        Some(chunk) if chunk.compressed => Err(BakeError::CompressedChunk),
        Some(chunk) => chunk.get_text().map(Some).map_err(png_decode_err),
    }
}

/// Extracts the baked assertion from a PNG (OB 2.0 Baking Specification §PNG).
///
/// Reads the chunks with the `png` crate, checking every CRC (a damaged chunk is an error,
/// not skipped), and returns the text of the first `iTXt` chunk with keyword `openbadges`,
/// byte for byte, or `None` when there is none. Chunks after the image data are read too.
/// A legacy `tEXt` chunk is ignored.
///
/// # Errors
/// [`BakeError::CompressedChunk`] when the `openbadges` chunk is a zTXt chunk or a compressed
/// iTXt chunk (it is not inflated), [`BakeError::NotPng`], [`BakeError::TooLarge`],
/// [`BakeError::Png`] for damaged files.
pub fn unbake_png(png_bytes: &[u8]) -> Result<Option<String>, BakeError> {
    let decoder = png_decoder(png_bytes)?;
    let mut reader = decoder.read_info().map_err(png_decode_err)?;
    // `read_info` stops at the first IDAT: text chunks before it are already known.
    if let Some(text) = openbadges_text(reader.info())? {
        return Ok(Some(text));
    }
    // A chunk after the image data is only seen once the whole file has been read.
    reader.finish().map_err(png_decode_err)?;
    openbadges_text(reader.info())
}

/// Checks that `text` survives a trip through XML character data unchanged.
fn check_xml_chars(what: &str, text: &str) -> Result<(), BakeError> {
    let bad = text.chars().find(|&c| {
        !matches!(c,
            '\t' | '\n' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    });
    match bad {
        None => Ok(()),
        Some(c) => Err(BakeError::UnrepresentableText(format!(
            "{what} contains the character U+{:04X}",
            c as u32
        ))),
    }
}

fn xml_err(reader: &NsReader<&[u8]>, e: impl std::fmt::Display) -> BakeError {
    BakeError::BadXml(format!("at byte {}: {e}", reader.error_position()))
}

fn is_openbadges_namespace(ns: &[u8]) -> bool {
    let ns = ns.strip_suffix(b"/").unwrap_or(ns);
    ns == OPENBADGES_NAMESPACE.as_bytes()
}

/// Whether an element is an `openbadges:assertion`: local name `assertion` in the
/// `http://openbadges.org` namespace, or literally named `openbadges:assertion`.
fn is_assertion(reader: &NsReader<&[u8]>, element: &BytesStart<'_>) -> bool {
    if element.name().as_ref() == ASSERTION_QNAME.as_bytes() {
        return true;
    }
    let (ns, local) = reader.resolve_element(element.name());
    local.as_ref() == b"assertion"
        && matches!(ns, ResolveResult::Bound(n) if is_openbadges_namespace(n.as_ref()))
}

/// Adds `xmlns:openbadges` to the root element unless it is already there.
fn with_openbadges_namespace(mut root: BytesStart<'_>) -> Result<BytesStart<'_>, BakeError> {
    let existing = root
        .try_get_attribute("xmlns:openbadges")
        .map_err(|e| BakeError::BadXml(e.to_string()))?;
    match existing {
        Some(attr) => {
            let value = attr
                .unescape_value()
                .map_err(|e| BakeError::BadXml(e.to_string()))?;
            if !is_openbadges_namespace(value.as_bytes()) {
                return Err(BakeError::NotSvg(format!(
                    "the openbadges prefix is bound to {value:?} instead of {OPENBADGES_NAMESPACE:?}"
                )));
            }
        }
        None => root.push_attribute(("xmlns:openbadges", OPENBADGES_NAMESPACE)),
    }
    Ok(root)
}

fn write_assertion(
    writer: &mut Writer<Vec<u8>>,
    assertion_json: &str,
    verify_url: &str,
) -> std::io::Result<()> {
    let mut element = BytesStart::new(ASSERTION_QNAME);
    // The tuple form escapes the value (`&`, `<`, `"`, …).
    element.push_attribute(("verify", verify_url));
    writer.write_event(Event::Start(element))?;
    // `]]>` cannot appear inside CDATA: `escaped` splits it as `…]]` + `>…` over two sections,
    // so the concatenated character data equals `assertion_json` exactly.
    for section in BytesCData::escaped(assertion_json) {
        writer.write_event(Event::CData(section))?;
    }
    writer.write_event(Event::End(BytesEnd::new(ASSERTION_QNAME)))
}

fn check_svg_root(root: &BytesStart<'_>) -> Result<(), BakeError> {
    if root.local_name().as_ref() == b"svg" {
        Ok(())
    } else {
        Err(BakeError::NotSvg(format!(
            "the root element is <{}>, not <svg>",
            String::from_utf8_lossy(root.name().as_ref())
        )))
    }
}

/// Bakes an assertion into an SVG (OB 2.0 Baking Specification §SVG).
///
/// Parses `svg` with quick-xml and writes it back event by event, unchanged except that:
/// the root `<svg>` gets `xmlns:openbadges="http://openbadges.org"` (unless present), its
/// first child becomes
/// `<openbadges:assertion verify="{verify_url, XML-escaped}"><![CDATA[{assertion_json}]]></openbadges:assertion>`
/// (split over several CDATA sections where the JSON contains `]]>`), and any existing
/// `openbadges:assertion` element is removed, so re-baking leaves exactly one.
/// [`unbake_svg`] returns `assertion_json` byte for byte.
///
/// # Errors
/// [`BakeError::BadXml`] for malformed XML, [`BakeError::NotSvg`] when the root element is not
/// `svg` (or the `openbadges` prefix is bound to another namespace),
/// [`BakeError::UnrepresentableText`] when the JSON or URL holds control characters or CR.
pub fn bake_svg(svg: &str, assertion_json: &str, verify_url: &str) -> Result<String, BakeError> {
    check_xml_chars("the assertion", assertion_json)?;
    check_xml_chars("the verify URL", verify_url)?;

    let mut reader = NsReader::from_str(svg);
    reader.config_mut().check_comments = true;
    let mut writer = Writer::new(Vec::with_capacity(svg.len() + assertion_json.len() + 128));
    let write_err = |e: std::io::Error| BakeError::BadXml(e.to_string());

    let mut depth = 0usize;
    let mut root_seen = false;
    // While removing an old assertion element: the depth at which it started.
    let mut skipping: Option<usize> = None;

    loop {
        let event = reader.read_event().map_err(|e| xml_err(&reader, e))?;
        match event {
            Event::Eof => break,
            Event::Start(start) => {
                if skipping.is_none() {
                    if !root_seen {
                        check_svg_root(&start)?;
                        root_seen = true;
                        let root = with_openbadges_namespace(start)?;
                        writer.write_event(Event::Start(root)).map_err(write_err)?;
                        write_assertion(&mut writer, assertion_json, verify_url)
                            .map_err(write_err)?;
                    } else if is_assertion(&reader, &start) {
                        skipping = Some(depth);
                    } else {
                        writer.write_event(Event::Start(start)).map_err(write_err)?;
                    }
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| xml_err(&reader, "unexpected end tag"))?;
                match skipping {
                    Some(start_depth) if start_depth == depth => skipping = None,
                    Some(_) => {}
                    None => writer.write_event(Event::End(end)).map_err(write_err)?,
                }
            }
            Event::Empty(start) => {
                if skipping.is_some() {
                    continue;
                }
                if !root_seen {
                    check_svg_root(&start)?;
                    root_seen = true;
                    let root = with_openbadges_namespace(start)?;
                    let end = root.to_end().into_owned();
                    writer.write_event(Event::Start(root)).map_err(write_err)?;
                    write_assertion(&mut writer, assertion_json, verify_url).map_err(write_err)?;
                    writer.write_event(Event::End(end)).map_err(write_err)?;
                } else if !is_assertion(&reader, &start) {
                    writer.write_event(Event::Empty(start)).map_err(write_err)?;
                }
            }
            other => {
                if skipping.is_none() {
                    writer.write_event(other).map_err(write_err)?;
                }
            }
        }
    }
    if !root_seen {
        return Err(BakeError::NotSvg("there is no root element".into()));
    }
    if depth != 0 {
        return Err(BakeError::BadXml(
            "the document ends inside an element".into(),
        ));
    }
    String::from_utf8(writer.into_inner()).map_err(|e| BakeError::BadXml(e.to_string()))
}

/// What [`find_svg_assertion`] found: the `verify` attribute and the character data.
struct SvgAssertion {
    verify: Option<String>,
    content: String,
}

fn find_svg_assertion(svg: &str) -> Result<Option<SvgAssertion>, BakeError> {
    enum Piece<'a> {
        Text(Cow<'a, str>),
        CData(Cow<'a, str>),
    }

    let mut reader = NsReader::from_str(svg);
    let mut found: Option<(Option<String>, usize)> = None; // (verify, nested depth)
    let mut pieces: Vec<Piece<'_>> = Vec::new();

    let verify_of = |start: &BytesStart<'_>| -> Result<Option<String>, BakeError> {
        for attr in start.attributes() {
            let attr = attr.map_err(|e| BakeError::BadXml(e.to_string()))?;
            if attr.key.local_name().as_ref() == b"verify" {
                let value = attr
                    .unescape_value()
                    .map_err(|e| BakeError::BadXml(e.to_string()))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    };

    loop {
        let event = reader.read_event().map_err(|e| xml_err(&reader, e))?;
        match event {
            Event::Eof => {
                if found.is_some() {
                    return Err(BakeError::BadXml(
                        "the document ends inside openbadges:assertion".into(),
                    ));
                }
                return Ok(None);
            }
            Event::Start(start) => match &mut found {
                Some((_, nested)) => *nested += 1,
                None => {
                    if is_assertion(&reader, &start) {
                        found = Some((verify_of(&start)?, 0));
                    }
                }
            },
            Event::Empty(start) if found.is_none() && is_assertion(&reader, &start) => {
                return Ok(Some(SvgAssertion {
                    verify: verify_of(&start)?,
                    content: String::new(),
                }));
            }
            Event::End(_) => match &mut found {
                Some((verify, 0)) => {
                    let has_cdata = pieces.iter().any(|p| matches!(p, Piece::CData(_)));
                    let mut content = String::new();
                    for piece in &pieces {
                        match piece {
                            Piece::CData(text) => content.push_str(text),
                            // Indentation around CDATA sections is formatting, not data.
                            Piece::Text(text) if has_cdata && text.trim().is_empty() => {}
                            Piece::Text(text) => content.push_str(text),
                        }
                    }
                    return Ok(Some(SvgAssertion {
                        verify: verify.take(),
                        content,
                    }));
                }
                Some((_, nested)) => *nested -= 1,
                None => {}
            },
            Event::Text(text) if found.is_some() => pieces.push(Piece::Text(
                text.unescape().map_err(|e| xml_err(&reader, e))?,
            )),
            Event::CData(cdata) if found.is_some() => pieces.push(Piece::CData(
                cdata.decode().map_err(|e| xml_err(&reader, e))?,
            )),
            _ => {}
        }
    }
}

/// Extracts the baked assertion from an SVG (OB 2.0 Baking Specification §SVG).
///
/// Finds the first `openbadges:assertion` element (local name `assertion` in the
/// `http://openbadges.org` namespace, or that literal qualified name) and returns its
/// character data: all CDATA sections and (unescaped) text concatenated in order, with
/// whitespace-only text between CDATA sections ignored. Returns `None` when there is no such
/// element or it holds no data (see [`unbake_svg_verify_url`] for the `verify` URL).
///
/// # Errors
/// [`BakeError::BadXml`] when the XML up to and including the element is malformed.
pub fn unbake_svg(svg: &str) -> Result<Option<String>, BakeError> {
    Ok(find_svg_assertion(svg)?
        .map(|a| a.content)
        .filter(|content| !content.trim().is_empty()))
}

/// Returns the `verify` attribute of the baked `openbadges:assertion` element, unescaped
/// (OB 2.0 Baking Specification §SVG: the hosted assertion URL), or `None` when the element
/// or the attribute is missing.
///
/// # Errors
/// [`BakeError::BadXml`] when the XML up to and including the element is malformed.
pub fn unbake_svg_verify_url(svg: &str) -> Result<Option<String>, BakeError> {
    Ok(find_svg_assertion(svg)?.and_then(|a| a.verify))
}
