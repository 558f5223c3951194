"""Several `assure serve` processes on one PostgreSQL database behind nginx as the load balancer.

One run: a database with the bundled plan, an admin with an API token, N servers (3 by
default) and nginx in front of them (an `upstream` block; GET retried on the next server
after an error, a POST only if nginx could not deliver it: nginx never sends a
non-idempotent request twice). Then a mixed, closed-loop load for `--duration` seconds
through nginx: pages, API reads and `--writes` (5%) milestone updates through the API
with the token, each write carrying a narrative no other write has. With `--kill-after S`
one server is killed with SIGKILL S seconds in.

Afterwards, the checks: every acknowledged write (201 with its id) is in the database
(`delivery_update`, with its milestone and narrative), in the audit log (its `create`
entry) and on the milestone's page of every server, asked directly (a killed server is
started again first, on its port, so that all N are asked). Sessions and sign-in throttling
are checked across the servers too: a session made through one server is honoured by
every other, and failed sign-ins spread over the servers lock the account on all.

A failed request is any answer other than 2xx (3xx for the sign-in) or a broken connection;
all are counted and reported by kind. A write whose answer was lost may or may not have
been committed: such writes are failures, and the report says how many of them the
database holds anyway (they are never counted as acknowledged).

Exit status: 0 when no acknowledged write is missing anywhere, the shared-state checks
pass and (without `--kill-after`) no request failed; 1 otherwise. `--json FILE` writes
the figures and the checks for a test to read.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ADMIN = ("lb-admin", "a long load balancer passphrase")
VIEWER = ("lb-viewer", "another long viewer passphrase")
PAGES = ["/", "/outcomes/2", "/organisations/kcc", "/progress", "/delivery", "/milestones/{m}"]
API_READS = ["/api/v1/outcomes/2", "/api/v1/milestones/{m}", "/api/v1/plan", "/api/v1/organisations/kcc"]

NGINX = """{user}worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    upstream assure {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://assure;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 1s;
            proxy_read_timeout 60s;
            # On to the next server after a connection error or a timeout (nginx's default),
            # and never for a POST nginx has already sent. Not on a 503: what is retried
            # counts towards `max_fails`, and a server shedding load for a moment (its own
            # 503, which reaches the client) must not be taken out with the dead one.
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 3;
            proxy_buffers 16 16k;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, dict, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()} | {"set-cookie": r.headers.get_all("Set-Cookie") or []}, r.read()
    finally:
        c.close()


