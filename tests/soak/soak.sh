#!/usr/bin/env bash
# Saturation soak: one ganserve under a mixed load (single images, batches,
# streams, cancelled streams, calls with hopeless deadlines, bad requests)
# for DURATION, sampling the server's RSS, threads, open fds and its status
# counts every 10 s. Exit 0 when there was no unexpected error, fds and
# threads stayed flat, SIGTERM then drained every call and exited 0 (and, for
# runs of 10 minutes or more, RSS drifted < 5% between minute 5 and the end).
#   tests/soak/soak.sh 60s                    # the ctest version
#   tests/soak/soak.sh 30m --out /tmp/soak    # the RELIABILITY.md run
# Env: GANSERVE_BUILD_DIR (default build/), GANSERVE_SOAK_FLAGS (extra ganserve flags).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${GANSERVE_BUILD_DIR:-$root/build}
ganserve=$build/server/ganserve
ganctl=$build/client/ganctl

[[ $# -ge 1 ]] || { sed -n '2,12p' "$0"; exit 2; }
duration=$1
shift
out=$(mktemp -d /tmp/ganserve-soak.XXXXXX)
[[ ${1:-} == --out ]] && { out=$2; mkdir -p "$out"; }
case $duration in
  *m) seconds=$((${duration%m} * 60)) ;;
  *s) seconds=${duration%s} ;;
  *) seconds=$duration ;;
esac

"$ganserve" --address=127.0.0.1:0 --metrics_port=0 --http_port=-1 --repository_poll_s=0 \
  ${GANSERVE_SOAK_FLAGS:-} >"$out/server.log" 2>&1 &
server=$!
children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  ((${#children[@]} == 0)) || wait "${children[@]}" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 600); do
  grep -q "ganserve listening" "$out/server.log" && break
  kill -0 $server 2>/dev/null || { cat "$out/server.log"; exit 1; }
  sleep 0.1
done
port=$(sed -n 's/.*listening .* port=\([0-9]*\) .*/\1/p' "$out/server.log")
metrics_port=$(sed -n 's/.*metrics_port=\([0-9]*\).*/\1/p' "$out/server.log")
target=127.0.0.1:$port
end=$((SECONDS + seconds))
echo "soak: ganserve pid $server on $target (metrics :$metrics_port) for ${seconds}s; output in $out"

# Each load class loops until the end, one line per outcome in $out/<class>.log.
# outcome WHAT TEXT: the status name of ganctl's "failed (code N): ..." line.
outcome() {
  local code
  code=$(sed -n 's/.*failed (code \([0-9]*\)).*/\1/p' <<<"$2" | head -n 1)
  case $code in
    3) echo INVALID_ARGUMENT ;;
    4) echo DEADLINE_EXCEEDED ;;
    8) echo RESOURCE_EXHAUSTED ;;
    *) echo "unexpected: $1: $(tail -n 1 <<<"$2")" ;;
  esac
}
bench_loop() {  # class, bench flags...
  local class=$1
  shift
  while ((SECONDS < end - 2)); do
    local chunk=$((end - SECONDS - 1 < 10 ? end - SECONDS - 1 : 10))
    "$ganctl" bench --target "$target" --progress off --format json -d "${chunk}s" "$@" \
      >"$out/$class.json" 2>/dev/null || true
    python3 "$root/tests/soak/bench_codes.py" "$out/$class.json" >>"$out/$class.log"
  done
}
bench_loop single -c 3 -b 1 &
children+=($!)
bench_loop batch -c 1 -b 16 &
children+=($!)
bench_loop deadline -c 1 -b 48 --deadline 40ms &
children+=($!)
(
  i=0
  while ((SECONDS < end - 2)); do
    i=$((i + 1))
    text=$("$ganctl" generate --target "$target" --stream -n 32 --seed $i --label $((i % 10)) \
      -o "$out/stream/" 2>&1) && echo OK || outcome "stream" "$text"
    rm -rf "$out/stream"
  done >>"$out/stream.log"
) &
children+=($!)
(
  while ((SECONDS < end - 2)); do
    "$ganctl" generate --target "$target" --stream -n 256 --label 1 -o "$out/cancel/" \
      >/dev/null 2>&1 &
    sleep 0.$((RANDOM % 5 + 1))
    kill -KILL $! 2>/dev/null || true
    wait $! 2>/dev/null || true
    echo CANCELLED
    rm -rf "$out/cancel"
  done >>"$out/cancel.log"
) &
children+=($!)
(
  while ((SECONDS < end - 2)); do
    for bad in "-n 1000 --label 1" "-n 1 --truncation 0.001 --label 1" "--stream -n 999 --label 2"; do
      # shellcheck disable=SC2086
      text=$("$ganctl" generate --target "$target" $bad -o "$out/bad/" 2>&1) &&
        echo "unexpected: '$bad' was answered" || outcome "$bad" "$text"
    done
    text=$("$ganctl" generate --target "$target" --model nope -n 1 -o "$out/bad/" 2>&1) &&
      echo "unexpected: model nope was answered" ||
      { [[ $text == *'no model named "nope"'* ]] && echo NOT_FOUND || echo "unexpected: $text"; }
    sleep 0.2
  done >>"$out/bad.log"
) &
children+=($!)

# One sample every 10 s: seconds, RSS kB, threads, fds, then the server's count per status code.
echo "t_s rss_kb threads fds codes" >"$out/samples.txt"
next=$((SECONDS + 10))
while ((SECONDS < end)); do
  sleep $((next - SECONDS > 0 ? next - SECONDS : 0))
  next=$((next + 10))
  kill -0 $server 2>/dev/null || { echo "soak: ganserve died"; tail -20 "$out/server.log"; exit 1; }
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$server/status)
  threads=$(awk '/^Threads/ {print $2}' /proc/$server/status)
  fds=$(ls /proc/$server/fd | wc -l)
  codes=$(python3 -c "import urllib.request as u, sys; sys.stdout.write(u.urlopen(sys.argv[1]).read().decode())" \
    "http://127.0.0.1:$metrics_port/metrics" |
    awk -F'[{}]' '/^ganserve_requests_total/ {split($2, kv, "code=\""); split(kv[2], c, "\""); n[c[1]] += $3}
                  END {for (k in n) printf "%s=%d,", k, n[k]}')
  echo "$((seconds - end + SECONDS)) $rss $threads $fds ${codes%,}" | tee -a "$out/samples.txt"
done
for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
children=()
# A call the server lost track of would keep the drain waiting: SIGTERM must end it promptly.
kill -TERM $server
for _ in $(seq 600); do kill -0 $server 2>/dev/null || break; sleep 0.1; done
if kill -0 $server 2>/dev/null; then
  echo "unexpected: ganserve still draining 60 s after SIGTERM" >"$out/drain.log"
  kill -KILL $server
fi
rc=0
wait $server || rc=$?
if ((rc != 0)); then
  echo "unexpected: ganserve exited $rc after SIGTERM" >>"$out/drain.log"
elif grep -q "all_in_flight_finished=true" "$out/server.log"; then
  echo DRAINED >"$out/drain.log"
else
  echo "unexpected: calls were still in flight at the end of the drain" >"$out/drain.log"
fi
python3 "$root/tests/soak/soak_summary.py" "$out"
