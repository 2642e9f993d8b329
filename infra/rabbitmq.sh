#!/usr/bin/env bash
# Private RabbitMQ nodes for development and tests, from Debian's rabbitmq-server package.
#
#   infra/rabbitmq.sh install
#       apt-get install rabbitmq-server when it is missing.
#   infra/rabbitmq.sh start NAME PORT MGMT_PORT DIST_PORT EPMD_PORT DATA_DIR
#       Start node NAME (e.g. celeriac-test@localhost) detached, AMQP on 127.0.0.1:PORT, management
#       HTTP API on 127.0.0.1:MGMT_PORT (guest/guest), Erlang distribution on DIST_PORT, its own epmd
#       port, everything it writes under DATA_DIR. Returns once the node accepts connections.
#       Does nothing when that node is already running from DATA_DIR.
#   infra/rabbitmq.sh stop   DATA_DIR | NAME PORT MGMT_PORT DIST_PORT EPMD_PORT DATA_DIR
#   infra/rabbitmq.sh status DATA_DIR | NAME PORT MGMT_PORT DIST_PORT EPMD_PORT DATA_DIR
#       Stop the node (and its epmd when no other node uses it) / report it (exit 3 when stopped).
#       With DATA_DIR alone, the rest is read from DATA_DIR/node.env, written by start.
#       stop --kill ...: end the VM at once, for throwaway test data; a clean stop takes 5-9 s
#       because the management plugin waits out a 5 s timer while shutting down.
#   infra/rabbitmq.sh ctl DATA_DIR COMMAND [ARGS...]
#       rabbitmqctl COMMAND against the node started from DATA_DIR (its cookie, name and epmd port),
#       e.g. `ctl DIR stop_app` and `ctl DIR start_app` to take the broker away and back as a fault test does.
#   infra/rabbitmq.sh start-local [PORT] | stop-local | status-local
#       The developer's node that ./run.sh starts: celeriac@localhost, AMQP PORT (default 5672),
#       management 15672, distribution 25672, epmd 4369, data in
#       ${XDG_STATE_HOME:-~/.local/state}/celeriac/rabbitmq (kept, so durable queues survive).
#
# Environment: RABBITMQ_START_TIMEOUT (seconds to wait for start or stop, default 60).
#
# The node runs as the calling user through the real scripts of the package, not the /usr/sbin
# wrappers, which switch to the rabbitmq user and the system node's files.
set -euo pipefail

CALLER_DIR=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")"

TIMEOUT=${RABBITMQ_START_TIMEOUT:-60}

die() { echo "rabbitmq.sh: $*" >&2; exit 1; }

local_data_dir() { echo "${XDG_STATE_HOME:-$HOME/.local/state}/celeriac/rabbitmq"; }

