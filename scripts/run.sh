#!/usr/bin/env bash
# Install into .venv (if needed) and start Hakshev on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/hakshev serve --host "${HAKSHEV_HOST:-127.0.0.1}" --port "${HAKSHEV_PORT:-8000}"
