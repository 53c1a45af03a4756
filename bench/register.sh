#!/usr/bin/env bash
# Measures durable registrations per second over HTTP on the embedded SQLite default
# (WAL, synchronous=FULL). Needs wrk (apt-get install wrk) and a release build.
#   bench/register.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
conns=${2:-32}
bin=target/release/kesu
[ -x "$bin" ] || cargo build --release
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
KESU_ADMIN_PASSWORD=bench-admin-1 KESU_LOG=warn "$bin" serve --data "$data" --addr 127.0.0.1:$port >"$data/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
KESU_USER_PASSWORD=bench-agent-1 "$bin" user add bench --role agent --data "$data" >/dev/null
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-agent-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
echo "kesu $(git rev-parse --short HEAD 2>/dev/null || echo '?'), SQLite synchronous=FULL, wrk -t2 -c$conns -d${secs}s"
KESU_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/register.lua "http://127.0.0.1:$port/api/v1/cases"
count=$(curl -fs "http://127.0.0.1:$port/api/v1/cases?per_page=1" -H "authorization: Bearer $token" | sed -E 's/.*"total":([0-9]+).*/\1/')
echo "cases stored: $count"
