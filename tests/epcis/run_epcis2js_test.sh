#!/usr/bin/env bash
# Runs epcis2js_capture_test.js against the imeiguard binary given as $1, installing its npm
# packages from package-lock.json first when node_modules is absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node epcis2js_capture_test.js "$1"
