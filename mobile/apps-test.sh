#!/usr/bin/env bash
# `just apps-test`: the phone apps' logic layers, compiled and tested here against a real server.
#   - Android: mobile/android/core-logic (plain Kotlin, no android.*) with kotlinc on the JVM.
#   - iOS: mobile/ios/AccoladeKit (Foundation-only Swift package) with `swift build` and
#     `swift test` in a Debian trixie chroot with swiftlang 6.0.3.
# Both run against the generated bindings of accolade-ffi and one `accolade serve` (demo school,
# SQLite) on 127.0.0.1; the tests stop and restart that server to check the offline paths.
#
# Idempotent; installs what is missing and caches it under ~/.cache/accolade (the same tools
# as mobile/bindings-tests/run.sh: Debian libjna-java, npm kotlin-compiler, the Swift chroot).
# Environment: APPS_LANGS="kotlin swift" (subset), ACCOLADE_TOOLS_CACHE (default ~/.cache/accolade),
# APPS_NO_BUILD=1 (reuse the last cargo build when iterating on the app code only).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
CACHE="${ACCOLADE_TOOLS_CACHE:-$HOME/.cache/accolade}"
LANGS="${APPS_LANGS:-kotlin swift}"
OUT="$CARGO_TARGET_DIR/apps-test"
LIB="$CARGO_TARGET_DIR/debug/libaccolade_ffi.so"
KOTLIN_VERSION=2.4.20
KOTLIN="$CACHE/kotlin-$KOTLIN_VERSION/node_modules/kotlin-compiler"
CHROOT="$CACHE/swift-chroot"
mkdir -p "$CACHE" "$OUT"
cd "$ROOT"
T0=$SECONDS
timing() { echo "   ($1: $((SECONDS - $2)) s)"; }
has() { [[ " $LANGS " == *" $1 "* ]]; }

echo "== apps: tools"
t=$SECONDS
need_apt=()
[ -f /usr/share/java/jna.jar ] || need_apt+=(libjna-java libjna-jni)
if has swift && [ ! -x "$CHROOT/usr/bin/swift-build" ]; then command -v debootstrap >/dev/null || need_apt+=(debootstrap); fi
command -v unshare >/dev/null || need_apt+=(util-linux)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if has kotlin && [ ! -x "$KOTLIN/bin/kotlinc" ]; then
  npm install --prefix "$CACHE/kotlin-$KOTLIN_VERSION" --no-save --no-package-lock --silent "kotlin-compiler@$KOTLIN_VERSION"
fi
if has swift && [ ! -x "$CHROOT/usr/bin/swift-build" ]; then
  # Same chroot as the bindings test (whichever script runs first makes it).
  mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  [ -n "$mirror" ] || mirror="$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)"
  rm -rf "$CHROOT.apps.tmp"
  debootstrap --variant=minbase trixie "$CHROOT.apps.tmp" "$mirror" >"$CACHE/debootstrap-apps.log" 2>&1
  chroot "$CHROOT.apps.tmp" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swiftlang libc6-dev' >"$CACHE/swift-install-apps.log" 2>&1
  [ -x "$CHROOT/usr/bin/swift-build" ] || { rm -rf "$CHROOT"; mv "$CHROOT.apps.tmp" "$CHROOT"; }
  rm -rf "$CHROOT.apps.tmp"
fi
timing tools $t

echo "== apps: build accolade-ffi, generate bindings"
t=$SECONDS
# Separate cargo calls: building uniffi-bindgen with the cdylib would turn on uniffi's `cli`
# feature for the cdylib too (see mobile/bindings-tests/run.sh).
if [ "${APPS_NO_BUILD:-0}" = 1 ] && [ -f "$LIB" ] && [ -x "$CARGO_TARGET_DIR/debug/accolade" ]; then
  echo "   (APPS_NO_BUILD=1: reusing the last cargo build)"
else
  cargo build -q -p uniffi-bindgen
  cargo build -q -p accolade-ffi
  cargo build -q -p accolade-server --bin accolade
fi
# Regenerate into gen.new and keep the old tree when nothing changed, so the timestamps stay
# and the Kotlin jars and the Swift build are reused.
rm -rf "$OUT/gen.new"
"$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate --no-format -l kotlin -l swift -o "$OUT/gen.new" "$LIB" >/dev/null
if [ -d "$OUT/gen" ] && diff -rq "$OUT/gen" "$OUT/gen.new" >/dev/null; then rm -rf "$OUT/gen.new"; else rm -rf "$OUT/gen"; mv "$OUT/gen.new" "$OUT/gen"; fi
timing build $t

echo "== apps: server (demo school, SQLite) on 127.0.0.1"
t=$SECONDS
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export ACCOLADE_DATABASE_URL="sqlite://$WORK/accolade.db?mode=rwc" ACCOLADE_DATA_DIR="$WORK" \
  ACCOLADE_PUBLIC_URL="http://127.0.0.1:$PORT" ACCOLADE_BIND="127.0.0.1:$PORT" RUST_LOG=warn
