#!/usr/bin/env bash
# Measures the lock path end to end: verdict-to-wire latency (p50, p99) and orders per second
# through imeiguard's outbox to the reference device-management simulator, and the simulator's own
# ceiling when lock requests go straight to it. outbox_bench starts both programs on 127.0.0.1
# with a SQLite store in a temporary folder, and prints one table.
#
# Usage: bench/run_outbox_bench.sh [SPACED [BURST [DIRECT]]]
#   SPACED  parcels reported missing one at a time, 20 ms apart (default 200)
#   BURST   parcels reported missing back to back (default 2000)
#   DIRECT  lock requests sent straight to the simulator, per client count (default 2000)
# Environment: BUILD_DIR (default build).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build}
spaced=${1:-200}
burst=${2:-2000}
direct=${3:-2000}

bench=$build_dir/bench/outbox_bench
imeiguard=$build_dir/src/cli/imeiguard
simulator=$build_dir/tools/dm_simulator/imeiguard-dm-simulator
for binary in "$bench" "$imeiguard" "$simulator"; do
  if [[ ! -x $binary ]]; then
    echo "run_outbox_bench.sh: $binary not found; build first with:" \
      "ninja -C $build_dir outbox_bench imeiguard imeiguard-dm-simulator" >&2
    exit 1
  fi
done

echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -m)"
"$bench" --imeiguard "$imeiguard" --simulator "$simulator" \
  --spaced "$spaced" --burst "$burst" --direct "$direct"
