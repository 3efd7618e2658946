#!/usr/bin/env bash
# ganserve against its own engine, in one run per model: engine-only img/s at
# batch 1/16/64 (tests/bench/engine_rate, no gRPC) both as one worker with a
# team of all cores and as ganserve's default of one one-thread worker per
# core in parallel; then
# ganctl bench against a fresh ganserve at -c 1/16/64/1024 -b 1, -c 4 -b 64 and
# open loop at 50/90/200% of the -c 64 -b 1 capacity, and -c 1024 -b 8, whose
# queued work is past --max_queue_time_ms, so calls are refused; server RSS after a sweep
# through every batch size 1..max_batch at --max_batch 16 and 64; and the
# server's thread count with 10,000 calls in flight. Prints a markdown table
# per model for BENCHMARKS.md, then each target of issue 12 against the best
# engine-only figure of the run (the strictest baseline). The load tester shares the cores with the
# server, as a sidecar would.
#
#   tests/bench/serve_bench.sh [--duration 10s] [--models a.keras,b.h5] [--build build]
#                              [--ganserve other/ganserve] [--server-flags "--png_level 0"]
# Default models: the bundled fashion-cgan and ../shared/models/kifal_anime_generator.h5.
# --ganserve runs another server binary (e.g. an older build, for old vs new)
# against the same ganctl; flags it does not know are left out. --server-flags
# are given to every server of the run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
duration=10s build=$repo/build ganserve_override= server_flags=
models=$repo/models/fashion-cgan/generator.keras
[[ -f $repo/../shared/models/kifal_anime_generator.h5 ]] &&
  models+=,$repo/../shared/models/kifal_anime_generator.h5
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2 ;;
    --models) models=$2 ;;
    --build) build=$2 ;;
    --ganserve) ganserve_override=$2 ;;
    --server-flags) server_flags=$2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
ganserve=${ganserve_override:-$build/server/ganserve} ganctl=$build/client/ganctl rate=$build/tests/bench/engine_rate
for tool in "$ganserve" "$ganctl" "$rate"; do
  [[ -x $tool ]] || { echo "serve_bench: build $tool first" >&2; exit 1; }
done
port=50091 metrics_port=50092
# Which flags the server knows, read once: `--helpfull` exits 1, so under
# pipefail a `--helpfull | grep -q` test always failed, and the flags it
# guards (--cache_mb 0 for the RSS sweep among them) were silently left out.
server_help=$("$ganserve" --helpfull 2>&1 || true)
knows_flag() { [[ $server_help == *"-$1"* ]]; }
server_pid=
# Every ganctl run asks for seeds no earlier run asked for: the server's
# response cache would otherwise answer repeats without running the engine.
# (Call it outside $(...), whose subshell would lose the count.)
next_seed=1
fresh_seed() { next_seed=$((next_seed + 10000000)); }

stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# start_server PATH FLAGS...: ganserve on $port, returns once it answers.
start_server() {
  local path=$1
  shift
  # Servers that have an HTTP port get it closed, so it cannot collide with a busy one.
  local http=()
  if knows_flag http_port; then http=(--http_port -1); fi
  # shellcheck disable=SC2086  # the extra flags are words
  "$ganserve" --address 127.0.0.1:$port --metrics_port $metrics_port "${http[@]}" --model "m=$path" "$@" $server_flags \
    >/tmp/serve_bench_server.out 2>/tmp/serve_bench_server.log &
  server_pid=$!
  for _ in $(seq 600); do
    "$ganctl" health --target 127.0.0.1:$port >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "serve_bench: ganserve did not start; see /tmp/serve_bench_server.log" >&2
  exit 1
}

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/"$server_pid"/status; }
threads() { ls /proc/"$server_pid"/task | wc -l; }

# bench ARGS...: one ganctl bench run; prints its JSON on one line.
bench() {
  "$ganctl" bench --target 127.0.0.1:$port --model m --progress off --format json \
    --warmup 1s --seed $next_seed "$@" 2>/dev/null | tr -d '\n'
  echo
}

# compute_totals: "seconds batches" the server's engine has spent so far.
compute_totals() {
  python3 - "$metrics_port" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode()
total = {"sum": 0.0, "count": 0.0}
for line in text.splitlines():
    for kind in total:
        if line.startswith("ganserve_compute_duration_seconds_" + kind):
            total[kind] += float(line.split()[-1])
print(total["sum"], int(total["count"]))
PY
}

# row LABEL JSON: a table row of a bench result.
row() {
  python3 - "$1" "$2" <<'PY'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
lat, refused = r["latency_ms"], r["error_latency_ms"]
cells = [label, "%.0f" % r["images_per_s"], "%.2f" % lat["p50"], "%.2f" % lat["p99"],
         "%.1f%%" % (100 * r["error_rate"]),
         "%.2f / %.2f" % (refused["p99"], refused["max"]) if r["errors"] else "-",
         "%.1f%%" % (100.0 * r["late"] / max(1, r["sent"])) if r["mode"] == "open" else "-"]
print("| " + " | ".join(cells) + " |")
PY
}

