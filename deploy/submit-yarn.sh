#!/usr/bin/env bash
# Submits a sweep to YARN (cluster mode by default: the driver runs in the ApplicationMaster container).
#
# usage: deploy/submit-yarn.sh [--gpus-per-executor N] [spark-submit options] SWEEP_YAML [--set key=value]...
#   deploy/submit-yarn.sh --gpus-per-executor 2 --num-executors 8 --executor-cores 8 --executor-memory 24g \
#       --queue gpu conf/sweeps/coco-yolov8s.yaml --set output=hdfs:///prunesweep/runs/coco-v1
# Needs a Spark distribution with YARN support (SPARK_HOME) and HADOOP_CONF_DIR or YARN_CONF_DIR.
# A local SWEEP_YAML is shipped with --files (hdfs:// and s3a:// ones are read in place); the URIs inside it
# (model, dataset, output) must be readable by the containers.
# --gpus-per-executor N: N GPUs per executor, one per task; Spark asks YARN for yarn.io/gpu and runs
#   deploy/gpu/get-gpus.sh (shipped with --files) in each executor to find them. YARN must have GPU
#   scheduling enabled (yarn.resource-types=yarn.io/gpu, the GPU plugin on the NodeManagers).
# S3: no keys on the command line or in files. Use instance roles, or a Hadoop credential provider:
#   --conf spark.hadoop.hadoop.security.credential.provider.path=jceks://hdfs@NAMENODE/user/$USER/s3.jceks
# Exit status (client mode): 0 all points ok, 3 some points failed, 2 bad input, 1 a bug.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/submit-common.sh"

parse_args "$@"
[[ -z "$MASTER" || "$MASTER" == yarn ]] || die "--master $MASTER: this script submits to yarn"
MASTER=yarn
DEPLOY_MODE="${DEPLOY_MODE:-cluster}"
if [[ -z "${SPARK_HOME:-}" && "$PRINT_COMMAND" != true ]]; then
  die "SPARK_HOME is not set: YARN submission needs a Spark distribution with YARN support"
fi

files=()
sweep="${APP_ARGS[0]}"
if [[ "$DEPLOY_MODE" == cluster && "$sweep" != *://* ]]; then
  [[ -f "$sweep" ]] || die "$sweep: no such sweep file"
  files+=("$(cd "$(dirname "$sweep")" && pwd)/$(basename "$sweep")")
  APP_ARGS[0]="$(basename "$sweep")"   # YARN localizes --files into the container's working directory
fi
if [[ -n "$GPUS_PER_EXECUTOR" ]]; then
  files+=("$PRUNESWEEP_GPU_SCRIPT")
  add_gpu_confs "./$(basename "$PRUNESWEEP_GPU_SCRIPT")"
fi
if [[ ${#files[@]} -gt 0 ]]; then
  CONFS+=(--files "$(IFS=','; echo "${files[*]}")")
fi

resolve_app_jar
resolve_submit_command
submit "$APP_JAR"
