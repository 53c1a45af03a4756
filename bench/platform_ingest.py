#!/usr/bin/env python3
"""Times platform after-sales requests coming in through the shop's site connector
(CONTRACT §10), on a release build and a fresh SQLite data folder:

  1. N new requests, signed, pushed by C senders at once (each opens a case);
  2. the same N again with a newer state (each changes its case: a history entry);
  3. the first N/10 once more, unchanged (each answered from the case, nothing written).

Then it checks every request has exactly one case.

  bench/platform_ingest.py [--requests 10000] [--senders 8]   (KESU_BIN=… for another build)
"""
import argparse, hashlib, hmac, http.client, json, os, re, subprocess, sys, tempfile, threading, time
from urllib.parse import quote

SECRET = "bench-site-secret-0123456789"
SHOP = "旗舰店"


def start(binary, data):
    # Throughput, not the per-shop limit (200 a second by default), is what is measured.
    env = dict(os.environ, KESU_ADMIN_PASSWORD="bench-pass-1", KESU_LOG="warn", KESU_PLATFORM_PUSH_RATE="0")
    out = open(os.path.join(data, "out"), "w+")
    proc = subprocess.Popen([binary, "serve", "--data", os.path.join(data, "db"),
                             "--addr", "127.0.0.1:0"], stdout=out, stderr=subprocess.STDOUT, env=env)
    for _ in range(300):
        out.seek(0)
        m = re.search(r"http://([0-9.]+):(\d+)", out.read())
        if m:
            return proc, m.group(1), int(m.group(2))
        time.sleep(0.1)
    raise SystemExit("kesu did not start")


def call(conn, method, path, body=b"", headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def signed(body):
    t = str(int(time.time()))
    v1 = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", "x-kesu-signature": f"t={t},v1={v1}"}


def request(i, status, minute):
    return json.dumps({
        "request_id": f"RS-{i:07d}", "order_no": f"SO-{i:07d}", "kind": "refund_only",
        "status": status, "reason": "收到的杯子碎了", "amount_cents": 5900,
        "buyer": {"name": "王小明", "phone": "13812345678"},
        "deadline": "2026-12-20T10:00:00+08:00",
        "updated_at": f"2026-12-06T10:{minute:02d}:00+08:00",
    }, ensure_ascii=False).encode()


def phase(host, port, path, ids, senders, make):
    codes, lock = {}, threading.Lock()
    chunks = [ids[k::senders] for k in range(senders)]

    def run(chunk):
        conn = http.client.HTTPConnection(host, port, timeout=60)
        for i in chunk:
            body = make(i)
            status, _ = call(conn, "POST", path, body, signed(body))
            with lock:
                codes[status] = codes.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - began, codes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--senders", type=int, default=8)
    args = ap.parse_args()
    binary = os.environ.get("KESU_BIN", "target/release/kesu")
    with tempfile.TemporaryDirectory() as data:
        proc, host, port = start(binary, data)
        try:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            _, body = call(conn, "POST", "/api/v1/auth/token",
                           json.dumps({"username": "admin", "password": "bench-pass-1"}),
                           {"content-type": "application/json"})
            token = json.loads(body)["token"]
            status, body = call(conn, "PUT", f"/api/v1/platforms/site/{quote(SHOP)}",
                                json.dumps({"secret": SECRET, "enabled": True}),
                                {"content-type": "application/json", "authorization": f"Bearer {token}"})
            assert status == 200, body
            path = f"/api/v1/platforms/site/{quote(SHOP)}/events"
            n, ids = args.requests, list(range(args.requests))
            rows = []
            for name, chosen, make in [
                ("new requests (a case each)", ids, lambda i: request(i, "waiting_seller", 0)),
                ("a newer state (a change each)", ids, lambda i: request(i, "intervened", 5)),
                ("the same again (nothing written)", ids[: max(1, n // 10)], lambda i: request(i, "intervened", 5)),
            ]:
                secs, codes = phase(host, port, path, chosen, args.senders, make)
                rows.append((name, len(chosen), secs, codes))
            _, body = call(conn, "GET", "/api/v1/cases?page=1", headers={"authorization": f"Bearer {token}"})
            total = json.loads(body)["total"]
        finally:
            proc.terminate()
            proc.wait()
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"kesu {rev}: site connector, SQLite, {args.senders} senders")
    print("| phase | requests | seconds | requests/s | answers |")
    print("| --- | --- | --- | --- | --- |")
    for name, count, secs, codes in rows:
        print(f"| {name} | {count:,} | {secs:.1f} | {count / secs:,.0f} | {codes} |")
    print(f"cases afterwards: {total:,} (expected {n:,})")
    if total != n or any(set(c) != {200} for *_, c in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
