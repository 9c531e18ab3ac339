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
