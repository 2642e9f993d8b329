#!/usr/bin/env bash
# Debian's headless Chromium, the browser the dashboard tests drive (Playwright .NET with ExecutablePath, so no
# `playwright install` and no browser download from anywhere but apt).
#
#   infra/chromium.sh install   apt-get install chromium unless /usr/bin/chromium runs
#   infra/chromium.sh check     print the version /usr/bin/chromium reports (exit 1 if none)
set -euo pipefail

BIN=/usr/bin/chromium

die() { echo "chromium.sh: $*" >&2; exit 1; }

has_chromium() { [[ -x $BIN ]] && "$BIN" --headless --no-sandbox --version >/dev/null 2>&1; }

cmd_install() {
  has_chromium && return 0
  echo "chromium.sh: installing chromium (a minute or two)" >&2
  local sudo=() log
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  log=$(mktemp)
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get install chromium failed"
  fi
  rm -f "$log"
  has_chromium || die "chromium installed but '$BIN --version' fails"
}

cmd_check() {
  "$BIN" --headless --no-sandbox --version || die "$BIN does not run (run: $0 install)"
}

case ${1:-} in
  install) cmd_install ;;
  check) cmd_check ;;
  *) echo "usage: $0 install|check" >&2; exit 2 ;;
esac
