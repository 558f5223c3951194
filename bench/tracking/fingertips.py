#!/usr/bin/env python3
"""Write a Fingertips "all data" CSV of N rows for the bundled plan's mapped indicators
(93085, 93015, 93764), over its 19 areas and England, 15 periods and as many synthetic
category groups as the row count needs. Deterministic. Usage: fingertips.py ROWS OUT"""
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
areas = ["E54000032", "E10000016", "E06000035"] + [f"E07000{n}" for n in range(105, 117)] + ["E92000001"]
indicators = [("93085", "Smoking status at time of delivery", "2022/23"), ("93015", "Percentage of physically inactive adults", "2022"), ("93764", "Admission episodes for alcohol-related conditions (Narrow)", "2022")]
periods = list(range(2010, 2025))
combos = len(areas) * len(indicators) * len(periods)
groups = -(-rows // combos)
header = ("Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
          "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,Upper CI 99.8 limit,"
          "Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,Time period Sortable,New data\n")
written = 0
with open(out, "w") as f:
    f.write(header)
    for g in range(groups):
        cat = ("", "") if g == 0 else ("Synthetic group", f"Group {g}")
        for ind, name, _ in indicators:
            age = "19+ yrs" if ind == "93015" else "All ages"
            for year in periods:
                period = f"{year}/{(year + 1) % 100:02d}" if ind == "93085" else str(year)
                for i, area in enumerate(areas):
                    if written >= rows:
                        break
                    if ind == "93764":
                        v = 400 + (i * 7 + year + g) % 90
                        f.write(f"{ind},{name},,,{area},A,T,Persons,{age},{cat[0]},{cat[1]},{period},{v},{v-9.5},{v+9.8},,,{v*20},{2000000},,,,{year}0000,\n")
                    else:
                        n = 5000 + (i * 131 + g * 17 + year) % 3000
                        x = int(n * (0.08 + ((i + g + year) % 20) / 100))
                        f.write(f"{ind},{name},,,{area},A,T,Persons,{age},{cat[0]},{cat[1]},{period},,,,,,{x},{n},,,,{year}0000,\n")
                    written += 1
print(f"{written} rows in {out}")
