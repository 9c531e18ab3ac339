#!/usr/bin/env bash
# Start the app at http://localhost:8501 (set-up included). Data goes to COACH_DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ANONYMIZED_TELEMETRY=False
exec .venv/bin/streamlit run streamlit_app.py --browser.gatherUsageStats false "$@"
