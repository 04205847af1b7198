//! OB 2.0 Baking Specification: PNG and SVG baking/unbaking.

mod common;

use accolade_openbadges::{
    bake_png, bake_svg, check_svg, unbake_png, unbake_svg, unbake_svg_verify_url, BakeError,
};
use common::{encode_png, fixtures, small_rgba_png};
use png::text_metadata::ITXtChunk;
use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

const VERIFY: &str = "https://badges.example.org/ob/assertions/0193?x=1&y=\"2\"";

fn sample_json() -> String {
    serde_json::json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://badges.example.org/ob/assertions/0193",
        "narrative": "Très bien — ünïcödé ✓ 🎖️ <b>&amp;</b> ]]> end",
    })
    .to_string()
}

/// Chunk types of a PNG in file order, read with the png crate's `StreamingDecoder`.
fn chunk_types(png_bytes: &[u8]) -> Vec<png::chunk::ChunkType> {
    let mut decoder = png::StreamingDecoder::new();
    let mut image_data = Vec::new();
    let mut pos = 0;
    let mut types = Vec::new();
    while pos < png_bytes.len() {
        let (consumed, decoded) = decoder
            .update(&png_bytes[pos..], &mut image_data)
            .expect("valid PNG stream");
        pos += consumed;
        image_data.clear();
        match decoded {
            png::Decoded::ChunkBegin(_, ty) => types.push(ty),
            png::Decoded::ImageEnd => break,
            _ => {}
        }
    }
    types
}

/// Fully decodes a PNG with the default (CRC-checking) decoder.
fn decode(png_bytes: &[u8]) -> (png::Info<'static>, Vec<u8>) {
    let mut reader = png::Decoder::new(png_bytes).read_info().expect("header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("pixels");
    pixels.truncate(frame.buffer_size());
    reader.finish().expect("trailing chunks");
    (reader.info().clone(), pixels)
}

fn openbadges_itxt_count(png_bytes: &[u8]) -> usize {
    let (info, _) = decode(png_bytes);
    info.utf8_text
        .iter()
        .filter(|c| c.keyword == "openbadges")
        .count()
}

fn assert_single_chunk_before_idat(baked: &[u8]) {
    let types = chunk_types(baked);
    let itxt: Vec<usize> = types
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == png::chunk::iTXt)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(itxt.len(), 1, "exactly one iTXt chunk: {types:?}");
    let first_idat = types.iter().position(|t| *t == png::chunk::IDAT).unwrap();
    assert!(itxt[0] < first_idat, "iTXt must come before IDAT");
    assert_eq!(openbadges_itxt_count(baked), 1);
}

/// Parses every event; fails on any XML error. Returns the local names of all elements.
fn xml_elements(xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_comments = true;
    let mut names = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                names.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            Event::Text(t) => {
                t.unescape().expect("valid text");
            }
            _ => {}
        }
    }
    names
}

// ---------------------------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------------------------

#[test]
fn png_bake_then_unbake_returns_the_json() {
    let png_bytes = small_rgba_png(8, 5);
    let json = sample_json();
    let baked = bake_png(&png_bytes, &json).unwrap();
    assert_eq!(unbake_png(&baked).unwrap().as_deref(), Some(json.as_str()));
    assert_single_chunk_before_idat(&baked);
    // The pixels are unchanged.
    assert_eq!(decode(&baked).1, decode(&png_bytes).1);
    // An unbaked image has no assertion.
    assert_eq!(unbake_png(&png_bytes).unwrap(), None);
}

#[test]
fn rebaking_a_baked_png_keeps_exactly_one_chunk() {
    let png_bytes = small_rgba_png(6, 6);
    let first = bake_png(&png_bytes, "{\"first\":1}").unwrap();
    let second = bake_png(&first, "{\"second\":2}").unwrap();
    assert_single_chunk_before_idat(&second);
    assert_eq!(
        unbake_png(&second).unwrap().as_deref(),
        Some("{\"second\":2}")
    );
    // A strict CRC-checking decoder reads the whole image.
    let (info, pixels) = decode(&second);
    assert_eq!((info.width, info.height), (6, 6));
    assert_eq!(pixels, decode(&png_bytes).1);
}

