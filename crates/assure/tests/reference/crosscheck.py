"""Cross-check `assure stats` against PHStatsMethods (the Python port of PHEindicatormethods).

Feeds the same seeded random and edge-case inputs to both and requires relative
differences <= 1e-9 on the value and on every confidence limit. Where the reference
cannot compute a valid input (a zero count for a crude rate: its byars_upper refuses
0), the expected values come from the mathematics in STATS_METHODS.md instead, and
the case is counted separately.

usage: crosscheck.py ASSURE_BINARY WORKDIR
"""
import contextlib
import io
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2
from PHStatsMethods import ph_dsr, ph_proportion, ph_rate

warnings.simplefilter("ignore")
TOL = 1e-9
LEVELS = [0.95, 0.998]
BANDS = ['0-4', '5-9', '10-14', '15-19', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49',
         '50-54', '55-59', '60-64', '65-69', '70-74', '75-79', '80-84', '85-89', '90+']
COLS = ["lower_95", "upper_95", "lower_99_8", "upper_99_8"]
REF_COLS = ["lower_95_ci", "upper_95_ci", "lower_99_8_ci", "upper_99_8_ci"]


def run_assure(binary, method, inp, out, extra=()):
    subprocess.run([binary, "stats", method, "--input", str(inp), "--output", str(out), *extra], check=True)
    return pd.read_csv(out, dtype={"id": str}).set_index("id")


def rel(a, b):
    if (a is None or (isinstance(a, float) and math.isnan(a))) and (b is None or (isinstance(b, float) and math.isnan(b))):
        return 0.0
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def compare(name, ours, ref, ref_cols):
    worst, bad = 0.0, []
    for rid, row in ref.iterrows():
        mine = ours.loc[rid]
        for c_ours, c_ref in zip(["value"] + COLS, ["Value"] + ref_cols):
            d = rel(float(mine[c_ours]), float(row[c_ref]))
            worst = max(worst, d)
            if d > TOL:
                bad.append(f"{name} {rid} {c_ours}: ours {mine[c_ours]!r} reference {row[c_ref]!r} (rel {d:.2e})")
    print(f"{name}: {len(ref)} rows compared, worst relative difference {worst:.3e}")
    return bad


def proportions(rng, n_random):
    rows = [(0, 1), (1, 1), (0, 100), (100, 100), (1, 1000000), (999999, 1000000), (5, 7), (0, 1000000000), (1, 2)]
    n = rng.integers(1, 10 ** rng.integers(1, 8, n_random), n_random)
    x = (rng.random(n_random) * (n + 1)).astype(np.int64).clip(0, n)
    rows += list(zip(x.tolist(), n.tolist()))
    return pd.DataFrame({"id": [f"p{i}" for i in range(len(rows))], "numerator": [r[0] for r in rows], "denominator": [r[1] for r in rows]})


def rates(rng, n_random):
    rows = [(o, 1000) for o in range(0, 25)] + [(10, 1), (1000000, 50000000), (1, 7)]
    o = rng.integers(0, 10 ** rng.integers(1, 7, n_random), n_random)
    d = rng.integers(1, 10 ** rng.integers(2, 9, n_random), n_random)
    rows += list(zip(o.tolist(), d.tolist()))
    return pd.DataFrame({"id": [f"r{i}" for i in range(len(rows))], "numerator": [r[0] for r in rows], "denominator": [r[1] for r in rows]})


def dsr_groups(rng, n_random):
    out = []
    for g in range(n_random):
        scale = 10 ** rng.integers(0, 5)
        pop = rng.integers(100, 100000, 19)
        if g % 7 == 0:
            obs = (rng.random(19) < 0.3).astype(np.int64)  # small totals, some below 10
        else:
            obs = rng.integers(0, max(2, scale), 19)
        for b, o, n in zip(BANDS, obs.tolist(), pop.tolist()):
            out.append((f"d{g}", b, o, n))
    return pd.DataFrame(out, columns=["id", "age_band", "numerator", "denominator"])


def main():
    binary, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261123)
    bad = []

    p = proportions(rng, 3000)
    p.to_csv(work / "p.csv", index=False)
    ours = run_assure(binary, "proportion", work / "p.csv", work / "p_out.csv")
    ref = ph_proportion(p.copy(), "numerator", "denominator", "id", metadata=False, confidence=LEVELS, multiplier=100).set_index("id")
    bad += compare("proportion", ours, ref, REF_COLS)

    r = rates(rng, 3000)
    r.to_csv(work / "r.csv", index=False)
    ours = run_assure(binary, "rate", work / "r.csv", work / "r_out.csv")
    nonzero = r[r.numerator > 0]
    ref = ph_rate(nonzero.copy(), "numerator", "denominator", "id", metadata=False, confidence=LEVELS, multiplier=100000).set_index("id")
    bad += compare("rate", ours, ref, REF_COLS)
    # Zero counts: the reference refuses them; the mathematics gives lower 0, upper ½χ²_{1−α/2}(2).
    zeros = r[r.numerator == 0]
    worst = 0.0
    for _, row in zeros.iterrows():
        mine = ours.loc[row.id]
        expect = [0.0, 0.0]
        for c in LEVELS:
            expect += [0.0, chi2.ppf(1 - (1 - c) / 2, 2) / 2 / row.denominator * 100000]
        for c, e in zip(["value", "value"] + COLS, expect):
            d = rel(float(mine[c]), e)
            worst = max(worst, d)
            if d > TOL:
                bad.append(f"rate {row.id} (zero count) {c}: ours {mine[c]!r} expected {e!r}")
    print(f"rate, zero counts (reference refuses them; checked against the formula): {len(zeros)} rows, worst {worst:.3e}")

    d = dsr_groups(rng, 4000)  # about 1.6 MB: several 1 MiB blocks, so groups span block edges
    d.to_csv(work / "d.csv", index=False)
    ours = run_assure(binary, "dsr", work / "d.csv", work / "d_out.csv")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints its age-band join for inspection
        ref = ph_dsr(d.copy(), "numerator", "denominator", "age_band", group_cols="id", metadata=False, confidence=LEVELS).set_index("id")
    suppressed = ref[ref["Total Count"] < 10]
    for rid in suppressed.index:
        mine = ours.loc[rid]
        if not (math.isnan(float(mine["value"])) and isinstance(mine["note"], str) and "below 10" in mine["note"]):
            bad.append(f"dsr {rid}: total count below 10 should be suppressed with a note, got {mine.to_dict()}")
        if not all(math.isnan(float(ref.loc[rid][c])) for c in ["Value"] + REF_COLS):
            bad.append(f"dsr {rid}: reference did not suppress")
    print(f"dsr: {len(suppressed)} groups suppressed (total count < 10) in both")
    bad += compare("dsr", ours, ref[ref["Total Count"] >= 10], REF_COLS)

    if bad:
        print(f"{len(bad)} difference(s) above {TOL}:")
        for b in bad[:40]:
            print("  " + b)
        sys.exit(1)
    print(f"crosscheck: all within {TOL} relative")


if __name__ == "__main__":
    main()
