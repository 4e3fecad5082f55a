#!/usr/bin/env bash
# Times `imeiguard replay` on a generated event log against a baseline that only stores the log:
# the sqlite3 shell's .import of the same NDJSON file into a one-column table of a new database.
#
# The baseline reads every line once and writes it to disk, which any ingest must do at least, so
# the ratio measures what the parsing, filtering and loss detection of the replay cost beyond that.
# Runs alternate (replay, import, replay, import, ...) so that a machine whose speed drifts slows
# both alike. Prints the median, minimum and maximum wall time of each, events/s from the medians,
# and the ratio of the medians.
#
# Usage: bench/run_replay_bench.sh [EVENTS [RUNS]]   (defaults: 1000000 events, 5 runs)
# Environment: BUILD_DIR (default build), BENCH_DIR for the generated files (default var/bench),
# SEED (default 1).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
events=${1:-1000000}
runs=${2:-5}
build_dir=${BUILD_DIR:-$repo_root/build}
bench_dir=${BENCH_DIR:-$repo_root/var/bench}
seed=${SEED:-1}

imeiguard=$build_dir/src/cli/imeiguard
make_event_log=$build_dir/bench/make_event_log
for binary in "$imeiguard" "$make_event_log"; do
  if [[ ! -x $binary ]]; then
    echo "run_replay_bench.sh: $binary not found; build first with scripts/setup.sh" >&2
    exit 1
  fi
done
command -v sqlite3 >/dev/null || { echo "run_replay_bench.sh: sqlite3 not found" >&2; exit 1; }

mkdir -p "$bench_dir"
manifest=$bench_dir/manifest.csv
log=$bench_dir/events.ndjson
report=$bench_dir/report.csv
database=$bench_dir/baseline.db
"$make_event_log" --manifest "$manifest" --events "$log" --count "$events" --seed "$seed"

# shellcheck source=bench/replay_bench_lib.sh
. "$repo_root/bench/replay_bench_lib.sh"

replay() {
  "$imeiguard" replay --manifest "$manifest" --events "$log" --report "$report" \
    >/dev/null 2>"$bench_dir/replay.stderr"
}

# One unmeasured run of each: warms the page cache and checks that both work.
if ! replay; then
  echo "run_replay_bench.sh: imeiguard replay failed:" >&2
  cat "$bench_dir/replay.stderr" >&2
  exit 1
fi
baseline_import
imported=$(sqlite3 "$database" 'SELECT count(*) FROM events;')
if [[ $imported != "$events" ]]; then
  echo "run_replay_bench.sh: sqlite3 imported $imported rows, expected $events" >&2
  exit 1
fi
devices=$(($(wc -l <"$manifest") - 1))
report_rows=$(($(wc -l <"$report") - 1))
echo "log: $events events ($(du -h "$log" | cut -f1)), $devices devices in the manifest," \
  "$report_rows report rows"

measure_alternating "$events" "$runs"
