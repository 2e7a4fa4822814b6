#!/usr/bin/env bash
# CI's container smoke test: build the image, `manage.py check --deploy` inside it with production
# settings, then a web and a worker container from it serve a clip against this machine's
# PostgreSQL and Redis (host network). ~3-6 min, most of it the first build.
#   deploy/smoke.sh            IMAGE=… BASE=… PGURL=… SMOKE_REDIS_URL=… to override
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/reverie:ci}
BASE=${BASE:-localhost/debian-python:bookworm}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
DB=${SMOKE_DB:-reverie_smoke}
SMOKE_REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/8}
PORT=${SMOKE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}

# No image registry is reachable on CI's machines: the base is made locally (podman + Debian).
for script in "${CONTAINER_BASE_SCRIPT:-}" ../shared/tools/container-base.sh /work/shared/tools/container-base.sh; do
  if [ -n "$script" ] && [ -f "$script" ]; then
    bash "$script" "$BASE" >/dev/null
    break
  fi
done
echo "== building $IMAGE on $BASE"
# docker format: OCI images drop HEALTHCHECK.
podman build -q --format docker --network=host -v /etc/ssl/certs:/etc/ssl/certs:ro --build-arg BASE="$BASE" \
  -t "$IMAGE" -f Containerfile . >/dev/null

echo "== manage.py check --deploy (production settings) inside the image"
SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
podman run --rm --network=none -e DEBUG=false -e SECRET_KEY="$SECRET" \
  -e ALLOWED_HOSTS=reverie.example -e CSRF_TRUSTED_ORIGINS=https://reverie.example \
  -e BEHIND_TLS_PROXY=true "$IMAGE" manage check --deploy --fail-level WARNING

echo "== web + worker containers against PostgreSQL ($DB) and Redis"
psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB" -qc "CREATE DATABASE $DB" >/dev/null
redis-cli -u "$SMOKE_REDIS_URL" flushdb >/dev/null
VAR=$(mktemp -d) && chmod 0777 "$VAR"
HANDLE=smoke PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
# Plain HTTP on localhost: the TLS settings are tested above, not here.
COMMON=(--network=host -v "$VAR:/var/lib/reverie" -e DEBUG=false -e SECRET_KEY="$SECRET"
  -e ALLOWED_HOSTS=127.0.0.1,localhost -e SECURE_SSL_REDIRECT=false -e SECURE_COOKIES=false
  -e DATABASE_URL="$PGURL/$DB" -e REDIS_URL="$SMOKE_REDIS_URL" -e SERVE_MEDIA=true
  -e LOG_FORMAT=json -e WORKER_CONCURRENCY=1 -e RENDER_THREADS=1)
cleanup() {
  podman rm -f -t 5 reverie-smoke-web reverie-smoke-worker >/dev/null 2>&1 || true
  rm -rf "$VAR" 2>/dev/null || true
}
trap cleanup EXIT
podman run --rm "${COMMON[@]}" "$IMAGE" migrate | grep -v "^  Applying"
podman run --rm "${COMMON[@]}" "$IMAGE" manage ensure_admin --handle "$HANDLE" --password "$PASSWORD"
podman run -d --name reverie-smoke-web "${COMMON[@]}" -e PORT="$PORT" -e WEB_CONCURRENCY=1 \
  "$IMAGE" web >/dev/null
podman run -d --name reverie-smoke-worker "${COMMON[@]}" \
  -e CELERY_WORKER_NAME="smoke-$$@%h" "$IMAGE" worker >/dev/null
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
if ! python3 deploy/smoke_client.py "http://127.0.0.1:$PORT" "$HANDLE" "$PASSWORD"; then
  echo "-- web log"; podman logs --tail 60 reverie-smoke-web
  echo "-- worker log"; podman logs --tail 60 reverie-smoke-worker
  exit 1
fi
# (podman can't schedule periodic checks without systemd here and says so; run them once.)
echo "== the image's HEALTHCHECK in both roles"
podman healthcheck run reverie-smoke-web || { echo "web unhealthy"; exit 1; }
podman healthcheck run reverie-smoke-worker || { echo "worker unhealthy"; exit 1; }
echo "web and worker healthy"
psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
echo "== container smoke passed"
