//! Rendering any text as a QR code (error correction M, like the server's `qr` module).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::{ClientError, Result};

/// Quiet zone in modules around the symbol (the QR specification asks for 4).
const QUIET: usize = 4;

fn code(data: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| ClientError::Invalid("qr data", e.to_string()))
}

/// `data` as a standalone SVG document, black on white with the quiet zone, at least
/// `min_px` pixels wide.
pub fn svg(data: &str, min_px: u32) -> Result<String> {
    Ok(code(data)?
        .render::<svg::Color<'_>>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// `data` as a greyscale PNG with `scale` (1–64) pixels per module, quiet zone included.
pub fn png(data: &str, scale: u32) -> Result<Vec<u8>> {
    if !(1..=64).contains(&scale) {
        return Err(ClientError::Invalid("scale", "must be 1–64".into()));
    }
    let scale = scale as usize;
    let code = code(data)?;
    let width = code.width();
    let size = (width + 2 * QUIET) * scale;
    let mut pixels = vec![255u8; size * size];
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for dy in 0..scale {
                let row = (my * scale + dy) * size;
                pixels[row + mx * scale..row + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, size as u32, size as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc
        .write_header()
        .map_err(|e| ClientError::Protocol(format!("png: {e}")))?;
    w.write_image_data(&pixels)
        .map_err(|e| ClientError::Protocol(format!("png: {e}")))?;
    w.finish()
        .map_err(|e| ClientError::Protocol(format!("png: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg_and_png() {
        let s = super::svg("https://x.test/c/sabc", 200).unwrap();
        assert!(s.contains("<svg"));
        let p = super::png("https://x.test/c/sabc", 4).unwrap();
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
        assert!(super::png("x", 0).is_err());
    }
}
