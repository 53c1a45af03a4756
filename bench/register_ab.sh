#!/usr/bin/env bash
# Registrations/s over HTTP for two release builds, interleaved A B A B A B, so their ratio
# is measured on the same machine in the same minutes (the machine is shared and noisy).
# Cases are counted in the database afterwards. Needs wrk.
#   bench/register_ab.sh BASE_BIN HEAD_BIN [SECONDS] [CONNECTIONS]
# e.g. git worktree add /tmp/base REV && (cd /tmp/base && CARGO_TARGET_DIR=/tmp/base-target
#      cargo build --release) && bench/register_ab.sh /tmp/base-target/release/kesu target/release/kesu
set -euo pipefail
cd "$(dirname "$0")/.."
base_bin=$1; head_bin=$2; secs=${3:-10}; conns=${4:-64}
run() { # run BIN LABEL
  local bin=$1 label=$2 data port pid token
  data=$(mktemp -d); port=$((20000 + RANDOM % 20000))
  KESU_ADMIN_PASSWORD=bench-admin-1 KESU_LOG=warn "$bin" serve --data "$data" --addr 127.0.0.1:$port >"$data/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  KESU_USER_PASSWORD=bench-agent-1 "$bin" user add bench --role agent --data "$data" >/dev/null
  token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"bench","password":"bench-agent-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  rps=$(KESU_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" -s bench/register.lua "http://127.0.0.1:$port/api/v1/cases" | awk '/Requests\/sec/ {print $2}')
  n=$(curl -fs "http://127.0.0.1:$port/api/v1/cases?per_page=1" -H "authorization: Bearer $token" | sed -E 's/.*"total":([0-9]+).*/\1/')
  kill $pid; wait $pid 2>/dev/null || true; rm -rf "$data"
  echo "$label $rps req/s, $n stored"
}
for i in 1 2 3; do
  run "$base_bin" base
  run "$head_bin" head
done
