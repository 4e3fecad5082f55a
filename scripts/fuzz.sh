#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each one on its corpus.
#
# Usage: scripts/fuzz.sh [SECONDS]        build, then run every *_fuzz target SECONDS each
#                                         (default 600: the ten minutes a parser gets before
#                                         a release)
#        scripts/fuzz.sh --build-only     build only
#        scripts/fuzz.sh --merge SECONDS  as the first form, then add the inputs that found new
#                                         coverage to fuzz/corpus/NAME, for a commit
#
# Target NAME_fuzz starts from a scratch copy of fuzz/corpus/NAME, so a plain run leaves the tree
# as it was. An input that crashes a target is kept in build-fuzz/artifacts/.
# Exits non-zero when the build fails or any target finds a failure. Scripts/setup.sh installs
# clang and its libFuzzer runtime. Environment: IMEIGUARD_JOBS (default 2) sets build jobs.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
jobs=${IMEIGUARD_JOBS:-2}

build_only=0
merge=0
seconds=600
case ${1:-} in
  --build-only) build_only=1 ;;
  --merge)
    merge=1
    seconds=${2:?"--merge needs the seconds per target"}
    ;;
  "") ;;
  *) seconds=$1 ;;
esac
if [[ ! $seconds =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "fuzz.sh: '$seconds' is not a whole number of seconds above 0" >&2
  exit 2
fi

# Runs a command with its output in a log, printed only when the command fails.
quietly() {
  local log
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
    return 0
  fi
  echo "fuzz.sh: failed: $*"
  cat "$log"
  rm -f "$log"
  return 1
}

# Lists the executables named *_fuzz that build-fuzz defines. Building only them skips the tests.
fuzz_targets() {
  ninja -C build-fuzz -t targets all |
    sed -n 's#^\(.*/\)\{0,1\}\([A-Za-z0-9_]*_fuzz\): CXX_EXECUTABLE_LINKER.*#\2#p' | sort -u
}

# Prints the libFuzzer dictionary option for target $1, or nothing when it has none.
fuzz_dictionary() {
  case $1 in
    manifest_*) echo "-dict=fuzz/manifest.dict" ;;
    ndjson_* | input_limits_*) echo "-dict=fuzz/ndjson.dict" ;;
    score_*) echo "-dict=fuzz/score.dict" ;;
    epcis_*) echo "-dict=fuzz/epcis_document.dict" ;;
  esac
}

build_fuzz() {
  CC=clang CXX=clang++ quietly cmake -S . -B build-fuzz -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMEIGUARD_FUZZ=ON -DIMEIGUARD_BENCH=OFF || return 1
  local targets=()
  mapfile -t targets < <(fuzz_targets)
  if ((${#targets[@]} == 0)); then
    echo "fuzz.sh: build-fuzz has no *_fuzz targets"
    return 1
  fi
  quietly cmake --build build-fuzz -j "$jobs" --target "${targets[@]}" -- --quiet
}

# Runs target $1 for $seconds; with --merge, adds its new coverage to the committed corpus.
run_target() {
  local target=$1 binary corpus work status=0
  binary=$(find build-fuzz -type f -name "$target" -perm -u+x | head -n 1)
  if [[ -z $binary ]]; then
    echo "$target: executable not found in build-fuzz"
    return 1
  fi
  corpus=fuzz/corpus/${target%_fuzz}
  work=$(mktemp -d)
  [[ -d $corpus ]] && cp -r "$corpus/." "$work/"
  [[ -d $corpus ]] || echo "$target: no corpus at $corpus; starting from an empty one"
  # shellcheck disable=SC2046 # the dictionary option is one word or none
  if "$binary" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    $(fuzz_dictionary "$target") \
    -artifact_prefix=build-fuzz/artifacts/"$target"- "$work" >"$work.log" 2>&1; then
    echo "$target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" |
      awk '{print $2}') runs in ${seconds} s, no failure"
    if ((merge)); then
      mkdir -p "$corpus"
      # -merge=1 copies into the first folder only the inputs that add coverage to it.
      "$binary" -merge=1 "$corpus" "$work" >"$work.merge.log" 2>&1 &&
        echo "$target: corpus $corpus has $(find "$corpus" -type f | wc -l) inputs"
    fi
  else
    echo "$target: FAILED; the last lines of its output:"
    tail -n 40 "$work.log"
    status=1
  fi
  rm -rf "$work" "$work.log" "$work.merge.log"
  return "$status"
}

build_fuzz
((build_only)) && exit 0
mkdir -p build-fuzz/artifacts
status=0
for target in $(fuzz_targets); do
  run_target "$target" || status=1
done
exit "$status"
