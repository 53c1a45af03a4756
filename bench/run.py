#!/usr/bin/env python3
"""One benchmark command for kesu: prints one table.

  bench/run.sh [--size N] [--secs S] [--profile]

- registrations over HTTP (wrk, SQLite WAL synchronous=FULL) at several concurrencies,
  and the p99 at about half the peak rate (open loop: wrk's delay per request);
- case actions (`judge`, each case once) at several concurrencies;
- the raw ceiling, measured in the same run: the very rows kesu wrote for a registration
  (copied from its own database) inserted directly with Python's sqlite3, same schema, same
  durability, 1 and 256 registrations per transaction; kesu's ratio to it;
- search and report latency (`kesu bench`) on what the run stored;
- start-up, first report, idle CPU and memory at `--size` cases (`kesu demo`), and a second
  start that resumes from the index's kept position.

With --profile, `perf record` samples the server during a registration run and the top
entries are printed. Needs wrk (and perf for --profile) and a release build.
"""

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import json
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# KESU_BIN runs another build (an A/B comparison of two commits in one sitting).
BIN = os.environ.get("KESU_BIN") or os.path.join(ROOT, "target", "release", "kesu")
ADMIN_PW = "bench-admin-1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Server:
    """`kesu serve` on a free port, with the data folder given."""

    def __init__(self, data, env=None):
        e = dict(os.environ, KESU_ADMIN_PASSWORD=ADMIN_PW, KESU_LOG="warn")
        e.pop("KESU_DATABASE_URL", None)
        e.update(env or {})
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [BIN, "serve", "--addr", "127.0.0.1:0", "--data", data],
            stdout=subprocess.PIPE, stderr=open(os.path.join(data, "serve.log"), "a"),
            env=e, text=True)
        for line in self.proc.stdout:
            m = re.match(r"kesu is listening on (http://\S+)", line)
            if m:
                self.base = m.group(1)
                break
        else:
            raise SystemExit("kesu serve exited before listening")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def wait_healthy(self):
        while True:
            try:
                if http("GET", self.base + "/healthz")[0] == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.01)

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def http(method, url, token=None, body=None):
    req = urllib.request.Request(url, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data, timeout=120) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw)
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sign_in(base, username="admin", password=ADMIN_PW):
    status, body = http("POST", base + "/api/v1/auth/token", body={"username": username, "password": password})
    assert status == 200, body
    return body["token"]


def agent(base, data):
    """An agent (admins may not judge), added beside the running server; its token."""
    subprocess.run([BIN, "user", "add", "bench", "--role", "agent", "--data", data], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, KESU_USER_PASSWORD="bench-agent-1"))
    return sign_in(base, "bench", "bench-agent-1")


def wrk(script, url, conns, secs, env):
    e = dict(os.environ, **env)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{secs}s", "--latency", "-s", os.path.join(ROOT, "bench", script), url],
        capture_output=True, text=True, env=e, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {}
    for p, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        lat[p] = float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = re.search(r"refused: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "bad": int(bad.group(1)) if bad else 0, "refused": int(refused.group(1)) if refused else 0}


def case_count(base, token):
    return http("GET", base + "/api/v1/cases?per_page=1", token)[1]["total"]


def measure_writes(data, secs, profile):
    """Registrations and actions over HTTP on a fresh SQLite data folder."""
    rows = []
    srv = Server(data)
    srv.wait_healthy()
    token = agent(srv.base, data)
    env = {"KESU_TOKEN": token}
    peak = 0.0
    perf_out = None
    for conns in (16, 64, 128):
        r = wrk("register.lua", srv.base + "/api/v1/cases", conns, secs, env)
        peak = max(peak, r["rps"])
        rows.append((f"registrations/s, SQLite, c={conns}", r))
    if profile:
        perf_out = os.path.join(data, "perf.data")
        rec = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", perf_out, "-p", str(srv.proc.pid)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        wrk("register.lua", srv.base + "/api/v1/cases", 64, secs, env)
        rec.send_signal(2)
        rec.wait()
    # About half the peak, open loop: each of 32 connections waits its share between requests.
    half = peak / 2
    delay_ms = max(1, int(1000 * 32 / half))
    r = wrk("register_paced.lua", srv.base + "/api/v1/cases", 32, secs, dict(env, KESU_DELAY_MS=str(delay_ms)))
    rows.append((f"registrations at ~half the peak ({r['rps']:.0f}/s)", r))
    stored = case_count(srv.base, token)
    first = 1
    for conns in (16, 64):
        r = wrk("judge.lua", srv.base + "/api/v1/cases/1/actions", conns, secs,
                dict(env, KESU_CASES=str(stored), KESU_FIRST=str(first)))
        rows.append((f"case actions (judge)/s, SQLite, c={conns}", r))
        first += int(r["rps"] * secs * 1.2) + 1000
    srv.stop()
    return rows, stored, peak, perf_out


def postgres_registrations(url, work, secs):
    """Registrations at c=256 on a new database of the PostgreSQL server at `url`."""
    name = f"kesu_bench_{os.getpid()}"
    subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], check=True)
    db_url = url.rsplit("/", 1)[0] + "/" + name
    data = os.path.join(work, "pg")
    os.makedirs(data)
    srv = Server(data, {"KESU_DATABASE_URL": db_url})
    try:
        srv.wait_healthy()
        token = agent_pg(srv.base, db_url)
        return wrk("register.lua", srv.base + "/api/v1/cases", 256, secs, {"KESU_TOKEN": token})
    finally:
        srv.stop()
        subprocess.run(["psql", url, "-qc", f"DROP DATABASE {name}"])


