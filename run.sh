#!/usr/bin/env bash
# Install the requirements into .venv (once) and serve Baoxue at http://127.0.0.1:8050/.
# On an empty database the first run creates the schema, a demo county and the demo accounts.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/venv.sh
exec .venv/bin/python app.py
