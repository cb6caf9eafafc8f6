# shellcheck shell=bash
# Shared by deploy/submit-*.sh (sourced, not run): argument parsing, the application jar, the spark-submit
# command. Each script sets its cluster manager's defaults and calls `submit`.
#
# Environment (all optional):
#   SPARK_HOME                  a Spark distribution: its bin/spark-submit is used (needed for YARN and Kubernetes).
#                               Unset: org.apache.spark.deploy.SparkSubmit runs from the project's own jars.
#   PRUNESWEEP_APP_JAR          the application jar (default: spark-jobs/target/prunesweep-spark-jobs-*-app.jar,
#                               built with `mvn -Papp-jar -pl spark-jobs -am package` when missing or stale)
#   PRUNESWEEP_SPARK_CLASSPATH  Spark's jars when SPARK_HOME is unset (default: spark-jobs/target/spark-classpath.txt)
#   PRUNESWEEP_DRIVER_MEMORY    heap of a client-mode driver started without SPARK_HOME (default 2g; --driver-memory wins)
#   PRUNESWEEP_DJL_CACHE        where DJL unpacks libtorch for local points (default .cache/djl)
#   JAVA_HOME                   the java to run SparkSubmit with (default: java on PATH)

PRUNESWEEP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PRUNESWEEP_MAIN_CLASS="io.prunesweep.sweep.SweepJob"
# shellcheck disable=SC2034  # used by the sourcing scripts
PRUNESWEEP_GPU_SCRIPT="$PRUNESWEEP_ROOT/deploy/gpu/get-gpus.sh"

# Java 17 module flags for a JVM running Spark: Spark's JavaModuleOptions list (see JvmModuleOptions);
# JvmModuleOptionsTest checks it equals the parent pom's jvm.opens and the launcher's.
PRUNESWEEP_JVM_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)

# The parsed command line.
MASTER=""
DEPLOY_MODE=""
DRIVER_MEMORY=""
GPUS_PER_EXECUTOR=""
PRINT_COMMAND=false
# shellcheck disable=SC2034  # read by the sourcing scripts
declare -A OWN_OPTION_VALUES=()  # values of the calling script's own options (see OWN_OPTIONS)
SUBMIT_OPTIONS=()                # spark-submit options passed through unchanged
APP_ARGS=()                      # SWEEP_YAML and everything after it, for SweepJob
CONFS=()                         # --conf settings the script adds (before SUBMIT_OPTIONS, so the user's win)

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

usage() {
  # The header comment of the calling script, without the shebang.
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
}

