//! QR code images (the `qrcode` crate, error correction M): SVG text and PNG bytes, with a
//! small per-token cache (a render costs about a millisecond; projectors poll).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::{ApiError, ApiResult};

/// Quiet zone in modules around the symbol (the QR specification asks for 4).
const QUIET: usize = 4;

/// The QR code of `data` as a standalone SVG (dark modules black on white, quiet zone
/// included), `min_px` pixels wide at least.
pub fn svg(data: &str, min_px: u32) -> ApiResult<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::Internal(format!("qr: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The QR code of `data` as a greyscale PNG with `scale` pixels per module.
pub fn png(data: &str, scale: usize) -> ApiResult<Vec<u8>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::Internal(format!("qr: {e}")))?;
    let width = code.width();
    let colors = code.to_colors();
    let size = (width + 2 * QUIET) * scale;
    let mut pixels = vec![255u8; size * size];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for dy in 0..scale {
                let row = (my * scale + dy) * size;
                for dx in 0..scale {
                    pixels[row + mx * scale + dx] = 0;
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size as u32, size as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc
            .write_header()
            .map_err(|e| ApiError::Internal(format!("png: {e}")))?;
        w.write_image_data(&pixels)
            .map_err(|e| ApiError::Internal(format!("png: {e}")))?;
    }
    Ok(out)
}

/// Cache key: (PNG?, encoded data).
type QrKey = (bool, String);

/// A bounded cache of rendered QR images keyed by (format, data).
#[derive(Clone, Default)]
pub struct QrCache {
    inner: Arc<Mutex<HashMap<QrKey, Arc<Vec<u8>>>>>,
}

impl QrCache {
    /// Most entries kept; the cache is cleared when full (tokens rotate, so old ones die).
    pub const CAPACITY: usize = 512;

    /// The PNG (`png = true`) or SVG of `data`, rendered once.
    pub fn get(&self, data: &str, png_wanted: bool) -> ApiResult<Arc<Vec<u8>>> {
        let key = (png_wanted, data.to_owned());
        if let Some(hit) = self.inner.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(hit);
        }
        let bytes = Arc::new(if png_wanted {
            png(data, 8)?
        } else {
            svg(data, 256)?.into_bytes()
        });
        if let Ok(mut m) = self.inner.lock() {
            if m.len() >= Self::CAPACITY {
                m.clear();
            }
            m.insert(key, bytes.clone());
        }
        Ok(bytes)
    }
}
