"""Load test: N users log in through the form and replay the browser's callback requests against a running server.

    BAOXUE_LOGIN_RATE_LIMIT="1000 per minute" BAOXUE_DATABASE_URL=sqlite:////tmp/baoxue_county.db \\
        .venv/bin/gunicorn -c gunicorn.conf.py &          # the server under test, on 127.0.0.1:8050
    .venv/bin/python bench/bench_load.py --url sqlite:////tmp/baoxue_county.db --users 20 --seconds 60

- `--url` is the server's database: the users `bench_load_01…NN` (county_leader of --area, password
  `bench-password-1`) are created there if missing (audit-logged as "bench"); `--no-create` skips that.
- Each user is a thread with its own keep-alive connection and cookies: GET /login, POST the form with its CSRF
  token, GET / (the `_csrf_token` cookie Dash sends back as X-CSRFToken), with `--cold` also every script and
  style sheet the page names (a first visit's static files, with Accept-Encoding: br, gzip), then, until its
  `--requests` are done or `--seconds` have passed (both bounds always hold), one page visit after another: the
  callbacks the browser posts when that page opens (built from the server's own /_dash-dependencies), each
  followed by `--think` seconds (±50 %, seeded) of think time.
- Only 127.0.0.1 / localhost servers are accepted. Printed: p50/p95/max per callback and overall, error count with
  the first few (an HTTP status other than 200/204, or a failed connection), requests per second and bytes on the
  wire. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench-password-1"
COUNTY = "532822000000"
LOCAL = {"127.0.0.1", "localhost", "::1"}


def pages(sel: str, term: str) -> list[tuple[str, list[tuple[str, str, dict]]]]:
    """(page path, [(label, output, changed input, values)]) the browser posts when each page opens."""
    v = {"shell-selection.value": sel, "shell-term.value": term, "shell-filters.data": {"selection": sel, "term": term},
         "overview-trend-pick.value": "junior_dropout_rate", "compliance-units.value": "next",
         "map-indicator.value": "junior_dropout_rate"}

    def shell(path: str) -> list:
        return [("shell: navbar", "shell-nav.children", "shell-url.pathname", {**v, "shell-url.pathname": path}),
                ("shell: pickers", "shell-selection.options", "shell-page-pickers.data",
                 {**v, "shell-url.pathname": path})]
    return [
        ("/", shell("/") + [("overview: cards", "overview-cards.children", "shell-selection.value", v),
                            ("overview: trend", "overview-trend.figure", "shell-selection.value", v)]),
        ("/compliance", shell("/compliance") + [("compliance", "compliance-body.children", "shell-selection.value", v)]),
        ("/tiers", shell("/tiers") + [("tiers", "tiers-table-box.children", "shell-selection.value", v)]),
        ("/rankings", shell("/rankings") + [("rankings", "rankings-grid.rowData", "shell-selection.value", v)]),
        ("/map", shell("/map") + [("map: options", "map-indicator.options", "shell-selection.value", v),
                                  ("map: figure", "map-graph.figure", "shell-selection.value", v)]),
        ("/progress", shell("/progress") + [("progress", "progress-cards.children", "shell-selection.value", v)]),
    ]


class Deps:
    """The server's callback map (GET /_dash-dependencies), to build well-formed requests."""

    def __init__(self, deps: list[dict]) -> None:
        self.by_output: dict[str, dict] = {}
        for d in deps:
            for out in d["output"].strip(".").split("..."):
                self.by_output.setdefault(out, d)

    def body(self, output: str, values: dict, changed: str) -> bytes | None:
        d = self.by_output.get(output)
        if d is None:
            return None
        outputs = d["output"].strip(".").split("...")

        def props(items: list[dict]) -> list[dict]:
            return [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
                    for i in items]
        pairs = [o.rsplit(".", 1) for o in outputs]
        return json.dumps({"output": d["output"] if len(outputs) > 1 else outputs[0],
                           "outputs": [{"id": i, "property": p} for i, p in pairs] if len(outputs) > 1
                           else {"id": pairs[0][0], "property": pairs[0][1]},
                           "inputs": props(d["inputs"]), "state": props(d["state"]),
                           "changedPropIds": [changed]}).encode()


