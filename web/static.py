"""Static files and JSON answers served small and cached (issue 19 §4).

- `/assets/…` and `/_dash-component-suites/…` with a fingerprint (Dash's `?m=` query or its `.v1_2_3m456.js`
  names; the vendor files get `?m=` from `fingerprinted()`) are cached by browsers for a year (`immutable`);
  without one they are `no-cache` (the browser asks again and gets 304 when the ETag still matches).
- Static files are compressed (brotli, else gzip) once per process and kept in a bounded in-memory cache keyed by
  path, query, ETag and encoding; callback JSON is compressed per response by Flask-Compress. HTML pages (the login
  form carries a CSRF token) are not compressed.
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, request
from flask_compress import Compress

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
YEAR = 31_536_000
COMPRESSIBLE = {"application/javascript", "text/javascript", "text/css", "application/json", "image/svg+xml",
                "image/x-icon", "image/vnd.microsoft.icon", "font/ttf", "application/x-font-ttf", "text/plain"}
MIN_BYTES = 1024
CACHE_BYTES = 64 << 20          # compressed static files kept per process (all of the app's come to ~3 MB)

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is in requirements.txt; gzip still works without it
    brotli = None


class _Compressed:
    """Compressed static bodies, least recently used out first, at most CACHE_BYTES."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit, self.size = limit, 0
        self.items: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self.lock:
            data = self.items.get(key)
            if data is not None:
                self.items.move_to_end(key)
            return data

    def put(self, key: tuple, data: bytes) -> None:
        with self.lock:
            if key in self.items or len(data) > self.limit:
                return
            self.items[key] = data
            self.size += len(data)
            while self.size > self.limit:
                _, old = self.items.popitem(last=False)
                self.size -= len(old)


def is_fingerprinted(path: str, query: dict) -> bool:
    """True when the URL names one version of the file: Dash's `?m=` query or a fingerprinted suite file name."""
    if query.get("m"):
        return True
    if path.startswith("/_dash-component-suites/"):
        from dash.fingerprint import check_fingerprint
        return check_fingerprint(path.rsplit("/", 1)[-1])[1]
    return False


def fingerprinted(url: str, folder: Path) -> str:
    """`/assets/x.css` as `/assets/x.css?m=<mtime>`, the file's modification time, as Dash does for its assets."""
    path = folder / url.removeprefix("/assets/")
    try:
        return f"{url}?m={int(path.stat().st_mtime)}"
    except OSError:
        return url


def _encoding() -> str | None:
    accepted = request.headers.get("Accept-Encoding", "").lower()
    if brotli is not None and "br" in accepted:
        return "br"
    return "gzip" if "gzip" in accepted else None


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=9)     # once per file and process: worth a smaller body
    return gzip.compress(data, compresslevel=9, mtime=0)


def register_static(server: Flask) -> None:
    """Compression (Flask-Compress for JSON, our cache for static files) and Cache-Control for static files.
    Call after every other after_request hook is registered: this one must run first."""
    server.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    server.config.setdefault("COMPRESS_MIMETYPES", ["application/json"])   # callback answers; not HTML (CSRF)
    server.config.setdefault("COMPRESS_MIN_SIZE", MIN_BYTES)
    server.config.setdefault("COMPRESS_STREAMS", False)
    Compress(server)
    cache = _Compressed()

    def static_files(response):  # noqa: ANN001, ANN202
        path = request.path
        if request.method not in ("GET", "HEAD") or not path.startswith(STATIC_PREFIXES):
            return response
        if response.status_code in (200, 304):
            if is_fingerprinted(path, request.args):
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
            else:
                response.cache_control.no_cache = True
                response.cache_control.max_age = None
        encoding = _encoding()
        if (response.status_code != 200 or encoding is None or response.mimetype not in COMPRESSIBLE
                or "Content-Encoding" in response.headers):
            return response
        etag = response.get_etag()[0]
        key = (path, request.query_string, etag, encoding)
        body = cache.get(key) if etag or is_fingerprinted(path, request.args) else None
        if body is None:
            response.direct_passthrough = False
            data = response.get_data()
            if len(data) < MIN_BYTES:
                return response
            body = _compress(data, encoding)
            if etag or is_fingerprinted(path, request.args):
                cache.put(key, body)
        else:
            response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        if etag:
            response.set_etag(etag, weak=True)     # the same file, another encoding: still matches If-None-Match
        return response

    server.after_request(static_files)