# Options before SWEEP_YAML are spark-submit options (passed through) or this script's own; the first
# word that is not an option is SWEEP_YAML, and it and everything after it go to SweepJob.
# A script declares its own value options in OWN_OPTIONS (e.g. OWN_OPTIONS=(--image --namespace)).
parse_args() {
  local own=" ${OWN_OPTIONS[*]:-} "
  while [[ $# -gt 0 ]]; do
    local opt="$1" value=""
    case "$opt" in
      -h | --help) usage; exit 0 ;;
      --print-command) PRINT_COMMAND=true; shift; continue ;;
      --verbose | -v | --supervise) SUBMIT_OPTIONS+=("$opt"); shift; continue ;;
      --*=*) value="${opt#*=}"; opt="${opt%%=*}"; shift ;;
      --*)
        [[ $# -ge 2 ]] || die "$opt needs a value; see --help"
        value="$2"; shift 2 ;;
      -*) die "unknown option $opt; see --help" ;;
      *) APP_ARGS=("$@"); break ;;
    esac
    case "$opt" in
      --master) MASTER="$value" ;;
      --deploy-mode) DEPLOY_MODE="$value" ;;
      --gpus-per-executor) GPUS_PER_EXECUTOR="$value" ;;
      --driver-memory) DRIVER_MEMORY="$value"; SUBMIT_OPTIONS+=("$opt" "$value") ;;
      --class) die "--class is fixed to $PRUNESWEEP_MAIN_CLASS" ;;
      *)
        if [[ "$own" == *" $opt "* ]]; then
          # shellcheck disable=SC2034  # read by the sourcing scripts
          OWN_OPTION_VALUES[$opt]="$value"
        else
          SUBMIT_OPTIONS+=("$opt" "$value")
        fi ;;
    esac
  done
  [[ ${#APP_ARGS[@]} -gt 0 ]] || die "missing SWEEP_YAML (e.g. conf/sweeps/quickstart.yaml); see --help"
  if [[ -n "$GPUS_PER_EXECUTOR" && ! "$GPUS_PER_EXECUTOR" =~ ^[1-9][0-9]*$ ]]; then
    die "--gpus-per-executor $GPUS_PER_EXECUTOR: expected a whole number of GPUs >= 1"
  fi
}

# GPU scheduling: N GPUs per executor, exactly one per task (one point = one GPU), and CUDA numbering the
# GPUs as nvidia-smi (and so get-gpus.sh) does. $1: discovery script as the executors see it, or "" when
# the cluster manager assigns GPUs without one (standalone workers discover their own).
add_gpu_confs() {
  local discovery="$1"
  [[ -n "$GPUS_PER_EXECUTOR" ]] || return 0
  CONFS+=(--conf "spark.executor.resource.gpu.amount=$GPUS_PER_EXECUTOR"
    --conf "spark.task.resource.gpu.amount=1"
    --conf "spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID")
  if [[ -n "$discovery" ]]; then
    CONFS+=(--conf "spark.executor.resource.gpu.discoveryScript=$discovery")
  fi
}

# The newest built application jar, or the path it will have.
default_app_jar() {
  local jar
  # shellcheck disable=SC2012  # our own build output: plain file names
  jar="$(ls -t "$PRUNESWEEP_ROOT"/spark-jobs/target/prunesweep-spark-jobs-*-app.jar 2>/dev/null | head -n 1 || true)"
  echo "${jar:-$PRUNESWEEP_ROOT/spark-jobs/target/prunesweep-spark-jobs-0.1.0-SNAPSHOT-app.jar}"
}

app_jar_is_stale() {
  local jar="$1"
  [[ ! -f "$jar" || ! -f "$PRUNESWEEP_ROOT/spark-jobs/target/spark-classpath.txt" ]] && return 0
  [[ -n "$(find "$PRUNESWEEP_ROOT/engine/src/main" "$PRUNESWEEP_ROOT/spark-jobs/src/main" \
    "$PRUNESWEEP_ROOT/pom.xml" "$PRUNESWEEP_ROOT/engine/pom.xml" "$PRUNESWEEP_ROOT/spark-jobs/pom.xml" \
    -newer "$jar" -type f -print -quit)" ]]
}

# Sets APP_JAR, building it first when it is missing or older than the sources (not for --print-command).
resolve_app_jar() {
  if [[ -n "${PRUNESWEEP_APP_JAR:-}" ]]; then
    APP_JAR="$PRUNESWEEP_APP_JAR"
    [[ -f "$APP_JAR" || "$PRINT_COMMAND" == true ]] || die "PRUNESWEEP_APP_JAR=$APP_JAR does not exist"
    return 0
  fi
  APP_JAR="$(default_app_jar)"
  if [[ "$PRINT_COMMAND" != true ]] && app_jar_is_stale "$APP_JAR"; then
    echo "$(basename "$0"): building the application jar (first run, or sources changed) ..." >&2
    (cd "$PRUNESWEEP_ROOT" && mvn -B -q -DskipTests -Papp-jar -pl spark-jobs -am package >&2) ||
      die "building the application jar failed; run: mvn -Papp-jar -pl spark-jobs -am package"
    APP_JAR="$(default_app_jar)"
  fi
}

# Sets SUBMIT_COMMAND: $SPARK_HOME/bin/spark-submit, or SparkSubmit in a JVM on the project's jars.
resolve_submit_command() {
  if [[ -n "${SPARK_HOME:-}" ]]; then
    SUBMIT_COMMAND=("$SPARK_HOME/bin/spark-submit")
    return 0
  fi
  local spark_cp="${PRUNESWEEP_SPARK_CLASSPATH:-}"
  local cp_file="$PRUNESWEEP_ROOT/spark-jobs/target/spark-classpath.txt"
  if [[ -z "$spark_cp" ]]; then
    if [[ -f "$cp_file" ]]; then
      spark_cp="$(cat "$cp_file")"
    elif [[ "$PRINT_COMMAND" == true ]]; then
      spark_cp="\$(cat $cp_file)"
    else
      die "no Spark: set SPARK_HOME, or build $cp_file with: mvn -Papp-jar -pl spark-jobs -am package"
    fi
  fi
  local java="java"
  [[ -n "${JAVA_HOME:-}" ]] && java="$JAVA_HOME/bin/java"
  SUBMIT_COMMAND=("$java" "-Xmx${DRIVER_MEMORY:-${PRUNESWEEP_DRIVER_MEMORY:-2g}}" "${PRUNESWEEP_JVM_OPENS[@]}"
    "-Dlog4j2.configurationFile=$PRUNESWEEP_ROOT/deploy/conf/log4j2.properties"
    "-DDJL_CACHE_DIR=${PRUNESWEEP_DJL_CACHE:-$PRUNESWEEP_ROOT/.cache/djl}"
    -cp "${APP_JAR:+$APP_JAR:}$spark_cp" org.apache.spark.deploy.SparkSubmit)
}

# Runs (or with --print-command prints, shell-quoted on one line) the spark-submit command.
# $1: the application resource as spark-submit gets it (a local path, or local:///... inside an image).
submit() {
  local resource="$1"
  local cmd=("${SUBMIT_COMMAND[@]}" --master "$MASTER")
  [[ -n "$DEPLOY_MODE" ]] && cmd+=(--deploy-mode "$DEPLOY_MODE")
  cmd+=(--class "$PRUNESWEEP_MAIN_CLASS" "${CONFS[@]}" "${SUBMIT_OPTIONS[@]}" "$resource" "${APP_ARGS[@]}")
  if [[ "$PRINT_COMMAND" == true ]]; then
    printf '%q ' "${cmd[@]}"
    echo
    exit 0
  fi
  exec "${cmd[@]}"
}
