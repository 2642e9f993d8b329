#!/usr/bin/env bash
# Builds the solution once and runs every test project under tests/ (tests/*.Tests/*.csproj, so new
# projects are picked up) against a private, throwaway RabbitMQ node and Debian's Python Celery.
#
#   ./test.sh [dotnet test args...]      e.g. ./test.sh --filter "FullyQualifiedName~Codec"
#
# Environment (all optional; relative paths are taken from the repository root):
#   CELERIAC_TEST_PROJECTS     space-separated subset to run: names under tests/ (Celeriac.Core.Tests),
#                              .csproj paths or project folders
#   CELERIAC_TEST_SOLUTION     what to build first (default Functions.sln)
#   CELERIAC_TEST_PORT_OFFSET  added to every port of the test node (default 0: AMQP 5673,
#                              management 15673, distribution 25673, epmd 4370) and of Azurite (blob
#                              10100, queue 10101, table 10102); set it to run two test runs side by
#                              side on one machine
#   CELERIAC_TEST_HANG_TIMEOUT a test project whose tests stall this long is killed and counted as
#                              failed (default 20m; dotnet test's --blame-hang-timeout)
#   CELERIAC_TEST_RESULTS      where the .trx files go (default TestResults/ here, emptied first)
#
# The tests get: CELERIAC_TEST_BROKER_URL (amqp://guest:guest@127.0.0.1:5673/),
# CELERIAC_TEST_RABBITMQ_MANAGEMENT (http://127.0.0.1:15673, guest/guest), CELERIAC_TEST_PYTHON
# (/usr/bin/python3, which imports celery), CELERIAC_TEST_AZURITE_BLOB/_QUEUE/_TABLE (Azurite's ports),
# CELERIAC_TEST_AZURITE (its storage connection string) and CELERIAC_TEST_RABBITMQ_TRIGGER (Real or StandIn: which
# RabbitMQ trigger the Functions app was built with; infra/functions-rabbitmq.sh decides and this script says which).
#
# The last line is always "N passed, N failed" (skips are reported on stderr before it), over all projects;
# a project that does not build, crashes or hangs counts as at least one failure. The exit code is
# non-zero when anything failed. The node, its epmd and the temp folder go away on any exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# No MSBuild worker nodes left running after the build.
export MSBUILDDISABLENODEREUSE=${MSBUILDDISABLENODEREUSE:-1}

PASSED=0 FAILED=0 SKIPPED=0
TMP='' NODE_DIR='' START_PID='' CHILD='' AZURITE_DIR='' AZURITE_PID=''

say() { echo "test.sh: $*" >&2; }

# Zombies (killed, not yet reaped) count as gone.
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }   # past "pid (comm) ": comm may hold spaces
  [[ ${stat:0:1} != Z ]]
}

