//! Helpers shared by the integration tests (test-only I/O: reading fixtures).
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared badge designs: `../shared/fixtures/badges/` next to the repository root.
pub const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/badges/"
);

/// All fixture files with the given extension (`"png"` or `"svg"`), sorted by name.
pub fn fixtures(ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("reading {FIXTURES}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// Encodes a PNG with the png crate.
pub fn encode_png(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    palette: Option<Vec<u8>>,
    trns: Option<Vec<u8>>,
    data: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(depth);
        if let Some(palette) = palette {
            encoder.set_palette(palette);
        }
        if let Some(trns) = trns {
            encoder.set_trns(trns);
        }
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
    }
    out
}

/// A small 8-bit RGBA test image.
pub fn small_rgba_png(width: u32, height: u32) -> Vec<u8> {
    let data: Vec<u8> = (0..width * height * 4)
        .map(|i| (i * 37 % 251) as u8)
        .collect();
    encode_png(
        width,
        height,
        png::ColorType::Rgba,
        png::BitDepth::Eight,
        None,
        None,
        &data,
    )
}
