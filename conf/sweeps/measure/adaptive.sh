#!/usr/bin/env bash
# Reproduces the README's "Measured (sensitivity, knee, halving)" figures on the quickstart's dense model.
# Usage: conf/sweeps/measure/adaptive.sh [STEP...]   steps: plan (sensitivity scan, plan vs uniform), knee, halving;
#        default all three. DENSE=<checkpoint> overrides the shared quickstart fixture.
# Writes runs/measure/<name>/ and <name>.log; then: python3 conf/sweeps/measure/summary.py plan|knee|halving
set -uo pipefail
cd "$(dirname "$0")/../../.."
F=${DENSE:-../shared/fixtures/quickstart-dense/dense-yolov8n-shapes128.safetensors}
M=runs/measure
mkdir -p $M
t() { local name=$1; shift; echo "== $name start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "$name wall %e s" "$@" > $M/$name.log 2>&1
  echo "== $name end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; }
plan() {
t sensitivity ./prunesweep sweep conf/sweeps/sensitivity.yaml --set model.checkpoint=$F --set output=$M/sensitivity
PLAN=$M/sensitivity/sensitivity/overrides_bn_lambda0_seed0_tol0.01.yaml
G="--min-channels 8 --round-to 8 --imgsz 128 --weights $F --method bn"
./prunesweep prune $G --ratio 0 --overrides $PLAN --out $M/plan-prune > $M/plan-prune.log 2>&1
FRAC=$(python3 -c "import json; d=json.load(open('$M/plan-prune/prune-report.json')); print(d['gflops_after']/d['gflops_before'])")
./prunesweep prune $G --target-gflops $FRAC --out $M/uniform-prune > $M/uniform-prune.log 2>&1
R=$(python3 -c "import json; d=json.load(open('$M/uniform-prune/prune-report.json')); print(round(d['ratio'], 4))")
echo "== plan GFLOPs fraction $FRAC, uniform ratio at equal GFLOPs $R"
t plan ./prunesweep sweep conf/sweeps/knee.yaml --set model.checkpoint=$F --set output=$M/plan --set sweep.id=plan \
  --set search.mode=none --set 'prune.ratios=[0]' --set prune.overrides=$PLAN
t uniform ./prunesweep sweep conf/sweeps/knee.yaml --set model.checkpoint=$F --set output=$M/uniform --set sweep.id=uniform \
  --set search.mode=none --set "prune.ratios=[$R]"
}
# knee: the coarse grid 0.2..0.8 plus up to 3 bisection rounds vs a dense grid at 0.05 spacing over the same range.
# The grid starts from copies of the knee run's stages (the same ids: dense import, 0.2/0.4/.. and the midpoints), so
# those points are not trained twice; its cost is still the stage time of all 16 points, from their result files.
knee_search() {
t knee ./prunesweep sweep conf/sweeps/knee.yaml --set model.checkpoint=$F --set output=$M/knee
}
grid05() {
mkdir -p $M/grid05/stages/points && cp -rn $M/knee/stages/dense $M/grid05/stages/ && cp -rn $M/knee/stages/points/. $M/grid05/stages/points/
t grid05 ./prunesweep sweep conf/sweeps/knee.yaml --set model.checkpoint=$F --set output=$M/grid05 --set sweep.id=grid05 \
  --set 'prune.ratios=[0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65,0.7,0.75,0.8]' --set search.mode=none
}
# halving: conf/sweeps/halving.yaml (eta 3) vs the same grid with every point finetuned the full epochs.finetune,
# from copies of the halving run's dense and sparse stages (shared by both; the points are not: a promoted point
# has the id of the full-budget point)
halving_search() {
t halving ./prunesweep sweep conf/sweeps/halving.yaml --set model.checkpoint=$F --set output=$M/halving
}
fullgrid() {
mkdir -p $M/fullgrid/stages && cp -rn $M/halving/stages/dense $M/halving/stages/sparse $M/fullgrid/stages/
t fullgrid ./prunesweep sweep conf/sweeps/halving.yaml --set model.checkpoint=$F --set output=$M/fullgrid \
  --set sweep.id=fullgrid --set search.mode=none
}
knee() { knee_search; grid05; }
halving() { halving_search; fullgrid; }
for step in ${@:-plan knee halving}; do $step; done
