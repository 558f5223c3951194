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
from PHStatsMethods.funnels import assign_funnel_significance, calculate_funnel_limits, calculate_funnel_points
from PHStatsMethods import ph_dsr, ph_ISRate, ph_ISRatio, ph_mean, ph_proportion, ph_quantile, ph_rate

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


def isr_groups(rng, n_groups, ref):
    """Groups of 19 band rows; every 9th group has small counts (exact limits), a few are zero."""
    out = []
    for g in range(n_groups):
        pop = rng.integers(50, 200000, 19)
        if g % 9 == 0:
            obs = (rng.random(19) < 0.25).astype(np.int64)
        else:
            obs = rng.integers(0, 10 ** rng.integers(1, 4), 19)
        for b, o, n in zip(BANDS, obs.tolist(), pop.tolist()):
            rn, rd = ref[b]
            out.append((f"i{g}", b, o, n, rn, rd))
    return pd.DataFrame(out, columns=["id", "age_band", "numerator", "denominator", "ref_numerator", "ref_denominator"])


def mean_groups(rng, n_groups):
    out = []
    for g in range(n_groups):
        k = int(rng.integers(2, 40))
        scale = 10.0 ** rng.integers(-3, 6)
        vals = np.abs(rng.normal(rng.normal() * scale, scale, k))  # the reference refuses negative values
        if g % 11 == 0:
            vals = np.round(vals)  # repeated and integer values
        out += [(f"m{g}", float(v)) for v in vals]
    out += [("same", 3.5), ("same", 3.5), ("same", 3.5)]  # zero spread
    return pd.DataFrame(out, columns=["id", "value"])


def quantile_rows(rng, n_parents):
    out = []
    for g in range(n_parents):
        k = int(rng.integers(1, 120))  # some parents have fewer areas than deciles
        vals = rng.integers(0, 30, k) if g % 5 == 0 else rng.random(k) * 100  # ties in every 5th
        out += [(f"a{g}_{j}", f"p{g}", float(v)) for j, v in enumerate(vals)]
    return pd.DataFrame(out, columns=["id", "parent", "value"])


def run_quantile(binary, work, invert):
    out = work / f"q_out_{invert}.csv"
    subprocess.run([binary, "stats", "quantile", "--input", str(work / "q.csv"), "--output", str(out),
                    "--invert", "true" if invert else "false"], check=True)
    return out


