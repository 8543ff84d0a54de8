"""gunicorn settings for Baoxue (`gunicorn -c gunicorn.conf.py app:server`); see README §Production.

Threaded workers (gthread): a callback mostly waits for the database, so a few threads per process serve more
users than more processes would, at the memory of one app per process. Every instance has its own control socket
and pid file under its run directory, so two instances on one host (production and a training copy, or two ports)
never share gunicorn's default `$XDG_RUNTIME_DIR/gunicorn.ctl`.

Environment: BAOXUE_HOST / BAOXUE_PORT (bind, default 127.0.0.1:8050), BAOXUE_WORKERS (default: CPU cores, at
least 2), BAOXUE_THREADS (default 4), BAOXUE_RUN_DIR (default instance/run-<port>), BAOXUE_TIMEOUT (seconds,
default 120), BAOXUE_KEEPALIVE_REQUESTS (requests a connection serves before it is closed, default 10), BAOXUE_PRELOAD
(default 1: the app loaded in the master, workers forked from it; 0: each worker loads it).
"""
import os
from pathlib import Path

_host = os.environ.get("BAOXUE_HOST", "127.0.0.1")
_port = os.environ.get("BAOXUE_PORT", "8050")
_instance = Path(os.environ.get("BAOXUE_INSTANCE_DIR", Path(__file__).resolve().parent / "instance"))
_run = Path(os.environ.get("BAOXUE_RUN_DIR") or _instance / f"run-{_port}")
_run.mkdir(parents=True, exist_ok=True, mode=0o700)

wsgi_app = "app:server"
# The app is loaded once, in the master, and each worker is forked from it: a worker that gunicorn starts again
# (max_requests, a crash) serves within milliseconds instead of importing the app for seconds while the other worker
# takes every reconnecting browser and keeps it (keep-alive): the server then ran on one worker (bench_load: p50
# 42 → 209 ms until it was restarted). Each worker opens its own database connections (data_access.db forgets the
# master's at fork). New code needs a restart of the master (HUP reloads the configuration, not the app).
preload_app = os.environ.get("BAOXUE_PRELOAD", "1") != "0"
bind = [f"{_host}:{_port}"]
worker_class = "gthread"
workers = int(os.environ.get("BAOXUE_WORKERS") or max(2, os.cpu_count() or 2))
threads = int(os.environ.get("BAOXUE_THREADS") or 4)
timeout = int(os.environ.get("BAOXUE_TIMEOUT") or 120)   # a large export may take a while; imports run elsewhere
graceful_timeout = 30
keepalive = 5                   # browsers reuse connections for the burst of static files and callbacks
# …but a connection serves at most this many requests, then the browser opens a new one, which goes to whichever
# worker takes it first: connections that followed a worker restart onto the other worker spread out again within
# seconds (as nginx's keepalive_requests, Apache's MaxKeepAliveRequests). Without it a busy browser stays on
# its worker for good (bench_load after a restart: every connection on one worker, p50 42 → 209 ms).
_keepalive_requests = int(os.environ.get("BAOXUE_KEEPALIVE_REQUESTS") or 10)
max_requests = 5000             # recycle a worker now and then (memory) …
max_requests_jitter = 2500      # … at different times (with 10% jitter both workers went within a few seconds)
control_socket = str(_run / "gunicorn.ctl")
control_socket_mode = 0o600
pidfile = str(_run / "gunicorn.pid")
# the workers' heartbeat files: in memory when the host has /dev/shm (a busy disk must not look like a hung worker)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else str(_run)
accesslog = os.environ.get("BAOXUE_ACCESS_LOG") or None
proc_name = f"baoxue-{_port}"


def pre_request(worker, req):  # noqa: ANN001, ANN201 - gunicorn's hook
    """Close the connection after this request when it has served `_keepalive_requests` (`req_number` counts the
    requests of its connection)."""
    if getattr(req, "req_number", 1) >= _keepalive_requests:
        req.must_close = True
