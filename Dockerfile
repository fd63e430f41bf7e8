# Schedule Explorer: API + dashboard on uvicorn. Build: docker build -t schedule-explorer .
# Run: docker run -p 8000:8000 -v se-data:/data schedule-explorer
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SCHEDULE_EXPLORER_DATA_DIR=/data \
    SCHEDULE_EXPLORER_WORKERS=2 \
    PORT=8000

WORKDIR /srv/schedule-explorer

# CPU-only torch from PyTorch's CPU index (the default index would pull CUDA wheels).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# The server with PostgreSQL and torch (for the torch scheduler types); torch stays pinned in
# the same command so pip keeps the CPU build above. static/ ships inside the package
# (schedule_explorer/static); app/ installs as the import package schedule_explorer.
COPY pyproject.toml README.md MANIFEST.in ./
COPY scheduler_core ./scheduler_core
COPY app ./app
COPY static ./static
RUN pip install torch==2.13.0 './[server,postgres,torch]' \
    && useradd --system --uid 10001 --home-dir /srv/schedule-explorer explorer \
    && mkdir -p /data \
    && chown explorer /data

USER 10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/healthz\", timeout=4)"]

CMD ["schedule-explorer", "serve", "--host", "0.0.0.0"]
