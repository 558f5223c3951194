"""Requests per second and latency of `assure serve` against nginx serving the same bytes.

For each page, in one session and interleaved: nginx serving the page as a static file
(the physical limit of HTTP on this machine), then `assure serve` on SQLite, then on
PostgreSQL; with `--baseline OTHER-BINARY`, that binary too, on its own SQLite file and
PostgreSQL schema (say, a build of main, to compare a change before and after in one
session). `--rounds N` measures every server N times, interleaved (the servers' order turning
each round), and reports medians. With `--gzip`
each page is measured also with `Accept-Encoding: gzip`, nginx then serving the same
compressed bytes (`gzip_static`, the `.gz` rendered by the server). Load: wrk with 2 threads and 64 connections on loopback. The servers log at
`warn` (no per-request log line), and every page is requested once before measuring.
Beside req/s, each server's own CPU time per answer (from /proc, nginx's master and
workers summed): wrk shares the cores, so req/s moves with it from run to run while CPU per
answer stays steady, the better measure of a change to the server.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PAGES = ["/", "/outcomes/2", "/organisations/kcc", "/api/v1/outcomes/2", "/progress", "/places/medway"]
NGINX = """worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    server {{
        listen 127.0.0.1:{port};
        root {work}/www;
        gzip_static on;
        open_file_cache max=64 inactive=60s;
        open_file_cache_valid 60s;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def wrk(url: str, duration: int, encoding: str | None = None) -> dict:
    header = ["-H", f"Accept-Encoding: {encoding}"] if encoding else []
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{duration}s", "--latency", *header, url],
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in socket.groups()) if socket else 0)
    if failed:
        # Counted and reported beside the figure (an older baseline may time out under load).
        print(f"{url}: {failed} failed requests:\n{out}", file=sys.stderr)
    return {"rps": rps, "requests": requests, "p50": ms("50"), "p99": ms("99"), "failed": failed}


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def nginx_pids(work: Path) -> list[int]:
    """nginx's master and its workers."""
    master = int((work / "nginx.pid").read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def start_assure(assure: str, database: str, port: int, env: dict) -> subprocess.Popen:
    p = subprocess.Popen([assure, "--database", database, "serve", "--addr", f"127.0.0.1:{port}", "--log", "warn"],
                         env=env, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("assure")
    ap.add_argument("workdir")
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--postgres", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--pages", nargs="+", default=PAGES, help="the pages to measure (default: all four)")
    ap.add_argument("--gzip", action="store_true",
                    help="measure each page also with 'Accept-Encoding: gzip' (nginx serves the same gzip bytes)")
    ap.add_argument("--baseline", help="another assure binary to measure beside (e.g. a build of main)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure every server this many times, interleaved, and report the median")
    a = ap.parse_args()
    work = Path(a.workdir).resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "www").mkdir(parents=True)
    assure = str(Path(a.assure).resolve())
    env = dict(os.environ, ASSURE_ACTOR="bench")
    env.pop("DATABASE_URL", None)

    # Each binary gets its own SQLite file and PostgreSQL schema: an older binary must not
    # meet tables a newer one migrated (nor the newer one an older layout).
    servers = {}
    baseline = str(Path(a.baseline).resolve()) if a.baseline else None
    binaries = [("", assure, 0)] + ([("-base", baseline, 10)] if baseline else [])
    for suffix, binary, offset in binaries:
        sqlite = f"sqlite:{work / f'bench{suffix}.db'}"
        servers[f"sqlite{suffix}"] = (start_assure(binary, sqlite, 18301 + offset, env), 18301 + offset)
    if not a.skip_postgres:
        sep = "&" if "?" in a.postgres else "?"
        for suffix, binary, offset in binaries:
            schema = "bench_web" + suffix.replace("-", "_")
            subprocess.run(["psql", "-q", a.postgres, "-c",
                            f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            pg = f"{a.postgres}{sep}options=-c%20search_path%3D{schema}"
            subprocess.run([binary, "--database", pg, "import", "--bundled"], check=True, stdout=subprocess.DEVNULL,
                           env=env)
            name = "postgres" if not suffix else "pg" + suffix
            servers[name] = (start_assure(binary, pg, 18302 + offset, env), 18302 + offset)

    # The same bytes for nginx, rendered by the SQLite server.
    for page in a.pages:
        body = urllib.request.urlopen(f"http://127.0.0.1:18301{page}").read()
        path = work / "www" / (page.strip("/") or "index.html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        if a.gzip:
            asked = urllib.request.Request(f"http://127.0.0.1:18301{page}", headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(asked) as r:
                assert r.headers.get("Content-Encoding") == "gzip", f"{page}: not compressed"
                gz = path.with_name(path.name + ".gz")
                gz.write_bytes(r.read())
    (work / "nginx.conf").write_text(NGINX.format(work=work, port=18300))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run([nginx, "-c", str(work / "nginx.conf")], check=True)
    wait_for("http://127.0.0.1:18300/")
    pids = {"nginx": nginx_pids(work), **{name: [p.pid] for name, (p, _) in servers.items()}}

    runs = []
    try:
        for page, encoding in [(p, e) for p in a.pages for e in [None] + (["gzip"] if a.gzip else [])]:
            label = page + (f" ({encoding})" if encoding else "")
            for round in range(a.rounds):
                # The servers' order turns each round, so that no one always follows nginx
                # (the server measured right after it was seen slower, whichever it was).
                order = [(n, p) for n, (_, p) in servers.items()]
                order = order[round % len(order):] + order[:round % len(order)]
                for name, port in [("nginx", 18300)] + order:
                    url = f"http://127.0.0.1:{port}{page}"
                    asked = urllib.request.Request(url, headers={"Accept-Encoding": encoding or "identity"})
                    with urllib.request.urlopen(asked) as answer:
                        sent = len(answer.read())
                        sent_as = answer.headers.get("Content-Encoding") or "identity"
                    used = cpu_seconds(pids[name])
                    r = wrk(url, a.duration, encoding)
                    # The server's own CPU per answer: far steadier than req/s between runs
                    # (wrk shares the machine's cores, so its speed moves the throughput).
                    cpu = (cpu_seconds(pids[name]) - used) / max(r["requests"], 1) * 1e6
                    r.update(page=label, server=name, round=round, sent=sent, sent_as=sent_as, cpu=cpu)
                    runs.append(r)
                    print(f"{label:22} {name:11} {r['rps']:10,.0f} req/s  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms"
                          f"  {r['cpu']:5.1f} µs CPU/req"
                          f"  {sent:,} bytes {sent_as}" + (f"  FAILED {r['failed']}" if r["failed"] else ""),
                          file=sys.stderr)
    finally:
        subprocess.run([nginx, "-c", str(work / "nginx.conf"), "-s", "stop"], stderr=subprocess.DEVNULL)
        for p, _ in servers.values():
            p.send_signal(signal.SIGTERM)
            p.wait()

    results = []
    for label in dict.fromkeys(r["page"] for r in runs):
        for name in ["nginx", *servers]:
            mine = [r for r in runs if r["page"] == label and r["server"] == name]
            results.append(dict(page=label, server=name, rps=statistics.median(r["rps"] for r in mine),
                                p50=statistics.median(r["p50"] for r in mine),
                                p99=statistics.median(r["p99"] for r in mine),
                                cpu=statistics.median(r["cpu"] for r in mine),
                                all=[r["rps"] for r in mine], sent=mine[0]["sent"], sent_as=mine[0]["sent_as"],
                                failed=sum(r["failed"] for r in mine)))
    what = f"median of {a.rounds} interleaved runs" if a.rounds > 1 else "one run"
    print(f"\nwrk -t2 -c64 -d{a.duration}s on loopback, {what}; ratio = requests/s over nginx's for the same bytes;"
          " CPU = the server's own CPU time per answer (µs)")
    print(f"{'page':25} {'server':11} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs nginx':>9} {'CPU':>6}"
          f" {'bytes sent':>18}"
          + ("  runs, req/s" if a.rounds > 1 else ""))
    for r in results:
        base = next(x for x in results if x["page"] == r["page"] and x["server"] == "nginx")
        print(f"{r['page']:25} {r['server']:11} {r['rps']:10,.0f} {r['p50']:8.2f} {r['p99']:8.2f} "
              f"{r['rps'] / base['rps']:9.2f} {r['cpu']:6.1f} {r['sent']:>9,} {r['sent_as']:>8}"
              + ("  " + ", ".join(f"{x:,.0f}" for x in r["all"]) if a.rounds > 1 else "")
              + (f"  FAILED {r['failed']} request(s)" if r["failed"] else ""))
    failed = sum(r["failed"] for r in results if not r["server"].endswith("-base"))
    if failed:
        raise SystemExit(f"{failed} request(s) to the measured binary failed; a benchmark of failures is no benchmark")

if __name__ == "__main__":
    main()
