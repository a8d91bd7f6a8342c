#!/usr/bin/env bash
# Install into .venv (if needed) and start Hakshev on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The project's labelled calls are imported once as demo calls, so there is something to see.
export HAKSHEV_DEMO_CALLS_DIR="${HAKSHEV_DEMO_CALLS_DIR:-tests/calls}"
exec .venv/bin/hakshev serve --host "${HAKSHEV_HOST:-127.0.0.1}" --port "${HAKSHEV_PORT:-8000}"
