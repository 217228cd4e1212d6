# Pulseboard under uvicorn. Build: docker build -t pulseboard .
# One process:   docker run -p 8000:8000 -v pulseboard:/data pulseboard
# Four workers:  docker run -p 8000:8000 -v pulseboard:/data -e WEB_CONCURRENCY=4 \
#                    -e PULSEBOARD_HUB_URL=redis://redis:6379/0 pulseboard
# Behind nginx at /pulse/ (deploy/nginx.conf): add -e DASH_URL_BASE_PATHNAME=/pulse/ \
#                    -e FORWARDED_ALLOW_IPS=<nginx's address>
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY app.py Procfile ./
COPY live ./live
COPY routes ./routes
COPY callbacks ./callbacks
COPY assets ./assets
COPY deploy ./deploy

# The database lives on a volume: every worker of the container shares the one file (WAL).
RUN useradd --system --uid 10001 --home-dir /app pulseboard \
    && mkdir -p /data \
    && chown pulseboard /data
USER pulseboard
VOLUME ["/data"]

ENV PORT=8000 \
    WEB_CONCURRENCY=1 \
    FORWARDED_ALLOW_IPS=127.0.0.1 \
    PULSEBOARD_DATABASE=/data/pulseboard.sqlite3 \
    PULSEBOARD_HUB_URL=memory:// \
    PROMETHEUS_MULTIPROC_DIR=/tmp/pulseboard-metrics

EXPOSE 8000
# /healthz sits under Dash's routes prefix when the app handles the prefix itself.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 CMD python -c "import os, urllib.request; \
prefix = os.environ.get('DASH_ROUTES_PATHNAME_PREFIX') or os.environ.get('DASH_URL_BASE_PATHNAME') or '/'; \
urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}{prefix}healthz', timeout=2)"

# The script execs uvicorn, so uvicorn is PID 1 and gets docker stop's SIGTERM itself.
CMD ["/app/deploy/start.sh"]
