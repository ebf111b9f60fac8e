"""HTTP benchmark: a read and a write route of the real app, each a ratio against a bare Falcon app.

Both apps run on the same kind of server: waitress on 127.0.0.1 (a free port),
with the thread count of ``lkk serve``, in a background thread of this process,
stopped at the end. The client is ``http.client`` in this process too: each
client thread (``--clients``, default 1) holds one persistent HTTP/1.1
keep-alive connection and sends one request at a time. Client, servers and
app share one interpreter (and its GIL), alike for ours and the baseline.

Ours is ``adapters.http.wsgi.app_for`` (what ``lkk serve`` serves) over
services on SQLite in a temporary directory, with accounts registered and
onboarded over HTTP (the e-mail code derived as the demo seed derives it).
Measured in the same run, in interleaved rounds (medians):

1. ``GET /v1/me`` with the account's bearer token (session check, profile
   view, JSON) against a bare ``GET`` answering the very bytes ours answered.
2. ``PUT /v1/me/phone`` alternating two numbers (session check, load, decide,
   seal, save, views caught up inline: a commit to the profile view's own
   SQLite file after the log's) against a bare ``PUT`` that parses the JSON
   body and answers the body ours answered.
3. The same ``PUT`` with ``LKK_PROJECTIONS=external``, as a scaled-out
   deployment runs: the views are caught up by a ``lkk project run`` process
   (``--follower-poll``), and the answer waits for them (read-your-writes,
   ``Views.wait_for`` polling from 0.5 ms up).

The figure is requests/s of ours over the baseline's; the goal is ≥ 0.5×.
Below the table, the server side of ours: µs per request inside the WSGI
callable, and for the inline write the µs of it spent catching the views up
(the view's commit).

Run: ``make bench`` (or ``python -m bench.http --seconds 5 --rounds 5 --clients 4``).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass

import falcon
from waitress import wasyncore
from waitress.server import create_server

from adapters.cli.main import parser as lkk_parser
from adapters.http.wsgi import app_for
from lkk_core import Services, bootstrap
from lkk_core.kernel.app import new_key

GOAL = 0.5
PASSWORD = "Secret#123"
PHONES = ("+7 812 123-12-31", "+7 812 123-12-32")
WARM_UP = 20  # requests per client before each measure, on each side


def serve_threads() -> int:
    """The waitress thread count of ``lkk serve`` (its ``--threads`` default)."""
    return lkk_parser().parse_args(["serve"]).threads


class Served(AbstractContextManager["Served"]):
    """A WSGI app on a waitress server at 127.0.0.1 (a free port), its loop in a background thread.

    The loop is waitress's own (``server.run`` without the endless ``while``):
    it stops between two polls, closes every channel and the listening socket
    in its own thread, then shuts the worker threads down.
    """

    def __init__(self, app: Callable, threads: int) -> None:
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.port = int(self.server.effective_port)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"waitress:{self.port}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        socket_map, adj = self.server._map, self.server.adj  # noqa: SLF001
        while not self._stopping.is_set():
            wasyncore.loop(timeout=adj.asyncore_loop_timeout, map=socket_map, use_poll=adj.asyncore_use_poll,
                           count=1)
        wasyncore.close_all(socket_map)
        self.server.task_dispatcher.shutdown()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self.server.pull_trigger()  # wake the poll
        self._thread.join(timeout=10)


def call(conn: http.client.HTTPConnection, method: str, path: str, body: object = None,
         headers: dict[str, str] | None = None, status: int = 200) -> bytes:
    """Send one request on a kept-alive connection; return the body, checking the status."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    sent = {"Content-Type": "application/json", **(headers or {})} if data is not None else dict(headers or {})
    conn.request(method, path, body=data, headers=sent)
    resp = conn.getresponse()
    answer = resp.read()
    if resp.status != status:
        msg = f"{method} {path} answered {resp.status}: {answer[:300]!r}"
        raise RuntimeError(msg)
    return answer


