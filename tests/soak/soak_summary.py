"""soak.sh's verdict: sums each load class's outcomes, checks them against
what that class may get, and checks the server's samples (RSS, threads, fds,
status codes). Prints a markdown summary; exits 1 on any failed check."""
import collections
import pathlib
import sys

# What each class of soak.sh's load may be answered with.
ALLOWED = {
    "single": {"OK", "RESOURCE_EXHAUSTED"},
    "batch": {"OK", "RESOURCE_EXHAUSTED"},
    "deadline": {"OK", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"},
    "stream": {"OK", "RESOURCE_EXHAUSTED"},
    "cancel": {"CANCELLED"},
    "bad": {"INVALID_ARGUMENT", "NOT_FOUND"},
}
SERVER_ALLOWED = set().union(*ALLOWED.values())
ALLOWED["drain"] = {"DRAINED"}  # SIGTERM after the load
THREAD_SLACK, FD_SLACK, RSS_DRIFT_LIMIT = 4, 16, 0.05


def class_counts(out):
    counts, unexpected = {}, []
    for name in ALLOWED:
        tally = collections.Counter()
        path = out / f"{name}.log"
        for line in path.read_text().splitlines() if path.exists() else []:
            if line.startswith("unexpected"):
                unexpected.append(f"{name}: {line}")
                continue
            code, _, count = line.partition(" ")
            tally[code] += int(count or 1)
        if not tally and name == "drain":
            unexpected.append("drain: no outcome recorded")
        for code in tally.keys() - ALLOWED[name]:
            unexpected.append(f"{name}: {tally[code]} x {code}")
        counts[name] = tally
    return counts, unexpected


def samples(out):
    rows = []
    for line in (out / "samples.txt").read_text().splitlines()[1:]:
        fields = line.split()
        codes = {}
        for pair in fields[4].split(",") if len(fields) > 4 else []:
            code, _, n = pair.partition("=")
            codes[code] = int(n)
        rows.append({"t": int(fields[0]), "rss": int(fields[1]), "threads": int(fields[2]),
                     "fds": int(fields[3]), "codes": codes})
    return rows


def main():
    out = pathlib.Path(sys.argv[1])
    counts, unexpected = class_counts(out)
    rows = samples(out)
    failures = list(unexpected)
    if len(rows) < 3:
        failures.append(f"only {len(rows)} samples")
        print("\n".join(failures))
        return 1
    duration = rows[-1]["t"]
    last_codes = rows[-1]["codes"]
    for code in last_codes.keys() - SERVER_ALLOWED:
        failures.append(f"server answered {last_codes[code]} x {code}")
    # Reference: minute 5 (a third of the run if shorter, and at least 20 s in).
    ref_t = max(20, min(300, duration // 3))
    early = [r for r in rows if r["t"] <= ref_t]
    late = rows[-max(1, len(rows) // 3):]
    ref = early[-1]
    for key, slack in (("threads", THREAD_SLACK), ("fds", FD_SLACK)):
        most_early = max(r[key] for r in early)
        most_late = max(r[key] for r in late)
        if most_late > most_early + slack:
            failures.append(f"{key} grew: at most {most_early} until {ref_t} s, {most_late} at the end")
    drift = (rows[-1]["rss"] - ref["rss"]) / ref["rss"]
    if duration >= 600 and abs(drift) >= RSS_DRIFT_LIMIT:
        failures.append(f"RSS drifted {drift:+.1%} between {ref['t']} s and the end")

    print(f"## soak of {duration} s ({out})\n")
    print("| class | outcomes |\n| --- | --- |")
    for name, tally in counts.items():
        print(f"| {name} | {', '.join(f'{c} {n}' for c, n in sorted(tally.items())) or '-'} |")
    print(f"\nserver status counts at the end: "
          f"{', '.join(f'{c} {n}' for c, n in sorted(last_codes.items()))}\n")
    print("| t (s) | RSS (MB) | threads | open fds |\n| --- | --- | --- | --- |")
    step = max(1, len(rows) // 12)
    for r in rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else []):
        print(f"| {r['t']} | {r['rss'] / 1024:.1f} | {r['threads']} | {r['fds']} |")
    threads = [r["threads"] for r in rows]
    fds = [r["fds"] for r in rows]
    print(f"\nRSS {ref['rss'] / 1024:.1f} MB at {ref['t']} s -> {rows[-1]['rss'] / 1024:.1f} MB at "
          f"{duration} s ({drift:+.2%}); threads {min(threads)}..{max(threads)}; "
          f"fds {min(fds)}..{max(fds)}; unexpected errors: {len(unexpected)}")
    for failure, n in collections.Counter(failures).most_common(20):
        print(f"FAIL: {failure}" + (f" ({n} times)" if n > 1 else ""))
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
