#!/usr/bin/env bash
# Runs the churn benchmark in a private network namespace (its own port space
# and TIME_WAIT table, gone when it exits). Needs root or an unprivileged user
# namespace; falls back to the machine's loopback with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
# The C baseline, when a compiler is there.
if command -v cc >/dev/null; then
  cc -O2 -o /tmp/winsock-compat-churn bench/churn.c && export CHURN_C=/tmp/winsock-compat-churn
fi
cmd="node --import tsx bench/churn.ts ${1:-20000} ${2:-3}"
if [[ "$(id -u)" == 0 ]]; then
  exec unshare --net sh -c "ip link set lo up && exec $cmd"
elif unshare -rn true 2>/dev/null; then
  exec unshare -rn sh -c "ip link set lo up && exec $cmd"
else
  echo "bench: no namespace available; running on the machine's loopback (leaves TIME_WAIT entries)" >&2
  exec $cmd
fi