@contextmanager
def lkk_services(projections: str = "inline") -> Iterator[tuple[Services, dict[str, str]]]:
    """Services over SQLite files in a fresh temporary directory, views ``inline`` or ``external``."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"LKK_PII_KEK": new_key(), "LKK_SECRET_KEY": new_key(), "LKK_ARGON2_PROFILE": "fast",
               "LKK_VAR_DIR": folder, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": f"{folder}/lkk.db", "LKK_PROJECTIONS": projections}
        services = bootstrap(env)
        try:
            yield services, env
        finally:
            services.views.close()
            services.app.close()


def onboard(services: Services, conn: http.client.HTTPConnection, email: str) -> dict[str, str]:
    """Register and onboard an account over HTTP; return its Authorization header."""
    reg = json.loads(call(conn, "POST", "/v1/registrations",
                          {"email": email, "password": PASSWORD, "agreement_accepted": True}, status=201))
    auth = {"Authorization": f"Bearer {reg['token']}"}
    # The code the letter would carry, derived as the demo seed derives it.
    account = services.app.repository.get(uuid.UUID(reg["account_id"]))
    code = services.secret.code(account.id, "confirm_email", account.pending_nonce("confirm_email"))
    call(conn, "POST", "/v1/me/email/confirmation", {"code": code}, auth)
    call(conn, "PUT", "/v1/me/personal-data", {"last_name": "Иванова", "first_name": "Анна"}, auth)
    call(conn, "PUT", "/v1/me/phone", {"phone": PHONES[0]}, auth)
    return auth


@contextmanager
def follower(env: dict[str, str], poll: float) -> Iterator[subprocess.Popen[bytes]]:
    """``lkk project run`` in a process of its own over ``env``'s log, stopped (by its pid) at the end."""
    log_path = f"{env['LKK_VAR_DIR']}/follower.log"
    with open(log_path, "wb") as errors:
        process = subprocess.Popen(  # noqa: S603  (our own CLI, by this interpreter)
            [sys.executable, "-c", "from adapters.cli.main import main; raise SystemExit(main())",
             "project", "run", "--poll", str(poll)],
            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=errors,
        )
    try:
        assert process.stdout is not None
        started = process.stdout.readline()  # "following the log into …" once its views are open
        if not started.startswith(b"following"):
            with open(log_path, "rb") as errors:
                msg = f"lkk project run did not start: {started!r} {errors.read()[-2000:]!r}"
            raise RuntimeError(msg)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class Timed:
    """A WSGI app wrapped to sum the wall time of its calls (the body is joined inside), per label."""

    def __init__(self, app: Callable) -> None:
        self.app, self.label = app, ""
        self.totals: dict[str, list[float]] = {}  # label: [seconds, calls]

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        start = time.perf_counter()
        body = [b"".join(self.app(environ, start_response))]
        total = self.totals.setdefault(self.label, [0.0, 0])
        total[0] += time.perf_counter() - start
        total[1] += 1
        return body


def timed_hooks(services: Services, totals: Timed) -> None:
    """Sum the time of the after-save hooks (the inline views' catch-up) under ``<label> views``."""

    def timed(hook: Callable) -> Callable:
        def run(recordings: list) -> None:
            start = time.perf_counter()
            hook(recordings)
            total = totals.totals.setdefault(f"{totals.label} views", [0.0, 0])
            total[0] += time.perf_counter() - start
            total[1] += 1
        return run

    services.after_save[:] = [timed(hook) for hook in services.after_save]


# -- the bare baseline ------------------------------------------------------------------------


class Canned:
    """A bare resource: GET answers ``body``; PUT parses the JSON body, then answers ``body``."""

    def __init__(self) -> None:
        self.body = b"{}"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self.body

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.get_media()
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self.body


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Route:
    """One request of a measure, per client: method, path, its headers and the bodies it cycles through.

    Each client goes on through the bodies from one measure to the next, so the
    phones alternate however many requests a round makes.
    """

    method: str
    path: str
    headers: list[dict[str, str]]  # one per client
    bodies: tuple[object, ...] = (None,)

    def __post_init__(self) -> None:
        self.cycles = [itertools.cycle(self.bodies) for _ in self.headers]


def drive(conns: list[http.client.HTTPConnection], route: Route, count: int | None, seconds: float) -> float:
    """Requests per second of all clients together: ``count`` requests in all, or for ``seconds``."""
    done = [0] * len(conns)
    errors: list[BaseException] = []
    start_line = threading.Barrier(len(conns) + 1)

    def client(i: int) -> None:
        conn, headers, bodies = conns[i], route.headers[i], route.cycles[i]
        start_line.wait()
        try:
            if count is not None:
                for _ in range(max(count // len(conns), 1)):
                    call(conn, route.method, route.path, next(bodies), headers)
                    done[i] += 1
            else:
                deadline = time.perf_counter() + seconds
                while time.perf_counter() < deadline:
                    call(conn, route.method, route.path, next(bodies), headers)
                    done[i] += 1
        except BaseException as ex:  # noqa: BLE001  (reported below, in the caller's thread)
            errors.append(ex)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(conns))]
    for t in threads:
        t.start()
    start_line.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return sum(done) / elapsed


