#!/usr/bin/env bash
# Runs imeiguard end to end on the bundled sample and leaves it running.
#
# Builds with scripts/setup.sh, then starts the reference device-management simulator and
# `imeiguard serve` on a new SQLite store in var/demo/. Uploads sample/manifest.csv as the two
# shippers and sample/events.ndjson as the carrier, and waits until the platform has acknowledged
# the lock orders. Then uploads sample/late-events.ndjson and waits for the unlock. Prints what
# happened and how to ask the public check, and leaves both servers running.
#
# Usage: scripts/demo.sh          run the demo (stops the servers of an earlier run first)
#        scripts/demo.sh stop     stop the servers that the last run left
#
# Ports 8080 (imeiguard) and 8081 (simulator) are used when free; otherwise each program picks a
# free port and writes it to var/demo/*.port.
#
# Environment, for the test that runs this script: IMEIGUARD_DEMO_DIR replaces var/demo/,
# IMEIGUARD_BUILD_DIR replaces build/, and IMEIGUARD_DEMO_SKIP_SETUP=1 skips scripts/setup.sh.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo_dir=${IMEIGUARD_DEMO_DIR:-$repo_root/var/demo}
build_dir=${IMEIGUARD_BUILD_DIR:-$repo_root/build}
sample_dir=$repo_root/sample
imeiguard=$build_dir/src/cli/imeiguard
simulator=$build_dir/tools/dm_simulator/imeiguard-dm-simulator
# The sample's scans are dated 2026-03-02 and the server's clock reads today, so every silence and
# overdue deadline of the sample has passed long ago. Time-based rules wait for the feed's
# watermark, so small batches would not lock a parcel whose delivery scan sits in a later batch,
# but the day still goes in as one upload, as a carrier's end-of-day file would.
batch_lines=10000
wait_seconds=60

say() { printf '%s\n' "$*"; }
fail() {
  printf 'demo.sh: %s\n' "$*" >&2
  exit 1
}

# Stops the process whose pid is in the file $1 if it is still one of ours, and waits for it.
stop_from_pid_file() {
  local pid_file=$1 pid
  [[ -f $pid_file ]] || return 0
  pid=$(<"$pid_file")
  if [[ $pid =~ ^[0-9]+$ ]] && grep -qa -e imeiguard "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in {1..50}; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pid_file"
}

stop_servers() {
  stop_from_pid_file "$demo_dir/imeiguard.pid"
  stop_from_pid_file "$demo_dir/simulator.pid"
}

if [[ ${1:-} == stop ]]; then
  stop_servers
  say "demo servers stopped"
  exit 0
