"""Every shell block of the README, the tutorials and the how-tos runs, literally, against a real server.

A page's ```sh / ```bash blocks run in order in one ``bash -euo pipefail``, in
a fresh directory that looks like a checkout after ``make run``: ``.venv/bin``
holds ``lkk``, ``python`` and ``waitress-serve`` (running this checkout's code),
the demo is seeded and ``lkk serve`` answers. Only the port differs: the page's
``127.0.0.1:8000`` becomes a free port. ``curl`` answers must be 2xx, or the
status a ``# → <status>`` comment on the command (or on the line after it)
promises; a refused request fails the page like a failed command does. The
server must not log a traceback. A block that cannot run here (``make``, a
production deployment's secrets) opens with ```sh illustrative and says so.

A page chooses its setting with an HTML comment anywhere in it:
``<!-- doc-test: no-server -->`` (the page starts what it needs itself) and
``<!-- doc-test: postgres -->`` (the ``POSTGRES_*`` settings of the test server,
in a fresh schema, are exported before the first block).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG, postgres_available

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs" / "tutorials").glob("*.md")),
         *sorted((ROOT / "docs" / "how-to").glob("*.md"))]
OPENER = re.compile(r"^```(sh|bash)(?P<rest>[^\n]*)$")
EXPECTED = re.compile(r"#\s*→\s*(\d{3})\b")
PORTS = ("8000", "8001", "8002")  # the pages' ports, each replaced by a free one

# Where the page's curl answers are checked: 2xx unless the command promises another status.
PRELUDE = r"""
set -euo pipefail
doc_curl_err=$(mktemp)
curl() {
  local status
  if ! command curl --retry 30 --retry-connrefused --retry-delay 1 --silent --show-error \
      --write-out '%{stderr}\n__doc_status=%{http_code}\n' "$@" 2>"$doc_curl_err"; then
    grep -v '^__doc_status=' "$doc_curl_err" >&2 || true
    return 1
  fi
  status=$(sed -n 's/^__doc_status=//p' "$doc_curl_err" | tail -1)
  grep -v -e '^__doc_status=' -e '^$' "$doc_curl_err" >&2 || true
  if [[ ! $status =~ ^(${DOC_EXPECT:-2[0-9][0-9]})$ ]]; then
    echo "doc-test: curl answered $status, the page expects ${DOC_EXPECT:-2xx}: curl $*" >&2
    return 1
  fi
}
"""


def shell_blocks(page: Path) -> list[tuple[int, str, bool]]:
    """Return (line, code, runs) of each shell block of a page."""
    blocks, lines, start, runs = [], page.read_text(encoding="utf-8").splitlines(), None, False
    for number, line in enumerate(lines, start=1):
        if start is None:
            if match := OPENER.match(line):
                start, runs = number, "illustrative" not in match["rest"]
        elif line.startswith("```"):
            blocks.append((start, "\n".join(lines[start:number - 1]), runs))
            start = None
    return blocks


def with_expectations(code: str) -> str:
    """Prefix each command that a ``# → <status>`` comment speaks for with ``DOC_EXPECT=<status>``."""
    logical: list[list[str]] = []
    for line in code.splitlines():
        if logical and logical[-1][-1].endswith("\\"):
            logical[-1].append(line)
        else:
            logical.append([line])
    out: list[str] = []
    for i, command in enumerate(logical):
        text = "\n".join(command)
        promised = EXPECTED.search(text) or (
            i + 1 < len(logical) and logical[i + 1][0].lstrip().startswith("#") and EXPECTED.search(logical[i + 1][0]))
        stripped = text.lstrip()
        if promised and stripped.startswith("curl ") and not promised.group(1).startswith("2"):
            text = text.replace("curl ", f"DOC_EXPECT={promised.group(1)} curl ", 1)
        out.append(text)
    return "\n".join(out)


def on_ports(code: str, ports: dict[str, str]) -> str:
    """Move the page's ``127.0.0.1:8000``-style addresses and ``--port 8000`` to free ports."""
    for page_port, port in ports.items():
        code = code.replace(f"127.0.0.1:{page_port}", f"127.0.0.1:{port}").replace(f"--port {page_port}",
                                                                                    f"--port {port}")
    return code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def checkout_like(directory: Path) -> dict[str, str]:
    """Make ``directory`` look like a checkout after ``make install``: ``.venv/bin`` runs this checkout."""
    bin_dir = directory / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    commands = {"lkk": "-m adapters.cli.main", "python": "", "waitress-serve": "-m waitress"}
    for name, args in commands.items():
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args} "$@"\n')
        shim.chmod(0o755)
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("LKK_", "POSTGRES_", "SQLITE_"))
               and k != "PERSISTENCE_MODULE"},
            "PYTHONPATH": str(ROOT), "LKK_ARGON2_PROFILE": "fast", "PATH": f"{bin_dir}:{os.environ['PATH']}"}


