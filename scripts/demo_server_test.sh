#!/usr/bin/env bash
# Runs the README's first command, scripts/demo.sh, against the build under test, in a scratch
# folder, and stops its servers afterwards. demo.sh itself fails when the sample's story does not
# come out: a lost parcel left unlocked, a phone locked that was not lost, or no unlock for the
# parcel that turns up late.
#
# Usage: scripts/demo_server_test.sh BUILD_DIR
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export IMEIGUARD_BUILD_DIR=${1:?usage: demo_server_test.sh BUILD_DIR}
IMEIGUARD_DEMO_DIR=$(mktemp -d)
export IMEIGUARD_DEMO_DIR IMEIGUARD_DEMO_SKIP_SETUP=1

cleanup() {
  "$repo_root/scripts/demo.sh" stop >/dev/null || true
  rm -rf "$IMEIGUARD_DEMO_DIR"
}
trap cleanup EXIT

if ! output=$("$repo_root/scripts/demo.sh" 2>&1); then
  printf '%s\n' "$output"
  echo "demo_server_test.sh: scripts/demo.sh failed; the end of the server's log:"
  tail -n 40 "$IMEIGUARD_DEMO_DIR/imeiguard.log" 2>/dev/null || true
  exit 1
fi
printf '%s\n' "$output"

# Fails with message $2 unless the demo's output has a line matching the fixed string $1.
expect_line() {
  grep -qF -- "$1" <<<"$output" || {
    echo "demo_server_test.sh: $2"
    exit 1
  }
}
expect_line 'Declared lost: 5 parcels.' "expected 5 parcels declared lost"
expect_line 'Lock orders acknowledged by the device-management platform: 5.' \
  "expected 5 acknowledged lock orders"
expect_line 'is released (1 unlock order, acknowledged)' "the late parcel's phone was not released"
expect_line '-> {"status":"blocked"}' "the public check did not say blocked for the locked IMEI"
if [[ -f $IMEIGUARD_BUILD_DIR/console-site/index.html ]]; then
  expect_line "Web console: http://127.0.0.1:" "the server did not serve the web console"
fi
expect_line '-> {"status":"not_blocked"}' \
  "the public check did not say not_blocked for the released IMEI"