elif [[ $# -gt 0 ]]; then
  fail "unknown argument '$1'; use no argument to run the demo, or 'stop'"
fi

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits until the program whose pid file is $1 has written its port to $2, and prints the port.
wait_for_port() {
  local pid_file=$1 port_file=$2 log=$3
  for _ in $(seq $((wait_seconds * 10))); do
    if [[ -s $port_file ]] && [[ $(<"$port_file") =~ ^[0-9]+$ ]]; then
      cat "$port_file"
      return 0
    fi
    if ! kill -0 "$(<"$pid_file")" 2>/dev/null; then
      tail -n 20 "$log" >&2
      fail "$(basename "$pid_file" .pid) exited before it listened; its log is $log"
    fi
    sleep 0.1
  done
  fail "$(basename "$pid_file" .pid) did not listen within ${wait_seconds}s; its log is $log"
}

# Sends one request to imeiguard and prints the response body. Fails on a status >= 400.
api() {
  local method=$1 path=$2 key=$3
  shift 3
  curl --silent --show-error --fail-with-body -X "$method" \
    -H "Authorization: Bearer $key" "$@" "$base_url$path"
}

# Runs a Python snippet with the JSON document on stdin loaded as `data`.
json() { python3 -c "import json, sys; data = json.load(sys.stdin); $1"; }

# --- Build and start ----------------------------------------------------------------------------

command -v python3 >/dev/null || fail "python3 not found; install it with: apt-get install python3"
if [[ ${IMEIGUARD_DEMO_SKIP_SETUP:-0} != 1 ]]; then
  say "Building imeiguard with scripts/setup.sh (the first build takes several minutes)..."
  "$repo_root/scripts/setup.sh"
fi
[[ -x $imeiguard && -x $simulator ]] || fail "the build did not produce $imeiguard and $simulator"

stop_servers
rm -rf "$demo_dir"
mkdir -p "$demo_dir/batches"

simulator_port=0
imeiguard_port=0
port_is_free 8081 && simulator_port=8081
port_is_free 8080 && imeiguard_port=8080

# The connector signs its requests with this secret, and the simulator checks the signatures.
# Both read it from the environment, which keeps it out of `ps`.
IMEIGUARD_DM_SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
export IMEIGUARD_DM_SECRET

setsid "$simulator" --listen 127.0.0.1 --port "$simulator_port" \
  --port-file "$demo_dir/simulator.port" >"$demo_dir/simulator.log" 2>&1 </dev/null &
echo $! >"$demo_dir/simulator.pid"
simulator_port=$(wait_for_port "$demo_dir/simulator.pid" "$demo_dir/simulator.port" \
  "$demo_dir/simulator.log")

# The configuration names the store and points the connector at the simulator. The sample's day
# goes in as one upload and nothing follows it, so the feed counts as complete up to the server's
# clock a few seconds after it stops (idle_after_hours) rather than the default six hours. The rest
# is default.
cat >"$demo_dir/imeiguard.toml" <<EOF
store = "$demo_dir/imeiguard.db"

[feed]
idle_after_hours = 0.001

[connectors.dm]
kind = "dm_rest"
host = "127.0.0.1"
port = $simulator_port
tenant = "demo"
secret_env = "IMEIGUARD_DM_SECRET"
EOF

setsid "$imeiguard" serve --config "$demo_dir/imeiguard.toml" --listen 127.0.0.1 \
  --port "$imeiguard_port" --port-file "$demo_dir/imeiguard.port" \
  >"$demo_dir/imeiguard.log" 2>&1 </dev/null &
echo $! >"$demo_dir/imeiguard.pid"
imeiguard_port=$(wait_for_port "$demo_dir/imeiguard.pid" "$demo_dir/imeiguard.port" \
  "$demo_dir/imeiguard.log")
base_url=http://127.0.0.1:$imeiguard_port
for _ in $(seq $((wait_seconds * 10))); do
  curl --silent --fail "$base_url/readyz" >/dev/null && break
  sleep 0.1
done
curl --silent --show-error --fail "$base_url/readyz" >/dev/null ||
  fail "imeiguard is not ready; its log is $demo_dir/imeiguard.log"
say "imeiguard is listening on $base_url, the device-management simulator on" \
  "http://127.0.0.1:$simulator_port"

# --- Keys ---------------------------------------------------------------------------------------

create_key() {
  "$imeiguard" keys create --store "$demo_dir/imeiguard.db" "$@"
}
telco_key=$(create_key --role shipper --shipper telco-a)
retail_key=$(create_key --role shipper --shipper retail-b)
carrier_key=$(create_key --role carrier)
officer_key=$(create_key --role security_officer)

# --- Manifests ----------------------------------------------------------------------------------

# Each shipper sends the rows of its own parcels: a shipper's key may not register another's.
for shipper in telco-a retail-b; do
  awk -F, -v shipper="$shipper" 'NR == 1 || $2 == shipper' "$sample_dir/manifest.csv" \
    >"$demo_dir/manifest-$shipper.csv"
done
api POST /v1/manifests "$telco_key" -H "Content-Type: text/csv" \
  --data-binary "@$demo_dir/manifest-telco-a.csv" >"$demo_dir/manifest-telco-a.json"
api POST /v1/manifests "$retail_key" -H "Content-Type: text/csv" \
  --data-binary "@$demo_dir/manifest-retail-b.csv" >"$demo_dir/manifest-retail-b.json"
python3 - "$demo_dir"/manifest-*.json <<'EOF'
import json, sys
reports = [json.load(open(path)) for path in sys.argv[1:]]
parcels = sum(r["parcels_new"] for r in reports)
devices = sum(r["devices_new"] for r in reports)
errors = sum(len(r["errors"]) for r in reports)
print(f"Manifests: {parcels} phone parcels with {devices} devices registered, {errors} rows rejected.")
EOF

# --- Events -------------------------------------------------------------------------------------

# Uploads the NDJSON file $1 in batches of $batch_lines lines and prints a summary, with every
# rejected line numbered as in the file.
upload_events() {
  local file=$1 name
  name=$(basename "$file" .ndjson)
  split -l "$batch_lines" -d -a 3 --additional-suffix=.ndjson "$file" "$demo_dir/batches/$name-"
  local batch index=0
  for batch in "$demo_dir/batches/$name"-*.ndjson; do
    api POST /v1/events "$carrier_key" -H "Content-Type: application/x-ndjson" \
      --data-binary "@$batch" | python3 -c '
import json, sys
report = json.load(sys.stdin)
report["first_line"] = int(sys.argv[1])
print(json.dumps(report))
' $((index * batch_lines + 1)) >>"$demo_dir/$name.reports"
    index=$((index + 1))
  done
  python3 - "$demo_dir/$name.reports" "$(basename "$file")" <<'EOF'
import json, sys
reports = [json.loads(line) for line in open(sys.argv[1])]
total = {k: sum(r[k] for r in reports) for k in ("lines", "stored", "pending", "duplicates")}
errors = [(r["first_line"] + e["line"] - 1, e) for r in reports for e in r["errors"]]
batches = f"{len(reports)} batch" + ("" if len(reports) == 1 else "es")
print(f"{sys.argv[2]}: {total['lines']} lines in {batches}: {total['stored']} stored "
      f"for phone parcels, {total['pending']} kept as pending (no manifest names their parcel), "
      f"{total['duplicates']} duplicates ignored, {len(errors)} rejected.")
for line, error in errors:
    print(f"  line {line}: {error['reason']}: {error['message']}")
EOF
}

# The parcels that the sample leaves undelivered on the day, which must end up lost.
expected_lost=$(python3 - "$sample_dir" <<'EOF'
import csv, json, sys
folder = sys.argv[1]
parcels = {row["parcel_id"] for row in csv.DictReader(open(f"{folder}/manifest.csv"))}
delivered = set()
for line in open(f"{folder}/events.ndjson"):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if event.get("type") in ("delivered", "picked_up"):
        delivered.add(event.get("parcel_id"))
print(" ".join(sorted(parcels - delivered)))
EOF
)
late_parcels=$(python3 -c '
import json, sys
print(" ".join(sorted({json.loads(line)["parcel_id"] for line in open(sys.argv[1])})))
' "$sample_dir/late-events.ndjson")

# Prints the parcels as one JSON array, each as GET /v1/parcels/{id} returns it to the security
# officer: with IMEIs masked, or whole when the variable reveal is set, which the server records
# in its audit trail with the reason given here.
fetch_parcels() {
  local id first=1 query=""
  [[ -n ${reveal:-} ]] && query="?reveal=true&reason=demo+walkthrough"
  printf '['
  for id in "$@"; do
    ((first)) || printf ','
    first=0
    api GET "/v1/parcels/$id$query" "$officer_key"
  done
  printf ']'
}

# Waits until every parcel in $expected_lost is lost and each of its devices is locked, with its
# lock order acknowledged by the platform.
wait_for_locks() {
  local deadline=$((SECONDS + wait_seconds))
  # shellcheck disable=SC2086 # the ids are separate words on purpose
  until fetch_parcels $expected_lost | json '
done = all(p["verdict"] == "lost" and p["devices"] and
           all(d["state"] == "locked" for d in p["devices"]) for p in data)
sys.exit(0 if done else 1)'; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

upload_events "$sample_dir/events.ndjson"
say "Waiting for the loss rules and for the platform to acknowledge the lock orders..."
# shellcheck disable=SC2086
wait_for_locks || {
  fetch_parcels $expected_lost >"$demo_dir/parcels-lost.json"
  fail "the lost parcels' devices were not locked within ${wait_seconds}s; see" \
    "$demo_dir/parcels-lost.json and $demo_dir/imeiguard.log"
}
# shellcheck disable=SC2086
reveal=1 fetch_parcels $expected_lost >"$demo_dir/parcels-lost.json"
api GET "/v1/orders?status=acknowledged" "$officer_key" >"$demo_dir/orders-acknowledged.json"
python3 - "$demo_dir/parcels-lost.json" "$demo_dir/orders-acknowledged.json" <<'EOF'
import json, sys
parcels = json.load(open(sys.argv[1]))
orders = json.load(open(sys.argv[2]))
orders = orders.get("orders", orders) if isinstance(orders, dict) else orders
print(f"Declared lost: {len(parcels)} parcels.")
for p in parcels:
    rules = ", ".join(sorted({e["rule"] for e in p["evidence"] if e["rule"] not in ("delivered",)}))
    imeis = " ".join(d["imei"] for d in p["devices"])
    print(f"  {p['parcel_id']} ({p['shipper_id']}) by {rules}: IMEI {imeis}")
locks = [o for o in orders if o["action"] == "lock"]
print(f"Lock orders acknowledged by the device-management platform: {len(locks)}.")
for o in locks:
    print(f"  order {o['order_id']} for parcel {o['parcel_id']} via {o['connector']}: "
          f"platform order {o['platform_order_id']}, acknowledged {o['acknowledged_at']}")
# One lock per device of a lost parcel, and none for any other phone.
lost_devices = sum(len(p["devices"]) for p in parcels)
innocent = sorted({o["parcel_id"] for o in locks} - {p["parcel_id"] for p in parcels})
if len(locks) != lost_devices or innocent:
    sys.exit(f"demo.sh: expected {lost_devices} lock orders for the lost parcels' devices, got "
             f"{len(locks)}; parcels locked that are not lost: {' '.join(innocent) or 'none'}")
EOF

# --- The late batch -----------------------------------------------------------------------------

upload_events "$sample_dir/late-events.ndjson"
late_phone_parcels=""
for id in $late_parcels; do
  [[ " $expected_lost " == *" $id "* ]] && late_phone_parcels+="$id "
done
say "Waiting for the unlock of the parcel that turned up..."
deadline=$((SECONDS + wait_seconds))
# shellcheck disable=SC2086
until fetch_parcels $late_phone_parcels | json '
done = all(p["verdict"] == "delivered" and
           all(d["state"] == "released" for d in p["devices"]) for p in data)
sys.exit(0 if done else 1)'; do
  ((SECONDS < deadline)) || fail "the late parcel's devices were not released within" \
    "${wait_seconds}s; see $demo_dir/imeiguard.log"
  sleep 1
done
# shellcheck disable=SC2086
reveal=1 fetch_parcels $late_phone_parcels >"$demo_dir/parcels-late.json"
python3 - "$demo_dir/parcels-late.json" <<'EOF'
import json, sys
for p in json.load(open(sys.argv[1])):
    unlocks = [o for o in p["orders"] if o["action"] == "unlock"]
    imeis = " ".join(d["imei"] for d in p["devices"])
    print(f"Turned up late: {p['parcel_id']} is {p['verdict']} as of {p['verdict_since']}; "
          f"IMEI {imeis} is {p['devices'][0]['state']} "
          f"({len(unlocks)} unlock order, {', '.join(o['status'] for o in unlocks)}).")
EOF

# --- How to ask -----------------------------------------------------------------------------------

# shellcheck disable=SC2086
reveal=1 fetch_parcels $expected_lost >"$demo_dir/parcels-final.json"
locked_imei=$(json '
print(next(d["imei"] for p in data for d in p["devices"] if d["state"] == "locked"))' \
  <"$demo_dir/parcels-final.json")
released_imei=$(json 'print(data[0]["devices"][0]["imei"])' <"$demo_dir/parcels-late.json")
say ""
say "Ask the public check (no key needed) about a locked IMEI and about the released one:"
say "  curl $base_url/v1/check/$locked_imei"
say "    -> $(curl --silent "$base_url/v1/check/$locked_imei")"
say "  curl $base_url/v1/check/$released_imei"
say "    -> $(curl --silent "$base_url/v1/check/$released_imei")"
say ""
if curl --silent --fail "$base_url/console/" >/dev/null; then
  say "Web console: $base_url/console/ (sign in with the security officer's key below);" \
    "the public check page for buyers is $base_url/console/check/."
  say "  $officer_key"
else
  say "The web console is not served: this build has no console-site/ folder (see docs/console.md)."
fi
say ""
say "Both servers keep running: imeiguard (pid $(<"$demo_dir/imeiguard.pid"), log" \
  "var/demo/imeiguard.log) and the simulator (pid $(<"$demo_dir/simulator.pid"), log" \
  "var/demo/simulator.log)."
say "Stop them with: scripts/demo.sh stop"
