"""Markdown table from compare_peers.sh's JSON lines.

images/s: median over rounds of each engine's per-round median. Ratios: median
over rounds of the ratio measured within one round (the engines ran back to
back, so a round's ratio sees one load level).
"""
import collections
import json
import statistics
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
    ips = collections.defaultdict(dict)  # (model, batch) -> engine -> round -> img/s
    for r in rows:
        ips[(r["model"], r["batch"])].setdefault(r["engine"], {})[r["round"]] = r["images_per_s"]
    print("| model | batch | ganserve img/s | ORT img/s | PyTorch img/s | ours/ORT | ours/PyTorch "
          "| shed img/s | shed/ORT | shed/PyTorch | bf16 img/s | bf16/ORT | bf16/f32 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (model, batch), by in ips.items():
        def med(engine):
            v = list(by.get(engine, {}).values())
            return f"{statistics.median(v):.1f}" if v else "-"

        def ratio(engine, ours_name="ganserve"):
            ours = by.get(ours_name, {})
            peer = by.get(engine, {})
            v = [ours[k] / peer[k] for k in ours if k in peer and peer[k] > 0]
            if not v:
                return "-"
            s = f"{statistics.median(v):.2f}"
            return f"**{s}**" if statistics.median(v) >= 1 else s

        print(f"| {model} | {batch} | {med('ganserve')} | {med('ort')} | {med('torch')} | "
              f"{ratio('ort')} | {ratio('torch')} | {med('ganserve-shed')} | "
              f"{ratio('ort', 'ganserve-shed')} | {ratio('torch', 'ganserve-shed')} | "
              f"{med('ganserve-bf16')} | {ratio('ort', 'ganserve-bf16')} | "
              f"{ratio('ganserve', 'ganserve-bf16')} |")


if __name__ == "__main__":
    main()