#[test]
fn existing_text_chunks_are_not_carried_over() {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 2, 2);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .add_text_chunk("openbadges".into(), "https://old.example/a".into())
            .unwrap();
        encoder
            .add_itxt_chunk("openbadges".into(), "{\"old\":true}".into())
            .unwrap();
        encoder
            .add_text_chunk("Comment".into(), "hello".into())
            .unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[1, 2, 3, 4]).unwrap();
        writer.finish().unwrap();
    }
    let baked = bake_png(&out, "{\"new\":true}").unwrap();
    let types = chunk_types(&baked);
    assert!(!types.contains(&png::chunk::tEXt));
    assert!(!types.contains(&png::chunk::zTXt));
    assert_single_chunk_before_idat(&baked);
    assert_eq!(
        unbake_png(&baked).unwrap().as_deref(),
        Some("{\"new\":true}")
    );
}

#[test]
fn palette_png_survives_baking() {
    // 2-bit indexed, 5x3, with a palette of 4 entries and tRNS for 3 of them.
    let palette = vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    let trns = vec![0, 128, 255];
    // Rows of 5 pixels at 2 bits = 2 bytes per row (packed, padded).
    let data = vec![
        0b00_01_10_11,
        0b01_000000,
        0b11_10_01_00,
        0b10_000000,
        0,
        0b11_000000,
    ];
    let png_bytes = encode_png(
        5,
        3,
        png::ColorType::Indexed,
        png::BitDepth::Two,
        Some(palette.clone()),
        Some(trns.clone()),
        &data,
    );
    let baked = bake_png(&png_bytes, &sample_json()).unwrap();
    let (info, pixels) = decode(&baked);
    assert_eq!(info.color_type, png::ColorType::Indexed);
    assert_eq!(info.bit_depth, png::BitDepth::Two);
    assert_eq!(info.palette.as_deref(), Some(palette.as_slice()));
    assert_eq!(info.trns.as_deref(), Some(trns.as_slice()));
    assert_eq!(pixels, decode(&png_bytes).1);
    assert_eq!(unbake_png(&baked).unwrap(), Some(sample_json()));
    assert_single_chunk_before_idat(&baked);
}

#[test]
fn sixteen_bit_pngs_survive_baking() {
    for (color, samples) in [
        (png::ColorType::Rgb, 3usize),
        (png::ColorType::Grayscale, 1),
        (png::ColorType::Rgba, 4),
    ] {
        let (w, h) = (7u32, 4u32);
        let data: Vec<u8> = (0..(w * h) as usize * samples * 2)
            .map(|i| (i * 131 % 256) as u8)
            .collect();
        let trns = (color == png::ColorType::Rgb).then(|| vec![0x12, 0x34, 0, 0, 0xAB, 0xCD]);
        let png_bytes = encode_png(
            w,
            h,
            color,
            png::BitDepth::Sixteen,
            None,
            trns.clone(),
            &data,
        );
        let baked = bake_png(&png_bytes, "{\"deep\":16}").unwrap();
        let (info, pixels) = decode(&baked);
        assert_eq!(info.color_type, color);
        assert_eq!(info.bit_depth, png::BitDepth::Sixteen);
        assert_eq!(info.trns.as_deref(), trns.as_deref());
        assert_eq!(pixels, data, "{color:?}");
        assert_eq!(
            unbake_png(&baked).unwrap().as_deref(),
            Some("{\"deep\":16}")
        );
    }
}

#[test]
fn compressed_openbadges_itxt_is_refused() {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        let mut chunk = ITXtChunk::new("openbadges", "{\"zipped\":true}");
        chunk.compressed = true;
        writer.write_text_chunk(&chunk).unwrap();
        writer.write_image_data(&[0]).unwrap();
        writer.finish().unwrap();
    }
    assert_eq!(unbake_png(&out), Err(BakeError::CompressedChunk));
}

#[test]
fn ztxt_openbadges_chunk_is_refused() {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        encoder
            .add_ztxt_chunk("openbadges".into(), "{\"zipped\":true}".into())
            .unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[0]).unwrap();
        writer.finish().unwrap();
    }
    assert!(chunk_types(&out).contains(&png::chunk::zTXt));
    assert_eq!(unbake_png(&out), Err(BakeError::CompressedChunk));
}