# Every process under $1, from /proc (no procps needed): one pass for the parent links, then a walk.
descendants() {
  local f stat pid ppid
  local -A kids=()
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue
    pid=${stat%% *}
    ppid=${stat##*) }   # past "pid (comm) ": comm may hold spaces; then "state ppid ..."
    ppid=${ppid#* }
    ppid=${ppid%% *}
    kids[$ppid]+=" $pid"
  done
  local todo=("$1") next
  while ((${#todo[@]})); do
    next=${todo[0]}
    todo=("${todo[@]:1}")
    for pid in ${kids[$next]:-}; do
      echo "$pid"
      todo+=("$pid")
    done
  done
}

# Ends a child and everything under it: signalled alone, dotnet test leaves vstest.console and
# the testhost running.
stop_tree() {
  local pids pid deadline=$((SECONDS + 10))
  mapfile -t pids < <(echo "$1"; descendants "$1")
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  wait "$1" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $CHILD ]] && stop_tree "$CHILD"
  # A node still starting is waited for (rabbitmq.sh bounds that), so it can be stopped.
  [[ -n $START_PID ]] && { wait "$START_PID" 2>/dev/null || true; }
  [[ -n $AZURITE_PID ]] && { wait "$AZURITE_PID" 2>/dev/null || true; }
  [[ -n $AZURITE_DIR ]] && { infra/azurite.sh stop "$AZURITE_DIR" 2>/dev/null || true; }
  if [[ -n $NODE_DIR && -f $NODE_DIR/node.env ]]; then
    # Throwaway data: kill rather than wait out the 5-9 s clean shutdown.
    infra/rabbitmq.sh stop --kill "$NODE_DIR" 2>/dev/null || true
  fi
  [[ -n $TMP ]] && rm -rf "$TMP"
  # Whatever ended the run early (build, install, a signal) is a failure the count must show.
  if ((rc != 0 && FAILED == 0)); then FAILED=1; fi
  # Skipped tests are named on stderr: a skip must never hide in the count CI reads.
  if ((SKIPPED > 0)); then say "$SKIPPED test(s) skipped"; fi
  echo "$PASSED passed, $FAILED failed"
  if ((rc == 0 && FAILED > 0)); then rc=1; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command as a background child and waits for it, so that a signal to this script is
# handled at once (bash defers traps while a foreground child runs) and passed on by cleanup.
run_child() {
  local rc=0
  "$@" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=
  return "$rc"
}

# ---- what the tests need -------------------------------------------------------------------
infra/rabbitmq.sh install
infra/python-celery.sh install
infra/azurite.sh install
# The dashboard's browser tests drive Debian's Chromium.
infra/chromium.sh install

OFFSET=${CELERIAC_TEST_PORT_OFFSET:-0}
[[ $OFFSET =~ ^[0-9]+$ ]] || { say "CELERIAC_TEST_PORT_OFFSET must be a number"; exit 2; }
AMQP_PORT=$((5673 + OFFSET)) MGMT_PORT=$((15673 + OFFSET)) DIST_PORT=$((25673 + OFFSET)) EPMD_PORT=$((4370 + OFFSET))

TMP=$(mktemp -d "${TMPDIR:-/tmp}/celeriac-test.XXXXXX")
NODE_DIR=$TMP/rabbitmq
# The node boots (~5 s) while the solution builds.
infra/rabbitmq.sh start celeriac-test@localhost "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT" "$EPMD_PORT" "$NODE_DIR" \
  >"$TMP/node-start.log" 2>&1 &
START_PID=$!
# Azurite (the Durable Task extension's storage) starts alongside.
AZURITE_BLOB=$((10100 + OFFSET)) AZURITE_QUEUE=$((10101 + OFFSET)) AZURITE_TABLE=$((10102 + OFFSET))
AZURITE_DIR=$TMP/azurite
infra/azurite.sh start "$AZURITE_BLOB" "$AZURITE_QUEUE" "$AZURITE_TABLE" "$AZURITE_DIR" --in-memory >"$TMP/azurite-start.log" 2>&1 &
AZURITE_PID=$!
export CELERIAC_TEST_AZURITE_BLOB=$AZURITE_BLOB CELERIAC_TEST_AZURITE_QUEUE=$AZURITE_QUEUE CELERIAC_TEST_AZURITE_TABLE=$AZURITE_TABLE
CELERIAC_TEST_AZURITE=$(infra/azurite.sh connection-string "$AZURITE_BLOB" "$AZURITE_QUEUE" "$AZURITE_TABLE")
export CELERIAC_TEST_AZURITE

export CELERIAC_TEST_BROKER_URL="amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
export CELERIAC_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$MGMT_PORT"
export CELERIAC_TEST_PYTHON=/usr/bin/python3

# ---- which projects --------------------------------------------------------------------------
PROJECTS=()
if [[ -n ${CELERIAC_TEST_PROJECTS:-} ]]; then
  for p in $CELERIAC_TEST_PROJECTS; do
    if [[ -f $p ]]; then PROJECTS+=("$p")
    elif [[ -d $p ]] && compgen -G "$p/*.csproj" >/dev/null; then PROJECTS+=("$p"/*.csproj)
    elif [[ -f tests/$p/$p.csproj ]]; then PROJECTS+=("tests/$p/$p.csproj")
    else say "no test project '$p'"; exit 2
    fi
  done
else
  shopt -s nullglob
  # Projects named *.Tests are the test projects (tests/Directory.Build.props says the same); others are support.
  PROJECTS=(tests/*.Tests/*.csproj)
  shopt -u nullglob
fi
((${#PROJECTS[@]} > 0)) || { say "no test projects found (tests/*.Tests/*.csproj)"; exit 1; }

# ---- build once ------------------------------------------------------------------------------
SOLUTION=${CELERIAC_TEST_SOLUTION:-Functions.sln}
# The Functions app's RabbitMQ trigger: the real package where it restores, the stand-in where it does not.
RABBITMQ_TRIGGER=$(infra/functions-rabbitmq.sh choose)
if [[ $RABBITMQ_TRIGGER == Real ]]; then
  say "Functions app: RabbitMQ trigger from the real Microsoft.Azure.Functions.Worker.Extensions.RabbitMQ package"
else
  say "Functions app: RabbitMQ trigger from the stand-in src/Celeriac.Functions.RabbitMQStandIn (the real package does not restore here)"
fi
export CELERIAC_TEST_RABBITMQ_TRIGGER=$RABBITMQ_TRIGGER
say "building $SOLUTION (Release)"
if ! run_child dotnet build "$SOLUTION" -c Release -nologo -v q -p:CeleriacRabbitMQTrigger="$RABBITMQ_TRIGGER"; then
  say "build failed"
  exit 1
fi

if ! wait "$START_PID"; then
  START_PID=
  cat "$TMP/node-start.log" >&2
  say "the test RabbitMQ node did not start (ports $AMQP_PORT/$MGMT_PORT/$DIST_PORT, epmd $EPMD_PORT;" \
    "another test run? try CELERIAC_TEST_PORT_OFFSET=10)"
  exit 1
fi
START_PID=
cat "$TMP/node-start.log" >&2
if ! wait "$AZURITE_PID"; then
  AZURITE_PID=
  cat "$TMP/azurite-start.log" >&2
  say "Azurite did not start (ports $AZURITE_BLOB/$AZURITE_QUEUE/$AZURITE_TABLE; another test run? try CELERIAC_TEST_PORT_OFFSET=10)"
  exit 1
fi
AZURITE_PID=

# ---- run each project ------------------------------------------------------------------------
RESULTS=${CELERIAC_TEST_RESULTS:-$ROOT/TestResults}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
rm -f "$RESULTS"/*.trx

# Prints one attribute of the trx <Counters .../> element (0 when absent).
counter() {
  local re="[[:space:]]$1=\"([0-9]+)\""
  if [[ $2 =~ $re ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

for proj in "${PROJECTS[@]}"; do
  name=$(basename "$proj" .csproj)
  trx=$RESULTS/$name.trx
  say "running $name"
  rc=0
  run_child dotnet test "$proj" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
    --blame-hang-timeout "${CELERIAC_TEST_HANG_TIMEOUT:-20m}" --blame-hang-dump-type none \
    "$@" || rc=$?
  p=0 f=0 s=0
  if [[ -f $trx ]] && counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1); then
    p=$(counter passed "$counters")
    f=$(( $(counter failed "$counters") + $(counter error "$counters") + $(counter timeout "$counters") + $(counter aborted "$counters") ))
    s=$(( $(counter total "$counters") - $(counter executed "$counters") ))
    ((s >= 0)) || s=0
  fi
  # A run that failed without failing a test crashed, hung, or never started: still a failure.
  if ((rc != 0 && f == 0)); then
    f=1
    [[ -f $trx ]] || say "$name produced no results (is it in $SOLUTION, so that it was built?)"
  fi
  if ((p + f == 0)); then
    # A test project without a single test result hides a build or discovery problem: count it as failed.
    say "[$name] ran no tests"
    f=1
  fi
  say "[$name] passed $p, failed $f, skipped $s"
  PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + s))
done

((FAILED == 0))