echo "serve_bench $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "ISA: $(grep -o -w 'avx2\|avx512f\|avx512_bf16\|avx512_vnni\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rss
IFS=, read -r -a model_list <<<"$models"
for model in "${model_list[@]}"; do
  echo
  echo "### $(basename "$model")"
  echo
  echo '```'
  rates=/tmp/serve_bench_rates.txt
  : >"$rates"
  # engine_rows TITLE ARGS...: one engine_rate run, shown and kept for the targets.
  engine_rows() {
    echo "$1"
    shift
    "$@" | tee -a "$rates"
  }
  cores=$(nproc)
  engine_rows "engine only, $cores workers x 1 thread in parallel (ganserve's default --workers):" \
    "$rate" "$model" --batches 1,16,64 --seconds 3 --workers "$cores"
  engine_rows "engine only, 1 worker x $cores threads, OpenMP default wait policy:" \
    "$rate" "$model" --batches 1,16,64 --seconds 3
  # On some VMs a sleeping OpenMP thread wakes in ~10 ms, which dominates an
  # idle process's small batches; spinning threads show what the engine can do.
  engine_rows "engine only, 1 worker x $cores threads, OMP_WAIT_POLICY=active:" \
    env OMP_WAIT_POLICY=active "$rate" "$model" --batches 1,16,64 --seconds 3
  echo '```'
  echo
  # Open loop measures from the scheduled send time, so a client thread that
  # wakes late adds to every latency; "sent late" is the share sent over 1 ms
  # behind schedule (the load tester shares the cores).
  echo "| load (ganserve --max_batch 64) | img/s | p50 ms | p99 ms | errors | refused p99 / max ms | sent late |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  start_server "$model" --max_batch 64
  capacity=0
  for c in 1 16 64 1024; do
    ((c == 1)) && before_c1=$(compute_totals)
    fresh_seed
    result=$(bench -c $c -b 1 -d "$duration")
    row "-c $c -b 1" "$result"
    ((c == 1)) && c1_result=$result after_c1=$(compute_totals)
    ((c == 64)) && c64_result=$result
    ((c == 1024)) && c1024_result=$result
    if ((c == 64)); then
      capacity=$(python3 -c 'import json,sys; print(int(json.loads(sys.argv[1])["images_per_s"]))' "$result")
    fi
  done
  fresh_seed
  overload_result=$(bench -c 1024 -b 8 -d "$duration")
  row "-c 1024 -b 8" "$overload_result"
  fresh_seed
  c4_result=$(bench -c 4 -b 64 -d "$duration")
  row "-c 4 -b 64" "$c4_result"
  for pct in 50 90 200; do
    r=$((capacity * pct / 100))
    fresh_seed
    open_result=$(bench -r $r -b 1 -d "$duration")
    row "open loop -r $r -b 1 ($pct%)" "$open_result"
  done
  # The engine-only rows come from an idle process; the server's own batch
  # time during the -c 1 row is the engine time that call actually waited for.
  python3 - "$before_c1" "$after_c1" "$c1_result" <<'PY'
import json, sys
(s0, n0), (s1, n1) = (map(float, a.split()) for a in sys.argv[1:3])
mean = json.loads(sys.argv[3])["latency_ms"]["mean"]
if n1 > n0:
    ms = (s1 - s0) / (n1 - n0) * 1e3
    print("\nDuring -c 1 -b 1 the server's engine took %.3f ms per batch on average (%d "
          "batches); the calls' mean latency %.2f ms is %.2f ms above it." % (ms, n1 - n0, mean, mean - ms))
PY
  stop_server

  # The sweep's seeded images would fill the response cache (up to --cache_mb),
  # which is not the engine memory this measures.
  no_cache=()
  if knows_flag cache_mb; then no_cache=(--cache_mb 0); fi
  for max_batch in 16 64; do
    start_server "$model" --max_batch $max_batch "${no_cache[@]}"
    for b in $(seq 1 $max_batch); do
      fresh_seed
      "$ganctl" bench --target 127.0.0.1:$port --model m --progress off -c 1 -b $b -N 2 \
        --seed $next_seed >/dev/null 2>&1
    done
    rss[$max_batch]=$(rss_mb)
    echo "RSS after a sweep of batch sizes 1..$max_batch at --max_batch $max_batch: ${rss[$max_batch]} MB"
    stop_server
  done

  if knows_flag max_queue_time_ms; then
    start_server "$model" --max_batch 64 --max_queued_images 20000 --max_queue_time_ms 600000
  else
    start_server "$model" --max_batch 64
  fi
  before=$(threads)
  fresh_seed
  "$ganctl" bench --target 127.0.0.1:$port --model m --progress off -c 10000 --connections 10 -b 1 -d 5s \
    --seed $next_seed \
    >/tmp/serve_bench_10k.txt 2>&1 &
  bench_pid=$!
  most=0
  while kill -0 $bench_pid 2>/dev/null; do
    n=$(threads)
    ((n > most)) && most=$n
    sleep 0.05
  done
  wait $bench_pid || true
  echo "server threads: $before idle, at most $most with ganctl bench -c 10000 in flight ($(nproc) cores; target ≤ $((4 * $(nproc) + 16)))"
  stop_server
  python3 "$repo/tests/bench/serve_targets.py" "$rates" "$c1_result" "$c64_result" \
    "$c1024_result" "$c4_result" "$open_result" "${rss[16]}" "${rss[64]}" "$most" "$cores" \
    "$(knows_flag max_queue_time_ms && echo 1000 || echo 0)" "$overload_result"
done