def funnel_data(rng, k, statistic):
    """One funnel's areas: numerators, denominators (population, expected count) and rates."""
    scale = 10 ** rng.integers(2, 6)
    n = rng.integers(scale // 10 + 1, scale * 10, k).astype(float)
    if statistic == "proportion":
        x = rng.binomial(n.astype(np.int64), rng.uniform(0.01, 0.6)).astype(float)
        return pd.DataFrame({"id": [f"f{i}" for i in range(k)], "numerator": x, "denominator": n})
    if statistic == "ratio":
        e = n * rng.uniform(0.001, 0.05)
        x = rng.poisson(e * rng.uniform(0.7, 1.3, k)).astype(float)
        return pd.DataFrame({"id": [f"f{i}" for i in range(k)], "numerator": x, "denominator": e})
    x = rng.poisson(n * rng.uniform(0.0005, 0.02)).astype(float)
    x[: max(1, k // 20)] = 0  # some areas without events
    rate = np.where(x > 0, x / n * 100000 * rng.uniform(0.8, 1.2, k), 0.0)
    return pd.DataFrame({"id": [f"f{i}" for i in range(k)], "numerator": x, "rate": rate, "denominator": n})


FUNNEL_LIMITS = [("lower_95", "lower_2s_limit"), ("upper_95", "upper_2s_limit"),
                 ("lower_99_8", "lower_3s_limit"), ("upper_99_8", "upper_3s_limit")]


def funnel_checks(binary, work, rng):
    """Funnel limits, points and significance for every statistic, many random funnels."""
    bad, counts = [], {}
    cases = [("proportion", None, {}), ("ratio", "isr", {}), ("ratio", "count", {}),
             ("rate", "crude", {"years": 1}), ("rate", "crude", {"years": 3}), ("rate", "dsr", {"years": 1})]
    for f in range(60):
        statistic, kind, opts = cases[f % len(cases)]
        years = opts.get("years", 1)
        d = funnel_data(rng, int(rng.integers(3, 80)), statistic)
        if kind == "dsr":
            d = d[d.numerator > 0].copy() if f % 2 else d
        inp = work / f"funnel_{f}.csv"
        d.to_csv(inp, index=False)
        args = ["--statistic", statistic]
        kwargs = {}
        if statistic == "rate":
            args += ["--rate-type", kind, "--years-of-data", str(years)]
            kwargs = {"rate": "rate", "rate_type": kind, "years_of_data": years}
        elif statistic == "ratio":
            args += ["--ratio-type", kind]
            kwargs = {"ratio_type": kind}
        multiplier = {"proportion": 100, "ratio": 1, "rate": 100000}[statistic]
        name = f"funnel {statistic}{' ' + kind if kind else ''}"
        # Limits.
        out = work / f"funnel_{f}_limits.csv"
        subprocess.run([binary, "stats", "funnel", "limits", *args, "--input", str(inp), "--output", str(out)], check=True)
        ours = pd.read_csv(out)
        with contextlib.redirect_stdout(io.StringIO()):
            expect = calculate_funnel_limits(d.copy(), "numerator", statistic, multiplier, denom_col="denominator",
                                             metadata=False, **kwargs)
        x_col = {"proportion": "population", "ratio": "observed_events", "rate": "events"}[statistic]
        x_ref = {"proportion": "Population", "ratio": "Observed_events", "rate": "Events"}[statistic]
        pairs = [(x_col, x_ref)] + FUNNEL_LIMITS
        if statistic != "ratio":
            pairs.append(("baseline", "baseline"))
        if statistic == "rate":
            pairs += [("population_lower_95", "lower_2s_population_1_year"), ("population_upper_95", "upper_2s_population_1_year"),
                      ("population_lower_99_8", "lower_3s_population_1_year"), ("population_upper_99_8", "upper_3s_population_1_year")]
        if len(ours) != len(expect):
            bad.append(f"{name} limits: {len(ours)} rows, reference {len(expect)}")
            continue
        for c_ours, c_ref in pairs:
            for i, (a, b) in enumerate(zip(ours[c_ours].tolist(), expect[c_ref].tolist())):
                if rel(float(a), float(b)) > TOL:
                    bad.append(f"{name} limits row {i} {c_ours}: ours {a!r} reference {b!r}")
        counts[name + " limits"] = counts.get(name + " limits", 0) + len(ours)
        # Significance.
        out = work / f"funnel_{f}_sig.csv"
        subprocess.run([binary, "stats", "funnel", "significance", *args, "--input", str(inp), "--output", str(out)], check=True)
        ours = pd.read_csv(out, dtype={"id": str})
        skw = {"rate": "rate", "rate_type": kind, "multiplier": multiplier} if statistic == "rate" else {}
        expect = assign_funnel_significance(d.copy(), "numerator", statistic, denom_col="denominator", **skw)
        for i, (a, b) in enumerate(zip(ours["significance"].tolist(), expect["significance"].tolist())):
            if a != b:
                bad.append(f"{name} significance row {i}: ours {a!r} reference {b!r}")
        counts[name + " significance"] = counts.get(name + " significance", 0) + len(ours)
        # Points (rates only).
        if statistic == "rate":
            out = work / f"funnel_{f}_points.csv"
            subprocess.run([binary, "stats", "funnel", "points", *args, "--input", str(inp), "--output", str(out)], check=True)
            ours = pd.read_csv(out, dtype={"id": str})
            expect = calculate_funnel_points(d.copy(), "numerator", "rate", kind, denom_col="denominator",
                                             multiplier=multiplier, years_of_data=years)
            for c_ours, c_ref in [("rate_chart", "rate_chart"), ("denominator_derived", "denom_derived")]:
                for i, (a, b) in enumerate(zip(ours[c_ours].tolist(), expect[c_ref].tolist())):
                    if rel(float(a), float(b)) > TOL:
                        bad.append(f"{name} points row {i} {c_ours}: ours {a!r} reference {b!r}")
            counts[name + " points"] = counts.get(name + " points", 0) + len(ours)
    for k, v in counts.items():
        print(f"{k}: {v} rows compared")
    return bad


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

    # Indirect standardisation: reference numerators and denominators per row, and from a reference file.
    ref = {b: (int(rng.integers(100, 100000)), int(rng.integers(10 ** 6, 10 ** 8))) for b in BANDS}
    pd.DataFrame([(b, *ref[b]) for b in BANDS], columns=["age_band", "numerator", "denominator"]).to_csv(work / "isr_ref.csv", index=False)
    i = isr_groups(rng, 2000, ref)
    i.to_csv(work / "i.csv", index=False)
    i[["id", "age_band", "numerator", "denominator"]].to_csv(work / "i_banded.csv", index=False)
    observed = i.groupby("id").numerator.sum()
    nonzero = i[i.id.map(observed) > 0]  # the reference's byars_upper refuses a zero count
    ref_df = pd.DataFrame([(b, *ref[b]) for b in BANDS], columns=["age_band", "ref_numerator", "ref_denominator"])
    print(f"isr: {int((observed == 0).sum())} groups with no events left out (the reference refuses them)")
    for kind, fn, mult in [("ratio", ph_ISRatio, 1), ("rate", ph_ISRate, 100000)]:
        kwargs = {"refvalue": 1} if kind == "ratio" else {"multiplier": 100000}
        expect = fn(nonzero.copy(), "numerator", "denominator", "ref_numerator", "ref_denominator", group_cols="id",
                    metadata=False, confidence=LEVELS, **kwargs).set_index("id")
        ours = run_assure(binary, "isr", work / "i.csv", work / f"i_{kind}_out.csv", ["--type", kind])
        bad += compare(f"isr {kind}", ours, expect, REF_COLS)
        banded = nonzero[["id", "age_band", "numerator", "denominator"]].copy()
        expect = fn(banded, "numerator", "denominator", "ref_numerator", "ref_denominator", group_cols="id",
                    metadata=False, confidence=LEVELS, ref_df=ref_df, ref_join_left="age_band", ref_join_right="age_band",
                    **kwargs).set_index("id")
        ours = run_assure(binary, "isr", work / "i_banded.csv", work / f"i_{kind}_ref_out.csv",
                          ["--type", kind, "--reference", str(work / "isr_ref.csv")])
        bad += compare(f"isr {kind} (reference file)", ours, expect, REF_COLS)

    m = mean_groups(rng, 3000)
    m.to_csv(work / "m.csv", index=False)
    ours = run_assure(binary, "mean", work / "m.csv", work / "m_out.csv")
    expect = ph_mean(m.copy(), "value", "id", metadata=False, confidence=LEVELS).set_index("id")
    bad += compare("mean", ours, expect, REF_COLS)

    q = quantile_rows(rng, 400)
    q.to_csv(work / "q.csv", index=False)
    for invert in [True, False]:
        ours = pd.read_csv(run_quantile(binary, work, invert), dtype={"id": str, "parent": str})
        expect = ph_quantile(q.copy(), "value", group_cols=["parent"], nquantiles=10, invert=invert)
        mismatched = 0
        for a, b in zip(ours["quantile"].tolist(), expect["quantile"].tolist()):
            if not ((math.isnan(a) and math.isnan(b)) or a == b):
                mismatched += 1
        if list(ours["id"]) != list(expect["id"]):
            bad.append(f"quantile (invert={invert}): rows not in input order")
        if mismatched:
            bad.append(f"quantile (invert={invert}): {mismatched} of {len(q)} quantiles differ")
        print(f"quantile (invert={invert}): {len(q)} rows compared, {mismatched} differ")

    bad += funnel_checks(binary, work, rng)

    if bad:
        print(f"{len(bad)} difference(s) above {TOL}:")
        for b in bad[:40]:
            print("  " + b)
        sys.exit(1)
    print(f"crosscheck: all within {TOL} relative")


if __name__ == "__main__":
    main()
