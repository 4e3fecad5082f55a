# shellcheck shell=bash disable=SC2154 # log and database are set by the script that sources this
# Functions shared by the replay benchmarks. Source this file after setting `log` (the NDJSON event
# log) and `database` (the baseline's SQLite file), and after defining a function `replay`.

# The baseline: the sqlite3 shell's .import of the log into a one-column table of a new database.
# The unit separator (0x1f) never occurs in the log, so each line is one row of one column.
baseline_import() {
  rm -f "$database"
  sqlite3 "$database" <<EOF_SQL
CREATE TABLE events(line TEXT);
.mode ascii
.separator "$(printf '\x1f')" "\n"
.import '$log' events
EOF_SQL
}

# Prints the wall time of one run of the function named $1 in seconds.
time_run() {
  local start=$EPOCHREALTIME
  "$1"
  local end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}

# Prints "median min max" of the numbers given as arguments.
summarize() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

# Times $2 runs of replay and of the baseline, alternating so that a machine whose speed drifts
# slows both alike. Prints the median, minimum and maximum of each, events/s from the medians for
# a log of $1 lines, and the ratio of the medians.
measure_alternating() {
  local events=$1 runs=$2 run
  local replay_times=() import_times=()
  for ((run = 1; run <= runs; run++)); do
    replay_times+=("$(time_run replay)")
    import_times+=("$(time_run baseline_import)")
  done

  local replay_median replay_min replay_max import_median import_min import_max
  read -r replay_median replay_min replay_max < <(summarize "${replay_times[@]}")
  read -r import_median import_min import_max < <(summarize "${import_times[@]}")
  awk -v n="$events" -v runs="$runs" \
    -v rm="$replay_median" -v rlo="$replay_min" -v rhi="$replay_max" \
    -v im="$import_median" -v ilo="$import_min" -v ihi="$import_max" 'BEGIN {
    printf "%-24s %9s %9s %9s %12s\n", "command (" runs " runs)", "median s", "min s", "max s", "events/s"
    printf "%-24s %9.3f %9.3f %9.3f %12.0f\n", "imeiguard replay", rm, rlo, rhi, n / rm
    printf "%-24s %9.3f %9.3f %9.3f %12.0f\n", "sqlite3 .import", im, ilo, ihi, n / im
    printf "replay throughput / import throughput: %.2f\n", im / rm
  }'
}
