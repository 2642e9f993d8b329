#!/usr/bin/env bash
# Declares what the Functions app needs on the broker before `func start`, through RabbitMQ's management HTTP API:
# the RabbitMQ trigger only declares its queue passively and refuses to start when it is missing.
#
#   infra/declare-queues.sh
#
# Declares exactly what a Celery worker declares, with Celery's own flags and no queue arguments (any argument would
# make every Celery client's own declare of `celery` fail with PRECONDITION_FAILED):
#   exchange celery (direct, durable), queue celery (durable), binding celery -> celery (key celery);
#   queue celery_error (durable; where Celeriac parks messages it cannot process);
#   exchange celeryev (topic, durable; task events); celery.pidbox (fanout) and reply.celery.pidbox (direct), both
#   transient (remote control). Declaring again is harmless.
#
# Environment: CELERIAC_BROKER_URL (default amqp://guest:guest@localhost:5672/: user, password and vhost are taken
# from it), CELERIAC_MANAGEMENT_URL (default http://<broker host>:15672).
set -euo pipefail

die() { echo "declare-queues.sh: $*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is missing"

url=${CELERIAC_BROKER_URL:-amqp://guest:guest@localhost:5672/}
[[ $url =~ ^amqps?://(([^:@/]*)(:([^@/]*))?@)?([^:/?]+)(:[0-9]+)?(/([^?]*))?$ ]] || die "CELERIAC_BROKER_URL is not an amqp:// URL: $url"
user=${BASH_REMATCH[2]:-guest} password=${BASH_REMATCH[4]:-guest} host=${BASH_REMATCH[5]} vhost=${BASH_REMATCH[8]:-}
# The vhost is the URL's path, percent-encoded already; an empty path is the default vhost "/".
[[ -n $vhost ]] || vhost=%2F
management=${CELERIAC_MANAGEMENT_URL:-http://$host:15672}

put() {
  local method=$1 path=$2 body=$3 code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -u "$user:$password" -X "$method" -H 'content-type: application/json' \
    --data "$body" "$management/api/$path") || die "no management API at $management (is the management plugin on?)"
  [[ $code == 2?? ]] || die "$method /api/$path answered $code"
}

put PUT "exchanges/$vhost/celery" '{"type":"direct","durable":true,"auto_delete":false,"arguments":{}}'
put PUT "queues/$vhost/celery" '{"durable":true,"auto_delete":false,"arguments":{}}'
put POST "bindings/$vhost/e/celery/q/celery" '{"routing_key":"celery","arguments":{}}'
put PUT "queues/$vhost/celery_error" '{"durable":true,"auto_delete":false,"arguments":{}}'
put PUT "exchanges/$vhost/celeryev" '{"type":"topic","durable":true,"auto_delete":false,"arguments":{}}'
put PUT "exchanges/$vhost/celery.pidbox" '{"type":"fanout","durable":false,"auto_delete":false,"arguments":{}}'
put PUT "exchanges/$vhost/reply.celery.pidbox" '{"type":"direct","durable":false,"auto_delete":false,"arguments":{}}'
echo "declare-queues.sh: celery (+ celery_error, celeryev, pidbox exchanges) declared on $management vhost $vhost" >&2
