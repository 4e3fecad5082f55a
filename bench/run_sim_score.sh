#!/usr/bin/env bash
# Simulates a labelled week for each seed, replays it through the engine and scores the report:
# the quality figures of loss detection (recall, false locks, theft-to-lock time) per scenario.
#
# Usage: bench/run_sim_score.sh [SEED ...]   (default: seeds 1 2 3)
# Environment: BUILD_DIR (default build), SCORE_DIR for the files (default var/sim-score),
# POLICY (on-loss or transit-hold, default on-loss), CONFIG (a replay --config file, default none),
# SIMULATE_ARGS (more options for simulate, such as "--parcels 50000 --phone-parcels 5000").
# For each seed it keeps SCORE_DIR/seed-N/{manifest.csv,events.ndjson,labels.csv,report.csv,
# score.txt,score.csv}, and prints each scorecard.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build}
score_dir=${SCORE_DIR:-$repo_root/var/sim-score}
policy=${POLICY:-on-loss}
imeiguard=$build_dir/src/cli/imeiguard
if [[ ! -x $imeiguard ]]; then
  echo "run_sim_score.sh: $imeiguard not found; build first with scripts/setup.sh" >&2
  exit 1
fi
seeds=("$@")
((${#seeds[@]} > 0)) || seeds=(1 2 3)
config_args=()
[[ -n ${CONFIG:-} ]] && config_args=(--config "$CONFIG")

for seed in "${seeds[@]}"; do
  dir=$score_dir/seed-$seed
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # SIMULATE_ARGS is a list of options
  "$imeiguard" simulate --seed "$seed" --out "$dir" ${SIMULATE_ARGS:-} >"$dir/simulate.txt"
  until_time=$(sed -n 's/^replay to the end of the flow with --until //p' "$dir/simulate.txt")
  if ! "$imeiguard" replay --manifest "$dir/manifest.csv" --events "$dir/events.ndjson" \
    --report "$dir/report.csv" --until "$until_time" "${config_args[@]}" \
    >/dev/null 2>"$dir/replay.stderr"; then
    echo "run_sim_score.sh: replay of seed $seed failed:" >&2
    tail -n 20 "$dir/replay.stderr" >&2
    exit 1
  fi
  # --until also scores the thefts whose detection window closed before the flow's end.
  "$imeiguard" score --labels "$dir/labels.csv" --report "$dir/report.csv" --policy "$policy" \
    --until "$until_time" >"$dir/score.txt"
  "$imeiguard" score --labels "$dir/labels.csv" --report "$dir/report.csv" --policy "$policy" \
    --until "$until_time" --format csv >"$dir/score.csv"
  echo "seed $seed: $(head -n 1 "$dir/simulate.txt")"
  cat "$dir/score.txt"
  echo
done
