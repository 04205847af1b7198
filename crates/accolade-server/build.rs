//! Embeds the web and mail templates and the static web assets into the binary, so the server
//! runs from any working directory and a new template or asset needs no list edited by hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    minijinja_embed::embed_templates!("templates/web", &[".html"][..], "web");
    embed_assets(Path::new("assets"));
}

/// Writes `$OUT_DIR/assets.rs`: `&[(file name, bytes)]` of every file in `assets/`.
fn embed_assets(dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("assets/ exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = String::from("&[\n");
    for name in names {
        println!("cargo:rerun-if-changed={}", dir.join(&name).display());
        let abs = std::fs::canonicalize(dir.join(&name)).expect("asset path");
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?}) as &[u8]),",
            abs.display()
        )
        .expect("write to string");
    }
    out.push(']');
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    std::fs::write(Path::new(&out_dir).join("assets.rs"), out).expect("write assets.rs");
}