#[test]
fn openbadges_chunk_after_idat_is_found() {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[7]).unwrap();
        writer
            .write_text_chunk(&ITXtChunk::new("openbadges", "{\"late\":true}"))
            .unwrap();
        writer.finish().unwrap();
    }
    let types = chunk_types(&out);
    let idat = types.iter().position(|t| *t == png::chunk::IDAT).unwrap();
    let itxt = types.iter().position(|t| *t == png::chunk::iTXt).unwrap();
    assert!(itxt > idat);
    assert_eq!(
        unbake_png(&out).unwrap().as_deref(),
        Some("{\"late\":true}")
    );

    // A compressed one after IDAT is refused too.
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[7]).unwrap();
        let mut chunk = ITXtChunk::new("openbadges", "{\"late\":true}");
        chunk.compressed = true;
        writer.write_text_chunk(&chunk).unwrap();
        writer.finish().unwrap();
    }
    assert_eq!(unbake_png(&out), Err(BakeError::CompressedChunk));
}

#[test]
fn damaged_crc_in_the_assertion_chunk_is_an_error() {
    let baked = bake_png(&small_rgba_png(3, 3), "{\"a\":1}").unwrap();
    let at = baked
        .windows(b"openbadges".len())
        .position(|w| w == b"openbadges")
        .unwrap();
    let mut damaged = baked.clone();
    // Change one character of the text without fixing the CRC.
    let text_at = at + b"openbadges".len() + 5;
    damaged[text_at] ^= 0x01;
    assert!(matches!(unbake_png(&damaged), Err(BakeError::Png(_))));
    assert!(matches!(bake_png(&damaged, "{}"), Err(BakeError::Png(_))));
}

#[test]
fn non_png_input_is_refused() {
    assert_eq!(bake_png(b"GIF89a....", "{}"), Err(BakeError::NotPng));
    assert_eq!(unbake_png(b"<svg/>"), Err(BakeError::NotPng));
    assert_eq!(unbake_png(&[]), Err(BakeError::NotPng));
    let truncated = &small_rgba_png(4, 4)[..40];
    assert!(matches!(bake_png(truncated, "{}"), Err(BakeError::Png(_))));
}

#[test]
fn every_fixture_png_bakes_and_unbakes() {
    let pngs = fixtures("png");
    assert_eq!(
        pngs.len(),
        10,
        "ten PNG fixtures expected in {}",
        common::FIXTURES
    );
    let json = sample_json();
    for (name, bytes) in pngs {
        let baked = bake_png(&bytes, &json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            unbake_png(&baked).unwrap().as_deref(),
            Some(json.as_str()),
            "{name}"
        );
        assert_single_chunk_before_idat(&baked);
        let (before_info, before) = decode(&bytes);
        let (after_info, after) = decode(&baked);
        assert_eq!(before_info.color_type, after_info.color_type, "{name}");
        assert_eq!(before_info.bit_depth, after_info.bit_depth, "{name}");
        assert_eq!(before, after, "{name}: pixels changed");
        // Re-baking replaces the assertion.
        let rebaked = bake_png(&baked, "{\"v\":2}").unwrap();
        assert_single_chunk_before_idat(&rebaked);
        assert_eq!(unbake_png(&rebaked).unwrap().as_deref(), Some("{\"v\":2}"));
    }
}

// ---------------------------------------------------------------------------------------------
// SVG
// ---------------------------------------------------------------------------------------------

const SIMPLE_SVG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>
"#;

