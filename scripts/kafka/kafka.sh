#!/usr/bin/env bash
# A real single-node Kafka (KRaft, 127.0.0.1 only) for humans and CI.
#
#   scripts/kafka/kafka.sh start      # resolve jars (Maven, cached), format if needed, start, wait until ready
#   scripts/kafka/kafka.sh status
#   scripts/kafka/kafka.sh stop       # SIGTERM, SIGKILL after $KAFKA_STOP_TIMEOUT s
#   scripts/kafka/kafka.sh classpath  # only resolve the broker jars (e.g. a CI cache step)
#
# Environment: KAFKA_PORT (19092; 0 = any free port), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1; 0 = free),
# KAFKA_DATA_DIR (.kafka/data), KAFKA_PID_FILE (.kafka/broker.pid), KAFKA_STOP_TIMEOUT (30),
# KAFKA_VERSION (default in test/support/kafka-classpath.ts). `start` prints KAFKA_BROKERS=127.0.0.1:<port>.
# The start logic lives in test/support/kafka-broker.ts (via scripts/kafka/broker-cli.ts).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${KAFKA_PORT:-19092}"
if [ "$PORT" = 0 ]; then CPORT="${KAFKA_CONTROLLER_PORT:-0}"; else CPORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"; fi
DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.kafka/data}"
PID_FILE="${KAFKA_PID_FILE:-$ROOT/.kafka/broker.pid}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

cli() { (cd "$ROOT" && exec node -r ts-node/register/transpile-only scripts/kafka/broker-cli.ts "$@"); }

# Pid from the pid file if that process is alive and really a Kafka broker (guards against pid reuse).
broker_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  ps -o args= -p "$pid" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

brokers_of_running() {
  sed -n 's#^advertised\.listeners=PLAINTEXT://##p' "$DATA_DIR/server.properties" 2>/dev/null
}

case "${1:-}" in
  start)
    if pid="$(broker_pid)"; then
      echo "kafka already running (pid $pid)" >&2
      echo "KAFKA_BROKERS=$(brokers_of_running)"
      exit 0
    fi
    cli start --data-dir "$DATA_DIR" --port "$PORT" --controller-port "$CPORT" --pid-file "$PID_FILE"
    ;;
  stop)
    if ! pid="$(broker_pid)"; then
      echo "kafka not running" >&2
      rm -f "$PID_FILE"
      exit 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((STOP_TIMEOUT * 5))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "kafka (pid $pid) still alive after ${STOP_TIMEOUT}s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -f "$PID_FILE"
    echo "kafka stopped (pid $pid)" >&2
    ;;
  status)
    if pid="$(broker_pid)"; then
      echo "kafka running (pid $pid) KAFKA_BROKERS=$(brokers_of_running) data=$DATA_DIR"
    else
      echo "kafka not running"
      exit 3
    fi
    ;;
  classpath)
    cli classpath
    ;;
  *)
    echo "usage: $0 start|stop|status|classpath" >&2
    exit 2
    ;;
esac
