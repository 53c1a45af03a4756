#!/usr/bin/env bash
# Measures the SLA worker: fills a queue with registrations (wrk, as bench/register.sh), then
# moves the clock past every case's first-response deadline and times how long the worker
# takes to fire every case's first-response warning and breach (two timers a case). Time comes
# from a clock file, as in the tests. Needs wrk, sqlite3 and a release build.
#   bench/sla_timers.sh [SECONDS_OF_REGISTRATIONS] [CONNECTIONS]   (KESU_BIN=… for another build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
bin=${KESU_BIN:-target/release/kesu}
[ -x "$bin" ] || cargo build --release -p kesu
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
echo "2026-11-23T10:00:00+08:00" >"$data/now"
KESU_ADMIN_PASSWORD=bench-admin-1 KESU_LOG=warn KESU_CLOCK_FILE="$data/now" KESU_WORKER_INTERVAL_MS=200 \
  "$bin" serve --data "$data" --addr 127.0.0.1:$port >"$data/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
KESU_USER_PASSWORD=bench-agent-1 "$bin" user add bench --role agent --data "$data" >/dev/null
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-agent-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
echo "kesu $(git rev-parse --short HEAD 2>/dev/null || echo '?'): registrations with their SLA timers, wrk -t2 -c$conns -d${secs}s"
KESU_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/register.lua "http://127.0.0.1:$port/api/v1/cases" \
  | grep -E "Requests/sec|99%|Latency "
db="$data/kesu.db"
cases=$(sqlite3 "$db" "SELECT COUNT(*) FROM cases")
due=$((cases * 2))
echo "cases: $cases; moving the clock 2 hours on: $due timers come due"
start=$(date +%s.%N)
echo "2026-11-23T12:00:00+08:00" >"$data/now"
while :; do
  done_now=$(sqlite3 "$db" "SELECT COUNT(*) FROM sla_timers")
  [ "$done_now" -ge "$due" ] && break
  sleep 0.2
done
end=$(date +%s.%N)
dups=$(sqlite3 "$db" "SELECT COUNT(*) FROM (SELECT case_id, action, data FROM case_events WHERE action LIKE 'sla_%' GROUP BY case_id, action, data HAVING COUNT(*) > 1)")
awk -v n="$done_now" -v s="$start" -v e="$end" -v d="$dups" \
  'BEGIN { t = e - s; printf "fired %d timers in %.1f s (%.0f/s); duplicate history entries: %d\n", n, t, n / t, d }'
