#!/usr/bin/env bash
# Azurite (the Azure Storage emulator, from npm) for tests and local runs: blob, queue and table on loopback.
#
#   infra/azurite.sh install
#       npm install azurite@3.37.0 into $AZURITE_HOME (default ${XDG_CACHE_HOME:-~/.cache}/celeriac/azurite)
#       when that exact version is missing there. Quick when installed.
#   infra/azurite.sh start BLOB_PORT QUEUE_PORT TABLE_PORT DATA_DIR [--in-memory]
#       Start Azurite in the background on 127.0.0.1 (telemetry off), its data and log in DATA_DIR, and
#       return once all three ports accept connections. Writes DATA_DIR/azurite.pid and DATA_DIR/azurite.env.
#       --in-memory keeps the data in memory only (throwaway test data: far less work per request).
#   infra/azurite.sh stop DATA_DIR
#       Stop the Azurite started from DATA_DIR (by its PID), waiting for it to exit.
#   infra/azurite.sh connection-string BLOB_PORT QUEUE_PORT TABLE_PORT
#       Print the storage connection string for those ports (Azurite's well-known development account).
#
# Environment: AZURITE_START_TIMEOUT (seconds to wait for the ports, default 60).
set -euo pipefail

CALLER_DIR=$PWD
VERSION=3.37.0
AZURITE_HOME=${AZURITE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/celeriac/azurite}
TIMEOUT=${AZURITE_START_TIMEOUT:-60}
BIN=$AZURITE_HOME/node_modules/.bin/azurite

die() { echo "azurite.sh: $*" >&2; exit 1; }

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

installed_version() {
  local pkg=$AZURITE_HOME/node_modules/azurite/package.json
  [[ -f $pkg ]] && sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$pkg" | head -n 1
}

cmd_install() {
  [[ -x $BIN && $(installed_version) == "$VERSION" ]] && return 0
  command -v npm >/dev/null || die "npm is missing (apt-get install nodejs npm)"
  echo "azurite.sh: installing azurite@$VERSION into $AZURITE_HOME" >&2
  mkdir -p "$AZURITE_HOME"
  local log
  log=$(mktemp)
  # Its engines field asks for node >= 22; it runs on Debian's node 20, so the engine check is not enforced.
  if ! npm install --prefix "$AZURITE_HOME" --no-audit --no-fund --loglevel=error "azurite@$VERSION" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "npm install azurite@$VERSION failed"
  fi
  rm -f "$log"
  [[ -x $BIN ]] || die "npm installed azurite but $BIN is missing"
}

absolute() { [[ $1 == /* ]] && echo "$1" || echo "$CALLER_DIR/$1"; }

cmd_start() {
  [[ $# == 4 || ($# == 5 && $5 == --in-memory) ]] || die "expected BLOB_PORT QUEUE_PORT TABLE_PORT DATA_DIR [--in-memory]"
  local blob=$1 queue=$2 table=$3 dir pid p deadline storage=()
  dir=$(absolute "$4")
  # Azurite refuses a --location together with in-memory persistence: its folder then holds only the log.
  if [[ ${5:-} == --in-memory ]]; then storage=(--inMemoryPersistence); else storage=(--location "$dir/data"); fi
  [[ -x $BIN ]] || die "azurite is not installed (run: $0 install)"
  for p in "$blob" "$queue" "$table"; do
    port_open "$p" && die "port $p is already in use (another test run? try another CELERIAC_TEST_PORT_OFFSET)"
  done
  mkdir -p "$dir"
  # Loopback only, no telemetry (it would try to reach an outside host), no API version check (newer SDKs).
  setsid "$BIN" --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" \
    --skipApiVersionCheck --loose --disableTelemetry "${storage[@]}" >"$dir/azurite.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/azurite.pid"
  printf 'BLOB_PORT=%s\nQUEUE_PORT=%s\nTABLE_PORT=%s\n' "$blob" "$queue" "$table" >"$dir/azurite.env"
  deadline=$((SECONDS + TIMEOUT))
  # Table starts last: wait on all three.
  for p in "$blob" "$queue" "$table"; do
    until port_open "$p"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        cat "$dir/azurite.log" >&2; die "azurite exited before listening on $p"
      fi
      ((SECONDS < deadline)) || { cmd_stop "$dir"; die "azurite did not listen on $p within ${TIMEOUT}s"; }
      sleep 0.1
    done
  done
}

cmd_stop() {
  [[ $# == 1 ]] || die "expected DATA_DIR"
  local dir pid deadline
  dir=$(absolute "$1")
  [[ -f $dir/azurite.pid ]] || return 0
  pid=$(<"$dir/azurite.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/azurite.pid"
}

cmd_connection_string() {
  [[ $# == 3 ]] || die "expected BLOB_PORT QUEUE_PORT TABLE_PORT"
  # Azurite's documented development account (devstoreaccount1), the same for every Azurite: not a secret.
  local key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$2/devstoreaccount1;TableEndpoint=http://127.0.0.1:$3/devstoreaccount1;"
}

case ${1:-} in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  connection-string) shift; cmd_connection_string "$@" ;;
  *) die "usage: $0 install | start BLOB_PORT QUEUE_PORT TABLE_PORT DATA_DIR [--in-memory] | stop DATA_DIR | connection-string BLOB_PORT QUEUE_PORT TABLE_PORT" ;;
esac
