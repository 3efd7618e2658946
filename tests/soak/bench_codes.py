"""Prints one "<STATUS> <count>" line per status code of a ganctl bench JSON
report (soak.sh's per-class log), or an "unexpected" line when there is none."""
import json
import sys

try:
    with open(sys.argv[1]) as f:
        report = json.load(f)
    for code in report["status_codes"]:
        print(code["name"], code["count"])
except (OSError, ValueError, KeyError) as error:
    print(f"unexpected bench gave no report: {error}")
