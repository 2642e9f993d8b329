#!/usr/bin/env bash
# Benchmarks side by side: Celeriac, Python Celery 5.2.6, MassTransit 8.5.12, Hangfire 1.8.25 (PostgreSQL and SQLite
# storage), the broker's ceiling, the HTTP API and latency at fixed rates, on this machine. Numbers, not a test
# (./test.sh never runs it). Starts what it needs and stops it afterwards: a private RabbitMQ node and a private
# PostgreSQL cluster, on ports of their own; everything else runs as processes it starts and ends.
#
#   ./bench.sh [--tasks N] [--warmup N] [--hangfire-tasks N] [--runs R] [--concurrency C] [--step-seconds S]
#              [--sections drain,dotnet-client,peers,http,latency,memory,profile] [--before DIR,DIR] [--only KEY,KEY]
#
# Defaults: 20,000 timed tasks per drain after 20,000 untimed ones that warm the JIT up (500 after 100 for Hangfire,
# which runs a few dozen a second here), 3 runs, concurrency = cores, 3 s per load step.
# It prints one table of medians and writes docs/benchmarks.md (between its markers), docs/benchmarks.png,
# docs/benchmarks.json and the README's performance table. A quick look: ./bench.sh --tasks 2000 --runs 1
#
# Ports: AMQP 5700+OFFSET, management 15700+OFFSET, Erlang distribution 25700+OFFSET, epmd 4400+OFFSET,
# PostgreSQL 5400+OFFSET, where OFFSET is $CELERIAC_BENCH_PORT_OFFSET (default $CELERIAC_TEST_PORT_OFFSET or 0).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
OFFSET=${CELERIAC_BENCH_PORT_OFFSET:-${CELERIAC_TEST_PORT_OFFSET:-0}}
AMQP=$((5700 + OFFSET)) MGMT=$((15700 + OFFSET)) DIST=$((25700 + OFFSET)) EPMD=$((4400 + OFFSET)) PG=$((5400 + OFFSET))
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)

infra/rabbitmq.sh install >/dev/null
infra/python-celery.sh install >/dev/null
if [[ -z $PG_BIN ]]; then
  echo "bench.sh: installing postgresql (Hangfire's storage)" >&2
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi

echo "bench.sh: building (Release)" >&2
for project in src/Celeriac.Server benchmarks/Celeriac.Benchmarks benchmarks/Celeriac.Benchmarks.Peers; do
  dotnet build "$project" -c Release -v q -nologo -clp:ErrorsOnly >/dev/null
done

# On the disk, not tmpfs: every durable write (SQLite, PostgreSQL, RabbitMQ) really reaches the disk.
WORK=$(mktemp -d "${CELERIAC_BENCH_WORK:-/var/tmp}/celeriac-bench.XXXXXX")
NODE=$WORK/rabbitmq
PGDATA=$WORK/pg
# PostgreSQL refuses to run as root: as root, the cluster runs as the postgres user.
as_pg=(); [[ $(id -u) == 0 ]] && as_pg=(runuser -u postgres --)
cleanup() {
  [[ -f $PGDATA/postmaster.pid ]] && "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  infra/rabbitmq.sh stop --kill "$NODE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

infra/rabbitmq.sh start celeriac-bench@localhost "$AMQP" "$MGMT" "$DIST" "$EPMD" "$NODE" >/dev/null

mkdir -p "$PGDATA"
[[ $(id -u) == 0 ]] && chown postgres "$PGDATA" && chmod 755 "$WORK"
"${as_pg[@]}" "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
  -o "-p $PG -k $PGDATA -c listen_addresses=127.0.0.1" start >/dev/null

dotnet benchmarks/Celeriac.Benchmarks/bin/Release/net10.0/Celeriac.Benchmarks.dll suite \
  --amqp-port "$AMQP" --mgmt-port "$MGMT" --pg-port "$PG" --root "$ROOT" --work "$WORK/runs" --out "$ROOT/docs" "$@"
