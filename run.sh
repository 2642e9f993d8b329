#!/usr/bin/env bash
# Runs the celeriac command line with a broker to talk to.
#
#   ./run.sh worker --concurrency 1 --loglevel info
#   CELERIAC_BROKER_URL=amqp://user:pass@rabbit.example:5672/ ./run.sh worker
#   ./run.sh functions
#
# The broker is --broker URL among the arguments, else CELERIAC_BROKER_URL, else
# amqp://guest:guest@localhost:5672/; --help and --version need none. When nothing answers there and
# the host is this machine (localhost, 127.0.0.1), a local RabbitMQ node is installed if need be
# and started on that port (celeriac@localhost, management on 15672, data in
# ${XDG_STATE_HOME:-~/.local/state}/celeriac/rabbitmq). It keeps running after the CLI exits, so
# the next run starts at once; stop it with: infra/rabbitmq.sh stop-local
#
# `./run.sh functions` runs the Azure Functions app (src/Celeriac.Functions) without Core Tools: the real worker
# process under the test host (tests/Celeriac.Functions.TestHost, which stands in for the Functions host and emulates
# the RabbitMQ listener) with the real Durable extension, the HTTP API on http://127.0.0.1:7071 as `func start` would
# serve it. It also needs Azurite: when nothing answers on 127.0.0.1:10000-10002 it is installed (npm) and started
# there (data in ${XDG_STATE_HOME:-~/.local/state}/celeriac/azurite; it keeps running; stop it with
# infra/azurite.sh stop ~/.local/state/celeriac/azurite). The queues are declared first (infra/declare-queues.sh,
# through the management API at CELERIAC_MANAGEMENT_URL, default http://<broker host>:15672).
# CELERIAC_DEMO_ADD_SLEEP works as for the server.
#
# The CLI is built (Release, quietly) and then exec'd, so Ctrl-C and SIGTERM reach it directly.
# It runs in the caller's directory, so relative paths among the arguments mean what they say.
set -euo pipefail

CALLER_DIR=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

die() { echo "run.sh: $*" >&2; exit 1; }

# ---- what the command needs -------------------------------------------------------------------
# Help and version need no broker; --broker/-b on the command line wins over CELERIAC_BROKER_URL, as in the CLI.
needs_broker=1
broker_arg=''
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -h|--help|-\?|--version) needs_broker=0 ;;
    --broker=*) broker_arg=${args[i]#--broker=} ;;
    --broker|-b) broker_arg=${args[i + 1]:-} ;;
  esac
done
[[ -n $broker_arg ]] && export CELERIAC_BROKER_URL=$broker_arg
export CELERIAC_BROKER_URL=${CELERIAC_BROKER_URL:-amqp://guest:guest@localhost:5672/}

# ---- host and port out of scheme://user:pass@host:port/vhost?query -----------------------------
url=$CELERIAC_BROKER_URL
[[ $url == *://* ]] || die "CELERIAC_BROKER_URL is not a URL: $url"
scheme=${url%%://*}
authority=${url#*://}
authority=${authority%%/*}
authority=${authority%%\?*}
authority=${authority##*@}
if [[ $authority == \[* ]]; then          # [IPv6]:port
  host=${authority%%]*}
  host=${host#[}
  port=${authority#*]}
else
  host=${authority%%:*}
  port=${authority#"$host"}
fi
port=${port#:}
host=${host:-localhost}
if [[ -z $port && $scheme == amqps ]]; then port=5671; fi
port=${port:-5672}
[[ $port =~ ^[0-9]+$ ]] || die "bad port '$port' in the broker URL $CELERIAC_BROKER_URL"

# Something accepts TCP connections at host:port (2 s at most).
# shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
answers() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null; }

# ---- a broker -------------------------------------------------------------------------------
if ((needs_broker)) && ! answers; then
  case $host in
    localhost|127.0.0.1)
      log=$(mktemp)
      if ! { infra/rabbitmq.sh install && infra/rabbitmq.sh start-local "$port"; } >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"
        die "could not start a local RabbitMQ on port $port"
      fi
      rm -f "$log"
      echo "run.sh: started a local RabbitMQ (celeriac@localhost, amqp 127.0.0.1:$port, management http://127.0.0.1:15672, guest/guest); it keeps running after this exits; stop it with: $ROOT/infra/rabbitmq.sh stop-local" >&2
      ;;
    *)
      die "no broker answers at $host:$port (CELERIAC_BROKER_URL=$CELERIAC_BROKER_URL); start it, or point CELERIAC_BROKER_URL at one (a localhost URL gets a local node started for you)"
      ;;
  esac
fi

# ---- the Functions app -------------------------------------------------------------------------
if [[ ${1:-} == functions ]]; then
  shift
  state=${XDG_STATE_HOME:-$HOME/.local/state}/celeriac/azurite
  if ! timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/10002' 2>/dev/null; then
    log=$(mktemp)
    if ! { infra/azurite.sh install && infra/azurite.sh start 10000 10001 10002 "$state"; } >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"
      die "could not start Azurite on 127.0.0.1:10000-10002"
    fi
    rm -f "$log"
    echo "run.sh: started Azurite on 127.0.0.1:10000-10002 (data in $state); it keeps running after this exits; stop it with: $ROOT/infra/azurite.sh stop $state" >&2
  fi
  infra/declare-queues.sh
  trigger=$(infra/functions-rabbitmq.sh choose)
  echo "run.sh: building the Functions app with the RabbitMQ trigger: $trigger" >&2
  log=$(mktemp)
  for project in src/Celeriac.Functions/Celeriac.Functions.csproj tests/Celeriac.Functions.TestHost/Celeriac.Functions.TestHost.csproj; do
    if ! dotnet build "$project" -c Release -nologo -v q -p:CeleriacRabbitMQTrigger="$trigger" >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"
      die "build of $project failed"
    fi
  done
  rm -f "$log"
  app=$(dirname "$(dotnet msbuild src/Celeriac.Functions/Celeriac.Functions.csproj -p:Configuration=Release -p:CeleriacRabbitMQTrigger="$trigger" -getProperty:TargetPath)")
  testhost=$(dotnet msbuild tests/Celeriac.Functions.TestHost/Celeriac.Functions.TestHost.csproj -p:Configuration=Release -getProperty:TargetPath)
  exec dotnet "$testhost" --app "$app" --port 7071 "$@"
fi

# ---- build, then become the CLI ---------------------------------------------------------------
project=src/Celeriac.Server/Celeriac.Server.csproj
log=$(mktemp)
if ! dotnet build "$project" -c Release -nologo -v q >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"
  die "build of $project failed"
fi
rm -f "$log"
dll=$(dotnet msbuild "$project" -p:Configuration=Release -getProperty:TargetPath)
[[ -f $dll ]] || die "built, but no $dll"

cd "$CALLER_DIR"
exec dotnet "$dll" "$@"
