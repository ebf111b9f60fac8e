"""``python -m bench.http`` runs end to end with tiny numbers and stops its servers and its follower."""

from __future__ import annotations

import re
import subprocess
import threading

import pytest

from bench import http as bench_http


def test_bench_http_prints_three_rows_and_stops_its_servers_and_follower(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recording(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(popen(*args, **kwargs))  # type: ignore[call-overload]
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", recording)
    before = {t.ident for t in threading.enumerate()}
    bench_http.main(["--requests", "20", "--rounds", "2"])
    out = capsys.readouterr().out
    for route, views in (("GET /v1/me", "inline"), ("PUT /v1/me/phone", "inline"), ("PUT /v1/me/phone", "external")):
        line = rf"^sqlite\s+{re.escape(route)}\s+{views}\s+\d+\s+\d+\s+\d+\.\d\d\s+≥0\.5$"
        assert re.search(line, out, re.MULTILINE), out
    assert re.search(r"PUT /v1/me/phone \(views inline\): \d+, of which views caught up inline \d+$", out, re.MULTILINE), out
    assert {t.ident for t in threading.enumerate()} <= before  # waitress loops and workers are gone
    assert len(started) == 1  # the external views' `lkk project run`
    assert started[0].poll() is not None  # and it was stopped
