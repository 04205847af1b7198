#!/usr/bin/env bash
# `just bindings-test`: build accolade-ffi, generate its Kotlin, Swift and Python bindings
# (library mode, --no-format, into the target directory; never committed), start a real
# `accolade serve` with the demo school on 127.0.0.1, and run the same scenario in each
# language. Then type-check accolade-ffi for Android and iOS.
#
# Installs what is missing (idempotent; cached under ~/.cache/accolade): Debian libjna-java and
# debootstrap, a Python venv with pytest, kotlin-compiler 2.4.20 from npm, and a Debian trixie
# chroot with swiftlang 6.0.3 (Swift is not packaged for bookworm).
#
# Environment: BINDINGS_LANGS="python kotlin swift" (subset to run), CROSS_CHECK=0 to skip
# the Android/iOS checks, ACCOLADE_TOOLS_CACHE (default ~/.cache/accolade).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/mobile/bindings-tests"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
CACHE="${ACCOLADE_TOOLS_CACHE:-$HOME/.cache/accolade}"
LANGS="${BINDINGS_LANGS:-python kotlin swift}"
OUT="$CARGO_TARGET_DIR/bindings-tests"
LIB="$CARGO_TARGET_DIR/debug/libaccolade_ffi.so"
KOTLIN_VERSION=2.4.20
KOTLIN="$CACHE/kotlin-$KOTLIN_VERSION/node_modules/kotlin-compiler"
VENV="$CACHE/venv"
CHROOT="$CACHE/swift-chroot"
mkdir -p "$CACHE" "$OUT"
cd "$ROOT"

T0=$SECONDS
timing() { echo "   ($1: $((SECONDS - $2)) s)"; }
has() { [[ " $LANGS " == *" $1 "* ]]; }