def agent_pg(base, db_url):
    subprocess.run([BIN, "user", "add", "bench", "--role", "agent", "--database-url", db_url], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, KESU_USER_PASSWORD="bench-agent-1"))
    return sign_in(base, "bench", "bench-agent-1")


def ceiling(db_path, work):
    """The same rows kesu wrote for one registration, inserted directly: (per 1, per 256)."""
    src = sqlite3.connect(db_path)
    tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'")]
    sample = src.execute("SELECT MAX(id) FROM cases").fetchone()[0]
    rows = {}
    for t in tables:
        # The audit chain is sealed afterwards by its own writer, not in the registration's
        # transaction (and its index is the chain's position, unique).
        if t == "audit_chain":
            continue
        cols = [c[1] for c in src.execute(f"PRAGMA table_info({t})")]
        if t == "cases":
            rows[t] = (cols, src.execute("SELECT * FROM cases WHERE id = ?", (sample,)).fetchall())
        elif "case_id" in cols:
            got = src.execute(f"SELECT * FROM {t} WHERE case_id = ?", (sample,)).fetchall()
            if got:
                rows[t] = (cols, got)
    schema = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")]
    src.close()

    def run(n, per_tx):
        path = os.path.join(work, f"ceiling-{per_tx}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        for s in schema:
            db.execute(s)
        start = time.monotonic()
        done = 0
        while done < n:
            db.execute("BEGIN")
            k = min(per_tx, n - done)
            db.execute("INSERT INTO case_counters (day, last) VALUES ('bench', ?) ON CONFLICT (day) DO UPDATE SET last = last + ?", (k, k))
            for i in range(done, done + k):
                new_id = 10_000_000 + i
                for t, (cols, got) in rows.items():
                    for row in got:
                        vals = list(row)
                        if t == "cases":
                            vals[cols.index("id")] = new_id
                            vals[cols.index("number")] = f"B{new_id}"
                        else:
                            vals[cols.index("case_id")] = new_id
                            for auto in ("id", "seq"):
                                if auto in cols and t in ("change_log", "sla_timers", "case_events_id"):
                                    vals[cols.index(auto)] = None
                        db.execute(f"INSERT INTO {t} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", vals)
            db.execute("COMMIT")
            done += k
        secs = time.monotonic() - start
        db.close()
        return n / secs

    return run(1500, 1), run(40_000, 256), sorted(rows)


def search_and_reports(data):
    out = subprocess.run([BIN, "bench", "--data", data, "--runs", "15"], capture_output=True, text=True)
    return out.stdout.strip().splitlines()


def at_size(work, size, secs):
    """Start-up, first report, idle CPU and memory with `size` cases."""
    data = os.path.join(work, f"size-{size}")
    os.makedirs(data)
    t = time.monotonic()
    subprocess.run([BIN, "demo", "--cases", str(size), "--data", data], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, KESU_ADMIN_PASSWORD=ADMIN_PW))
    log(f"demo data: {size} cases in {time.monotonic() - t:.0f} s")
    out = {}
    for start_no in (1, 2):
        srv = Server(data)
        out[f"healthz{start_no}"] = srv.wait_healthy()
        token = sign_in(srv.base)
        t = time.monotonic()
        status, _ = http("GET", srv.base + "/api/v1/reports/summary?from=2025-01-01&to=2026-12-31", token)
        while status == 503:
            time.sleep(0.2)
            status, _ = http("GET", srv.base + "/api/v1/reports/summary?from=2025-01-01&to=2026-12-31", token)
        out[f"report{start_no}"] = time.monotonic() - t
        time.sleep(5)
        c0, t0 = srv.cpu_seconds(), time.monotonic()
        time.sleep(10)
        out[f"idle_cpu{start_no}"] = 100 * (srv.cpu_seconds() - c0) / (time.monotonic() - t0)
        out[f"rss_idle{start_no}"] = srv.rss_mb()
        if start_no == 2:
            peak = [0.0]
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    peak[0] = max(peak[0], srv.rss_mb())
                    time.sleep(0.2)
            th = threading.Thread(target=sample)
            th.start()
            wrk("register.lua", srv.base + "/api/v1/cases", 64, secs, {"KESU_TOKEN": token})
            stop.set()
            th.join()
            out["rss_load"] = peak[0]
        srv.stop()
    return out


