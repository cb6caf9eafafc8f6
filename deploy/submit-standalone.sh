#!/usr/bin/env bash
# Submits a sweep to a Spark standalone cluster (client mode: the driver, its console progress and the
# report stay on this machine; stages run on the workers' executors, one child JVM per point).
#
# usage: deploy/submit-standalone.sh --master spark://HOST:7077 [--gpus-per-executor N] [spark-submit options]
#            SWEEP_YAML [--set key=value]... [--dry-run]
#   deploy/submit-standalone.sh --master spark://master:7077 --gpus-per-executor 4 --executor-cores 16 \
#       --executor-memory 32g conf/sweeps/coco-yolov8s.yaml
# --gpus-per-executor N: N GPUs per executor, one per task (spark.executor/task.resource.gpu.amount).
#   The workers find their GPUs themselves: in each worker's conf/spark-defaults.conf (or SPARK_WORKER_OPTS)
#     spark.worker.resource.gpu.amount          <GPUs of that machine>
#     spark.worker.resource.gpu.discoveryScript /path/to/prunesweep/deploy/gpu/get-gpus.sh
# The sweep's output, model and dataset URIs must be reachable from every worker (hdfs://, s3a://, or a
# shared filesystem). --print-command prints the spark-submit command instead of running it.
# Exit status: 0 all points ok, 3 some points failed, 2 bad input, 1 a bug.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/submit-common.sh"

parse_args "$@"
[[ "$MASTER" == spark://* ]] || die "--master spark://HOST:PORT is required (got '${MASTER}')"
DEPLOY_MODE="${DEPLOY_MODE:-client}"
add_gpu_confs ""

resolve_app_jar
resolve_submit_command
submit "$APP_JAR"
