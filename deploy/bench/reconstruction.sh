#!/usr/bin/env bash
# Reproduces README "Measured: reconstruction and unstructured" (the table without finetuning): the quickstart's
# trained dense YOLOv8n, pruned by bn and l1 at ratios 0.2 / 0.4 / 0.6 (global scope, min 8 channels, widths
# rounded to 8, as conf/sweeps/methods.yaml prunes), each validated as pruned and as pruned + reconstructed
# (least squares on --calib-images training images), with no finetuning at all. Reads the numbers from
# `prune --json` and `val --json`; prints a Markdown table, writes table.csv, and prints the CPU and the load.
#
#   deploy/bench/reconstruction.sh [output folder, default /tmp/prunesweep-reconstruction]
#   env: WEIGHTS (default: the fixture below), CALIB (default 64), METHODS ("bn l1"), RATIOS ("0.2 0.4 0.6")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PS="$ROOT/prunesweep"
OUT="${1:-/tmp/prunesweep-reconstruction}"
WEIGHTS="${WEIGHTS:-/work/shared/fixtures/quickstart-dense/dense-yolov8n-shapes128.safetensors}"
CALIB="${CALIB:-64}"
METHODS="${METHODS:-bn l1}"
RATIOS="${RATIOS:-0.2 0.4 0.6}"
mkdir -p "$OUT"
cpu() { echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo 'no AVX-512'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"; }
# one value out of a JSON file: jget FILE key.subkey
# (the JSON starts at the first "{": val prints the data YAML's resolved location before it)
jget() { python3 -c 'import json,sys; t=open(sys.argv[1]).read(); v=json.loads(t[t.index("{"):])
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$1" "$2"; }
cpu
# the quickstart's data: 256 train (the calibration images are the first CALIB of them) + 32 val images, 128 px
DATA="$OUT/shapes128/data.yaml"
[ -f "$DATA" ] || "$PS" data synth --out "$OUT/shapes128" --train 256 --val 32 --imgsz 128 --seed 0 >/dev/null
VAL=(--data "$DATA" --imgsz 128 --batch 16 --json)
PRUNE=(--weights "$WEIGHTS" --scope global --min-channels 8 --round-to 8 --imgsz 128 --json)

"$PS" val --weights "$WEIGHTS" "${VAL[@]}" 2>/dev/null > "$OUT/dense.val.json"
echo "method,ratio,params_before,params_after,dense_map50_95,dense_map50,pruned_map50_95,pruned_map50,reconstructed_map50_95,reconstructed_map50,reconstruct_seconds,reconstruct_convs,error_before,error_after" > "$OUT/table.csv"
for m in $METHODS; do
  for r in $RATIOS; do
    p="$OUT/$m-$r"
    rm -rf "$p" "$p-rec"
    "$PS" prune "${PRUNE[@]}" --method "$m" --ratio "$r" --out "$p" 2>/dev/null > "$p.prune.json"
    "$PS" val --weights "$p/pruned.safetensors" "${VAL[@]}" 2>/dev/null > "$p.val.json"
    "$PS" prune "${PRUNE[@]}" --method "$m" --ratio "$r" --reconstruct --calib-images "$CALIB" --data "$DATA" \
      --out "$p-rec" 2>/dev/null > "$p-rec.prune.json"
    "$PS" val --weights "$p-rec/pruned.safetensors" "${VAL[@]}" 2>/dev/null > "$p-rec.val.json"
    echo "$m,$r,$(jget "$p.prune.json" params_before),$(jget "$p.prune.json" params_after),$(jget "$OUT/dense.val.json" map50_95),$(jget "$OUT/dense.val.json" map50),$(jget "$p.val.json" map50_95),$(jget "$p.val.json" map50),$(jget "$p-rec.val.json" map50_95),$(jget "$p-rec.val.json" map50),$(jget "$p-rec.prune.json" reconstruct.seconds),$(jget "$p-rec.prune.json" reconstruct.convs),$(jget "$p-rec.prune.json" reconstruct.mean_relative_error_before),$(jget "$p-rec.prune.json" reconstruct.mean_relative_error_after)" >> "$OUT/table.csv"
    echo "done $m $r ($(date -u +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  done
done
echo
echo "| method | ratio | params | dense mAP50-95 (mAP50) | pruned | pruned + reconstructed | reconstruct s | convs re-fitted, mean rel. error before -> after |"
echo "|---|---|---|---|---|---|---|---|"
tail -n +2 "$OUT/table.csv" | awk -F, '{ printf "| %s | %s | %.2fM -> %.2fM | %.4f (%.4f) | %.4f (%.4f) | %.4f (%.4f) | %.1f | %d, %.3f -> %.3f |\n", $1, $2, $3 / 1e6, $4 / 1e6, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 }'
cpu
