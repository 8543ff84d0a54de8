#!/usr/bin/env bash
# Install the requirements into .venv (once) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/venv.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
