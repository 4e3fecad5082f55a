#!/usr/bin/env bash
# Measures the N5g-eir answer rate of `imeiguard serve` over HTTP/1.1 with wrk, beside nginx serving
# a static file of the same size in the same run, and over HTTP/2 (prior knowledge) with h2load
# against both. Everything runs on 127.0.0.1 in a temporary folder: imeiguard with one watched
# device (so the answer is 200 {"status":"WHITELISTED"}), and nginx with its own configuration.
# Both servers get two worker threads; the load generators share the same machine.
#
# Usage: bench/run_eir_bench.sh [SECONDS [CONNECTIONS]]   (defaults 10 and 64)
# Environment: BUILD_DIR (default build). Needs wrk, nginx (nginx-light) and h2load
# (nghttp2-client), which scripts/setup.sh installs.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build}
seconds=${1:-10}
connections=${2:-64}
imeiguard=$build_dir/src/cli/imeiguard
for tool in wrk nginx h2load curl; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || {
    echo "run_eir_bench.sh: $tool not found; run scripts/setup.sh" >&2
    exit 1
  }
done
[[ -x $imeiguard ]] || {
  echo "run_eir_bench.sh: $imeiguard not found; build with: ninja -C $build_dir imeiguard" >&2
  exit 1
}

work=$(mktemp -d)
imeiguard_pid=""
nginx_pid=""
cleanup() {
  [[ -n $imeiguard_pid ]] && kill "$imeiguard_pid" 2>/dev/null && wait "$imeiguard_pid" || true
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" || true
  rm -rf "$work"
}
trap cleanup EXIT

# A port that was free a moment ago on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until `curl` gets any HTTP response from URL $1.
wait_for() {
  for _ in $(seq 100); do
    curl --silent --output /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "run_eir_bench.sh: no HTTP response from $1" >&2
  exit 1
}

eir_port=$(free_port)
cat >"$work/imeiguard.toml" <<TOML
store = "$work/imeiguard.db"
[server]
listen = "127.0.0.1"
port = 0
[eir]
n5g_listen = "127.0.0.1:$eir_port"
threads = 2
TOML
admin_key=$("$imeiguard" keys create --store "$work/imeiguard.db" --role admin | tail -n 1)
"$imeiguard" serve --config "$work/imeiguard.toml" --port-file "$work/api.port" \
  >"$work/imeiguard.log" 2>&1 &
imeiguard_pid=$!
path=/n5g-eir-eic/v1/equipment-status
eir_url="http://127.0.0.1:$eir_port$path?pei=imei-358472100042174"
wait_for "$eir_url"
api_port=$(cat "$work/api.port")
curl --silent --show-error --fail -X POST -H "Authorization: Bearer $admin_key" \
  -H 'Content-Type: text/csv' --data-binary @- "http://127.0.0.1:$api_port/v1/manifests" \
  >/dev/null <<CSV
parcel_id,shipper_id,service,promised_by,destination_postcode,imei
373500000000001234,telco-a,locker,2030-01-01,41301,358472100042174
CSV
body=$(curl --silent "$eir_url")
[[ $body == '{"status":"WHITELISTED"}' ]] || {
  echo "run_eir_bench.sh: unexpected response $body" >&2
  exit 1
}

# nginx: the same body as a static file, on the same path and query.
nginx_port=$(free_port)
nginx_h2_port=$(free_port)
mkdir -p "$work/nginx/www/n5g-eir-eic/v1" "$work/nginx/logs"
# nginx's workers run as another user when started by root: they must reach the files.
chmod 711 "$work"
chmod -R a+rX "$work/nginx/www"
printf '%s' "$body" >"$work/nginx/www/n5g-eir-eic/v1/equipment-status"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nginx_port; root $work/nginx/www; }
  server { listen 127.0.0.1:$nginx_h2_port http2; root $work/nginx/www; }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port$path?pei=imei-358472100042174"
wait_for "$nginx_url"
[[ $(curl --silent "$nginx_url") == "$body" ]] || {
  echo "run_eir_bench.sh: nginx serves another body" >&2
  exit 1
}

echo "# $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# body: $body (${#body} bytes); $seconds s per run, $connections connections"
run_wrk() {
  local name=$1 url=$2
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$url")
  printf '%-32s %12s req/s   p50 %8s   p99 %8s\n' "$name" \
    "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
run_h2load() {
  local name=$1 url=$2
  local out
  out=$(h2load -t2 -c"$connections" -m10 -D"$seconds" "$url" 2>&1)
  printf '%-32s %12s req/s   %s\n' "$name" \
    "$(awk '/^finished in/ {print $4}' <<<"$out")" \
    "$(grep -o '[0-9]* 2xx' <<<"$out" | head -n 1) responses"
}
run_wrk "imeiguard N5g-eir HTTP/1.1" "$eir_url"
run_wrk "nginx static file HTTP/1.1" "$nginx_url"
run_h2load "imeiguard N5g-eir HTTP/2 (h2c)" "$eir_url"
run_h2load "nginx static file HTTP/2 (h2c)" \
  "http://127.0.0.1:$nginx_h2_port$path?pei=imei-358472100042174"
