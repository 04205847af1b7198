//! `uniffi-bindgen`: generates the Kotlin, Swift and Python bindings of `accolade-ffi` from the
//! built library (library mode), e.g.
//! `uniffi-bindgen generate --no-format -l python -o out/ target/debug/libaccolade_ffi.so`.
//!
//! Build it in its own `cargo build -p uniffi-bindgen` call: building it together with
//! `accolade-ffi` unifies uniffi's `cli` feature into the cdylib and bloats it.

fn main() {
    uniffi::uniffi_bindgen_main()
}
