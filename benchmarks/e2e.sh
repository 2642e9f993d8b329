#!/usr/bin/env bash
# End-to-end throughput and memory, Celeriac next to Celery, on this machine: a Python Celery client sends
# N no-op tasks and waits for every result, against a Celeriac worker and a Python Celery worker (prefork),
# both with the same concurrency and log level (info: each logs two lines a task), on a private RabbitMQ
# node. Numbers, not a test: run it on a quiet machine.
#
#   benchmarks/e2e.sh [TASKS] [CONCURRENCY]      (defaults 2000 and 2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TASKS=${1:-2000}
CONCURRENCY=${2:-2}
PY=/usr/bin/python3

infra/rabbitmq.sh install >/dev/null
infra/python-celery.sh install >/dev/null
dotnet build src/Celeriac.Server -c Release -v q -nologo >/dev/null

TMP=$(mktemp -d)
NODE=$TMP/node
WORKER_PID=''
cleanup() {
  [[ -n $WORKER_PID ]] && kill -TERM "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null || true
  infra/rabbitmq.sh stop --kill "$NODE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
infra/rabbitmq.sh start celeriac-bench@localhost 5710 15710 25710 4410 "$NODE" >/dev/null

# Peak resident memory of a process and its children, in MiB (VmHWM of each, summed).
peak_mib() {
  local total=0 pid kb
  for pid in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    kb=$(awk '/VmHWM/ {print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}

# CPU seconds (user + system) a process and its children have used so far.
cpu_seconds() {
  local ticks=0 pid stat
  for pid in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    stat=$(cat /proc/"$pid"/stat 2>/dev/null) || continue
    stat=${stat##*) }
    read -r -a fields <<<"$stat"
    ticks=$((ticks + fields[11] + fields[12]))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

run() {
  local label=$1 vhost=$2; shift 2
  curl -sf -u guest:guest -X PUT "http://127.0.0.1:15710/api/vhosts/$vhost" >/dev/null
  curl -sf -u guest:guest -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
    "http://127.0.0.1:15710/api/permissions/$vhost/guest" >/dev/null
  local log=$TMP/$vhost.log
  "$@" >"$log" 2>&1 &
  WORKER_PID=$!
  until grep -q "ready" "$log"; do
    kill -0 "$WORKER_PID" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  local result before after
  before=$(cpu_seconds "$WORKER_PID")
  result=$(CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5710/$vhost" "$PY" benchmarks/python/bench_client.py "$TASKS")
  after=$(cpu_seconds "$WORKER_PID")
  printf '%-34s %s  worker CPU %s ms/task  peak RSS %s MiB\n' "$label" "$result" \
    "$(awk -v a="$after" -v b="$before" -v n="$TASKS" 'BEGIN { printf "%.2f", (a - b) * 1000 / (n + 1) }')" "$(peak_mib "$WORKER_PID")"
  kill -TERM "$WORKER_PID"; wait "$WORKER_PID" 2>/dev/null || true
  WORKER_PID=''
}

echo "$TASKS no-op tasks, concurrency $CONCURRENCY, Python Celery client, rpc:// results"
CELERY="$PY -m celery --workdir benchmarks/python -A bench_tasks worker --concurrency=$CONCURRENCY --loglevel=info -n py@%h"
run "celery 5.2.6 prefork"              py-plain env CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5710/py-plain $CELERY
run "celery 5.2.6 prefork -E (events)"  py-events env CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5710/py-events $CELERY -E
CELERIAC=(dotnet "$ROOT/src/Celeriac.Server/bin/Release/net10.0/celeriac.dll" worker --concurrency "$CONCURRENCY" --loglevel info)
run "celeriac (events + records)"      net-full "${CELERIAC[@]}" --broker amqp://guest:guest@127.0.0.1:5710/net-full --data-dir "$TMP/net-full"
run "celeriac --without-task-events"   net-quiet "${CELERIAC[@]}" --broker amqp://guest:guest@127.0.0.1:5710/net-quiet --data-dir "$TMP/net-quiet" --without-task-events
