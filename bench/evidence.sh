#!/usr/bin/env bash
# Evidence and e-mail in, timed on a release build: 1,000 customers' e-mails posted to
# /api/v1/inbound/email (4 at a time, as a relay with a few delivery processes would), then a
# 20 MB photo uploaded to a case three times (each a new upload: sniffing, thumbnail, metadata-free
# copy, the database write).
#   bench/evidence.sh [MESSAGES]        (KESU_BIN=path/to/kesu to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
bin=${KESU_BIN:-target/release/kesu}
[ -x "$bin" ] || cargo build --release -q -p kesu
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
KESU_ADMIN_PASSWORD=bench-pass-1 KESU_LOG=warn "$bin" serve --data "$work/data" --addr 127.0.0.1:0 >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$work/out" | head -1)
token=$(curl -sf "$base/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-pass-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

mkdir "$work/mail"
python3 - "$work/mail" "$n" <<'PY'
import sys, base64
folder, n = sys.argv[1], int(sys.argv[2])
texts = ["快递显示已签收但我没收到", "收到的杯子碎了两个", "颜色发错了，我要的是红色", "退款一直没到账"]
for i in range(n):
    subject = base64.b64encode(texts[i % 4].encode()).decode()
    body = f"订单 TB2026111{i:05d}：{texts[i % 4]}，请尽快处理。\n".encode("gbk")
    msg = (f"From: customer{i}@example.com\r\nTo: service@shop.example\r\n"
           f"Subject: =?UTF-8?B?{subject}?=\r\nMessage-ID: <bench-{i}@example.com>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=GBK\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + body
    open(f"{folder}/{i:05d}.eml", "wb").write(msg)
PY
start=$(date +%s.%N)
ls "$work/mail"/*.eml | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
  -H "Authorization: Bearer $token" -H 'content-type: message/rfc822' \
  --data-binary @{} "$base/api/v1/inbound/email" >"$work/codes"
end=$(date +%s.%N)
ok=$(grep -c '^201$' "$work/codes" || true)
echo "inbound e-mail: $ok of $n taken (201) in $(python3 -c "print(f'{$end-$start:.1f}')") s: $(python3 -c "print(f'{$ok/($end-$start):.0f}')") messages/s"

case_id=$(curl -sf "$base/api/v1/cases?per_page=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
# Noise compresses badly, like a detailed photo: 4600 × 3450 pixels at quality 96 is ~20 MB.
python3 -c 'import os,sys; w,h=4600,3450; sys.stdout.buffer.write(b"P6 %d %d 255\n" % (w,h) + os.urandom(w*h*3))' >"$work/photo.ppm"
if command -v cjpeg >/dev/null; then
  cjpeg -quality 96 "$work/photo.ppm" >"$work/photo.jpg"
else
  echo "(cjpeg from libjpeg-turbo-progs is missing: no photo to upload)"; exit 0
fi
size=$(stat -c %s "$work/photo.jpg")
for i in 1 2 3; do
  curl -s -o "$work/up" -w "photo upload $i: %{http_code} in %{time_total} s\n" \
    -H "Authorization: Bearer $token" -F "file=@$work/photo.jpg;filename=photo$i.jpg" \
    "$base/api/v1/cases/$case_id/attachments"
done
echo "(the photo: $size bytes, 4600 × 3450 pixels)"
