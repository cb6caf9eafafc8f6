#!/usr/bin/env bash
# Reproduces README "Speed": the training run of issue 12 (YOLOv8n from scratch, 15 epochs, 512 train / 128 val
# generated shapes at 128 px, batch 16, nbs 16, AdamW lr0 0.002, no warmup, RAM cache, 1 loader worker, 2 libtorch
# threads, validation every epoch), the per-phase step breakdown, the OpenMP wait policies alone and with two
# processes sharing the cores, validation time, and inference at 640 px (DJL with and without BatchNorm folded,
# ONNX Runtime; batch 1 and 32). Prints the CPU and the load with every part: run it on an otherwise idle machine.
#
#   deploy/bench/speed.sh [output folder, default /tmp/prunesweep-speed] [parts: run,step,policy,val,infer]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PS="$ROOT/prunesweep"
OUT="${1:-/tmp/prunesweep-speed}"
PARTS="${2:-run,step,policy,val,infer}"
THREADS="${THREADS:-2}"
mkdir -p "$OUT"
cpu() { echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo 'no AVX-512'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"; }
part() { [[ ",$PARTS," == *",$1,"* ]]; }
cpu
DATA="$OUT/shapes512/data.yaml"
[ -f "$DATA" ] || "$PS" data synth --out "$OUT/shapes512" --train 512 --val 128 --imgsz 128 >/dev/null
TRAIN_ARGS=(--data "$DATA" --model yolov8 --scale n --imgsz 128 --batch 16 --nbs 16 --optimizer AdamW --lr0 0.002
  --warmup-epochs 0 --cache --workers 1 --threads "$THREADS")

if part run; then
  echo "== whole run: 15 epochs, validation every epoch"
  rm -rf "$OUT/run"
  start=$(date +%s.%N)
  "$PS" train "${TRAIN_ARGS[@]}" --epochs 15 --out "$OUT/run" > "$OUT/run.log" 2>&1
  end=$(date +%s.%N)
  tail -n 3 "$OUT/run.log"
  awk -F, 'NR > 1 { n++; s += $NF } END { if (n) printf "training throughput, mean over %d epochs: %.1f img/s (results.csv)\n", n, s / n }' "$OUT/run/results.csv" || true
  printf "whole run: %.1f s wall (JVM start and backend recheck included)\n" "$(echo "$end - $start" | bc)"
  cpu
fi

if part step; then
  echo "== one training step, by phase (AdamW, nbs = batch: one optimizer step per batch)"
  "$PS" bench train --data "$DATA" --model yolov8 --scale n --imgsz 128 --batch 16 --nbs 16 --optimizer AdamW \
    --threads "$THREADS" --workers 1 --part train --warmup 5 --iters 60 2>/dev/null
  cpu
fi

if part policy; then
  echo "== OpenMP wait policy: one process with $THREADS threads, then two processes with 1 thread each at once"
  for policy in ACTIVE default PASSIVE; do
    env_policy=(); [ "$policy" = default ] && env_policy=(env -u OMP_WAIT_POLICY) || env_policy=(env OMP_WAIT_POLICY=$policy)
    one=$("${env_policy[@]}" "$PS" bench train --data "$DATA" --model yolov8 --scale n --imgsz 128 --batch 16 --nbs 16 \
      --threads "$THREADS" --part train --iters 30 --json 2>/dev/null | grep '"images_per_s"' | grep -o '[0-9.]*')
    for i in 1 2; do
      "${env_policy[@]}" "$PS" bench train --data "$DATA" --model yolov8 --scale n --imgsz 128 --batch 16 --nbs 16 \
        --threads 1 --part train --iters 30 --json 2>/dev/null | grep '"images_per_s"' | grep -o '[0-9.]*' > "$OUT/policy-$i" &
    done
    wait
    printf "%-8s one process: %6.1f img/s   two processes: %6.1f + %6.1f img/s\n" "$policy" "$one" "$(cat "$OUT/policy-1")" "$(cat "$OUT/policy-2")"
  done
  cpu
fi

if part val; then
  echo "== validation of the run's model on the 128 val images (BatchNorm folded)"
  W="$OUT/run/last.safetensors"
  [ -f "$W" ] || { echo "no $W: run the 'run' part first"; exit 2; }
  start=$(date +%s.%N)
  "$PS" val --weights "$W" --data "$DATA" --imgsz 128 --batch 16 --workers 1 2>/dev/null | tail -n 6
  end=$(date +%s.%N)
  printf "val command: %.1f s wall (JVM start included)\n" "$(echo "$end - $start" | bc)"
  cpu
fi

if part infer; then
  echo "== inference, YOLOv8n 80 classes at 640 px, batch 1 and 32"
  "$PS" bench --model yolov8 --scale n --nc 80 --imgsz 640 --batch 1,32 --warmup 3 --iters 10 --runtime djl 2>/dev/null
  "$PS" bench --model yolov8 --scale n --nc 80 --imgsz 640 --batch 1,32 --warmup 3 --iters 10 --runtime djl --no-fuse 2>/dev/null
  "$PS" bench --model yolov8 --scale n --nc 80 --imgsz 640 --batch 1,32 --warmup 3 --iters 10 --runtime onnx 2>/dev/null
  cpu
fi
