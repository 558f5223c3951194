"""Benchmark `assure stats` against a vectorised numpy/scipy baseline and PHStatsMethods.

Generates deterministic inputs (proportion and rate rows; DSR groups x 19 bands), runs
each implementation CSV in -> CSV out, and reports the median wall time of several runs,
rows per second, peak memory (max RSS of the process) and the ratios. PHStatsMethods is
timed on a smaller sample (it applies Python functions row by row) and its rows/second
is compared as a rate.

usage: bench.py ASSURE_BINARY WORKDIR [--rows N] [--dsr-groups N] [--phsm-rows N] [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
BANDS = ['0-4', '5-9', '10-14', '15-19', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49',
         '50-54', '55-59', '60-64', '65-69', '70-74', '75-79', '80-84', '85-89', '90+']


def generate(path, kind, rows, seed):
    if path.exists():
        return
    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    with open(path, "w") as f:
        f.write("id,age_band,numerator,denominator\n" if kind == "dsr" else "id,numerator,denominator\n")
        done = 0
        while done < rows:
            k = min(chunk, rows - done)
            if kind == "dsr":
                groups = k // 19
                ids = np.repeat(np.arange(done // 19, done // 19 + groups), 19)
                bands = np.tile(BANDS, groups)
                n = rng.integers(500, 50000, groups * 19)
                o = rng.integers(0, 60, groups * 19)
                df = pd.DataFrame({"id": ["g%d" % i for i in ids], "age_band": bands, "numerator": o, "denominator": n})
                k = groups * 19
            else:
                n = rng.integers(1, 100000, k)
                x = (rng.random(k) * (n + 1)).astype(np.int64).clip(0, n) if kind == "proportion" else rng.integers(1, 2000, k)  # PHStatsMethods refuses zero counts
                df = pd.DataFrame({"id": ["r%d" % i for i in range(done, done + k)], "numerator": x, "denominator": n})
            df.to_csv(f, header=False, index=False)
            done += k


def timed(cmd):
    """Wall time and peak RSS of one run. GNU time measures the command itself: a child
    forked from this harness would otherwise count the harness's own memory."""
    report = Path(os.environ.get("TMPDIR", "/tmp")) / f"assure-bench-{os.getpid()}.time"
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report, *map(str, cmd)], stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}")
    return elapsed, int(report.read_text().split()[-1]) / 1024  # MiB


def measure(cmd, runs):
    times, rss = [], []
    for _ in range(runs):
        t, m = timed(cmd)
        times.append(t)
        rss.append(m)
    return statistics.median(times), max(rss), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("assure")
    ap.add_argument("work")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--dsr-groups", type=int, default=1_000_000)
    ap.add_argument("--phsm-rows", type=int, default=100_000)
    ap.add_argument("--phsm-dsr-groups", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--methods", default="proportion,rate,dsr", help="comma-separated subset to run")
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    results = []
    plan = [("proportion", a.rows, a.phsm_rows), ("rate", a.rows, a.phsm_rows), ("dsr", a.dsr_groups * 19, a.phsm_dsr_groups * 19)]
    for method, rows, phsm_rows in [p for p in plan if p[0] in a.methods.split(",")]:
        big = work / f"{method}_{rows}.csv"
        small = work / f"{method}_{phsm_rows}.csv"
        generate(big, method, rows, 1)
        generate(small, method, phsm_rows, 2)
        unit = a.dsr_groups if method == "dsr" else rows
        unit_small = phsm_rows // 19 if method == "dsr" else phsm_rows
        ours = measure([a.assure, "stats", method, "--input", big, "--output", work / "ours.csv"], a.runs)
        numpy = measure([py, HERE / "numpy_baseline.py", method, big, work / "numpy.csv"], a.runs)
        phsm = measure([py, HERE / "phsm_run.py", method, small, work / "phsm.csv"], 1)
        ours_rps, numpy_rps, phsm_rps = unit / ours[0], unit / numpy[0], unit_small / phsm[0]
        results.append((method, unit, ours, numpy, phsm, unit_small, ours_rps, numpy_rps, phsm_rps))
        print(f"{method}: done", file=sys.stderr)
    what = {"proportion": "rows", "rate": "rows", "dsr": "groups"}
    print(f"\nmedian of {a.runs} runs (PHStatsMethods: 1 run on a sample); rows = input rows, DSR counted in groups of 19 bands")
    print(f"{'method':<11}{'n':>11} {'impl':<16}{'median s':>10}{'per second':>14}{'peak MiB':>10}{'ours is':>12}")
    for method, unit, ours, numpy, phsm, unit_small, o_rps, n_rps, p_rps in results:
        print(f"{method:<11}{unit:>11,} {'assure':<16}{ours[0]:>10.2f}{o_rps:>14,.0f}{ours[1]:>10.0f}{'':>12}")
        print(f"{'':<11}{unit:>11,} {'numpy/scipy':<16}{numpy[0]:>10.2f}{n_rps:>14,.0f}{numpy[1]:>10.0f}{o_rps / n_rps:>11.1f}x")
        print(f"{'':<11}{unit_small:>11,} {'PHStatsMethods':<16}{phsm[0]:>10.2f}{p_rps:>14,.0f}{phsm[1]:>10.0f}{o_rps / p_rps:>11.0f}x")
        print(f"{'':<11}{'':>11} {'':16}all runs, s: assure {', '.join(f'{t:.2f}' for t in ours[2])}; numpy {', '.join(f'{t:.2f}' for t in numpy[2])}  ({what[method]})")


if __name__ == "__main__":
    main()