ACCOLADE="$CARGO_TARGET_DIR/debug/accolade"
# `ctl start|stop`: the tests stop the server to check the offline paths, then start it again
# on the same port and database.
cat >"$WORK/ctl" <<CTL
#!/usr/bin/env bash
set -eu
case "\$1" in
  start)
    (cd "$WORK" && exec "$ACCOLADE" serve >>"$WORK/server.log" 2>&1) &
    echo \$! >"$WORK/server.pid"
    for _ in \$(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && exit 0; sleep 0.1; done
    echo "server did not start"; exit 1 ;;
  stop)
    pid="\$(cat "$WORK/server.pid")"
    kill "\$pid" 2>/dev/null || true
    for _ in \$(seq 1 100); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "\$pid" 2>/dev/null || true ;;
esac
CTL
chmod +x "$WORK/ctl"
WATCHER=""
cleanup() {
  [ -n "$WATCHER" ] && kill "$WATCHER" 2>/dev/null || true
  [ -f "$WORK/server.pid" ] && kill "$(cat "$WORK/server.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
(cd "$WORK" && "$ACCOLADE" demo >/dev/null)
(cd "$WORK" && "$ACCOLADE" signin-cards --school demo --class "7 Maple" --json >"$WORK/cards.json")
"$WORK/ctl" start
card() { python3 -c 'import json,sys; print(next(c[sys.argv[3]] for c in json.load(open(sys.argv[1]))["cards"] if c["display_name"] == sys.argv[2]))' "$WORK/cards.json" "$1" "$2"; }
export ACCOLADE_URL="http://127.0.0.1:$PORT" ACCOLADE_TEACHER="teacher@demo.example.org" \
  ACCOLADE_PASSWORD="accolade-demo" APPS_SERVER_CTL="$WORK/ctl"
timing server $t

# Counts are of test cases, read from each runner's summary; a runner that fails without a
# summary (e.g. a compile error) counts as one failure.
passed=0; failed=0; failed_langs=""
result() {  # result LANG EXIT_CODE LOG
  local p f
  case "$1" in
    kotlin) read -r p f < <(sed -n 's/^kotlin app logic: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$3" | tail -1) || true ;;
    swift) read -r p f < <(sed -n "s/^.*Test Suite 'All tests' .*//p; s/^[[:space:]]*Executed \([0-9]*\) tests\{0,1\}, with \([0-9]*\) failures\{0,1\}.*/\1 \2/p" "$3" | tail -1) || true
      [ -n "${p:-}" ] && p=$((p - f)) ;;
  esac
  if [ -z "${p:-}" ]; then p=0; f=0; fi
  [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f))
  [ "$2" -ne 0 ] && failed_langs+=" $1"
  return 0
}

if has kotlin; then
  echo "== apps: Android logic (mobile/android/core-logic, kotlinc $KOTLIN_VERSION on the JVM)"
  t=$SECONDS
  CP="/usr/share/java/jna.jar:$KOTLIN/lib/kotlinx-coroutines-core-jvm.jar"
  export JAVA_OPTS="-Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
  KT="$ROOT/mobile/android/core-logic/src"
  set +e
  (
    set -e
    # Each jar is rebuilt only when its sources change (kotlinc takes ~10 s a call).
    bsum="$(sha256sum "$OUT/gen/uniffi/accolade_ffi/accolade_ffi.kt" | cut -c1-16)"
    BJ="$OUT/kotlin/bindings-$bsum.jar"
    if [ ! -f "$BJ" ]; then
      rm -rf "$OUT/kotlin"; mkdir -p "$OUT/kotlin"
      "$KOTLIN/bin/kotlinc" -Werror -nowarn -classpath "$CP" -d "$BJ" "$OUT/gen/uniffi/accolade_ffi/accolade_ffi.kt" 2>&1 \
        | grep -v '^warning: unable to find kotlin-stdlib' || true
      [ -f "$BJ" ]
    fi
    csum="$( (echo "$bsum"; find "$KT/main" -name '*.kt' | sort | xargs cat) | sha256sum | cut -c1-16)"
    CJ="$OUT/kotlin/core-$csum.jar"
    if [ ! -f "$CJ" ]; then
      rm -f "$OUT"/kotlin/core-*.jar
      # -Werror: the app module compiles these same files with warnings as errors too.
      "$KOTLIN/bin/kotlinc" -Werror -classpath "$CP:$BJ" -d "$CJ" "$KT/main/kotlin" 2>&1 | grep -v '^warning: unable to find kotlin-stdlib' || true
      [ -f "$CJ" ]
    fi
    "$KOTLIN/bin/kotlinc" -classpath "$CP:$BJ:$CJ:$KOTLIN/lib/kotlin-test.jar" -d "$OUT/kotlin/tests.jar" "$KT/test/kotlin" 2>&1 \
      | grep -v '^warning: unable to find kotlin-stdlib' || true
    [ -f "$OUT/kotlin/tests.jar" ]
    ACCOLADE_STORE_DIR="$WORK" APPS_CARD_CODE="$(card "Katherine J." code)" APPS_CARD_URL="$(card "Grace H." url)" \
      APPS_NOMINEES="Tim B.,Hedy L.,Grace H." \
      java -ea -Djna.library.path="$CARGO_TARGET_DIR/debug" \
      -cp "$OUT/kotlin/tests.jar:$CJ:$BJ:$CP:$KOTLIN/lib/kotlin-test.jar:$KOTLIN/lib/kotlin-stdlib.jar" \
      org.accolade.app.core.AppLogicTestKt
  ) 2>&1 | tee "$WORK/kotlin.log"
  result kotlin "${PIPESTATUS[0]}" "$WORK/kotlin.log"
  rm -f "$OUT/kotlin/tests.jar"
  set -e
  timing kotlin $t
