#!/usr/bin/env bash
# The cost of each API over the same generation: ganctl bench at one load
# (default -c 16 -b 1) against one ganserve, alternating --api native and
# --api v2 (Open Inference Protocol ModelInfer, png output) for several rounds
# so machine noise hits both alike. Prints a markdown table for BENCHMARKS.md
# with each run and, per round, v2's throughput as a share of native's, then
# the median share over the rounds (robust to a noisy neighbour hitting one run).
#
#   tests/bench/api_bench.sh [--duration 10s] [--rounds 3] [--load "-c 16 -b 1"]
#                            [--model models/fashion-cgan/generator.keras] [--build build]
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
duration=10s rounds=3 load="-c 16 -b 1" build=$repo/build
model=$repo/models/fashion-cgan/generator.keras
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2 ;;
    --rounds) rounds=$2 ;;
    --load) load=$2 ;;
    --model) model=$2 ;;
    --build) build=$2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
ganserve=$build/server/ganserve ganctl=$build/client/ganctl
for tool in "$ganserve" "$ganctl"; do
  [[ -x $tool ]] || { echo "api_bench: build $tool first" >&2; exit 1; }
done
port=50093
"$ganserve" --address 127.0.0.1:$port --metrics_port -1 --http_port -1 --model "m=$model" \
  2>/tmp/api_bench_server.log &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  "$ganctl" health --target 127.0.0.1:$port >/dev/null 2>&1 && break
  sleep 0.1
done

# bench API: one run; prints its JSON on one line.
bench() {
  # shellcheck disable=SC2086  # $load is a list of flags
  "$ganctl" bench --api "$1" --target 127.0.0.1:$port --model m --progress off --format json \
    --warmup 2s -d "$duration" $load 2>/dev/null | tr -d '\n'
  echo
}

echo "api_bench $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "ISA: $(grep -o -w 'avx2\|avx512f\|avx512_bf16\|avx512_vnni\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: tests/bench/api_bench.sh --duration $duration --rounds $rounds --load \"$load\""
echo
shares=$(mktemp)
echo "| round | api | images/s | p50 ms | p99 ms | errors | v2 / native |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq "$rounds"); do
  native=$(bench native)
  v2=$(bench v2)
  python3 - "$round" "$native" "$v2" "$shares" <<'PY'
import json, sys
round_, native, v2 = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
with open(sys.argv[4], "a") as shares:
    shares.write("%f %f\n" % (native["images_per_s"], v2["images_per_s"]))
for name, r in (("native", native), ("v2", v2)):
    lat = r["latency_ms"]
    share = "%.1f%%" % (100 * v2["images_per_s"] / native["images_per_s"]) if name == "v2" else ""
    print("| %s | %s | %.0f | %.2f | %.2f | %d | %s |" % (round_, name, r["images_per_s"], lat["p50"],
                                                      lat["p99"], r["errors"], share))
PY
done
python3 - "$shares" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
native, v2 = zip(*rows)
print()
print("median v2 / native over %d rounds: %.1f%%; medians: native %.0f, v2 %.0f images/s"
      % (len(rows), 100 * statistics.median(b / a for a, b in rows), statistics.median(native),
         statistics.median(v2)))
PY
rm -f "$shares"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
