#!/usr/bin/env bash
# The cost of each API over the same generation: ganctl bench at one load
# (default -c 16 -b 1) against one ganserve, alternating --api native, --api v2
# (Open Inference Protocol ModelInfer, png output) and --api http (the PNG
# URL on the HTTP port) for several rounds so machine noise hits all alike;
# then "cached": native again with --seed-cycle 16, so after the first 16
# requests every answer comes from the response cache. Prints a markdown
# table for BENCHMARKS.md with each run and, per round, its throughput as a
# share of native's, then the median share over the rounds (robust to a
# noisy neighbour hitting one run).
#
#   tests/bench/api_bench.sh [--duration 10s] [--rounds 3] [--load "-c 16 -b 1"]
#                            [--apis "native v2 http cached"]
#                            [--model models/fashion-cgan/generator.keras] [--build build]
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
duration=10s rounds=3 load="-c 16 -b 1" build=$repo/build apis="native v2 http cached"
model=$repo/models/fashion-cgan/generator.keras
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2 ;;
    --rounds) rounds=$2 ;;
    --load) load=$2 ;;
    --apis) apis=$2 ;;
    --model) model=$2 ;;
    --build) build=$2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ " $apis " == *" native "* ]] || { echo "api_bench: --apis must include native" >&2; exit 2; }
ganserve=$build/server/ganserve ganctl=$build/client/ganctl
for tool in "$ganserve" "$ganctl"; do
  [[ -x $tool ]] || { echo "api_bench: build $tool first" >&2; exit 1; }
done
port=50093 http_port=50094
"$ganserve" --address 127.0.0.1:$port --metrics_port -1 --http_port $http_port \
  --model "m=$model" >/tmp/api_bench_access.log 2>/tmp/api_bench_server.log &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  "$ganctl" health --target 127.0.0.1:$port >/dev/null 2>&1 && break
  sleep 0.1
done

# bench NAME SEED: one run from SEED; prints its JSON on one line. The loop
# gives every run but "cached" a seed range no earlier run used, so the
# response cache never answers it (bench runs in a subshell: it cannot keep
# the count itself).
bench() {
  local api=$1 seed=$2 extra=""
  case $1 in
    http) extra="--http-target 127.0.0.1:$http_port" ;;
    cached) api=native extra="--seed-cycle 16 --seed 0" ;;
  esac
  # shellcheck disable=SC2086  # $load and $extra are lists of flags
  "$ganctl" bench --api "$api" --target 127.0.0.1:$port --model m --progress off --format json \
    --warmup 2s -d "$duration" --seed $seed $load $extra 2>/dev/null | tr -d '\n'
  echo
}

echo "api_bench $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "ISA: $(grep -o -w 'avx2\|avx512f\|avx512_bf16\|avx512_vnni\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: tests/bench/api_bench.sh --duration $duration --rounds $rounds --load \"$load\" --apis \"$apis\""
echo
results=$(mktemp)
echo "| round | api | images/s | p50 ms | p99 ms | errors | / native |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
seed=1
for round in $(seq "$rounds"); do
  for api in $apis; do
    echo "$round $api $(bench "$api" $seed)" >>"$results"
    seed=$((seed + 10000000))
  done
  python3 - "$round" "$results" <<'PY'
import json, sys
round_ = sys.argv[1]
rows = [line.split(" ", 2) for line in open(sys.argv[2])]
rows = [(api, json.loads(text)) for r, api, text in rows if r == round_]
native = dict(rows)["native"]["images_per_s"]
seen = set()
for api, r in rows:
    if api in seen:
        continue
    seen.add(api)
    lat = r["latency_ms"]
    share = "" if api == "native" else "%.1f%%" % (100 * r["images_per_s"] / native)
    print("| %s | %s | %.0f | %.2f | %.2f | %d | %s |" % (round_, api, r["images_per_s"],
                                                      lat["p50"], lat["p99"], r["errors"], share))
PY
done
python3 - "$results" <<'PY'
import collections, json, statistics, sys
by_round = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, api, text = line.split(" ", 2)
    by_round[r].setdefault(api, json.loads(text)["images_per_s"])
apis = [a for a in next(iter(by_round.values())) if a != "native"]
print()
print("medians over %d rounds: native %.0f images/s" % (
    len(by_round), statistics.median(r["native"] for r in by_round.values())))
for api in apis:
    shares = [r[api] / r["native"] for r in by_round.values()]
    print("- %s: %.0f images/s, %.1f%% of native (median of the per-round shares)" % (
        api, statistics.median(r[api] for r in by_round.values()), 100 * statistics.median(shares)))
PY
rm -f "$results"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