#[test]
fn svg_assertion_is_the_first_child_of_the_root() {
    let json = sample_json();
    let baked = bake_svg(SIMPLE_SVG, &json, VERIFY).unwrap();
    assert!(baked.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a comment -->"));
    assert!(baked.contains(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://badges.example.org/ob/assertions/0193?x=1&amp;y=&quot;2&quot;"><![CDATA["#
    ), "{baked}");
    assert_eq!(xml_elements(&baked), ["svg", "assertion", "rect"]);
    assert_eq!(unbake_svg(&baked).unwrap(), Some(json));
    assert_eq!(
        unbake_svg_verify_url(&baked).unwrap().as_deref(),
        Some(VERIFY)
    );
    assert_eq!(unbake_svg(SIMPLE_SVG).unwrap(), None);
    assert_eq!(unbake_svg_verify_url(SIMPLE_SVG).unwrap(), None);
}

#[test]
fn rebaking_an_svg_keeps_exactly_one_assertion() {
    let once = bake_svg(SIMPLE_SVG, "{\"v\":1}", "https://a.example/1").unwrap();
    let twice = bake_svg(&once, "{\"v\":2}", "https://a.example/2").unwrap();
    assert_eq!(twice.matches("<openbadges:assertion").count(), 1);
    assert_eq!(twice.matches("xmlns:openbadges=").count(), 1);
    assert_eq!(unbake_svg(&twice).unwrap().as_deref(), Some("{\"v\":2}"));
    assert_eq!(
        unbake_svg_verify_url(&twice).unwrap().as_deref(),
        Some("https://a.example/2")
    );
}

#[test]
fn assertions_elsewhere_and_self_closing_are_removed() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org"><g><ob:assertion verify="https://old"><![CDATA[{"old":1}]]><x/></ob:assertion></g><openbadges:assertion verify="https://older"/><circle r="1"/></svg>"#;
    let baked = bake_svg(svg, "{\"new\":1}", "https://new").unwrap();
    assert_eq!(xml_elements(&baked), ["svg", "assertion", "g", "circle"]);
    assert_eq!(unbake_svg(&baked).unwrap().as_deref(), Some("{\"new\":1}"));
}

#[test]
fn self_closing_root_gets_the_assertion() {
    let baked = bake_svg(
        r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#,
        "{}",
        "https://v",
    )
    .unwrap();
    assert_eq!(
        baked,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://v"><![CDATA[{}]]></openbadges:assertion></svg>"#
    );
}

