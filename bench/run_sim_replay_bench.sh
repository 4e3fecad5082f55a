#!/usr/bin/env bash
# Times `imeiguard replay` on a simulated week against the baseline of run_replay_bench.sh (the
# sqlite3 shell's .import of the same NDJSON file into a one-column table), in the same run.
#
# The week comes from `imeiguard simulate`: by default 200,000 parcels, 20,000 of them with phones,
# with the simulator's delays, outage, late uploads, duplicates and thefts, replayed to the end of
# the week so that the silence and overdue rules fire. Runs alternate (replay, import, ...). Prints
# the time `simulate` took, then the median, minimum and maximum wall time of each command,
# events/s from the medians, and the ratio of the medians.
#
# Usage: bench/run_sim_replay_bench.sh [RUNS [PARCELS [PHONE_PARCELS]]]
#        (defaults: 5 runs, 200000 parcels, 20000 phone parcels)
# Environment: BUILD_DIR (default build), BENCH_DIR for the generated files (default
# var/sim-bench), SEED (default 1), DAYS (default 7).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
parcels=${2:-200000}
phone_parcels=${3:-20000}
build_dir=${BUILD_DIR:-$repo_root/build}
bench_dir=${BENCH_DIR:-$repo_root/var/sim-bench}
seed=${SEED:-1}
days=${DAYS:-7}

imeiguard=$build_dir/src/cli/imeiguard
if [[ ! -x $imeiguard ]]; then
  echo "run_sim_replay_bench.sh: $imeiguard not found; build first with scripts/setup.sh" >&2
  exit 1
fi
command -v sqlite3 >/dev/null || { echo "run_sim_replay_bench.sh: sqlite3 not found" >&2; exit 1; }

mkdir -p "$bench_dir"
log=$bench_dir/events.ndjson
report=$bench_dir/report.csv
database=$bench_dir/baseline.db
simulate_start=$EPOCHREALTIME
"$imeiguard" simulate --seed "$seed" --days "$days" --parcels "$parcels" \
  --phone-parcels "$phone_parcels" --out "$bench_dir" >"$bench_dir/simulate.txt"
simulate_end=$EPOCHREALTIME
until_time=$(sed -n 's/^replay to the end of the flow with --until //p' "$bench_dir/simulate.txt")

# shellcheck source=bench/replay_bench_lib.sh
. "$repo_root/bench/replay_bench_lib.sh"

replay() {
  "$imeiguard" replay --manifest "$bench_dir/manifest.csv" --events "$log" --report "$report" \
    --until "$until_time" >/dev/null 2>"$bench_dir/replay.stderr"
}

# One unmeasured run of each: warms the page cache and checks that both work.
if ! replay; then
  echo "run_sim_replay_bench.sh: imeiguard replay failed:" >&2
  tail -n 20 "$bench_dir/replay.stderr" >&2
  exit 1
fi
baseline_import
events=$(wc -l <"$log")
imported=$(sqlite3 "$database" 'SELECT count(*) FROM events;')
if [[ $imported != "$events" ]]; then
  echo "run_sim_replay_bench.sh: sqlite3 imported $imported rows, expected $events" >&2
  exit 1
fi
devices=$(($(wc -l <"$bench_dir/labels.csv") - 1))
report_rows=$(($(wc -l <"$report") - 1))
awk -v s="$simulate_start" -v e="$simulate_end" \
  'BEGIN { printf "simulate: %.3f s wall, files included\n", e - s }'
echo "log: $events events ($(du -h "$log" | cut -f1)) of $parcels parcels, $devices phones," \
  "$report_rows report rows"

measure_alternating "$events" "$runs"
