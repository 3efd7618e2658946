"""Issue 12's targets for one model of a serve_bench run, each against the
best engine-only figure of that run: the fastest batch-1 time and the highest
img/s at each batch size over every engine_rate configuration, so no target
reads as met because one configuration happened to be slow.

  serve_targets.py RATES C1 C64 C1024 C4B64 OPEN200 RSS16 RSS64 THREADS CORES QUEUE_MS [C1024B8]
RATES is engine_rate's output; the Cn arguments are ganctl bench JSON;
QUEUE_MS is the server's --max_queue_time_ms (0: it has none); C1024B8, an
overload that is refused in part, gets the overload targets too.
"""
import json
import re
import sys


def best_rates(path):
    rate, ms = {}, {}
    for line in open(path):
        m = re.match(r"batch (\d+): ([\d.]+) img/s, ([\d.]+) ms per batch", line)
        if m:
            b, r, t = int(m.group(1)), float(m.group(2)), float(m.group(3))
            rate[b] = max(rate.get(b, 0.0), r)
            ms[b] = min(ms.get(b, float("inf")), t)
    return rate, ms


def main(argv):
    rates, c1, c64, c1024, c4, open200 = argv[1], *map(json.loads, argv[2:7])
    rss16, rss64, threads, cores, queue_ms = map(float, argv[7:12])
    rate, ms = best_rates(rates)
    capacity = max(rate.values())
    rows = []

    def target(name, value, goal, met):
        rows.append("| %s | %s | %s | %s |" % (name, value, goal, "yes" if met else "no"))

    p50 = c1["latency_ms"]["p50"]
    target("-c 1 -b 1 p50", "%.2f ms" % p50, "≤ %.2f ms (batch 1 %.3f ms + 0.5)" % (ms[1] + 0.5, ms[1]),
           p50 <= ms[1] + 0.5)
    for name, r, base, share in (("-c 64 -b 1", c64, rate[16], 0.85),
                                 ("-c 4 -b 64", c4, rate[64], 0.90)):
        got = r["images_per_s"]
        label = "batch %d" % (16 if share == 0.85 else 64)
        target(name + " img/s", "%.0f = %.0f%%" % (got, 100 * got / base),
               "≥ %.0f%% of %s %.0f" % (100 * share, label, base), got >= share * base)
    overloads = [("-c 1024 -b 1", c1024), ("open loop 200%", open200)]
    if len(argv) > 12:
        overloads.append(("-c 1024 -b 8", json.loads(argv[12])))
    for name, r in overloads:
        good = r["images_per_s"]  # images of successful calls only
        target(name + " goodput", "%.0f = %.0f%%" % (good, 100 * good / capacity),
               "≥ 90%% of capacity %.0f" % capacity, good >= 0.9 * capacity)
        if r["errors"]:
            refused = r["error_latency_ms"]
            target(name + " refusals", "p50 %.2f, p99 %.2f, max %.2f ms of %d" %
                   (refused["p50"], refused["p99"], refused["max"], r["errors"]), "< 5 ms",
                   refused["max"] < 5)
        if queue_ms > 0:
            p99, bound = r["latency_ms"]["p99"], queue_ms + ms[64]
            target(name + " accepted p99", "%.0f ms" % p99, "≤ %.0f ms" % bound, p99 <= bound)
    target("RSS --max_batch 64 / 16", "%.0f / %.0f MB = %.2fx" % (rss64, rss16, rss64 / rss16),
           "≤ 1.3x", rss64 <= 1.3 * rss16)
    target("threads at 10,000 in flight", "%.0f" % threads, "≤ %.0f" % (4 * cores + 16),
           threads <= 4 * cores + 16)
    print("\nTargets against the best engine-only figures (capacity: %.0f img/s):\n" % capacity)
    print("| target | measured | goal | met? |\n| --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv)