#[test]
fn svg_errors() {
    assert!(matches!(
        bake_svg("<html><body/></html>", "{}", "https://v"),
        Err(BakeError::NotSvg(_))
    ));
    assert!(matches!(
        bake_svg("<svg><g></svg>", "{}", "https://v"),
        Err(BakeError::BadXml(_))
    ));
    assert!(matches!(
        bake_svg("<svg><g>", "{}", "https://v"),
        Err(BakeError::BadXml(_))
    ));
    assert!(matches!(
        bake_svg("", "{}", "https://v"),
        Err(BakeError::NotSvg(_))
    ));
    assert!(matches!(
        bake_svg(r#"<svg xmlns:openbadges="urn:other"/>"#, "{}", "https://v"),
        Err(BakeError::NotSvg(_))
    ));
    assert!(matches!(
        bake_svg("<svg/>", "{\"a\":\"\r\n\"}", "https://v"),
        Err(BakeError::UnrepresentableText(_))
    ));
    assert!(matches!(
        bake_svg("<svg/>", "{\"a\":\"\u{1}\"}", "https://v"),
        Err(BakeError::UnrepresentableText(_))
    ));
}

#[test]
fn third_party_layouts_unbake() {
    // Indented CDATA (as some bakers write it).
    let indented = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\">\n  <openbadges:assertion verify=\"https://v\">\n    <![CDATA[{\"a\":1}]]>\n  </openbadges:assertion>\n</svg>";
    assert_eq!(unbake_svg(indented).unwrap().as_deref(), Some("{\"a\":1}"));
    // Escaped text instead of CDATA.
    let escaped = r#"<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://v">{"a":"&lt;&amp;&gt;"}</openbadges:assertion></svg>"#;
    assert_eq!(
        unbake_svg(escaped).unwrap().as_deref(),
        Some(r#"{"a":"<&>"}"#)
    );
    // Only a verify URL.
    let url_only = r#"<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://v/1"/></svg>"#;
    assert_eq!(unbake_svg(url_only).unwrap(), None);
    assert_eq!(
        unbake_svg_verify_url(url_only).unwrap().as_deref(),
        Some("https://v/1")
    );
}

#[test]
fn hostile_badge_text_stays_inert_in_svg() {
    let json = serde_json::json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "badge": {
            "name": "</text><script>alert(1)</script>",
            "description": "Ends CDATA early: ]]><script>alert(2)</script><![CDATA[ and ]]]]>>",
        },
    })
    .to_string();
    assert!(json.contains("</text><script>") && json.contains("]]>"));
    for (name, bytes) in fixtures("svg") {
        let svg = String::from_utf8(bytes).unwrap();
        let baked = bake_svg(&svg, &json, VERIFY).unwrap();
        let elements = xml_elements(&baked);
        assert!(
            !elements.iter().any(|e| e.eq_ignore_ascii_case("script")),
            "{name}: {elements:?}"
        );
        assert_eq!(
            unbake_svg(&baked).unwrap().as_deref(),
            Some(json.as_str()),
            "{name}"
        );
        // The baked image still passes the upload safety check.
        check_svg(baked.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn every_fixture_svg_bakes_and_unbakes() {
    let svgs = fixtures("svg");
    assert_eq!(
        svgs.len(),
        10,
        "ten SVG fixtures expected in {}",
        common::FIXTURES
    );
    let json = sample_json();
    for (name, bytes) in svgs {
        let svg = String::from_utf8(bytes).unwrap();
        let baked = bake_svg(&svg, &json, VERIFY).unwrap_or_else(|e| panic!("{name}: {e}"));
        let elements = xml_elements(&baked);
        assert_eq!(&elements[..2], ["svg", "assertion"], "{name}");
        assert_eq!(
            unbake_svg(&baked).unwrap().as_deref(),
            Some(json.as_str()),
            "{name}"
        );
        assert_eq!(
            unbake_svg_verify_url(&baked).unwrap().as_deref(),
            Some(VERIFY)
        );
        // Everything after the inserted element is the original document.
        let end = "</openbadges:assertion>";
        let tail = &baked[baked.find(end).unwrap() + end.len()..];
        assert!(svg.ends_with(tail), "{name}: rest of the document changed");
        let rebaked = bake_svg(&baked, "{}", VERIFY).unwrap();
        assert_eq!(rebaked.matches("openbadges:assertion verify").count(), 1);
        assert_eq!(unbake_svg(&rebaked).unwrap().as_deref(), Some("{}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// JSON-ish text built from pieces that are hard for XML and PNG text chunks.
fn jsonish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("]]>".to_owned()),
        Just("]]".to_owned()),
        Just("]".to_owned()),
        Just(">".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("</openbadges:assertion>".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("<".to_owned()),
        Just("&".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#x41;".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("\n".to_owned()),
        Just("\t".to_owned()),
        Just(" ".to_owned()),
        Just("é".to_owned()),
        Just("日本語".to_owned()),
        Just("🎖️".to_owned()),
        Just("{\"k\":".to_owned()),
        Just("}".to_owned()),
        "[a-zA-Z0-9 {}:,\\[\\]\"]{0,8}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn png_round_trip_is_byte_identical(json in jsonish(), extra in prop_oneof![Just(""), Just("\r\n")]) {
        let json = format!("{json}{extra}");
        let png_bytes = small_rgba_png(3, 2);
        let baked = bake_png(&png_bytes, &json).unwrap();
        prop_assert_eq!(unbake_png(&baked).unwrap(), Some(json.clone()));
        let rebaked = bake_png(&baked, &json).unwrap();
        prop_assert_eq!(openbadges_itxt_count(&rebaked), 1);
        prop_assert_eq!(unbake_png(&rebaked).unwrap(), Some(json));
    }

    #[test]
    fn svg_round_trip_is_byte_identical(json in jsonish()) {
        // Whitespace-only content counts as "no assertion"; real assertions are JSON objects.
        let json = format!("{{{json}}}");
        let baked = bake_svg(SIMPLE_SVG, &json, VERIFY).unwrap();
        let elements = xml_elements(&baked);
        prop_assert_eq!(elements, ["svg", "assertion", "rect"]);
        prop_assert_eq!(unbake_svg(&baked).unwrap(), Some(json.clone()));
        let rebaked = bake_svg(&baked, &json, VERIFY).unwrap();
        prop_assert_eq!(rebaked.matches("<openbadges:assertion").count(), 1);
        prop_assert_eq!(unbake_svg(&rebaked).unwrap(), Some(json));
    }
}
