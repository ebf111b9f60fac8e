"""``python -m bench.http`` runs end to end with tiny numbers and stops its servers."""

from __future__ import annotations

import re
import threading

import pytest

from bench import http as bench_http


def test_bench_http_prints_both_routes_and_stops_its_servers(capsys: pytest.CaptureFixture[str]) -> None:
    before = {t.ident for t in threading.enumerate()}
    bench_http.main(["--requests", "20", "--rounds", "2"])
    out = capsys.readouterr().out
    for route in ("GET /v1/me", "PUT /v1/me/phone"):
        assert re.search(rf"^sqlite\s+{re.escape(route)}\s+\d+\s+\d+\s+\d+\.\d\d\s+≥0\.5$", out, re.MULTILINE), out
    assert {t.ident for t in threading.enumerate()} <= before  # waitress loops and workers are gone
