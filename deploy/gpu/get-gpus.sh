#!/usr/bin/env bash
# Spark GPU discovery script: prints this machine's GPUs as Spark's resource JSON,
#   {"name":"gpu","addresses":["0","1"]}
# Use it as spark.executor.resource.gpu.discoveryScript (YARN, Kubernetes) or
# spark.worker.resource.gpu.discoveryScript (standalone workers).
#
# Addresses are nvidia-smi indices (PCI bus order). PruneSweep pins each point's child JVM with
# CUDA_VISIBLE_DEVICES=<address>, so executors should run with CUDA_DEVICE_ORDER=PCI_BUS_ID (the deploy
# scripts, manifests and image set it) for CUDA to number the GPUs the same way.
# When CUDA_VISIBLE_DEVICES is already set (a resource manager or an admin restricted this process), only
# those GPUs are reported; it may list indices or GPU UUIDs.
# Any problem (no nvidia-smi, driver not loaded, no GPU left) exits non-zero with one line on stderr:
# Spark then refuses to start the executor and shows that line, instead of running on too few GPUs.
set -euo pipefail

fail() {
  echo "get-gpus.sh: $*" >&2
  exit 1
}

command -v nvidia-smi >/dev/null 2>&1 ||
  fail "nvidia-smi not found on PATH; install the NVIDIA driver utilities or run without GPU resources"

if ! listing="$(nvidia-smi --query-gpu=index,uuid --format=csv,noheader 2>&1)"; then
  fail "nvidia-smi failed: $(printf '%s' "$listing" | head -n 1)"
fi

# CUDA_VISIBLE_DEVICES entries, comma separated, blanks removed; empty = no restriction.
allowed="${CUDA_VISIBLE_DEVICES-__unset__}"
allowed="${allowed// /}"

addresses=()
while IFS=',' read -r index uuid; do
  index="${index// /}"
  uuid="${uuid// /}"
  [[ -z "$index" ]] && continue
  [[ "$index" =~ ^[0-9]+$ ]] || fail "unexpected nvidia-smi line: '$index,$uuid'"
  if [[ "$allowed" != "__unset__" ]]; then
    case ",$allowed," in
      *",$index,"* | *",$uuid,"*) ;;
      *) continue ;;
    esac
  fi
  addresses+=("\"$index\"")
done <<<"$listing"

if [[ ${#addresses[@]} -eq 0 ]]; then
  if [[ "$allowed" != "__unset__" ]]; then
    fail "none of the GPUs nvidia-smi lists is in CUDA_VISIBLE_DEVICES='$CUDA_VISIBLE_DEVICES'"
  fi
  fail "nvidia-smi lists no GPU"
fi

joined="$(IFS=','; echo "${addresses[*]}")"
echo "{\"name\":\"gpu\",\"addresses\":[$joined]}"
