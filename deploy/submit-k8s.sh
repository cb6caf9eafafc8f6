#!/usr/bin/env bash
# Submits a sweep to Kubernetes with spark-submit (cluster mode; driver and executors run the image built
# from deploy/docker/Dockerfile). With the Spark operator installed, deploy/k8s/*.yaml do the same declaratively.
#
# usage: deploy/submit-k8s.sh --master k8s://https://API_SERVER:443 --image REGISTRY/prunesweep:TAG
#            [--namespace prunesweep] [--service-account prunesweep-spark] [--gpus-per-executor N]
#            [spark-submit options] SWEEP_YAML [--set key=value]...
#   deploy/submit-k8s.sh --master k8s://https://10.0.0.1:443 --image registry.example.com/prunesweep:0.1.0 \
#       --gpus-per-executor 1 --num-executors 8 /opt/prunesweep/conf/sweeps/coco-yolov8s.yaml
# SWEEP_YAML is read by the driver pod: a path inside the image (/opt/prunesweep/conf/sweeps/...) or an
# s3a:// / hdfs:// URI. The namespace and service account come from deploy/k8s/rbac.yaml.
# --gpus-per-executor N: each executor pod gets nvidia.com/gpu: N, one GPU per task, found by the image's
#   /opt/prunesweep/deploy/gpu/get-gpus.sh.
# S3: credentials come from the pod's identity (IRSA / EKS Pod Identity / instance role) through the AWS
#   default provider chain; never put keys in files or on the command line.
# Needs a Spark distribution with Kubernetes support (SPARK_HOME).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/submit-common.sh"

IMAGE_HOME="/opt/prunesweep"   # where deploy/docker/Dockerfile installs the application
OWN_OPTIONS=(--image --namespace --service-account)
parse_args "$@"
[[ "$MASTER" == k8s://* ]] || die "--master k8s://https://API_SERVER:PORT is required (got '${MASTER}')"
image="${OWN_OPTION_VALUES[--image]:-}"
[[ -n "$image" ]] || die "--image REGISTRY/prunesweep:TAG is required (build it from deploy/docker/Dockerfile)"
DEPLOY_MODE="${DEPLOY_MODE:-cluster}"
if [[ -z "${SPARK_HOME:-}" && "$PRINT_COMMAND" != true ]]; then
  die "SPARK_HOME is not set: Kubernetes submission needs a Spark distribution with Kubernetes support"
fi

CONFS+=(--conf "spark.kubernetes.container.image=$image"
  --conf "spark.kubernetes.namespace=${OWN_OPTION_VALUES[--namespace]:-prunesweep}"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${OWN_OPTION_VALUES[--service-account]:-prunesweep-spark}")
# S3 through the pod's identity (IRSA, Pod Identity, instance role). Set in the sweep, not with --conf: a
# sweep's spark.conf spark.hadoop.* entries reach the driver and every point's child JVM, Spark conf only the former.
if [[ "${APP_ARGS[*]}" != *fs.s3a.aws.credentials.provider* ]]; then
  APP_ARGS+=(--set "spark.conf.spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider")
fi
if [[ -n "$GPUS_PER_EXECUTOR" ]]; then
  CONFS+=(--conf "spark.executor.resource.gpu.vendor=nvidia.com")
  add_gpu_confs "$IMAGE_HOME/deploy/gpu/get-gpus.sh"
fi

resolve_submit_command
submit "local://$IMAGE_HOME/prunesweep-spark-jobs.jar"
