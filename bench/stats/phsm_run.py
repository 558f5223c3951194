"""Run PHStatsMethods on a CSV, CSV in -> CSV out, as a user of the package would.

usage: phsm_run.py proportion|rate|dsr IN.csv OUT.csv
"""
import contextlib
import io
import sys
import warnings

import pandas as pd
from PHStatsMethods import ph_dsr, ph_proportion, ph_rate

warnings.simplefilter("ignore")


def main():
    method, inp, out = sys.argv[1:4]
    df = pd.read_csv(inp, dtype={"id": str})
    with contextlib.redirect_stdout(io.StringIO()):
        if method == "proportion":
            r = ph_proportion(df, "numerator", "denominator", "id", metadata=False, confidence=[0.95, 0.998], multiplier=100)
        elif method == "rate":
            r = ph_rate(df, "numerator", "denominator", "id", metadata=False, confidence=[0.95, 0.998])
        else:
            r = ph_dsr(df, "numerator", "denominator", "age_band", group_cols="id", metadata=False, confidence=[0.95, 0.998])
    r.to_csv(out, index=False)


if __name__ == "__main__":
    main()
