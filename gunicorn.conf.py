"""gunicorn settings for Baoxue (`gunicorn -c gunicorn.conf.py app:server`); see README §Production.

Threaded workers (gthread): a callback mostly waits for the database, so a few threads per process serve more
users than more processes would, at the memory of one app per process. Every instance has its own control socket
and pid file under its run directory, so two instances on one host (production and a training copy, or two ports)
never share gunicorn's default `$XDG_RUNTIME_DIR/gunicorn.ctl`.

Environment: BAOXUE_HOST / BAOXUE_PORT (bind, default 127.0.0.1:8050), BAOXUE_WORKERS (default: CPU cores, at
least 2), BAOXUE_THREADS (default 4), BAOXUE_RUN_DIR (default instance/run-<port>), BAOXUE_TIMEOUT (seconds,
default 120).
"""
import os
from pathlib import Path

_host = os.environ.get("BAOXUE_HOST", "127.0.0.1")
_port = os.environ.get("BAOXUE_PORT", "8050")
_instance = Path(os.environ.get("BAOXUE_INSTANCE_DIR", Path(__file__).resolve().parent / "instance"))
_run = Path(os.environ.get("BAOXUE_RUN_DIR") or _instance / f"run-{_port}")
_run.mkdir(parents=True, exist_ok=True, mode=0o700)

wsgi_app = "app:server"
bind = [f"{_host}:{_port}"]
worker_class = "gthread"
workers = int(os.environ.get("BAOXUE_WORKERS") or max(2, os.cpu_count() or 2))
threads = int(os.environ.get("BAOXUE_THREADS") or 4)
timeout = int(os.environ.get("BAOXUE_TIMEOUT") or 120)   # a large export may take a while; imports run elsewhere
graceful_timeout = 30
keepalive = 5                   # browsers reuse connections for the burst of static files and callbacks
max_requests = 5000             # recycle a worker now and then (memory), not all at once
max_requests_jitter = 500
control_socket = str(_run / "gunicorn.ctl")
control_socket_mode = 0o600
pidfile = str(_run / "gunicorn.pid")
# the workers' heartbeat files: in memory when the host has /dev/shm (a busy disk must not look like a hung worker)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else str(_run)
accesslog = os.environ.get("BAOXUE_ACCESS_LOG") or None
proc_name = f"baoxue-{_port}"
