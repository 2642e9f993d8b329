#!/usr/bin/env bash
# Real Python Celery, the interop peer of the tests.
#
#   infra/python-celery.sh install   apt-get install python3-celery unless /usr/bin/python3 imports celery
#   infra/python-celery.sh check     print the Celery version /usr/bin/python3 imports (exit 1 if none)
#
# Always /usr/bin/python3: the python3 first on PATH may be another build without Debian's packages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

PY=/usr/bin/python3

die() { echo "python-celery.sh: $*" >&2; exit 1; }

has_celery() { [[ -x $PY ]] && "$PY" -c 'import celery' >/dev/null 2>&1; }

cmd_install() {
  has_celery && return 0
  echo "python-celery.sh: installing python3-celery" >&2
  local sudo=() log
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  log=$(mktemp)
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-celery; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get install python3-celery failed"
  fi
  rm -f "$log"
  has_celery || die "python3-celery installed but '$PY -c \"import celery\"' still fails"
}

cmd_check() {
  "$PY" -c 'import celery, kombu; print("celery", celery.__version__, "kombu", kombu.__version__)' \
    || die "$PY cannot import celery (run: $0 install)"
}

case ${1:-} in
  install) cmd_install ;;
  check) cmd_check ;;
  *) echo "usage: $0 install|check" >&2; exit 2 ;;
esac
