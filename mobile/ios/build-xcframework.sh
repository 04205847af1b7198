#!/usr/bin/env bash
# Builds mobile/ios/AccoladeKit/AccoladeFFI.xcframework (static libaccolade_ffi for iOS devices
# and the simulator, with the uniffi C header and module map) and generates the Swift bindings
# into AccoladeKit/Sources/AccoladeFFI. Run on a Mac with Xcode and rustup; see mobile/README.md.
# RELEASE=0 builds debug libraries (faster, larger).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
KIT="$ROOT/mobile/ios/AccoladeKit"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE=release; FLAG=--release
[ "${RELEASE:-1}" = 0 ] && { PROFILE=debug; FLAG=; }
cd "$ROOT"

rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build -p accolade-ffi --lib $FLAG --target "$t"
done

# Bindings from the host build (the metadata is the same on every target; separate cargo calls
# keep uniffi's `cli` feature out of the library).
cargo build -p uniffi-bindgen
cargo build -p accolade-ffi
HOST_LIB="$CARGO_TARGET_DIR/debug/libaccolade_ffi.dylib"
GEN="$CARGO_TARGET_DIR/ios-bindings"
rm -rf "$GEN"
"$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate --no-format -l swift -o "$GEN" "$HOST_LIB"
mkdir -p "$KIT/Sources/AccoladeFFI"   # generated code only: not in a fresh clone
cp "$GEN/accolade_ffi.swift" "$KIT/Sources/AccoladeFFI/"

# Headers: the C header and a module map named module.modulemap (what Xcode looks for).
HDR="$CARGO_TARGET_DIR/ios-headers"
rm -rf "$HDR"; mkdir -p "$HDR"
cp "$GEN/accolade_ffiFFI.h" "$HDR/"
cp "$GEN/accolade_ffiFFI.modulemap" "$HDR/module.modulemap"

# One simulator library for both simulator architectures.
SIM="$CARGO_TARGET_DIR/ios-sim-universal"
mkdir -p "$SIM"
lipo -create \
  "$CARGO_TARGET_DIR/aarch64-apple-ios-sim/$PROFILE/libaccolade_ffi.a" \
  "$CARGO_TARGET_DIR/x86_64-apple-ios/$PROFILE/libaccolade_ffi.a" \
  -output "$SIM/libaccolade_ffi.a"

rm -rf "$KIT/AccoladeFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$CARGO_TARGET_DIR/aarch64-apple-ios/$PROFILE/libaccolade_ffi.a" -headers "$HDR" \
  -library "$SIM/libaccolade_ffi.a" -headers "$HDR" \
  -output "$KIT/AccoladeFFI.xcframework"
echo "built $KIT/AccoladeFFI.xcframework and Sources/AccoladeFFI/accolade_ffi.swift"
