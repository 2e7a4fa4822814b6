#!/bin/sh
# The image's commands (run under tini). Every setting comes from the environment (README,
# "Configuration" and "Deploy").
#   web            ASGI server (HTTP + websockets) on $PORT, $WEB_CONCURRENCY processes
#   worker         Celery worker on $CELERY_QUEUES (default,render) with $WORKER_CONCURRENCY
#   beat           the one Celery scheduler of a deployment
#   migrate        migrate the database and create the S3 bucket if it is missing (one-shot)
#   manage ARGS…   any manage.py command;  anything else is run as given
set -eu
role="${1:-web}"
# Prometheus multi-process files belong to this container's life only.
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
echo "$role" > /tmp/reverie-role
# One C2PA chain for every container of the deployment (production settings refuse to run
# without one: manage.py check). None configured: make it once in the shared volume.
if [ -z "${C2PA_SIGN_CERT:-}" ] && [ -z "${C2PA_PRIVATE_KEY:-}" ]; then
  c2pa_dir="${REVERIE_VAR_DIR:-/var/lib/reverie}/c2pa-deployment"
  if [ ! -s "$c2pa_dir/chain.pem" ] || [ ! -s "$c2pa_dir/key.pem" ]; then
    python3 manage.py make_c2pa_chain --out "$c2pa_dir" --force >/dev/null || true
  fi
  if [ -s "$c2pa_dir/chain.pem" ] && [ -s "$c2pa_dir/key.pem" ]; then
    export C2PA_SIGN_CERT="$c2pa_dir/chain.pem" C2PA_PRIVATE_KEY="$c2pa_dir/key.pem"
  fi
fi
case "$role" in
  web)
    shift
    exec python3 -m uvicorn config.asgi:application --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}" --ws websockets --no-access-log \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --timeout-graceful-shutdown 20 "$@"
    ;;
  worker)
    shift
    exec python3 -m celery -A config worker -Q "${CELERY_QUEUES:-default,render}" \
      -c "${WORKER_CONCURRENCY:-2}" -l "${LOG_LEVEL:-INFO}" -n "${CELERY_WORKER_NAME:-worker@%h}" "$@"
    ;;
  beat)
    shift
    exec python3 -m celery -A config beat -l "${LOG_LEVEL:-INFO}" \
      -s "${REVERIE_VAR_DIR:-/var/lib/reverie}/celerybeat-schedule" "$@"
    ;;
  migrate)
    python3 manage.py migrate --noinput
    exec python3 manage.py ensure_storage
    ;;
  manage)
    shift
    exec python3 manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