# The package's own sbin, whatever its version.
sbin_dir() {
  local dirs=(/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin)
  [[ -x ${dirs[-1]}/rabbitmq-server ]] || die "rabbitmq-server is not installed (run: $0 install)"
  echo "${dirs[-1]}"
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

cmd_install() {
  compgen -G '/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server' >/dev/null && return 0
  echo "rabbitmq.sh: installing rabbitmq-server" >&2
  local sudo=() log
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  log=$(mktemp)
  # The package's postinst cannot start a service without systemd and says so: harmless.
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get install rabbitmq-server failed"
  fi
  rm -f "$log"
}

# Sets NAME PORT MGMT_PORT DIST_PORT EPMD_PORT DATA_DIR from six arguments or from DATA_DIR/node.env.
parse_node_args() {
  if [[ $# == 6 ]]; then
    NAME=$1 PORT=$2 MGMT_PORT=$3 DIST_PORT=$4 EPMD_PORT=$5 DATA_DIR=$6
  elif [[ $# == 1 ]]; then
    DATA_DIR=$1
    [[ $DATA_DIR == /* ]] || DATA_DIR=$CALLER_DIR/$DATA_DIR
    [[ -f $DATA_DIR/node.env ]] || die "no node.env in $DATA_DIR: pass NAME PORT MGMT_PORT DIST_PORT EPMD_PORT DATA_DIR"
    local key value
    # Read, not source: the file is data.
    while IFS='=' read -r key value; do
      case $key in
        NAME|PORT|MGMT_PORT|DIST_PORT|EPMD_PORT) printf -v "$key" '%s' "$value" ;;
      esac
    done <"$DATA_DIR/node.env"
  else
    die "expected NAME PORT MGMT_PORT DIST_PORT EPMD_PORT DATA_DIR (or DATA_DIR alone for stop/status)"
  fi
  [[ $DATA_DIR == /* ]] || DATA_DIR=$CALLER_DIR/$DATA_DIR   # relative to where we were called
  [[ $NAME == *@* ]] || NAME=$NAME@localhost
  local p
  for p in "$PORT" "$MGMT_PORT" "$DIST_PORT" "$EPMD_PORT"; do
    [[ $p =~ ^[0-9]+$ ]] || die "not a port number: '$p'"
  done
  mkdir -p "$DATA_DIR"
  DATA_DIR=$(cd "$DATA_DIR" && pwd)
  PID_FILE=$DATA_DIR/node.pid
}

# Everything the package's scripts read, so that nothing comes from /etc/rabbitmq or /var/lib/rabbitmq.
node_env() {
  # Drop the caller's RABBITMQ_* settings (another node's name, log files, start args): only ours count.
  local v
  for v in $(compgen -v RABBITMQ_); do unset "$v"; done
  export HOME=$DATA_DIR/home \
    RABBITMQ_NODENAME=$NAME \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$PORT \
    RABBITMQ_DIST_PORT=$DIST_PORT \
    RABBITMQ_MNESIA_BASE=$DATA_DIR/mnesia \
    RABBITMQ_LOG_BASE=$DATA_DIR/log \
    RABBITMQ_CONFIG_FILE=$DATA_DIR/rabbitmq.conf \
    RABBITMQ_ADVANCED_CONFIG_FILE=$DATA_DIR/advanced.config \
    RABBITMQ_CONF_ENV_FILE=$DATA_DIR/rabbitmq-env.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$DATA_DIR/enabled_plugins \
    RABBITMQ_PID_FILE=$PID_FILE \
    ERL_EPMD_PORT=$EPMD_PORT
}

ctl() { "$SBIN/rabbitmqctl" -q -n "$NAME" "$@"; }

# The node's OS pid, when the pid file names a live process of a node using this data folder.
node_pid() {
  local pid
  [[ -s $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # The VM's command line carries its HOME (-home DIR), which is this data folder's.
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "-home $DATA_DIR/home " || return 1
  echo "$pid"
}

# A killed VM stays a zombie until init reaps it: that counts as gone.
process_alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }   # past "pid (comm) ": comm may hold spaces
  [[ ${stat:0:1} != Z ]]
}

# Is NAME registered with the epmd on EPMD_PORT (by any node, ours or not)?
name_registered() {
  epmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q "^name ${NAME%@*} at port "
}

log_tail() {
  local f
  echo "---- last lines of the node's logs ($DATA_DIR/log) ----" >&2
  for f in "$DATA_DIR"/log/*.log "$DATA_DIR"/log/startup.out; do
    [[ -s $f ]] || continue
    echo "== $f" >&2
    tail -n 40 "$f" >&2
  done
}

wait_for_ports() {
  local deadline=$((SECONDS + TIMEOUT)) p
  for p in "$PORT" "$MGMT_PORT"; do
    until port_open "$p"; do
      ((SECONDS < deadline)) || return 1
      sleep 0.2
    done
  done
}

cmd_start() {
  parse_node_args "$@"
  SBIN=$(sbin_dir)
  node_env
  if node_pid >/dev/null && ctl wait --timeout 5 "$PID_FILE" >/dev/null 2>&1; then
    echo "rabbitmq.sh: $NAME already running (amqp 127.0.0.1:$PORT, data $DATA_DIR)" >&2
    return 0
  fi
  # Refuse rather than talk to, or stop, somebody else's node.
  name_registered && die "node name $NAME is already registered with epmd on port $EPMD_PORT by another node (not started from $DATA_DIR)"
  local p
  for p in "$PORT" "$MGMT_PORT" "$DIST_PORT"; do
    port_open "$p" && die "port $p is already in use on 127.0.0.1; cannot start $NAME"
  done

  mkdir -p "$DATA_DIR"/{mnesia,log,home}
  rm -f "$PID_FILE"
  printf '%s\n' \
    "listeners.tcp.default = 127.0.0.1:$PORT" \
    "management.tcp.ip = 127.0.0.1" \
    "management.tcp.port = $MGMT_PORT" \
    "loopback_users = none" >"$DATA_DIR/rabbitmq.conf"
  echo '[rabbitmq_management].' >"$DATA_DIR/enabled_plugins"
  : >"$DATA_DIR/rabbitmq-env.conf"
  printf '%s\n' "NAME=$NAME" "PORT=$PORT" "MGMT_PORT=$MGMT_PORT" "DIST_PORT=$DIST_PORT" \
    "EPMD_PORT=$EPMD_PORT" >"$DATA_DIR/node.env"

  # No inherited stdio: a node left running must not hold the caller's pipes open.
  "$SBIN/rabbitmq-server" -detached </dev/null >>"$DATA_DIR/log/startup.out" 2>&1 \
    || { log_tail; die "rabbitmq-server -detached failed for $NAME"; }
  # await_startup fails right after -detached; wait follows the pid file instead.
  if ! ctl wait --timeout "$TIMEOUT" "$PID_FILE" >>"$DATA_DIR/log/startup.out" 2>&1 || ! wait_for_ports; then
    log_tail
    KILL=1 cmd_stop_parsed >/dev/null 2>&1 || true
    die "$NAME did not come up within ${TIMEOUT}s (amqp 127.0.0.1:$PORT, management $MGMT_PORT)"
  fi
  echo "rabbitmq.sh: $NAME running: amqp://guest:guest@127.0.0.1:$PORT/, management http://127.0.0.1:$MGMT_PORT, data $DATA_DIR" >&2
}

cmd_stop_parsed() {
  local pid deadline=$((SECONDS + TIMEOUT))
  if pid=$(node_pid); then
    if [[ ${KILL:-} == 1 ]]; then
      kill -9 "$pid" 2>/dev/null || true
    else
      ctl stop --timeout "$TIMEOUT" "$PID_FILE" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    fi
    while process_alive "$pid"; do
      ((SECONDS < deadline)) || { kill -9 "$pid" 2>/dev/null || true; break; }
      sleep 0.1
    done
    echo "rabbitmq.sh: stopped $NAME" >&2
  else
    echo "rabbitmq.sh: $NAME is not running from $DATA_DIR" >&2
  fi
  rm -f "$PID_FILE"
  # The node leaves epmd when its process ends; epmd itself stays unless we end it. It refuses
  # -kill while any node is registered, so a shared epmd (the system node's, another run's) lives on.
  if epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then
    deadline=$((SECONDS + 5))
    while name_registered && ((SECONDS < deadline)); do sleep 0.1; done
    if ! epmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q '^name '; then
      epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
  fi
}

cmd_stop() {
  KILL=0
  [[ ${1:-} == --kill ]] && { KILL=1; shift; }
  parse_node_args "$@"
  SBIN=$(sbin_dir)
  node_env
  cmd_stop_parsed
}

cmd_status() {
  parse_node_args "$@"
  SBIN=$(sbin_dir)
  node_env
  local pid
  if pid=$(node_pid) && ctl wait --timeout 5 "$PID_FILE" >/dev/null 2>&1; then
    echo "$NAME running (pid $pid): amqp 127.0.0.1:$PORT, management http://127.0.0.1:$MGMT_PORT, dist $DIST_PORT, epmd $EPMD_PORT, data $DATA_DIR"
  else
    echo "$NAME not running (data $DATA_DIR)"
    return 3
  fi
}

cmd_ctl() {
  [[ $# -ge 2 ]] || die "expected DATA_DIR COMMAND [ARGS...]"
  parse_node_args "$1"
  shift
  SBIN=$(sbin_dir)
  node_env
  node_pid >/dev/null || die "$NAME is not running from $DATA_DIR"
  ctl "$@"
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]##*/}" >&2; exit 2; }

[[ $# -ge 1 ]] || usage
sub=$1; shift
case $sub in
  install) cmd_install ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  ctl) cmd_ctl "$@" ;;
  start-local) cmd_start celeriac@localhost "${1:-5672}" 15672 25672 4369 "$(local_data_dir)" ;;
  stop-local|status-local)
    dir=$(local_data_dir)
    if [[ ! -f $dir/node.env ]]; then
      echo "rabbitmq.sh: no local node was ever started (no $dir/node.env)" >&2
      [[ $sub == stop-local ]] && exit 0 || exit 3
    fi
    "cmd_${sub%-local}" "$dir" ;;
  -h|--help|help) usage ;;
  *) echo "rabbitmq.sh: unknown subcommand '$sub'" >&2; usage ;;
esac
