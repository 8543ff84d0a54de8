#!/usr/bin/env bash
# Install the requirements into .venv (once), check the import layers, and run the whole test suite.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/venv.sh
# the layers of design.md (.importlinter): a wrong import fails here, before any test runs
.venv/bin/lint-imports --no-cache >/dev/null || { .venv/bin/lint-imports --no-cache; exit 1; }
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
