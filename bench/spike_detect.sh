#!/usr/bin/env bash
# Times three spike-detection rounds (the worker's ten-minute job) over a demo database:
#   bench/spike_detect.sh BIN [CASES]   (a release build; CASES defaults to 100000)
set -euo pipefail
bin=$1; n=${2:-100000}
data=$(mktemp -d)
KESU_ADMIN_PASSWORD=bench-admin-1 KESU_LOG=warn "$bin" demo --cases "$n" --data "$data" > /tmp/demo.log 2>&1
port=$((20000 + RANDOM % 20000))
KESU_ADMIN_PASSWORD=bench-admin-1 KESU_LOG=warn "$bin" serve --data "$data" --addr 127.0.0.1:$port > "$data/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-admin-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
for i in 1 2 3; do
  curl -fs -o /tmp/detect.json -w "detect %{time_total}s\n" -X POST "http://127.0.0.1:$port/api/v1/incidents/detect" \
    -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{}'
done
python3 -c "import json;d=json.load(open('/tmp/detect.json'));print(len(d),'incidents touched:',[ (i['title'],len(i['case_ids'])) for i in d][:8])"
kill $pid; wait $pid 2>/dev/null || true; rm -rf "$data"
