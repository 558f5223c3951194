"""Run PHStatsMethods on a CSV, CSV in -> CSV out, as a user of the package would.

usage: phsm_run.py proportion|rate|dsr|isr|mean|quantile|funnel_limits|funnel_significance|
                   funnel_rate_points|funnel_rate_significance IN.csv OUT.csv
"""
import contextlib
import io
import sys
import warnings

import pandas as pd
from PHStatsMethods.funnels import assign_funnel_significance, calculate_funnel_limits, calculate_funnel_points
from PHStatsMethods import ph_dsr, ph_ISRatio, ph_mean, ph_proportion, ph_quantile, ph_rate

warnings.simplefilter("ignore")


def main():
    method, inp, out = sys.argv[1:4]
    df = pd.read_csv(inp, dtype={"id": str})
    with contextlib.redirect_stdout(io.StringIO()):
        if method == "proportion":
            r = ph_proportion(df, "numerator", "denominator", "id", metadata=False, confidence=[0.95, 0.998], multiplier=100)
        elif method == "rate":
            r = ph_rate(df, "numerator", "denominator", "id", metadata=False, confidence=[0.95, 0.998])
        elif method == "isr":
            r = ph_ISRatio(df, "numerator", "denominator", "ref_numerator", "ref_denominator", group_cols="id",
                           metadata=False, confidence=[0.95, 0.998])
        elif method == "mean":
            r = ph_mean(df, "value", "id", metadata=False, confidence=[0.95, 0.998])
        elif method == "funnel_limits":
            r = calculate_funnel_limits(df, "numerator", "proportion", 100, denom_col="denominator", metadata=False)
        elif method == "funnel_significance":
            r = assign_funnel_significance(df, "numerator", "proportion", denom_col="denominator")
        elif method == "funnel_rate_points":
            r = calculate_funnel_points(df, "numerator", "rate", "crude", denom_col="denominator")
        elif method == "funnel_rate_significance":
            r = assign_funnel_significance(df, "numerator", "rate", denom_col="denominator", rate="rate",
                                           rate_type="crude", multiplier=100000)
        elif method == "quantile":
            r = ph_quantile(df, "value", group_cols=["parent"], nquantiles=10, invert=True)
        else:
            r = ph_dsr(df, "numerator", "denominator", "age_band", group_cols="id", metadata=False, confidence=[0.95, 0.998])
    r.to_csv(out, index=False)


if __name__ == "__main__":
    main()
