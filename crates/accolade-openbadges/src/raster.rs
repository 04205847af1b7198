//! Rasterising SVG badge images to PNG (for the baked PNG of a badge designed as SVG), with
//! `resvg`. Only SVGs that passed [`crate::images::check_svg`] reach this, so there are no
//! external references to load.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// Longest side of a rasterised badge, in pixels.
pub const RASTER_SIZE: u32 = 512;

/// Errors rasterising.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    /// The SVG could not be parsed by usvg.
    #[error("cannot render SVG: {0}")]
    Parse(String),
    /// The SVG has no drawable size.
    #[error("SVG has an empty size")]
    Empty,
    /// PNG encoding failed.
    #[error("cannot encode PNG: {0}")]
    Encode(String),
}

fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        Arc::new(db)
    })
    .clone()
}

/// Renders `svg` to a PNG whose longest side is [`RASTER_SIZE`] pixels (aspect ratio kept).
pub fn rasterize_svg(svg: &[u8]) -> Result<Vec<u8>, RasterError> {
    let opt = usvg::Options {
        fontdb: fontdb(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(svg, &opt).map_err(|e| RasterError::Parse(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    if !(w > 0.0 && h > 0.0) {
        return Err(RasterError::Empty);
    }
    let scale = RASTER_SIZE as f32 / w.max(h);
    let pw = ((w * scale).round() as u32).max(1);
    let ph = ((h * scale).round() as u32).max(1);
    let mut pixmap = tiny_skia::Pixmap::new(pw, ph).ok_or(RasterError::Empty)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| RasterError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_simple_badge() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40" fill="#c33"/></svg>"##;
        let png = rasterize_svg(svg).expect("render");
        let checked = crate::images::check_png(&png).expect("valid png");
        assert_eq!((checked.width, checked.height), (Some(512), Some(512)));
    }

    #[test]
    fn fixture_badges_render() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/badges"
        );
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "svg") {
                let bytes = std::fs::read(e.path()).expect("read");
                let png = rasterize_svg(&bytes).expect("render fixture");
                assert!(png.starts_with(b"\x89PNG"));
            }
        }
    }
}
