"""Bulk load of observation rows: Assure against the databases' own bulk paths.

For each backend, every run loads the same CSV file into a fresh database:

- ours:   `assure observations import FILE` (parse, validate every row against the plan,
          one transaction; a prepared INSERT on SQLite, binary COPY on PostgreSQL),
          timed as the whole command, process start included;
- native: `sqlite3 DB ".import --csv --skip 1 FILE observation"`, and
          `psql -c "\\copy observation FROM FILE CSV HEADER"`, into a table with the
          file's columns and the same primary key (indicator, area, period, breakdown),
          also timed as the whole command.

Runs alternate which goes first. Reports medians, rows per second and ours/native.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PLAN = "kent-and-medway-2024-26"
INDICATORS = ["smoking-at-time-of-delivery", "year-6-healthy-weight-prevalence", "good-level-of-development"]
HEADER = "indicator,area,period,breakdown,value,lower,upper,numerator,denominator\n"
# ONS codes of the bundled plan's areas (observations must be for known areas).
AREAS = ["E54000032", "E10000016", "E06000035"] + [f"E07000{n}" for n in range(105, 117)]

SQLITE_NATIVE = """PRAGMA journal_mode = WAL;
CREATE TABLE observation (
    indicator TEXT NOT NULL, area TEXT NOT NULL, period TEXT NOT NULL, breakdown TEXT NOT NULL DEFAULT '',
    value REAL, lower REAL, upper REAL, numerator REAL, denominator REAL,
    PRIMARY KEY (indicator, area, period, breakdown)
) STRICT, WITHOUT ROWID;"""

PG_NATIVE = """CREATE TABLE observation (
    indicator TEXT NOT NULL, area TEXT NOT NULL, period TEXT NOT NULL, breakdown TEXT NOT NULL DEFAULT '',
    value DOUBLE PRECISION, lower DOUBLE PRECISION, upper DOUBLE PRECISION,
    numerator DOUBLE PRECISION, denominator DOUBLE PRECISION,
    PRIMARY KEY (indicator, area, period, breakdown)
);"""


def generate(path: Path, rows: int) -> None:
    """Deterministic observations: 3 indicators x areas x 20 periods x 40 breakdowns."""
    rng = random.Random(1)
    with path.open("w") as f:
        f.write(HEADER)
        for i in range(rows):
            j = i // 3
            n = rng.randint(0, 500)
            d = n + rng.randint(1, 5000)
            v = 100 * n / d
            f.write(
                f"{INDICATORS[i % 3]},{AREAS[j // 40 % len(AREAS)]},{2000 + j % 20}/{(1 + j % 20) % 100:02d},"
                f"imd_decile={j % 40 // 4 + 1};sex={'mf'[j % 2]}x{j % 40};b{j // 40},"
                f"{v:.3f},{max(v - 1, 0):.3f},{v + 1:.3f},{n},{d}\n"
            )


def timed(cmd, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def pg_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-c%20search_path%3D{schema}"


def psql(base: str, sql: str) -> None:
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", base, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("assure")
    ap.add_argument("workdir")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--postgres", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--skip-postgres", action="store_true")
    a = ap.parse_args()

    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"observations-{a.rows}.csv"
    if not data.exists():
        print(f"generating {data} ...", file=sys.stderr)
        generate(data, a.rows)
    assure = str(Path(a.assure).resolve())
    env = dict(os.environ, ASSURE_ACTOR="bench")
    env.pop("DATABASE_URL", None)

    backends = ["sqlite"] + ([] if a.skip_postgres else ["postgres"])
    times = {(b, w): [] for b in backends for w in ("ours", "native")}
    for run in range(a.runs):
        for backend in backends:
            order = ["ours", "native"] if run % 2 == 0 else ["native", "ours"]
            for who in order:
                if backend == "sqlite":
                    db = work / f"{who}.db"
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                    if who == "ours":
                        subprocess.run([assure, "--database", f"sqlite:{db}", "--empty", "import", "--bundled"],
                                       check=True, stdout=subprocess.DEVNULL, env=env)
                        t = timed([assure, "--database", f"sqlite:{db}", "data", "import", "--new-only", str(data)], env=env)
                    else:
                        subprocess.run(["sqlite3", str(db), SQLITE_NATIVE], check=True, stdout=subprocess.DEVNULL)
                        t = timed(["sqlite3", "-cmd", "PRAGMA synchronous = NORMAL", str(db),
                                   f".import --csv --skip 1 {data} observation"])
                else:
                    schema = f"bench_store_{who}"
                    psql(a.postgres, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
                    url = pg_url(a.postgres, schema)
                    if who == "ours":
                        subprocess.run([assure, "--database", url, "import", "--bundled"],
                                       check=True, stdout=subprocess.DEVNULL, env=env)
                        t = timed([assure, "--database", url, "data", "import", "--new-only", str(data)], env=env)
                    else:
                        psql(url, PG_NATIVE)
                        t = timed(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                                   f"\\copy observation FROM '{data}' CSV HEADER"])
                    psql(a.postgres, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                times[(backend, who)].append(t)
                print(f"run {run + 1}: {backend:8} {who:6} {t:7.2f} s", file=sys.stderr)

    results = {}
    print(f"\nBulk load of {a.rows:,} observation rows, median of {a.runs} runs")
    print(f"{'backend':10} {'ours s':>8} {'ours rows/s':>12} {'native s':>9} {'native rows/s':>14} {'ours/native':>12}")
    for backend in backends:
        ours = statistics.median(times[(backend, "ours")])
        native = statistics.median(times[(backend, "native")])
        ratio = native / ours
        results[backend] = {"ours_s": times[(backend, "ours")], "native_s": times[(backend, "native")],
                            "ours_median_s": ours, "native_median_s": native, "ratio": ratio}
        print(f"{backend:10} {ours:8.2f} {a.rows / ours:12,.0f} {native:9.2f} {a.rows / native:14,.0f} {ratio:12.2f}")
    (work / "results.json").write_text(json.dumps({"rows": a.rows, "runs": a.runs, "results": results}, indent=2))
    print(f"\n(ours/native is the ratio of rows per second; raw times in {work / 'results.json'})")


if __name__ == "__main__":
    main()