class User:
    """One browser: a keep-alive connection, its cookies and its CSRF token."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.bytes = 0

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
                ) -> tuple[int, bytes, http.client.HTTPResponse]:
        h = {"Accept-Encoding": "br, gzip", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()       # a keep-alive connection the server closed: once more on a new one
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        self.bytes += len(data)
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return resp.status, data, resp

    def login(self, username: str, cold: bool) -> None:
        status, page, _ = self.request("GET", "/login", headers={"Accept-Encoding": "identity"})
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"GET /login: HTTP {status}")
        form = f"username={username}&password={PASSWORD}&csrf_token={token.group(1).decode()}".encode()
        status, _, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"POST /login for {username}: HTTP {status} (is BAOXUE_LOGIN_RATE_LIMIT raised?)")
        status, index, _ = self.request("GET", "/", headers={"Accept-Encoding": "identity"})
        self.csrf = self.cookies.get("_csrf_token", "")
        if status != 200 or not self.csrf:
            raise RuntimeError(f"GET / after login: HTTP {status}")
        if cold:
            for url in re.findall(rb'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"', index):
                self.request("GET", url.decode().replace("&amp;", "&"))

    def callback(self, body: bytes) -> int:
        status, _, _ = self.request("POST", "/_dash-update-component", body,
                                    {"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        return status


def ensure_users(url: str, count: int, area: str) -> list[str]:
    from sqlalchemy import select
    from data_access import audit
    from data_access.admin.users import create_user
    from data_access.db import make_engine, make_sessionmaker
    from data_access.models import User as UserRow
    names = [f"bench_load_{i:02d}" for i in range(1, count + 1)]
    factory = make_sessionmaker(make_engine(url))
    with audit.acting_as(None, "bench"), factory() as s, s.begin():
        for name in names:
            if s.scalar(select(UserRow.id).where(UserRow.username == name)) is None:
                create_user(s, name, PASSWORD, "county_leader", area)
    return names


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server", default="http://127.0.0.1:8050", help="the running server (127.0.0.1 only)")
    p.add_argument("--url", help="the server's database URL (to create the bench users)")
    p.add_argument("--no-create", action="store_true", help="the users bench_load_NN exist already")
    p.add_argument("--users", type=int, default=10)
    p.add_argument("--area", default=COUNTY)
    p.add_argument("--term", default=None, help="term code (default: the newest the pickers offer)")
    p.add_argument("--requests", type=int, default=200, help="callbacks per user at most")
    p.add_argument("--seconds", type=float, default=60, help="the whole run at most (after logins)")
    p.add_argument("--think", type=float, default=1.0, help="seconds between a user's requests (±50 %%)")
    p.add_argument("--timeout", type=float, default=30, help="seconds one request may take")
    p.add_argument("--cold", action="store_true", help="also fetch the page's static files after login")
    p.add_argument("--seed", type=int, default=19)
    a = p.parse_args(argv)
    where = urlsplit(a.server)
    if where.hostname not in LOCAL:
        raise SystemExit("bench_load only runs against a server on this machine (127.0.0.1)")
    host, port = where.hostname, where.port or 80
    if a.no_create:
        names = [f"bench_load_{i:02d}" for i in range(1, a.users + 1)]
    elif a.url:
        names = ensure_users(a.url, a.users, a.area)
    else:
        raise SystemExit("--url (the server's database, to create the users) or --no-create")

    users, errors, login_ms = [], [], []
    for name in names:          # logins one after another, as a morning's arrivals (timed each)
        u = User(host, port, a.timeout)
        t0 = time.perf_counter()
        try:
            u.login(name, a.cold)
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on with the others
            errors.append(f"login {name}: {exc}")
            continue
        login_ms.append((time.perf_counter() - t0) * 1000)
        users.append(u)
    if not users:
        print("\n".join(errors))
        return 1
    deps = Deps(json.loads(users[0].request("GET", "/_dash-dependencies", headers={"Accept-Encoding": "identity"})[1]))
    term = a.term
    if term is None:
        body = deps.body("shell-selection.options", {"shell-url.pathname": "/"}, "shell-url.pathname")
        status, data, _ = users[0].request("POST", "/_dash-update-component", body,
                                           {"Content-Type": "application/json", "X-CSRFToken": users[0].csrf,
                                            "Accept-Encoding": "identity"})
        term = json.loads(data)["response"]["shell-term"]["value"]
    visits = pages(a.area, term)
    missing = sorted({out for _, steps in visits for _, out, _, _ in steps if out not in deps.by_output})
    if missing:
        print(f"(not on this server, skipped: {', '.join(missing)})")

    times: dict[str, list[float]] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + a.seconds
    started = time.perf_counter()

    def run(index: int, user: User) -> None:
        rng = random.Random(a.seed * 1000 + index)
        done, visit = 0, index % len(visits)
        time.sleep(rng.uniform(0, a.think))                 # users do not all click at once
        while done < a.requests and time.monotonic() < deadline:
            _, steps = visits[visit % len(visits)]
            visit += 1
            for label, out, changed, values in steps:
                if done >= a.requests or time.monotonic() >= deadline:
                    break
                # as in the browser: the pickers are empty on the first page after login, filled afterwards
                filled = [{"label": a.area, "value": a.area}] if visit > index % len(visits) + 1 else None
                if label == "shell: pickers" and filled:
                    continue        # the browser fills the pickers once per page load, not at every move
                body = deps.body(out, {**values, "shell-selection.options": filled}, changed)
                if body is None:
                    continue
                t0 = time.perf_counter()
                try:
                    status = user.callback(body)
                    failed = None if status in (200, 204) else f"{label}: HTTP {status}"
                except Exception as exc:  # noqa: BLE001
                    failed = f"{label}: {type(exc).__name__}: {exc}"
                ms = (time.perf_counter() - t0) * 1000
                done += 1
                with lock:
                    times.setdefault(label, []).append(ms)
                    if failed:
                        errors.append(failed)
            time.sleep(max(0.0, rng.uniform(0.5, 1.5) * a.think))

    threads = [threading.Thread(target=run, args=(i, u), daemon=True) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.seconds + a.timeout + 5)
    elapsed = time.perf_counter() - started
    every = [ms for values in times.values() for ms in values]
    print(f"server {a.server} · {len(users)} users logged in of {len(names)} · term {term} · think {a.think:g} s · "
          f"{elapsed:.1f} s · {len(every)} callbacks ({len(every) / elapsed:.1f}/s) · "
          f"{sum(u.bytes for u in users) / 1e6:.1f} MB on the wire · errors {len(errors)}")
    print(f"login (form, index{', static files' if a.cold else ''}): p50 {statistics.median(login_ms):.0f} ms, "
          f"p95 {pct(login_ms, 0.95):.0f} ms")
    print(f"| {'callback':<22} | {'n':>5} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} |")
    print(f"|{'-' * 24}|{'-' * 7}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|")
    for label, values in [*sorted(times.items()), ("all callbacks", every)]:
        print(f"| {label:<22} | {len(values):>5} | {pct(values, 0.5):>7.0f} | {pct(values, 0.95):>7.0f} | "
              f"{max(values) if values else float('nan'):>7.0f} |")
    for e in errors[:10]:
        print("error:", e)
    return 0 if not errors else 2


if __name__ == "__main__":
    raise SystemExit(main())
