"""A straightforward vectorised numpy/scipy version of the same formulas, CSV in -> CSV out.

The baseline the benchmark compares `assure stats` with: pandas' C CSV reader, numpy
vector arithmetic, scipy's chi-square quantiles, pandas' CSV writer.

usage: numpy_baseline.py proportion|rate|dsr IN.csv OUT.csv
"""
import sys

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import chi2

LEVELS = [(0.95, "95"), (0.998, "99_8")]
ESP = np.array([5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000], float)
BANDS = ['0-4', '5-9', '10-14', '15-19', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49',
         '50-54', '55-59', '60-64', '65-69', '70-74', '75-79', '80-84', '85-89', '90+']


def count_limits(o, c):
    z = ndtri(1 - (1 - c) / 2)
    with np.errstate(all="ignore"):
        lo_b = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        hi_b = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
        lo_e = np.where(o == 0, 0.0, chi2.ppf((1 - c) / 2, 2 * o) / 2)
        hi_e = chi2.ppf(1 - (1 - c) / 2, 2 * o + 2) / 2
    small = o < 10
    return np.where(small, lo_e, lo_b), np.where(small, hi_e, hi_b)


def main():
    method, inp, out = sys.argv[1:4]
    if method == "dsr":
        df = pd.read_csv(inp, dtype={"id": str, "age_band": str})
        o = df["numerator"].to_numpy(float).reshape(-1, 19)
        n = df["denominator"].to_numpy(float).reshape(-1, 19)
        ids = df["id"].to_numpy()[::19]
        w = ESP
        total = o.sum(axis=1)
        value = (w * o / n).sum(axis=1) / w.sum() * 100000
        var = (w * w * o / (n * n)).sum(axis=1) / w.sum() ** 2
        res = {"id": ids, "value": np.where(total < 10, np.nan, value)}
        scale = np.sqrt(var / total) * 100000
        for c, label in LEVELS:
            lo, hi = count_limits(total, c)
            res[f"lower_{label}"] = np.where(total < 10, np.nan, value + scale * (lo - total))
            res[f"upper_{label}"] = np.where(total < 10, np.nan, value + scale * (hi - total))
        res["note"] = np.where(total < 10, "total count below 10", "")
        pd.DataFrame(res).to_csv(out, index=False)
        return
    df = pd.read_csv(inp, dtype={"id": str})
    x = df["numerator"].to_numpy(float)
    n = df["denominator"].to_numpy(float)
    res = {"id": df["id"].to_numpy()}
    if method == "proportion":
        m = 100.0
        res["value"] = x / n * m
        for c, label in LEVELS:
            z = ndtri(1 - (1 - c) / 2)
            root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
            res[f"lower_{label}"] = (2 * x + z * z - root) / (2 * (n + z * z)) * m
            res[f"upper_{label}"] = (2 * x + z * z + root) / (2 * (n + z * z)) * m
    else:
        m = 100000.0
        res["value"] = x / n * m
        for c, label in LEVELS:
            lo, hi = count_limits(x, c)
            res[f"lower_{label}"] = lo / n * m
            res[f"upper_{label}"] = hi / n * m
    pd.DataFrame(res).to_csv(out, index=False)


if __name__ == "__main__":
    main()
