#!/usr/bin/env bash
# Runs every check that CI runs, in this order:
#   1. scripts/setup.sh (packages, then the build in build/) and ctest on build/;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/ and ctest there;
#   3. clang-format on every tracked C++ file, which fails on any change it would make;
#   4. the libFuzzer targets built with clang in build-fuzz/, each run on its corpus.
# A failed step does not stop the later ones, so one run shows every failure; the exit status is
# non-zero when any step failed. Sized for 2 cores: all builds and ctest use 2 jobs.
#
# Environment: IMEIGUARD_JOBS (default 2) sets the parallel jobs, FUZZ_SECONDS (default 30) how
# long each fuzz target runs.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
jobs=${IMEIGUARD_JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-30}
export IMEIGUARD_JOBS=$jobs

failed_steps=()
passed_steps=()
script_start=$SECONDS

# Runs step $1 (a name) as the command that follows, with its duration, and records the outcome.
step() {
  local name=$1 start=$SECONDS
  shift
  echo "==> $name"
  if "$@"; then
    passed_steps+=("$name")
    echo "==> $name: passed in $((SECONDS - start)) s"
  else
    failed_steps+=("$name")
    echo "==> $name: FAILED after $((SECONDS - start)) s"
  fi
}

# Runs a command with its output in a log, printed only when the command fails.
quietly() {
  local log
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
    return 0
  fi
  echo "failed: $*"
  cat "$log"
  rm -f "$log"
  return 1
}

run_ctest() {
  (cd "$1" && ctest --output-on-failure --no-tests=error -j "$jobs")
}

# -O1 with line tables only: half the compile time of -O2 -g, still fast enough for the servers'
# tests, and stack traces keep their file and line.
build_sanitized() {
  quietly cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DIMEIGUARD_SANITIZE=ON -DIMEIGUARD_BENCH=OFF &&
    quietly cmake --build build-asan -j "$jobs" -- --quiet
}

# No label is excluded: every test group, the servers and the simulator included, runs under the
# sanitizers. Leak checking is on; any report fails the test.
test_sanitized() {
  ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest build-asan
}

check_format() {
  local files=()
  mapfile -t files < <(git ls-files -- '*.cc' '*.cpp' '*.cxx' '*.h' '*.hpp')
  if ((${#files[@]} == 0)); then
    echo "no tracked C++ files found"
    return 1
  fi
  clang-format --dry-run -Werror "${files[@]}" && echo "${#files[@]} files formatted"
}

if step "set-up and build (build/)" scripts/setup.sh; then
  step "ctest (build/)" run_ctest build
fi
if step "sanitizer build (build-asan/)" build_sanitized; then
  step "ctest under ASan and UBSan (build-asan/)" test_sanitized
fi
step "clang-format check" check_format
if step "fuzz build with clang (build-fuzz/)" scripts/fuzz.sh --build-only; then
  step "fuzz targets, ${fuzz_seconds} s each" scripts/fuzz.sh "$fuzz_seconds"
fi

echo "test.sh: ${#passed_steps[@]} steps passed, ${#failed_steps[@]} failed," \
  "in $((SECONDS - script_start)) s"
if ((${#failed_steps[@]} > 0)); then
  printf 'failed: %s\n' "${failed_steps[@]}"
  exit 1
fi