echo "== bindings: tools"
t=$SECONDS
need_apt=()
[ -f /usr/share/java/jna.jar ] || need_apt+=(libjna-java libjna-jni)
if has swift && [ ! -x "$CHROOT/usr/bin/swiftc" ]; then command -v debootstrap >/dev/null || need_apt+=(debootstrap); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if has python && [ ! -x "$VENV/bin/pytest" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pytest
fi
if has kotlin && [ ! -x "$KOTLIN/bin/kotlinc" ]; then
  npm install --prefix "$CACHE/kotlin-$KOTLIN_VERSION" --no-save --no-package-lock --silent "kotlin-compiler@$KOTLIN_VERSION"
fi
if has swift && [ ! -x "$CHROOT/usr/bin/swiftc" ]; then
  # The Debian mirror this machine's apt already uses.
  mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  [ -n "$mirror" ] || mirror="$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)"
  rm -rf "$CHROOT.tmp"
  debootstrap --variant=minbase trixie "$CHROOT.tmp" "$mirror" >"$CACHE/debootstrap.log" 2>&1
  chroot "$CHROOT.tmp" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swiftlang libc6-dev' >"$CACHE/swift-install.log" 2>&1
  mv "$CHROOT.tmp" "$CHROOT"
fi
timing tools $t

echo "== bindings: build"
t=$SECONDS
# Separate cargo calls: building uniffi-bindgen together with the cdylib would turn uniffi's
# `cli` feature on for the cdylib too.
cargo build -q -p uniffi-bindgen
cargo build -q -p accolade-ffi
# `--workspace` resolves features as `cargo test --workspace` does, so CI reuses its binary.
cargo build -q --workspace --bin accolade
rm -rf "$OUT/gen"
"$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate --no-format -l kotlin -l swift -l python -o "$OUT/gen" "$LIB" >/dev/null
cp "$LIB" "$OUT/gen/"   # the Python module loads the library from its own directory
timing build $t

echo "== bindings: server (demo school, SQLite) on 127.0.0.1"
t=$SECONDS
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export ACCOLADE_DATABASE_URL="sqlite://$WORK/accolade.db?mode=rwc" ACCOLADE_DATA_DIR="$WORK" \
  ACCOLADE_PUBLIC_URL="http://127.0.0.1:$PORT" ACCOLADE_BIND="127.0.0.1:$PORT" RUST_LOG=warn
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  if mountpoint -q "$CHROOT/proc" 2>/dev/null; then umount "$CHROOT/proc" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
ACCOLADE="$CARGO_TARGET_DIR/debug/accolade"
(cd "$WORK" && "$ACCOLADE" demo >/dev/null)
(cd "$WORK" && "$ACCOLADE" signin-cards --school demo --class "7 Maple" --json >"$WORK/cards.json")
(cd "$WORK" && exec "$ACCOLADE" serve >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null
card_url() { python3 -c 'import json,sys; print(next(c["url"] for c in json.load(open(sys.argv[1]))["cards"] if c["display_name"] == sys.argv[2]))' "$WORK/cards.json" "$1"; }
export ACCOLADE_URL="http://127.0.0.1:$PORT" ACCOLADE_TEACHER="teacher@demo.example.org" \
  ACCOLADE_PASSWORD="accolade-demo" ACCOLADE_STORE_DIR="$WORK"
timing server $t

# Each language is a different student of 7 Maple who claims the demo's rotating code (Star
# Helper) and nominates a different classmate for Kind Classmate; in the demo none of these
# students holds Star Helper and none of these nominees holds Kind Classmate or has an open
# nomination for it, so the runs share one server without colliding.
passed=0; failed=0; failed_langs=""
result() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_langs+=" $1"; fi; }

if has python; then
  echo "== bindings: Python (pytest)"
  t=$SECONDS
  set +e
  ACCOLADE_CARD_URL="$(card_url "Grace H.")" ACCOLADE_NOMINEE="Tim B." \
    PYTHONPATH="$OUT/gen" "$VENV/bin/pytest" -q -p no:cacheprovider "$HERE/python"
  result python $?
  set -e
  timing python $t
fi

if has kotlin; then
  echo "== bindings: Kotlin/JVM (kotlinc $KOTLIN_VERSION, JNA)"
  t=$SECONDS
  CP="/usr/share/java/jna.jar:$KOTLIN/lib/kotlinx-coroutines-core-jvm.jar"
  export JAVA_OPTS="-Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
  set +e
  (
    set -e
    # The bindings jar only changes when the generated code does.
    sum="$(sha256sum "$OUT/gen/uniffi/accolade_ffi/accolade_ffi.kt" | cut -c1-16)"
    if [ ! -f "$OUT/kotlin/bindings-$sum.jar" ]; then
      rm -rf "$OUT/kotlin"; mkdir -p "$OUT/kotlin"
      "$KOTLIN/bin/kotlinc" -Werror -classpath "$CP" -d "$OUT/kotlin/bindings-$sum.jar" \
        "$OUT/gen/uniffi/accolade_ffi/accolade_ffi.kt"
    fi
    "$KOTLIN/bin/kotlinc" -classpath "$CP:$OUT/kotlin/bindings-$sum.jar" -d "$OUT/kotlin/scenario.jar" "$HERE/kotlin/Scenario.kt"
    ACCOLADE_CARD_URL="$(card_url "Alan T.")" ACCOLADE_NOMINEE="Katherine J." \
      java -ea -Djna.library.path="$CARGO_TARGET_DIR/debug" \
      -cp "$OUT/kotlin/scenario.jar:$OUT/kotlin/bindings-$sum.jar:$CP:$KOTLIN/lib/kotlin-stdlib.jar" ScenarioKt
  )
  result kotlin $?
  set -e
  timing kotlin $t
fi

if has swift; then
  echo "== bindings: Swift 6 (swiftlang 6.0.3 in a Debian trixie chroot)"
  t=$SECONDS
  rm -rf "$CHROOT/src"; mkdir -p "$CHROOT/src/swift" "$CHROOT/src/lib"
  cp "$OUT/gen/accolade_ffi.swift" "$OUT/gen/accolade_ffiFFI.h" "$OUT/gen/accolade_ffiFFI.modulemap" "$HERE/swift/main.swift" "$CHROOT/src/swift/"
  cp "$LIB" "$CHROOT/src/lib/"
  mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
  set +e
  # The chroot shares the host's network namespace, so 127.0.0.1 is the server above.
  chroot "$CHROOT" env ACCOLADE_URL="$ACCOLADE_URL" ACCOLADE_TEACHER="$ACCOLADE_TEACHER" \
    ACCOLADE_PASSWORD="$ACCOLADE_PASSWORD" ACCOLADE_STORE_DIR=/tmp \
    ACCOLADE_CARD_URL="$(card_url "Hedy L.")" ACCOLADE_NOMINEE="Ada L." \
    sh -c 'cd /src && FFI="-Xcc -fmodule-map-file=swift/accolade_ffiFFI.modulemap -I swift -L lib -laccolade_ffi" &&
      swiftc -swift-version 6 -warnings-as-errors -parse-as-library -module-name accolade_ffi -emit-library -o lib/libaccolade_swift_check.so $FFI swift/accolade_ffi.swift &&
      swiftc -swift-version 6 -module-name scenario $FFI swift/accolade_ffi.swift swift/main.swift -o scenario &&
      LD_LIBRARY_PATH=lib ./scenario'
  result swift $?
  set -e
  umount "$CHROOT/proc" || true
  timing swift $t
fi

if [ "${CROSS_CHECK:-1}" != 0 ]; then
  echo "== bindings: cargo check accolade-ffi for Android and iOS"
  t=$SECONDS
  # Without default features: TLS (ring) and the bundled SQLite compile C, which needs the
  # NDK / Xcode toolchains (not available here); the Rust code is checked in full.
  for target in aarch64-linux-android aarch64-apple-ios; do
    if rustup target list --installed | grep -qx "$target" || rustup target add "$target" >/dev/null 2>&1; then
      cargo check -q -p accolade-ffi --no-default-features --target "$target" && echo "   $target: ok"
    else
      echo "   $target: skipped (rustup cannot install the target here)"
    fi
  done
  timing cross-check $t
fi

echo "   (total: $((SECONDS - T0)) s)"
if [ "$failed" -gt 0 ]; then
  echo "server log tail:"; tail -20 "$WORK/server.log" || true
  echo "failed:$failed_langs"
fi
echo "bindings: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
