# Sourced by run.sh and test.sh: make .venv and install the pinned requirements when they changed.
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
# The app's own modules compiled to bytecode once (a machine that sets PYTHONDONTWRITEBYTECODE=1 otherwise compiles
# them again in every process: ~0.2 s of each `flask --app app …` command's start; up-to-date files are skipped).
.venv/bin/python -m compileall -q -j 0 app.py config.py worker.py components data_access documents domain pages web \
  wording >/dev/null || true
