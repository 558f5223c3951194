"""Benchmark `assure stats` against a vectorised numpy/scipy baseline and PHStatsMethods.

Generates deterministic inputs (proportion and rate rows; DSR groups x 19 bands), runs
each implementation CSV in -> CSV out, and reports the median wall time of several runs,
rows per second, peak memory (max RSS of the process) and the ratios. PHStatsMethods is
timed on a smaller sample (it applies Python functions row by row) and its rows/second
is compared as a rate.

The methods added later (isr, mean, quantile, compare, funnel limits / points /
significance) are compared with PHStatsMethods only (it has all but compare), by input
rows per second.

Life expectancy (20 bands per group) and the SII (10 deciles per group, limits simulated
with the package's default 100,000 repetitions) are counted in groups per second. Only
PHEindicatormethods (R) has them, and R is not installed here, so they have no comparison.

usage: bench.py ASSURE_BINARY WORKDIR [--rows N] [--dsr-groups N] [--phsm-rows N] [--runs N]
                [--le-groups N] [--sii-groups N] [--sii-repetitions N]
                [--methods proportion,rate,dsr,isr,mean,quantile,compare,funnel_limits,...,life_expectancy,sii]
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


# Later methods: input header, one chunk of rows (from a start row), assure arguments.
def isr_chunk(rng, start, k):
    groups = k // 19
    n = rng.integers(500, 50000, groups * 19)
    return {"id": ["g%d" % i for i in np.repeat(np.arange(start // 19, start // 19 + groups), 19)],
            "numerator": rng.integers(1, 60, groups * 19), "denominator": n,
            "ref_numerator": np.tile(np.arange(100, 100 + 19 * 50, 50), groups),
            "ref_denominator": np.full(groups * 19, 1_000_000)}


def mean_chunk(rng, start, k):
    return {"id": ["m%d" % (i // 10) for i in range(start, start + k)], "value": np.round(rng.normal(50, 10, k), 3)}


def quantile_chunk(rng, start, k):
    return {"id": ["a%d" % i for i in range(start, start + k)], "parent": ["p%d" % (i // 100) for i in range(start, start + k)],
            "value": np.round(rng.random(k) * 100, 3)}


def compare_chunk(rng, start, k):
    v = rng.random(k) * 100
    w1, w2 = rng.random(k) * 5, rng.random(k) * 8
    return {"id": ["r%d" % i for i in range(start, start + k)], "lower_95": v - w1, "upper_95": v + w1,
            "lower_99_8": v - w2, "upper_99_8": v + w2}


def funnel_chunk(rng, start, k):
    n = rng.integers(1000, 100000, k)
    return {"id": ["f%d" % i for i in range(start, start + k)], "numerator": rng.binomial(n, 0.2), "denominator": n}


def funnel_rate_chunk(rng, start, k):
    n = rng.integers(1000, 100000, k)
    x = rng.poisson(n * 0.002)
    return {"id": ["f%d" % i for i in range(start, start + k)], "numerator": x,
            "rate": np.where(x > 0, x / n * 100000, 0.0), "denominator": n}


# name: (input chunk, the `assure stats` words, whether PHStatsMethods has it)
LATER = {
    "isr": (isr_chunk, ["isr"], True),
    "mean": (mean_chunk, ["mean"], True),
    "quantile": (quantile_chunk, ["quantile"], True),
    "compare": (compare_chunk, ["compare", "--comparator", "50", "--polarity", "high-is-good"], False),
    "funnel_limits": (funnel_chunk, ["funnel", "limits"], True),
    "funnel_significance": (funnel_chunk, ["funnel", "significance"], True),
    "funnel_rate_points": (funnel_rate_chunk, ["funnel", "points", "--statistic", "rate"], True),
    "funnel_rate_significance": (funnel_rate_chunk, ["funnel", "significance", "--statistic", "rate"], True),
}


LE_BANDS = ["0", "1-4"] + BANDS[1:-1] + ["90+"]
LE_RATE = 0.00003 * np.exp(0.1 * np.array([0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]))  # Gompertz: about England's mortality by age


def life_expectancy_chunk(rng, start, groups):
    n = rng.integers(2000, 60000, (groups, 20))
    d = rng.poisson(n * np.minimum(LE_RATE * rng.uniform(0.5, 1.5, (groups, 20)), 0.4))
    d[:, 19] = np.maximum(d[:, 19], 1)
    return {"id": np.repeat(["l%d" % i for i in range(start, start + groups)], 20),
            "age_band": np.tile(LE_BANDS, groups), "deaths": d.ravel(), "population": n.ravel()}


def sii_chunk(rng, start, groups):
    n = rng.integers(5000, 30000, (groups, 10))
    v = 75 + np.arange(10) * rng.uniform(0.2, 1.2, (groups, 1)) + rng.normal(0, 0.5, (groups, 10))
    se = rng.uniform(0.3, 1.5, (groups, 10))
    return {"id": np.repeat(["s%d" % i for i in range(start, start + groups)], 10),
            "quantile": np.tile(np.arange(1, 11), groups), "population": n.ravel(),
            "value": np.round(v, 3).ravel(), "se": np.round(se, 3).ravel()}


# name: (input chunk of whole groups, the `assure stats` words, rows per group)
GROUPED = {
    "life_expectancy": (life_expectancy_chunk, ["life-expectancy"], 20),
    "sii": (sii_chunk, ["sii"], 10),
}


def generate_groups(path, method, groups, seed):
    if path.exists():
        return
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        done = 0
        while done < groups:
            k = min(50_000, groups - done)
            pd.DataFrame(GROUPED[method][0](rng, done, k)).to_csv(f, header=done == 0, index=False)
            done += k


def generate_later(path, method, rows, seed):
    if path.exists():
        return
    rng = np.random.default_rng(seed)
    chunk_rows = 1_000_000 - 1_000_000 % 19 if method == "isr" else 1_000_000
    with open(path, "w") as f:
        done = 0
        while done < rows:
            k = min(chunk_rows, rows - done)
            df = pd.DataFrame(LATER[method][0](rng, done, k))
            df.to_csv(f, header=done == 0, index=False)
            done += len(df)


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
    ap.add_argument("--le-groups", type=int, default=500_000)
    ap.add_argument("--sii-groups", type=int, default=2_000)
    ap.add_argument("--sii-repetitions", type=int, default=100_000)
    ap.add_argument("--methods", default=",".join(["proportion", "rate", "dsr", *LATER, *GROUPED]), help="comma-separated subset to run")
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
    later = []
    for method in [m for m in LATER if m in a.methods.split(",")]:
        rows = a.rows - a.rows % 19 if method == "isr" else a.rows
        phsm_rows = a.phsm_rows - a.phsm_rows % 19 if method == "isr" else a.phsm_rows
        big, small = work / f"{method}_{rows}.csv", work / f"{method}_{phsm_rows}.csv"
        generate_later(big, method, rows, 1)
        ours = measure([a.assure, "stats", *LATER[method][1], "--input", big, "--output", work / "ours.csv"], a.runs)
        phsm = None
        if LATER[method][2]:  # PHStatsMethods has no comparison with a comparator
            generate_later(small, method, phsm_rows, 2)
            phsm = measure([py, HERE / "phsm_run.py", method, small, work / "phsm.csv"], 1)
        later.append((method, rows, ours, phsm_rows, phsm))
        print(f"{method}: done", file=sys.stderr)
    grouped = []
    for method in [m for m in GROUPED if m in a.methods.split(",")]:
        groups = a.le_groups if method == "life_expectancy" else a.sii_groups
        path = work / f"{method}_{groups}.csv"
        generate_groups(path, method, groups, 1)
        extra = ["--repetitions", str(a.sii_repetitions)] if method == "sii" else []
        ours = measure([a.assure, "stats", *GROUPED[method][1], *extra, "--input", path, "--output", work / "ours.csv"], a.runs)
        grouped.append((method, groups, groups * GROUPED[method][2], ours))
        print(f"{method}: done", file=sys.stderr)
    what = {"proportion": "rows", "rate": "rows", "dsr": "groups"}
    if results:
        print(f"\nmedian of {a.runs} runs (PHStatsMethods: 1 run on a sample); rows = input rows, DSR counted in groups of 19 bands")
        print(f"{'method':<11}{'n':>11} {'impl':<16}{'median s':>10}{'per second':>14}{'peak MiB':>10}{'ours is':>12}")
        for method, unit, ours, numpy, phsm, unit_small, o_rps, n_rps, p_rps in results:
            print(f"{method:<11}{unit:>11,} {'assure':<16}{ours[0]:>10.2f}{o_rps:>14,.0f}{ours[1]:>10.0f}{'':>12}")
            print(f"{'':<11}{unit:>11,} {'numpy/scipy':<16}{numpy[0]:>10.2f}{n_rps:>14,.0f}{numpy[1]:>10.0f}{o_rps / n_rps:>11.1f}x")
            print(f"{'':<11}{unit_small:>11,} {'PHStatsMethods':<16}{phsm[0]:>10.2f}{p_rps:>14,.0f}{phsm[1]:>10.0f}{o_rps / p_rps:>11.0f}x")
            print(f"{'':<11}{'':>11} {'':16}all runs, s: assure {', '.join(f'{t:.2f}' for t in ours[2])}; numpy {', '.join(f'{t:.2f}' for t in numpy[2])}  ({what[method]})")

    if later:
        print(f"\nlater methods, median of {a.runs} runs (PHStatsMethods: 1 run on a sample); input rows per second")
        print(f"{'method':<26}{'rows':>11} {'impl':<16}{'median s':>10}{'per second':>14}{'peak MiB':>10}{'ours is':>12}")
        for method, rows, ours, phsm_rows, phsm in later:
            o_rps = rows / ours[0]
            print(f"{method:<26}{rows:>11,} {'assure':<16}{ours[0]:>10.2f}{o_rps:>14,.0f}{ours[1]:>10.0f}{'':>12}")
            if phsm:
                p_rps = phsm_rows / phsm[0]
                print(f"{'':<26}{phsm_rows:>11,} {'PHStatsMethods':<16}{phsm[0]:>10.2f}{p_rps:>14,.0f}{phsm[1]:>10.0f}{o_rps / p_rps:>11.0f}x")
            print(f"{'':<26}{'':>11} {'':16}all runs, s: assure {', '.join(f'{t:.2f}' for t in ours[2])}")

    if grouped:
        print(f"\ngrouped methods, median of {a.runs} runs; no reference implementation (PHEindicatormethods is R only)")
        print(f"{'method':<26}{'groups':>11}{'rows':>12}{'median s':>10}{'groups/s':>12}{'rows/s':>14}{'peak MiB':>10}")
        for method, groups, rows, ours in grouped:
            label = f"sii ({a.sii_repetitions:,} reps)" if method == "sii" else method
            print(f"{label:<26}{groups:>11,}{rows:>12,}{ours[0]:>10.2f}{groups / ours[0]:>12,.0f}{rows / ours[0]:>14,.0f}{ours[1]:>10.0f}")
            print(f"{'':<26}all runs, s: {', '.join(f'{t:.2f}' for t in ours[2])}")


if __name__ == "__main__":
    main()
