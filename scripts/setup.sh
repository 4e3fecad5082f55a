#!/usr/bin/env bash
# Installs what imeiguard needs on Debian 12 and builds it into build/ (Ninja, RelWithDebInfo).
#
# Safe to run again: it installs only the packages that are missing, and a build that is up to date
# takes a second. Runs as root, or through sudo otherwise. Prints nothing but errors unless a step
# fails, and then the output of that step.
#
# Environment: IMEIGUARD_JOBS sets the build's parallel jobs (default 2).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${IMEIGUARD_JOBS:-2}

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates python3 openssl
  sqlite3 libsqlite3-dev
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev libssl-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  clang clang-format clang-tidy libclang-rt-14-dev
  libfreediameter-dev freediameter-extensions tshark
  chromium
  libnghttp2-dev nghttp2-client wrk nginx-light
  nodejs
)
# The epcis2.js capture test needs npm: NodeSource's nodejs has it, Debian's has it as a package.
command -v npm >/dev/null || packages+=(npm)

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a command with its output kept in the log. On failure prints the log and exits.
run_quietly() {
  if ! "$@" >"$log" 2>&1; then
    echo "setup.sh: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}

is_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

install_missing_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    is_installed "$package" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0

  local sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
      echo "setup.sh: missing packages (${missing[*]}) and not root; install sudo or run as root" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "setup.sh: installing ${missing[*]}" >&2
  run_quietly "${sudo[@]}" apt-get update
  run_quietly "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# CMake cannot switch a configured build/ to another generator, so a cache made for another one goes.
configure() {
  local cache="$repo_root/build/CMakeCache.txt"
  if [[ -f $cache ]] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; then
    rm -rf "$cache" "$repo_root/build/CMakeFiles"
  fi
  run_quietly cmake -S "$repo_root" -B "$repo_root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
}

install_missing_packages
configure
# Ninja's --quiet keeps its progress lines out of the log that a failure prints.
run_quietly cmake --build "$repo_root/build" -j "$jobs" -- --quiet
