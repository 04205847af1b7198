//! Upload checks for badge images.

mod common;

use accolade_openbadges::{
    check_image, check_svg, CheckedImage, ImageError, ImageKind, MAX_IMAGE_BYTES,
};
use common::{encode_png, fixtures, small_rgba_png};
use proptest::prelude::*;

/// A valid 1×1 PNG whose IHDR claims `width`×`height` (CRC recomputed, so it is only
/// refused for its size, never for damage).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = encode_png(
        1,
        1,
        png::ColorType::Rgba,
        png::BitDepth::Eight,
        None,
        None,
        &[1, 2, 3, 4],
    );
    // Signature (8) + length (4) + "IHDR" (4) = 16: width at 16..20, height at 20..24,
    // the 13 data bytes end at 29, CRC (over type + data) at 29..33.
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn svg(body: &str) -> Vec<u8> {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">{body}</svg>"#
    )
    .into_bytes()
}

fn assert_unsafe(bytes: &[u8], expect_in_reason: &str) {
    match check_image(bytes) {
        Err(ImageError::UnsafeSvg(reason)) => assert!(
            reason.contains(expect_in_reason),
            "reason {reason:?} should mention {expect_in_reason:?}"
        ),
        other => panic!(
            "expected UnsafeSvg for {}, got {other:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

fn assert_invalid(bytes: &[u8]) {
    assert!(
        matches!(check_image(bytes), Err(ImageError::InvalidSvg(_))),
        "expected InvalidSvg for {}, got {:?}",
        String::from_utf8_lossy(bytes),
        check_image(bytes)
    );
}

#[test]
fn all_fixture_images_pass() {
    let mut count = 0;
    for ext in ["png", "svg"] {
        for (name, bytes) in fixtures(ext) {
            let checked = check_image(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            let kind = if ext == "png" {
                ImageKind::Png
            } else {
                ImageKind::Svg
            };
            assert_eq!(
                checked,
                CheckedImage {
                    kind,
                    width: Some(512),
                    height: Some(512)
                },
                "{name}"
            );
            count += 1;
        }
    }
    assert_eq!(count, 20);
}

#[test]
fn oversized_upload_is_refused() {
    let mut big = small_rgba_png(2, 2);
    big.resize(MAX_IMAGE_BYTES + 1, 0);
    let err = check_image(&big).unwrap_err();
    assert_eq!(
        err,
        ImageError::TooLarge {
            size: MAX_IMAGE_BYTES + 1
        }
    );
    assert_eq!(
        err.to_string(),
        "the image is 513 KiB; the maximum is 512 KiB"
    );
    let mut big_svg = svg("");
    big_svg.resize(MAX_IMAGE_BYTES + 1, b' ');
    assert!(matches!(
        check_svg(&big_svg),
        Err(ImageError::TooLarge { .. })
    ));
    // Exactly at the limit is fine (size-wise).
    let mut at_limit = svg("");
    at_limit.resize(MAX_IMAGE_BYTES, b' ');
    assert!(check_image(&at_limit).is_ok());
}

#[test]
fn huge_png_dimensions_are_refused_from_the_header() {
    let bomb = png_claiming(19000, 19000);
    // The header is valid for the png crate (it is only the pixels that are missing).
    let header = png::Decoder::new(bomb.as_slice())
        .read_info()
        .map(|r| (r.info().width, r.info().height));
    assert_eq!(header.unwrap(), (19000, 19000));

    let err = check_image(&bomb).unwrap_err();
    assert_eq!(
        err,
        ImageError::DimensionsTooLarge {
            width: 19000,
            height: 19000
        }
    );
    assert_eq!(
        err.to_string(),
        "PNG is 19000×19000 pixels; the maximum is 2048×2048"
    );
    assert!(matches!(
        check_image(&png_claiming(2049, 10)),
        Err(ImageError::DimensionsTooLarge {
            width: 2049,
            height: 10
        })
    ));
    assert!(matches!(
        check_image(&png_claiming(10, u32::MAX >> 1)),
        Err(ImageError::DimensionsTooLarge { .. })
    ));
}

#[test]
fn png_at_the_maximum_size_passes() {
    // 2048×2048 1-bit grayscale compresses to a few KiB.
    let data = vec![0u8; 2048 / 8 * 2048];
    let png_bytes = encode_png(
        2048,
        2048,
        png::ColorType::Grayscale,
        png::BitDepth::One,
        None,
        None,
        &data,
    );
    assert!(png_bytes.len() < MAX_IMAGE_BYTES);
    assert_eq!(
        check_image(&png_bytes).unwrap(),
        CheckedImage {
            kind: ImageKind::Png,
            width: Some(2048),
            height: Some(2048)
        }
    );
}

#[test]
fn damaged_png_is_refused() {
    let mut bytes = small_rgba_png(4, 4);
    bytes[23] ^= 0x01; // IHDR height 4 -> 5, CRC now wrong
    assert!(matches!(
        check_image(&bytes),
        Err(ImageError::InvalidPng(_))
    ));
    let mut bytes = small_rgba_png(4, 4);
    bytes[30] ^= 0x01; // the IHDR CRC itself
    assert!(matches!(
        check_image(&bytes),
        Err(ImageError::InvalidPng(_))
    ));
    let truncated = &small_rgba_png(4, 4)[..20];
    assert!(matches!(
        check_image(truncated),
        Err(ImageError::InvalidPng(_))
    ));
}

#[test]
fn other_types_are_unsupported() {
    for bytes in [
        &b"GIF89a\x01\x00\x01\x00"[..],
        &b"\xFF\xD8\xFF\xE0\x00\x10JFIF"[..],
        &b"%PDF-1.7"[..],
        &b""[..],
        &b"hello <svg/>"[..],
    ] {
        assert_eq!(check_image(bytes), Err(ImageError::UnsupportedType));
    }
    assert_eq!(
        ImageError::UnsupportedType.to_string(),
        "only PNG and SVG images can be used for badges"
    );
}

#[test]
fn svg_dimensions_and_prologue() {
    let with_prologue = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10.4px\" height=\"100%\"><title>Hi &amp; bye &#x263A;</title></svg>\n";
    assert_eq!(
        check_image(with_prologue.as_bytes()).unwrap(),
        CheckedImage {
            kind: ImageKind::Svg,
            width: Some(10),
            height: None
        }
    );
    let no_size = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>"#;
    assert_eq!(check_image(no_size).unwrap().width, None);
}

#[test]
fn safe_svg_features_pass() {
    let ok = svg(concat!(
        r##"<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>"##,
        r#"<style>.a { fill: url(#g); stroke: url( '#g' ) }</style></defs>"#,
        r##"<rect class="a" fill="url(#g)" style="stroke: url(&quot;#g&quot;)" width="5" height="5"/>"##,
        r##"<use href="#g"/><use xlink:href="#g"/>"##,
        r#"<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>"#,
        r##"<a href="#top"><text>Open &lt;badge&gt; — Wonderful ✓</text></a>"##,
        r#"<animate attributeName="opacity" from="0" to="1" dur="1s"/>"#,
        r#"<?some-other-pi data?><![CDATA[ plain ]]>"#,
    ));
    check_image(&ok).unwrap();
}

#[test]
fn script_elements_are_refused() {
    assert_unsafe(&svg("<script>alert(1)</script>"), "<script>");
    assert_unsafe(&svg("<SCRIPT>alert(1)</SCRIPT>"), "<script>");
    assert_unsafe(
        &svg(r#"<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>"#),
        "<script>",
    );
    assert_unsafe(&svg(r##"<script href="#x"/>"##), "<script>");
    assert_unsafe(
        &svg(r#"<handler type="application/ecmascript">alert(1)</handler>"#),
        "<script>",
    );
}

#[test]
fn foreign_object_and_embeds_are_refused() {
    assert_unsafe(
        &svg(r#"<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>"#),
        "foreignObject",
    );
    assert_unsafe(&svg(r##"<iframe src="#x"/>"##), "<iframe>");
    assert_unsafe(&svg(r##"<embed src="#x"/>"##), "<embed>");
    assert_unsafe(&svg(r#"<object data="x"/>"#), "<object>");
    assert_unsafe(
        &svg(r#"<h:iframe xmlns:h="http://www.w3.org/1999/xhtml"/>"#),
        "<iframe>",
    );
}

#[test]
fn event_handlers_are_refused() {
    assert_unsafe(
        br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
        "onload",
    );
    assert_unsafe(&svg(r#"<rect ONCLICK="alert(1)"/>"#), "ONCLICK");
    assert_unsafe(
        &svg(r#"<rect x:onmouseover="alert(1)" xmlns:x="urn:x"/>"#),
        "onmouseover",
    );
    assert_unsafe(&svg(r#"<rect onbegin=""/>"#), "onbegin");
}

#[test]
fn javascript_urls_are_refused() {
    for value in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " java&#x09;script:alert(1)",
        "java&#10;script:alert(1)",
        "jav&#x0;ascript:x",
        "vbscript:msgbox",
    ] {
        let doc = svg(&format!(r#"<a href="{value}"><text>x</text></a>"#));
        if value.contains("&#x0;") {
            // A NUL character reference is not allowed in XML at all.
            assert!(check_image(&doc).is_err());
            continue;
        }
        assert_unsafe(&doc, "javascript:");
    }
    // In any attribute, not only href.
    assert_unsafe(
        &svg(r#"<set attributeName="fill" to="javascript:alert(1)"/>"#),
        "javascript:",
    );
}

#[test]
fn external_references_are_refused() {
    assert_unsafe(
        &svg(r#"<image href="https://evil.example/x.png"/>"#),
        "outside",
    );
    assert_unsafe(
        &svg(r#"<image xlink:href="//evil.example/x.png"/>"#),
        "outside",
    );
    assert_unsafe(&svg(r#"<use xlink:href="other.svg#a"/>"#), "outside");
    assert_unsafe(&svg(r#"<use href="/sprite.svg#a"/>"#), "outside");
    assert_unsafe(
        &svg(r#"<image href="data:image/svg+xml;base64,PHN2Zy8+"/>"#),
        "outside",
    );
    assert_unsafe(
        &svg(r#"<image href="data:text/html;base64,PHNjcmlwdD4="/>"#),
        "outside",
    );
    assert_unsafe(
        &svg(r#"<image src="http://evil.example/x.png"/>"#),
        "outside",
    );
    assert_unsafe(
        &svg(r#"<a href="https://example.org"><text>x</text></a>"#),
        "outside",
    );
    assert_unsafe(
        &svg(r#"<set attributeName="xlink:href" to="https://evil.example/"/>"#),
        "changes the xlink:href",
    );
    assert_unsafe(
        &svg(r##"<animate attributeName="href" values="#a;https://evil.example/"/>"##),
        "changes the href",
    );
}

#[test]
fn doctype_and_entities_are_refused() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>"#;
    assert_unsafe(laughs, "DOCTYPE");
    let xxe = br#"<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg>&xxe;</svg>"#;
    assert_unsafe(xxe, "DOCTYPE");
    let plain_doctype = br#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>"#;
    assert_unsafe(plain_doctype, "DOCTYPE");
    // An undeclared entity is not well-formed.
    assert_invalid(&svg("<text>&nbsp;</text>"));
}

#[test]
fn stylesheets_and_css_urls_are_refused() {
    assert_unsafe(
        br#"<?xml-stylesheet href="https://evil.example/s.css" type="text/css"?><svg/>"#,
        "xml-stylesheet",
    );
    assert_unsafe(
        &svg(r#"<style>@import url(https://evil.example/s.css);</style>"#),
        "@import",
    );
    assert_unsafe(&svg(r#"<style>@IMPORT "s.css";</style>"#), "@import");
    assert_unsafe(
        &svg(r#"<style>rect { fill: url(https://evil.example/p) }</style>"#),
        "url(",
    );
    assert_unsafe(
        &svg(r#"<style><![CDATA[ rect { background: URL( "//evil.example/p" ) } ]]></style>"#),
        "url(",
    );
    assert_unsafe(
        &svg(r#"<style>rect { fill: \75rl(https://evil.example/) }</style>"#),
        "escape",
    );
    assert_unsafe(
        &svg(r#"<rect style="fill:url('http://evil.example/x')"/>"#),
        "url(",
    );
    assert_unsafe(
        &svg(r#"<rect fill="url(http://evil.example/x#g)"/>"#),
        "url(",
    );
    assert_unsafe(&svg(r#"<rect filter="url(other.svg#f)"/>"#), "url(");
    assert_unsafe(&svg(r#"<rect style="background: \75 rl(x)"/>"#), "escape");
}

#[test]
fn malformed_svg_is_refused() {
    assert_invalid(b"<svg><g></svg>");
    assert_invalid(b"<svg><g>");
    assert_invalid(b"<svg></svg><svg></svg>");
    assert_invalid(b"<svg></svg>trailing text");
    assert_invalid(b"<html><body/></html>");
    assert_invalid(b"<svg a='1' a='2'/>");
    assert_invalid(b"<svg><!-- bad -- comment --></svg>");
    assert_invalid(b"<?xml version=\"1.0\"?>");
    assert_eq!(check_image(b"<svg>\xFF</svg>"), Err(ImageError::NotUtf8));
}

#[test]
fn error_messages_are_readable() {
    let err = check_image(&svg("<script>alert(1)</script>")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the SVG file is not allowed because it contains a <script> element"
    );
    let err = check_image(&svg(r#"<image href="https://evil.example/x.png"/>"#)).unwrap_err();
    assert!(
        err.to_string().contains("https://evil.example/x.png"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn check_image_never_panics(tail in prop::collection::vec(any::<u8>(), 0..200), png in any::<bool>()) {
        let mut bytes = if png { vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A] } else { b"<svg ".to_vec() };
        bytes.extend_from_slice(&tail);
        let _ = check_image(&bytes);
    }

    #[test]
    fn damaged_pngs_never_panic(flip in 8usize..200, bit in 0u8..8) {
        let mut bytes = small_rgba_png(5, 5);
        let at = flip % bytes.len();
        bytes[at] ^= 1 << bit;
        let _ = check_image(&bytes);
        let _ = accolade_openbadges::bake_png(&bytes, "{}");
        let _ = accolade_openbadges::unbake_png(&bytes);
    }
}

#[test]
fn hardening_rules_from_the_bad_input_review() {
    let deep = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\">{}{}</svg>",
        "<g>".repeat(3000),
        "</g>".repeat(3000)
    );
    assert!(
        accolade_openbadges::check_svg(deep.as_bytes()).is_err(),
        "deep nesting"
    );
    let shallow = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\">{}{}</svg>",
        "<g>".repeat(20),
        "</g>".repeat(20)
    );
    assert!(accolade_openbadges::check_svg(shallow.as_bytes()).is_ok());
    for evil in [
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:img srcset="http://x.example/a.png 1x"/></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><style>svg{cursor:image-set("http://x.example/c.png" 1x)}</style></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><meta http-equiv="refresh" content="1;url=http://x.example/"/></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><image poster="http://x.example/p.png"/></svg>"#,
    ] {
        assert!(
            accolade_openbadges::check_svg(evil.as_bytes()).is_err(),
            "{evil}"
        );
    }
}

#[test]
fn damaged_png_pixels_are_refused_at_upload() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/badges"
    );
    let png = std::fs::read_dir(dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .map(|p| std::fs::read(p).expect("read"))
        .expect("a png");
    assert!(accolade_openbadges::check_png(&png).is_ok());
    // Truncated: header fine, pixels missing.
    assert!(accolade_openbadges::check_png(&png[..png.len() / 2]).is_err());
}
