#!/usr/bin/env bash
# Run a command against a fresh, real Kafka broker and always tear the broker down afterwards.
#
#   scripts/with-kafka.sh npx jest test/kafka-smoke.int-spec.ts
#
# Starts a broker through scripts/kafka/kafka.sh on its own data dir (.kafka/run-<pid>, removed
# afterwards unless KAFKA_KEEP_DATA=1) and port (KAFKA_PORT, default: any free port), exports
# KAFKA_BROKERS=127.0.0.1:<port>, runs "$@" and exits with its exit code. The broker is stopped on
# normal exit, failure and SIGINT/SIGTERM/SIGHUP; a watchdog stops it even if this shell is SIGKILLed.
# (Like any bash script, a SIGTERM sent to this shell alone is acted on once the running command
# returns; Ctrl-C or a signal to the whole process group ends the command at once.)
set -uo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_SH="$ROOT/scripts/kafka/kafka.sh"
export KAFKA_PORT="${KAFKA_PORT:-0}"
export KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.kafka/run-$$}"
export KAFKA_PID_FILE="${KAFKA_PID_FILE:-$ROOT/.kafka/run-$$.pid}"
watchdog=""
owned_data=""
if [ "${KAFKA_KEEP_DATA:-0}" != 1 ] && [ "$KAFKA_DATA_DIR" = "$ROOT/.kafka/run-$$" ]; then
  owned_data="$KAFKA_DATA_DIR"
fi

cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM HUP # a second Ctrl-C must not abort the teardown (kafka.sh stop is time-bounded)
  "$KAFKA_SH" stop || true
  [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
  [ -n "$owned_data" ] && rm -rf "$owned_data"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Stops the broker if this shell dies without running its traps (SIGKILL). Own session, so a
# Ctrl-C / process-group kill of this shell does not take the watchdog down first.
if command -v setsid >/dev/null 2>&1; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; "$2" stop; [ -n "$3" ] && rm -rf "$3"' \
    with-kafka-watchdog "$$" "$KAFKA_SH" "$owned_data" </dev/null >/dev/null 2>&1 &
  watchdog=$!
fi

out="$("$KAFKA_SH" start)" || exit $?
KAFKA_BROKERS="$(printf '%s\n' "$out" | sed -n 's/^KAFKA_BROKERS=//p' | tail -n 1)"
if [ -z "$KAFKA_BROKERS" ]; then
  echo "with-kafka: broker started but reported no address" >&2
  exit 1
fi
export KAFKA_BROKERS
echo "with-kafka: KAFKA_BROKERS=$KAFKA_BROKERS" >&2

"$@"
exit $?
