#!/usr/bin/env bash
# Start the app at http://127.0.0.1:8501 (set-up included). Data goes to COACH_DATA_DIR.
# It listens on loopback only; COACH_HOST=0.0.0.0 (or one of this machine's addresses) exposes it
# to the network on purpose: the app has no login, so anyone who can reach it reads your notes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${COACH_SKIP_SETUP:-}" ] || bash scripts/setup.sh  # COACH_SKIP_SETUP=1: the venv is ready
export ANONYMIZED_TELEMETRY=False
host="${COACH_HOST:-127.0.0.1}"
umask 077  # the data dir, store, index and cache are the user's alone
exec .venv/bin/streamlit run streamlit_app.py --browser.gatherUsageStats false --server.address "$host" "$@"
