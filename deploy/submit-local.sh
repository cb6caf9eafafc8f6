#!/usr/bin/env bash
# Runs a sweep on this machine: spark-submit --master 'local[*]' --class io.prunesweep.sweep.SweepJob.
# Every point still trains in its own child JVM, so local[N] runs N points at once.
#
# usage: deploy/submit-local.sh [spark-submit options] SWEEP_YAML [--set key=value]... [--dry-run]
#   deploy/submit-local.sh conf/sweeps/quickstart.yaml
#   deploy/submit-local.sh conf/sweeps/quickstart.yaml --dry-run             # validate, print the plan
#   deploy/submit-local.sh --master 'local[4]' --driver-memory 4g conf/sweeps/quickstart.yaml --set seeds=[0,1]
#   deploy/submit-local.sh --print-command conf/sweeps/quickstart.yaml       # show, do not run
# Relative paths in the sweep YAML resolve against the current directory: run from the repository root.
# Without SPARK_HOME no Spark installation is needed (see deploy/lib/submit-common.sh for the environment).
# Exit status: 0 all points ok, 3 some points failed, 2 bad input, 1 a bug.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/submit-common.sh"

parse_args "$@"
MASTER="${MASTER:-local[*]}"
[[ "$MASTER" == local* ]] || die "--master $MASTER: this script runs locally; use submit-standalone.sh, submit-yarn.sh or submit-k8s.sh"
[[ -z "$DEPLOY_MODE" || "$DEPLOY_MODE" == client ]] || die "--deploy-mode $DEPLOY_MODE: local runs are client mode"
[[ -z "$GPUS_PER_EXECUTOR" ]] ||
  die "--gpus-per-executor: Spark local mode does not schedule GPUs; start a standalone worker on this machine and use submit-standalone.sh"

# Everything runs on this machine: keep Spark's driver and block manager on the loopback interface.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

resolve_app_jar
resolve_submit_command
submit "$APP_JAR"