def interleaved(rounds: int, count: int | None, seconds: float,
                ours: Callable[[int | None, float], float],
                baseline: Callable[[int | None, float], float]) -> tuple[float, float]:
    """Median rates over rounds that alternate the two, so machine noise hits both alike."""
    per_round = None if count is None else max(count // rounds, 1)
    rates = [(ours(per_round, seconds / rounds), baseline(per_round, seconds / rounds)) for _ in range(rounds)]
    return statistics.median(r[0] for r in rates), statistics.median(r[1] for r in rates)


@dataclass
class Row:
    """One line of the table: what was measured, both rates, and ours' server-side µs per request."""

    route: str
    views: str
    ours: float
    bare: float
    server_us: float  # inside ours' WSGI callable, per request
    views_us: float  # of which in the after-save hooks (inline: catching the views up, their commit)


def measure(conns: list[http.client.HTTPConnection], bare_conns: list[http.client.HTTPConnection],
            canned: Canned, route: Route, timed: Timed, label: str,
            rounds: int, count: int | None, seconds: float) -> tuple[float, float, float, float]:
    """Interleaved medians of ours and the bare app on one route; then ours' server-side µs per request."""
    clients = len(conns)
    # The baseline answers the very bytes ours answered (for the write, a position of the log).
    canned.body = call(conns[0], route.method, route.path, next(route.cycles[0]), route.headers[0])
    bare = Route(route.method, route.path, [{}] * clients, route.bodies)
    drive(conns, route, WARM_UP * clients, 0)
    drive(bare_conns, bare, WARM_UP * clients, 0)
    timed.label = label
    ours, base = interleaved(rounds, count, seconds,
                             lambda n, s: drive(conns, route, n, s),
                             lambda n, s: drive(bare_conns, bare, n, s))
    timed.label = ""
    spent, calls = timed.totals.get(label, [0.0, 1])
    hooks, _ = timed.totals.get(f"{label} views", [0.0, 0])
    return ours, base, spent / calls * 1e6, hooks / calls * 1e6


def bench_http(clients: int, rounds: int, count: int | None, seconds: float,
               follower_poll: float = 0.001) -> list[Row]:
    """The read route and the write route (views inline), then the write route with the views external."""
    threads = serve_threads()
    rows = []
    with ExitStack() as stack:
        canned = Canned()
        bare_app = falcon.App()
        bare_app.add_route("/v1/me", canned)
        bare_app.add_route("/v1/me/phone", canned)
        bare_server = stack.enter_context(Served(bare_app, threads))
        bare_conns = [bare_server.connect() for _ in range(clients)]
        for conn in bare_conns:
            stack.callback(conn.close)  # closed before the server stops
        for projections in ("inline", "external"):
            with ExitStack() as side:
                services, env = side.enter_context(lkk_services(projections))
                if projections == "external":
                    side.enter_context(follower(env, follower_poll))
                timed = Timed(app_for(services, env))
                timed_hooks(services, timed)
                ours_server = side.enter_context(Served(timed, threads))
                ours_conns = [ours_server.connect() for _ in range(clients)]
                for conn in ours_conns:
                    side.callback(conn.close)
                auths = [onboard(services, conn, f"bench{i}@example.com") for i, conn in enumerate(ours_conns)]
                read = Route("GET", "/v1/me", auths)
                write = Route("PUT", "/v1/me/phone", auths, tuple({"phone": p} for p in (PHONES[1], PHONES[0])))
                routes = [("GET /v1/me", read), ("PUT /v1/me/phone", write)] if projections == "inline" else \
                    [("PUT /v1/me/phone", write)]
                for label, route in routes:
                    ours, base, server_us, views_us = measure(ours_conns, bare_conns, canned, route, timed,
                                                              f"{label} {projections}", rounds, count, seconds)
                    rows.append(Row(label, projections, ours, base, server_us, views_us))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="time per route and side, split over the rounds (default 3)")
    parser.add_argument("--requests", type=int, default=None,
                        help="requests per route and side instead of --seconds, split over the rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=1,
                        help="client threads, one keep-alive connection each (default 1)")
    parser.add_argument("--follower-poll", type=float, default=0.001,
                        help="seconds between polls of the external views' `lkk project run` (default 0.001)")
    args = parser.parse_args(argv)
    rows = bench_http(args.clients, args.rounds, args.requests, args.seconds, args.follower_poll)
    budget = f"{args.requests} requests" if args.requests else f"{args.seconds:g} s"
    print(f"baseline: bare Falcon app on the same waitress server ({serve_threads()} threads), same JSON bytes;"
          f" {args.clients} http.client keep-alive connection(s) in-process; {budget} per side over"
          f" {args.rounds} rounds (medians); external views: `lkk project run --poll {args.follower_poll:g}`")
    print(f"{'store':7} {'route (req/s)':18} {'views':9} {'ours':>8} {'baseline':>9} {'ratio':>6} {'goal':>6}")
    for row in rows:
        print(f"{'sqlite':7} {row.route:18} {row.views:9} {row.ours:8.0f} {row.bare:9.0f}"
              f" {row.ours / row.bare:6.2f} {'≥' + str(GOAL):>6}")
    print("ours, server side (inside the WSGI callable), µs per request:")
    for row in rows:
        inline_write = row.views == "inline" and not row.route.startswith("GET")
        views = f", of which views caught up inline {row.views_us:.0f}" if inline_write else ""
        print(f"  {row.route} (views {row.views}): {row.server_us:.0f}{views}")


if __name__ == "__main__":
    main()