@pytest.fixture
def postgres_schema() -> Iterator[dict[str, str]]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432 (LKK_TEST_POSTGRES=1 makes this a failure)")
    import psycopg  # noqa: PLC0415

    schema = f"doc_{uuid.uuid4().hex[:10]}"
    connect = f"host={PG['host']} port={PG['port']} dbname={PG['dbname']} user={PG['user']}"
    with psycopg.connect(connect, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": PG["dbname"],
           "POSTGRES_HOST": PG["host"], "POSTGRES_PORT": str(PG["port"]), "POSTGRES_USER": PG["user"],
           "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema, "PGHOST": PG["host"], "PGPORT": str(PG["port"]),
           "PGUSER": PG["user"], "PGDATABASE": PG["dbname"]}
    with psycopg.connect(connect, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def pages_with_blocks() -> list[Path]:
    return [page for page in PAGES if any(runs for _, _, runs in shell_blocks(page))]


@pytest.mark.parametrize("page", pages_with_blocks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pages_shell_blocks_run_literally(page: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    text = page.read_text(encoding="utf-8")
    env = checkout_like(tmp_path)
    if "<!-- doc-test: postgres -->" in text:
        env.update(request.getfixturevalue("postgres_schema"))
    ports = {page_port: str(free_port()) for page_port in PORTS}
    port = ports["8000"]
    env["LKK_PORTAL_URL"] = f"http://127.0.0.1:{port}"  # MERGE-TODO: drop once letters follow the served port
    script = PRELUDE + "\n".join(
        f"# {page.name}:{line}\n{on_ports(with_expectations(code), ports)}"
        for line, code, runs in shell_blocks(page) if runs)
    server = None
    if "<!-- doc-test: no-server -->" not in text:
        seeded = subprocess.run([".venv/bin/lkk", "demo", "seed"], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=300, check=False)
        assert seeded.returncode == 0, seeded.stderr
        server = subprocess.Popen([".venv/bin/lkk", "serve", "--port", str(port)], cwd=tmp_path, env=env,  # noqa: S603
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Files, not pipes: what the page starts in the background (`&`) keeps a pipe open after bash exits.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        shell = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env, stdout=out,  # noqa: S607
                                 stderr=err, text=True, start_new_session=True)
        try:
            shell.wait(timeout=600)
        finally:
            with contextlib.suppress(ProcessLookupError):  # what the page started in the background
                os.killpg(shell.pid, signal.SIGTERM)
            shell.wait(timeout=10)
            log = stop(server)
        out.seek(0)
        err.seek(0)
        ran = subprocess.CompletedProcess(shell.args, shell.returncode, out.read(), err.read())
    assert ran.returncode == 0, f"{page.name}: the shell blocks stopped:\n{ran.stderr[-4000:]}\n--- stdout ---\n" \
                                f"{ran.stdout[-3000:]}\n--- server ---\n{log[-3000:]}"
    assert "Traceback" not in log, log


def stop(server: subprocess.Popen[str] | None) -> str:
    if server is None:
        return ""
    server.send_signal(signal.SIGTERM)  # SIGINT would print waitress's KeyboardInterrupt
    try:
        out, _ = server.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        out, _ = server.communicate()
    return out or ""


def test_with_expectations_promises_only_what_the_comment_says() -> None:
    code = "curl -s $API/a \\\n  -d x\n# → 403 forbidden\ncurl -s $API/b  # → 202 {…}\ncurl -s $API/c # → 404"
    assert with_expectations(code).splitlines() == [
        "DOC_EXPECT=403 curl -s $API/a \\", "  -d x", "# → 403 forbidden", "curl -s $API/b  # → 202 {…}",
        "DOC_EXPECT=404 curl -s $API/c # → 404"]


def test_a_refused_curl_fails_the_block(tmp_path: Path) -> None:
    # The prelude's curl is what makes a drifted page fail: prove it fails on a 4xx and passes a promised one.
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],  # noqa: S603
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        missing = subprocess.run(["bash", "-c", PRELUDE + f"curl {base}/nothing-here"], capture_output=True,
                                 text=True, timeout=60, check=False)
        promised = subprocess.run(["bash", "-c", PRELUDE + with_expectations(f"curl {base}/nothing-here  # → 404")],
                                  capture_output=True, text=True, timeout=60, check=False)
        found = subprocess.run(["bash", "-c", PRELUDE + f"curl -o /dev/null {base}/"], capture_output=True,
                               text=True, timeout=60, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert missing.returncode != 0 and "answered 404" in missing.stderr
    assert promised.returncode == 0, promised.stderr
    assert found.returncode == 0, found.stderr
