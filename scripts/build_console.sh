#!/usr/bin/env bash
# Builds the web console (console/) into the folder $1 with Vite, for `imeiguard serve` to serve.
#
# Installs the npm packages with `npm ci` first, but only when console/package-lock.json changed
# since the last install, so that a second build tree (build-asan/) reuses the same node_modules.
# CMake runs this for the `console` target; it can also be run by hand:
#   scripts/build_console.sh build/console
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
console_dir=$repo_root/console
out_dir=${1:?usage: build_console.sh OUTPUT_FOLDER}
stamp=$console_dir/node_modules/.imeiguard-lock.sha256

# Vite 8 needs Node.js 20.19 or later.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "build_console.sh: node and npm not found; install Node.js 20.19 or later" >&2
  exit 1
fi
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`build_console.sh: Node.js ${process.versions.node} is too old; Vite needs 20.19 or later`);
    process.exit(1);
  }'

lock_hash=$(sha256sum "$console_dir/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $stamp || $(<"$stamp") != "$lock_hash" ]]; then
  (cd "$console_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$stamp"
fi

cd "$console_dir"
IMEIGUARD_CONSOLE_OUT=$out_dir npx --no-install vite build --logLevel warn
