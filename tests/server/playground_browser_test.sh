#!/usr/bin/env bash
# Headless Chromium opens the playground of a live ganserve with ?label=3&seed=11&n=16,
# which sets the page's controls as a user would and draws the grid; the test
# asserts all 16 <img> loaded with naturalWidth > 0 (the page records it in
# #status) and that they are the URLs for that label and seed, then saves a
# screenshot to OUT_DIR/playground.png. Exit 77 (ctest SKIP) where Chromium
# is missing or cannot start.
#   tests/server/playground_browser_test.sh GANSERVE OUT_DIR
set -euo pipefail
ganserve=$1
out_dir=$2
mkdir -p "$out_dir"
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

chromium=$(command -v chromium || true)
if [[ -z $chromium ]]; then
  echo "SKIP: chromium is not installed (deploy/install-deps.sh installs it)"
  exit 77
fi
# As root Chromium needs --no-sandbox; containers often have a small /dev/shm.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
       --user-data-dir="$work/profile")
if ! timeout 60 "$chromium" "${flags[@]}" --dump-dom about:blank >/dev/null 2>"$work/probe.log"; then
  echo "SKIP: chromium cannot run here: $(grep -v '^\s*$' "$work/probe.log" | tail -n 1)"
  exit 77
fi

"$ganserve" --address 127.0.0.1:0 --metrics_port -1 --http_port 0 --repository_poll_s 0 \
  2>"$work/server.log" &
server_pid=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's/.* http_port=\([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
  [[ -n $port ]] && break
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "FAIL: ganserve did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

url="http://127.0.0.1:$port/?label=3&seed=11&n=16"
browse() { timeout 120 "$chromium" "${flags[@]}" --virtual-time-budget=20000 "$@" "$url" 2>>"$work/chromium.log"; }
browse --dump-dom >"$work/dom.html"

fail() { echo "FAIL: $*" >&2; sed -n '/id="status"/p' "$work/dom.html" >&2; exit 1; }
grep -q 'data-requested="16"' "$work/dom.html" || fail "the page did not draw 16 images"
grep -q 'data-loaded="16"' "$work/dom.html" || fail "not every image loaded with naturalWidth > 0"
grep -q 'data-broken="0"' "$work/dom.html" || fail "some images failed to load"
wanted=$(grep -o 'src="/v1/models/fashion-cgan/images/11.png?index=[0-9]*&amp;label=3"' "$work/dom.html" | sort -u | wc -l)
[[ $wanted -eq 16 ]] || fail "expected 16 image URLs for seed 11, label 3; found $wanted"
grep -q 'interpolate.png?from=1&amp;to=2&amp;steps=8&amp;label=3' "$work/dom.html" ||
  fail "the interpolation strip was not drawn"

browse --window-size=1100,1000 --screenshot="$out_dir/playground.png" >/dev/null
[[ $(head -c 4 "$out_dir/playground.png" | od -An -c | tr -d ' ') == 211PNG ]] ||
  fail "no screenshot at $out_dir/playground.png"
echo "PASS: 16 of 16 images loaded; screenshot $out_dir/playground.png"