fi

if has swift; then
  echo "== apps: iOS logic (mobile/ios/AccoladeKit, swift build + swift test, swiftlang 6.0.3 in a chroot)"
  t=$SECONDS
  # The package is copied into the chroot (never bind-mounted: the chroot lives outside the
  # repository and is deleted as a cache). Generated bindings go where Package.swift expects
  # them; .build is kept between runs for incremental builds.
  PKG="$CHROOT/apps/AccoladeKit"
  mkdir -p "$PKG" "$CHROOT/apps/lib"
  rm -rf "$CHROOT/apps/work"; mkdir -p "$CHROOT/apps/work"
  if command -v rsync >/dev/null; then
    rsync -a --delete --exclude /.build --exclude /Sources/AccoladeFFI/accolade_ffi.swift \
      --exclude /Sources/accolade_ffiFFI/accolade_ffiFFI.h "$ROOT/mobile/ios/AccoladeKit/" "$PKG/"
  else
    find "$PKG" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
    cp -a "$ROOT/mobile/ios/AccoladeKit/." "$PKG/"
  fi
  # (Sources/AccoladeFFI holds only generated code, so a fresh clone does not have it.)
  mkdir -p "$PKG/Sources/AccoladeFFI"
  cp -p "$OUT/gen/accolade_ffi.swift" "$PKG/Sources/AccoladeFFI/"
  cp -p "$OUT/gen/accolade_ffiFFI.h" "$PKG/Sources/accolade_ffiFFI/"
  cp -p "$LIB" "$CHROOT/apps/lib/"
  # The SwiftUI app needs Apple's SDK; here its sources are only checked to parse.
  rm -rf "$CHROOT/apps/app"; mkdir -p "$CHROOT/apps/app"
  cp "$ROOT"/mobile/ios/AccoladeApp/Sources/*.swift "$CHROOT/apps/app/"
  # The tests stop/start the server from inside the chroot through two files: they write
  # `stop`/`start` to ctl.req, this loop runs ctl and writes its exit code to ctl.done.
  (
    while true; do
      if [ -f "$CHROOT/apps/work/ctl.req" ]; then
        cmd="$(cat "$CHROOT/apps/work/ctl.req")"; rm -f "$CHROOT/apps/work/ctl.req"
        rc=0; "$WORK/ctl" "$cmd" >/dev/null 2>&1 || rc=$?
        echo "$rc" >"$CHROOT/apps/work/ctl.done.tmp"; mv "$CHROOT/apps/work/ctl.done.tmp" "$CHROOT/apps/work/ctl.done"
      fi
      sleep 0.1
    done
  ) &
  WATCHER=$!
  set +e
  # A private mount namespace: /proc is mounted for this chroot only and vanishes with it, so
  # nothing is left mounted and the bindings test's own mount is never touched.
  # The chroot shares the host's network namespace, so 127.0.0.1 is the server above.
  unshare --mount --propagation private sh -c "mount -t proc proc '$CHROOT/proc' && exec chroot '$CHROOT' env \
    ACCOLADE_URL='$ACCOLADE_URL' ACCOLADE_TEACHER='$ACCOLADE_TEACHER' ACCOLADE_PASSWORD='$ACCOLADE_PASSWORD' \
    ACCOLADE_STORE_DIR=/apps/work APPS_SERVER_CTL_DIR=/apps/work \
    APPS_CARD_CODE='$(card "Tim B." code)' APPS_CARD_URL='$(card "Hedy L." url)' APPS_NOMINEES='Ada L.,Katherine J.' \
    LD_LIBRARY_PATH=/apps/lib HOME=/root \
    sh -c 'swiftc -parse /apps/app/*.swift && cd /apps/AccoladeKit && swift build --build-tests -Xswiftc -warnings-as-errors -Xlinker -L/apps/lib && swift test --skip-build -Xlinker -L/apps/lib'" 2>&1 | tee "$WORK/swift.log"
  result swift "${PIPESTATUS[0]}" "$WORK/swift.log"
  set -e
  kill "$WATCHER" 2>/dev/null || true
  timing swift $t
fi

echo "   (total: $((SECONDS - T0)) s)"
if [ "$failed" -gt 0 ]; then
  echo "server log tail:"; tail -20 "$WORK/server.log" || true
  echo "failed:$failed_langs"
fi
echo "apps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
