#!/usr/bin/env bash
# npm run bench [-- --quick | --smoke | --only=a,b | --out=FILE | --json=FILE]
# Runs the benchmark suite (bench/main.ts) inside a private network namespace
# made for the run and deleted after it, whatever way the run ends: its own
# loopback, port space and TIME_WAIT table, and sysctls that touch only it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cc >/dev/null || { echo "bench: needs a C compiler (cc) for the C baselines" >&2; exit 1; }
# bench/main.ts then gives every contender run a namespace of its own inside
# this one (unshare), with the sysctls it needs set there only.
setup='ip link set lo up'
run=(node --import tsx bench/main.ts "$@")
if [[ "$(id -u)" == 0 ]] && command -v ip >/dev/null; then
  ns="wsc-bench-$$"
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM HUP
  ip netns exec "$ns" sh -c "$setup"
  ip netns exec "$ns" "${run[@]}"
elif unshare -rn true 2>/dev/null; then
  # An unprivileged user + network namespace: it dies with the process.
  exec unshare -rn sh -c "$setup"'
exec "$@"' sh "${run[@]}"
else
  echo "bench: no network namespace available (needs root or unprivileged user namespaces); not running on the machine's own loopback" >&2
  exit 1
fi