def wait_for(port: int, path: str = "/healthz", seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if request(port, "GET", path, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"127.0.0.1:{port}{path} did not answer within {seconds} s")
        time.sleep(0.1)


class Assure:
    def __init__(self, binary: str, database: str, work: Path):
        self.binary, self.database, self.work = binary, database, work
        self.env = dict(os.environ, ASSURE_ACTOR="lb-bench")
        self.env.pop("DATABASE_URL", None)

    def run(self, *args: str, stdin: str | None = None) -> str:
        out = subprocess.run([self.binary, "--database", self.database, *args], input=stdin, env=self.env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"assure {' '.join(args)}: {out.stderr}")
        return out.stdout

    def serve(self, port: int) -> subprocess.Popen:
        log = open(self.work / f"serve-{port}.log", "ab")
        return subprocess.Popen([self.binary, "--database", self.database, "serve", "--addr", f"127.0.0.1:{port}",
                                 "--log", "warn", "--trusted-proxy", "127.0.0.1"], env=self.env, stderr=log,
                                stdout=subprocess.DEVNULL)


def psql(url: str, sql: str) -> list[list[str]]:
    """Rows of a query, by psql (unaligned, tab-separated)."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", url, "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"psql: {out.stderr}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-c%20search_path%3D{schema}"


# ---- the load ---------------------------------------------------------------------

def load_worker(args: tuple) -> dict:
    """One process of the load: `threads` connections, closed loop, until `until` (epoch s)."""
    import threading
    index, threads, port, token, milestones, writes, until, kill_at = args
    lock = threading.Lock()
    out = {"latency": {"page": [], "api": [], "write": []}, "ok": {"page": 0, "api": 0, "write": 0},
           "failed": [], "acknowledged": [], "unacknowledged": []}

    def run(t: int) -> None:
        rng = random.Random(index * 1000 + t)
        conn = None
        n = 0
        while time.time() < until:
            # The very first request of the load is a write, so that a short run has one.
            roll = 0.0 if index == 0 and t == 0 and n == 0 else rng.random()
            m = rng.choice(milestones)
            if roll < writes:
                kind = "write"
                n += 1
                narrative = f"lb write {index}-{t}-{n} at {time.time():.3f}"
                path = f"/api/v1/milestones/{m}/updates"
                body = json.dumps({"status": rng.choice(["on_track", "at_risk", "off_track"]),
                                   "narrative": narrative}).encode()
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                method = "POST"
            else:
                kind = "page" if roll < writes + (1 - writes) * 0.6 else "api"
                path = rng.choice(PAGES if kind == "page" else API_READS).format(m=m)
                body, headers, method = None, {"Accept-Encoding": "gzip"}, "GET"
            sent = time.time()
            status, reason, payload = None, None, b""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=70)
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                payload = r.read()
                status = r.status
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                reason = type(e).__name__
                if conn is not None:
                    conn.close()
                conn = None
            took = time.time() - sent
            good = status is not None and 200 <= status < 300
            with lock:
                if good:
                    out["ok"][kind] += 1
                    out["latency"][kind].append(took)
                else:
                    out["failed"].append({"kind": kind, "path": path, "status": status, "error": reason,
                                          "at": sent, "body": payload[:200].decode("utf-8", "replace")})
                if kind == "write":
                    if status == 201:
                        u = json.loads(payload)
                        assert u["narrative"] == narrative and u["item"] == m, u
                        out["acknowledged"].append({"id": u["id"], "milestone": m, "narrative": narrative})
                    else:
                        out["unacknowledged"].append({"milestone": m, "narrative": narrative})
        if conn is not None:
            conn.close()

    ts = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


# ---- the checks after the load ------------------------------------------------------

def sign_in(port_form: int, port_post: int, user: tuple[str, str]) -> tuple[int, str | None, str]:
    """Take the sign-in form from one server and post it to another: (status, session cookie, body)."""
    status, headers, body = request(port_form, "GET", "/sign-in")
    assert status == 200, status
    nonce = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("assure_sign_in="))
    csrf = body.decode().split('name="csrf" value="')[1].split('"')[0]
    form = urllib.parse.urlencode({"csrf": csrf, "next": "/", "username": user[0], "password": user[1]}).encode()
    status, headers, body = request(port_post, "POST", "/sign-in", form,
                                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": nonce})
    session = next((c.split(";")[0] for c in headers["set-cookie"] if c.startswith("assure_session=")), None)
    return status, session, body.decode("utf-8", "replace")


def shared_state(ports: list[int]) -> dict:
    """Sessions and sign-in throttling across the servers, asked directly (not through nginx)."""
    checks = {}
    status, session, _ = sign_in(ports[0], ports[1 % len(ports)], ADMIN)
    honoured = []
    for p in ports:
        s, _, body = request(p, "GET", "/account", headers={"Cookie": session or ""})
        honoured.append(s == 200 and ADMIN[0] in body.decode("utf-8", "replace"))
    checks["session made on one server is honoured by every server"] = status == 303 and all(honoured)
    # Five wrong passwords, spread over the servers, then the right one on yet another.
    for i in range(5):
        sign_in(ports[i % len(ports)], ports[i % len(ports)], (VIEWER[0], "wrong password"))
    last = ports[5 % len(ports)]
    status, session, body = sign_in(last, last, VIEWER)
    checks["failed sign-ins on all servers lock the account on each"] = \
        status == 422 and session is None and "too many failed attempts" in body
    return checks


def check_writes(url: str, ports: list[int], acknowledged: list[dict], unacknowledged: list[dict]) -> dict:
    stored = {int(r[0]): (r[1], r[2]) for r in
              psql(url, "SELECT id, item_id, narrative FROM delivery_update WHERE item_kind = 'milestone'")}
    audited = set()
    for (after,) in psql(url, "SELECT after FROM audit_log WHERE entity = 'delivery_update' AND action = 'create'"):
        audited.add(int(json.loads(after)["id"]))
    missing_db = [w for w in acknowledged if stored.get(w["id"]) != (w["milestone"], w["narrative"])]
    missing_audit = [w for w in acknowledged if w["id"] not in audited]
    stored_narratives = {n for _, n in stored.values()}
    committed_unacknowledged = sum(1 for w in unacknowledged if w["narrative"] in stored_narratives)
    by_milestone: dict[str, list[str]] = {}
    for w in acknowledged:
        by_milestone.setdefault(w["milestone"], []).append(w["narrative"])
    missing_pages = {}
    for p in ports:
        missing = 0
        for m, narratives in by_milestone.items():
            status, _, body = request(p, "GET", f"/milestones/{m}")
            text = body.decode("utf-8", "replace") if status == 200 else ""
            missing += sum(1 for n in narratives if n not in text)
        missing_pages[str(p)] = missing
    return {"acknowledged": len(acknowledged), "missing_in_database": len(missing_db),
            "missing_in_audit_log": len(missing_audit), "missing_on_pages_by_server_port": missing_pages,
            "unacknowledged": len(unacknowledged), "unacknowledged_but_committed": committed_unacknowledged,
            "examples_missing": (missing_db + missing_audit)[:5]}


# ---- main ---------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("assure", help="the assure binary")
    ap.add_argument("workdir", help="where nginx's configuration and the servers' logs go (emptied)")
    ap.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    ap.add_argument("--servers", type=int, default=3)
    ap.add_argument("--processes", type=int, default=2, help="load processes (default 2)")
    ap.add_argument("--connections", type=int, default=32, help="connections in all, closed loop (default 32)")
    ap.add_argument("--writes", type=float, default=0.05, help="share of requests that are writes (default 0.05)")
    ap.add_argument("--kill-after", type=float, help="SIGKILL one server this many seconds into the load")
    ap.add_argument("--database", help="an empty PostgreSQL database URL (else a fresh schema lb_bench at --postgres)")
    ap.add_argument("--postgres", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--json", help="write the figures and checks here")
    a = ap.parse_args()

    work = Path(a.workdir).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK):
        raise SystemExit("lb.py needs nginx (Debian: apt-get install nginx-light; scripts/lb-setup does it)")
    if a.database:
        url = a.database
    else:
        psql(a.postgres, "DROP SCHEMA IF EXISTS lb_bench CASCADE; CREATE SCHEMA lb_bench")
        url = schema_url(a.postgres, "lb_bench")
    assure = Assure(str(Path(a.assure).resolve()), url, work)
    assure.run("import", "--bundled")
    for (user, password), role in [(ADMIN, "admin"), (VIEWER, "viewer")]:
        assure.run("user", "add", user, "--role", role, "--name", user, "--password-stdin", stdin=password + "\n")
    token = assure.run("token", "add", "--user", ADMIN[0], "--name", "load balancer bench").strip().splitlines()[-1].strip()

    ports = [free_port() for _ in range(a.servers)]
    servers = {p: assure.serve(p) for p in ports}
    nginx_port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX.format(
        user="user root;\n" if os.geteuid() == 0 else "", work=work, port=nginx_port,
        servers="\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=2s;" for p in ports)))
    nginx_proc = None
    result = {}
    try:
        for p in ports:
            wait_for(p)
        subprocess.run([nginx, "-c", str(conf)], check=True)
        nginx_proc = True
        wait_for(nginx_port)
        milestones = [r[0] for r in psql(url, "SELECT id FROM milestone ORDER BY id")]
        assert milestones, "the bundled plan has milestones"
        # Every server renders its pages once before the clock starts.
        for p in ports:
            for page in PAGES + API_READS:
                request(p, "GET", page.format(m=milestones[0]))

        uptime = Path("/proc/loadavg").read_text().split()[:3]
        start = time.time()
        until = start + a.duration
        kill_at = start + a.kill_after if a.kill_after is not None else None
        per = [a.connections // a.processes + (1 if i < a.connections % a.processes else 0) for i in range(a.processes)]
        with multiprocessing.get_context("fork").Pool(a.processes) as pool:
            pending = pool.map_async(load_worker, [(i, per[i], nginx_port, token, milestones, a.writes, until, kill_at)
                                                   for i in range(a.processes)])
            killed = None
            if kill_at is not None:
                time.sleep(max(0.0, kill_at - time.time()))
                killed = ports[1 % len(ports)]
                servers[killed].send_signal(signal.SIGKILL)
                servers[killed].wait()
                killed_at = time.time()
            parts = pending.get()
        elapsed = time.time() - start

        if killed is not None:
            # Started again on its port, so that every server's pages are asked.
            servers[killed] = assure.serve(killed)
            wait_for(killed)
        time.sleep(0.5)  # the servers' bound on staleness is 250 ms
        merged = {"latency": {"page": [], "api": [], "write": []}, "ok": {"page": 0, "api": 0, "write": 0},
                  "failed": [], "acknowledged": [], "unacknowledged": []}
        for part in parts:
            for k in ("page", "api", "write"):
                merged["latency"][k] += part["latency"][k]
                merged["ok"][k] += part["ok"][k]
            for k in ("failed", "acknowledged", "unacknowledged"):
                merged[k] += part[k]
        writes = check_writes(url, ports, merged["acknowledged"], merged["unacknowledged"])
        shared = shared_state(ports)
        every = merged["latency"]["page"] + merged["latency"]["api"] + merged["latency"]["write"]
        ok = sum(merged["ok"].values())
        failed_by = {}
        for f in merged["failed"]:
            key = f"{f['kind']} {f['status'] or f['error']}"
            failed_by[key] = failed_by.get(key, 0) + 1
        result = {
            "servers": a.servers, "connections": a.connections, "duration_s": round(elapsed, 2),
            "load_average_before": uptime, "killed_server_port": killed,
            "killed_at_s": round(killed_at - start, 2) if killed is not None else None,
            "requests": ok + len(merged["failed"]), "succeeded": ok, "failed": len(merged["failed"]),
            "failed_by": failed_by,
            "failed_at_s": sorted(round(f["at"] - start, 2) for f in merged["failed"])[:50],
            "failed_examples": merged["failed"][:5],
            "throughput_rps": round(ok / elapsed, 1),
            "p50_ms": round(percentile(every, 0.5) * 1000, 2), "p99_ms": round(percentile(every, 0.99) * 1000, 2),
            "by_kind": {k: {"ok": merged["ok"][k], "p50_ms": round(percentile(v, 0.5) * 1000, 2),
                            "p99_ms": round(percentile(v, 0.99) * 1000, 2)} for k, v in merged["latency"].items()},
            "writes": writes, "shared_state": shared,
        }
    finally:
        if nginx_proc:
            subprocess.run([nginx, "-c", str(conf), "-s", "stop"], stderr=subprocess.DEVNULL)
        for p in servers.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        if not a.database:
            psql(a.postgres, "DROP SCHEMA IF EXISTS lb_bench CASCADE")

    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2))
    w = result["writes"]
    print(f"{a.servers} servers behind nginx, {a.connections} connections, {result['duration_s']} s"
          f" (load average before: {' '.join(result['load_average_before'])})")
    if result["killed_server_port"]:
        print(f"server on port {result['killed_server_port']} killed (SIGKILL) at {result['killed_at_s']} s")
    print(f"requests {result['requests']:,}: succeeded {result['succeeded']:,}, failed {result['failed']}"
          + (f" {result['failed_by']}" if result["failed"] else ""))
    print(f"throughput {result['throughput_rps']:,.0f} req/s; p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms")
    for k, v in result["by_kind"].items():
        print(f"  {k:6} {v['ok']:8,} ok  p50 {v['p50_ms']:8.2f} ms  p99 {v['p99_ms']:8.2f} ms")
    print(f"writes acknowledged {w['acknowledged']:,}: missing in database {w['missing_in_database']},"
          f" in audit log {w['missing_in_audit_log']}, on pages {w['missing_on_pages_by_server_port']}")
    print(f"writes not acknowledged {w['unacknowledged']} (of which committed anyway: {w['unacknowledged_but_committed']})")
    for name, passed in result["shared_state"].items():
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
    lost = w["missing_in_database"] + w["missing_in_audit_log"] + sum(w["missing_on_pages_by_server_port"].values())
    bad = lost or not all(result["shared_state"].values()) or (a.kill_after is None and result["failed"]) \
        or w["acknowledged"] == 0
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
