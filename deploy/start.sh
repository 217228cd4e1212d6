#!/bin/sh
# Start Pulseboard under uvicorn. Settings from the environment:
#   PORT (8000), WEB_CONCURRENCY (workers, 1; more than one needs PULSEBOARD_HUB_URL=redis://...),
#   FORWARDED_ALLOW_IPS (addresses of the proxies whose X-Forwarded-* headers uvicorn trusts),
#   ROOT_PATH (the prefix a proxy strips, e.g. /pulse, with DASH_REQUESTS_PATHNAME_PREFIX=/pulse/),
#   PROMETHEUS_MULTIPROC_DIR (where workers keep their metrics; emptied here on every start),
#   UVICORN_HTTP (h11; httptools parses faster but takes request heads of any size: only behind a
#   proxy that limits them, such as nginx), LIMIT_CONCURRENCY (10000 connections and requests per
#   worker, open streams included; more get 503).
set -eu
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    # A previous run's figures would otherwise be added to this run's.
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
exec uvicorn app:server \
    --host 0.0.0.0 --port "${PORT:-8000}" \
    --workers "${WEB_CONCURRENCY:-1}" \
    --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
    --root-path "${ROOT_PATH:-}" \
    --timeout-graceful-shutdown 3 \
    --http "${UVICORN_HTTP:-h11}" --h11-max-incomplete-event-size 32768 \
    --limit-concurrency "${LIMIT_CONCURRENCY:-10000}" --timeout-keep-alive 5
