#!/usr/bin/env bash
# ganserve's oneDNN executor vs ONNX Runtime (onnxruntime-node, CPU EP) vs
# PyTorch eager on the same generators (the zoo and its PyTorch twins in
# peer_models.py), same thread count, interleaved in one session: every round
# runs each model on all three engines in turn, so load changes on this shared
# machine hit all three alike. Prints images/s (median over rounds of each
# run's median) and the ratios ours/ORT and ours/PyTorch (median over rounds of
# the per-round ratio). "shed" is ours with OneDnnOptions::shed_threads_under_load
# (one thread while other load fills the cores), the peers always use --threads.
# "bf16" is ours with --precision bf16, where the CPU runs bf16 natively.
# --files adds real ONNX files (ours through ganserve's loader and the file's
# model.json, ORT on the file itself through tests/bench/ort_file_bench.js,
# which feeds every input, labels included; no PyTorch twin).
#
#   tests/bench/compare_peers.sh [--rounds 3] [--runs 20] [--threads 2]
#                                [--models a,b] [--files x.onnx,y.onnx] [--batches 1,8,64]
#                                [--out results.jsonl]
# Needs: build/tests/bench/peer_bench, /usr/bin/python3 with torch+onnx,
# ../shared/oracle with npm ci done, libopenblas0-pthread (PyTorch's BLAS).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
rounds=3 runs=20 threads=2 batches=1,8,64
models=tutorial_upsampling,tutorial_transpose,mnist_dcgan,dcgan64,upsampling128
files=
out=$repo/build/peer_results.jsonl
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2 ;;
    --runs) runs=$2 ;;
    --threads) threads=$2 ;;
    --models) models=$2 ;;
    --files) files=$2 ;;
    --batches) batches=$2 ;;
    --out) out=$2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done

bench=${PEER_BENCH:-$repo/build/tests/bench/peer_bench}
oracle=${ORACLE_DIR:-$repo/../shared/oracle}
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread
onnx_dir=$repo/build/peer_models
[[ -x $bench ]] || { echo "build peer_bench first ($bench)" >&2; exit 1; }
[[ -f $oracle/ort_bench.js ]] || { echo "no ort_bench.js in $oracle" >&2; exit 1; }
# ort_bench.js resolves onnxruntime-node through NODE_PATH when the oracle
# folder has no node_modules of its own: npm ci into build/peer_node.
node_path=$oracle/node_modules
if [[ ! -d $node_path ]]; then
  node_path=$repo/build/peer_node/node_modules
  if [[ ! -d $node_path ]]; then
    mkdir -p "$repo/build/peer_node"
    cp "$oracle"/{package.json,package-lock.json,.npmrc} "$repo/build/peer_node/"
    (cd "$repo/build/peer_node" && npm ci --no-audit --no-fund > /dev/null)
  fi
fi
[[ -d $openblas ]] || { echo "apt-get install libopenblas0-pthread (PyTorch's BLAS)" >&2; exit 1; }

nice -n 5 /usr/bin/python3 "$repo/tests/bench/export_peer_models.py" "$onnx_dir" > /dev/null 2>&1
: > "$out"
ort_json=$(mktemp)
trap 'rm -f "$ort_json"' EXIT
echo "# $(date -Is) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
bf16=no
"$bench" tutorial_upsampling --batches 1 --runs 1 --warmup 0 --precision bf16 > /dev/null 2>&1 && bf16=yes
echo "# bf16: $bf16" >&2
# The class count of a conditional file: its model.json's labels, else 10.
label_count() {
  /usr/bin/python3 -c '
import json, os, sys
path = os.path.join(os.path.dirname(sys.argv[1]), "model.json")
try:
    print(len(json.load(open(path)).get("labels", [])) or 10)
except OSError:
    print(10)' "$1"
}
for ((r = 1; r <= rounds; r++)); do
  for m in ${models//,/ } ${files//,/ }; do
    echo "# round $r/$rounds $m (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    nice -n 5 "$bench" "$m" --batches "$batches" --threads "$threads" --runs "$runs" |
      sed "s/^{/{\"round\": $r, /" >> "$out"
    nice -n 5 "$bench" "$m" --batches "$batches" --threads "$threads" --runs "$runs" --shed |
      sed "s/^{/{\"round\": $r, /" >> "$out"
    if [[ $bf16 == yes ]]; then
      nice -n 5 "$bench" "$m" --batches "$batches" --threads "$threads" --runs "$runs" \
        --precision bf16 | sed "s/^{/{\"round\": $r, /" >> "$out"
    fi
    onnx=$onnx_dir/$m.onnx
    ort_runner=(node ort_bench.js)
    if [[ -f $m ]]; then
      # A real file may have more inputs than a latent (a conditional
      # generator's label): feed every input it declares.
      onnx=$(realpath "$m")
      ort_runner=(node "$repo/tests/bench/ort_file_bench.js" --classes "$(label_count "$onnx")")
    fi
    # One batch size per call: a file with a fixed batch dimension (dekode's
    # is 1) fails the others without losing that one.
    for b in ${batches//,/ }; do
      (cd "$oracle" && NODE_PATH=$node_path nice -n 5 "${ort_runner[@]}" "$onnx" --batches "$b" \
        --threads "$threads" --runs "$runs" --warmup 3 --json "$ort_json" > /dev/null 2>&1) ||
        { echo "# ORT failed on $m at batch $b" >&2; echo '[]' > "$ort_json"; }
      /usr/bin/python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    print(json.dumps({"round": int(sys.argv[3]), "engine": "ort", "model": sys.argv[2],
                      "batch": r["batch"], "threads": r["threads"], "median_ms": r["median_ms"],
                      "images_per_s": r["images_per_s"]}))' "$ort_json" "$m" "$r" >> "$out"
    done
    [[ -f $m ]] && continue  # no PyTorch twin of a file
    OPENBLAS_NUM_THREADS=$threads LD_LIBRARY_PATH=$openblas nice -n 5 /usr/bin/python3 \
      "$repo/tests/bench/torch_bench.py" "$m" --batches "$batches" --threads "$threads" \
      --runs "$runs" | sed "s/^{/{\"round\": $r, /" >> "$out"
  done
done
echo "# done $(date -Is), load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/python3 "$repo/tests/bench/peer_table.py" "$out"