def print_size(n, size):
    print(f"\n| at {n:,} cases | first start | second start (index resumes) |")
    print("| --- | --- | --- |")
    print(f"| /healthz after start | {size['healthz1']:.2f} s | {size['healthz2']:.2f} s |")
    print(f"| first report after start | {size['report1']:.2f} s | {size['report2']:.2f} s |")
    print(f"| idle CPU (10 s, after 5 s) | {size['idle_cpu1']:.1f} % | {size['idle_cpu2']:.1f} % |")
    print(f"| RSS idle | {size['rss_idle1']:.0f} MB | {size['rss_idle2']:.0f} MB |")
    print(f"| RSS under registration load (peak) | | {size['rss_load']:.0f} MB |")


def fmt(r):
    p50 = f"{r['p50']:.1f}" if r["p50"] is not None else "?"
    p99 = f"{r['p99']:.1f}" if r["p99"] is not None else "?"
    bad = r["bad"]
    return f"{r['rps']:,.0f}/s | {p50} ms | {p99} ms | {bad}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000, help="cases for the start-up and memory rows")
    ap.add_argument("--secs", type=int, default=10, help="seconds per load run")
    ap.add_argument("--profile", action="store_true", help="perf-record the server under registration load")
    ap.add_argument("--skip-size", action="store_true", help="leave out the start-up and memory rows")
    ap.add_argument("--only-size", action="store_true", help="only the start-up and memory rows")
    ap.add_argument("--postgres", metavar="URL", help="also registrations at c=256 on this PostgreSQL server (a database is made and dropped)")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        subprocess.run(["cargo", "build", "--release", "-p", "kesu"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="kesu-bench-")
    if args.only_size:
        size = at_size(work, args.size, args.secs)
        print_size(args.size, size)
        shutil.rmtree(work, ignore_errors=True)
        return
    try:
        data = os.path.join(work, "writes")
        os.makedirs(data)
        log("registrations and actions over HTTP …")
        rows, stored, peak, perf_out = measure_writes(data, args.secs, args.profile)
        log("the raw ceiling …")
        one, batch, tables = ceiling(os.path.join(data, "kesu.db"), work)
        pg = None
        if args.postgres:
            log("registrations on PostgreSQL …")
            pg = postgres_registrations(args.postgres, work, args.secs)
        log("search and reports …")
        sr = search_and_reports(data)
        size = None if args.skip_size else at_size(work, args.size, args.secs)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        print(f"kesu {commit}, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, release build, "
              f"SQLite WAL synchronous=FULL, wrk -t2 on the same machine, {args.secs} s a run\n")
        print("| what | throughput | p50 | p99 | non-2xx |")
        print("| --- | --- | --- | --- | --- |")
        for label, r in rows:
            print(f"| {label} | {fmt(r)} |")
        if pg:
            print(f"| registrations/s, PostgreSQL, c=256 | {fmt(pg)} |")
        print(f"| raw ceiling, same rows ({', '.join(tables)}), 1 per transaction | {one:,.0f}/s | | | |")
        print(f"| raw ceiling, same rows, 256 per transaction | {batch:,.0f}/s | | | |")
        print(f"| kesu's peak registrations / ceiling at 256 | {peak / batch:.2f} | | | |")
        print(f"\ncases stored by the run: {stored:,}\n")
        print("search and reports (`kesu bench`, milliseconds):\n")
        print("```")
        print("\n".join(sr))
        print("```")
        if size:
            print_size(args.size, size)
        if perf_out:
            rep = subprocess.run(["perf", "report", "-i", perf_out, "--no-children", "--percent-limit", "1.0",
                                  "--stdio", "--sort", "dso,symbol", "-g", "none"], capture_output=True, text=True).stdout
            print("\nperf, registrations at c=64 (self time):\n\n```")
            print("\n".join(re.sub(r" {3,}", "  ", l).rstrip(" -") for l in rep.splitlines() if l.strip() and not l.startswith("#")))
            print("```")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
