"""A typed client generated from the served ``/openapi.json`` talks to a real server (issue 10, «Hardening»).

openapi-python-client (a maintained generator) writes the package into tmp_path from
the document the server answers; the test imports it and walks the start of AS-01
with its typed calls and models, a problem included.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from adapters.http.app import ROUTES
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from tests.contracts_support import Catalogue
from tests.e2e.test_server import Server, running
from tests.support import PASSWORD, Mailbox

pytestmark = pytest.mark.slow

PACKAGE = "lkk_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def server(sqlite_env: dict[str, str], clock: FixedClock, tmp_path: Path) -> Iterator[tuple[Server, Mailbox]]:
    services = bootstrap(sqlite_env, clock=clock, billing=Catalogue())
    mailbox = Mailbox(services)
    with running(services, mailbox.outbox, tmp_path / "outbox") as up:
        yield up, mailbox


def generate(base: str, into: Path) -> tuple[ModuleType, str]:
    """Generate the client package from the served document; return it imported, and the generator's output."""
    with urllib.request.urlopen(f"{base}/openapi.json", timeout=30) as answer:  # noqa: S310 (loopback)
        document = json.load(answer)
    assert document["servers"][0]["url"] == base  # the address it was asked at comes first
    (into / "openapi.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (into / "config.yaml").write_text(f"package_name_override: {PACKAGE}\nproject_name_override: lkk-client\n"
                                      "post_hooks: []\n", encoding="utf-8")
    run = subprocess.run(  # noqa: S603 (the venv's generator)
        [str(GENERATOR), "generate", "--path", "openapi.json", "--config", "config.yaml", "--meta", "none",
         "--output-path", PACKAGE], cwd=into, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module(PACKAGE), run.stdout + run.stderr
    finally:
        sys.path.remove(str(into))


@pytest.fixture
def client_package(server: tuple[Server, Mailbox], tmp_path: Path) -> Iterator[tuple[ModuleType, str]]:
    up, _ = server
    yield generate(up.base, tmp_path)
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def test_issue10_a_generated_client_registers_confirms_and_reads_the_profile(
    server: tuple[Server, Mailbox], client_package: tuple[ModuleType, str]
) -> None:
    up, mailbox = server
    package, output = client_package
    api = importlib.import_module(f"{PACKAGE}.api.accounts")
    models = importlib.import_module(f"{PACKAGE}.models")
    for name in ("register", "get_me", "confirm_email", "log_in"):
        importlib.import_module(f"{api.__name__}.{name}")
    contracts = importlib.import_module(f"{PACKAGE}.api.contracts.list_contracts")

    # Every operation is generated; the generator leaves only .xlsx bodies to the caller (it reads no such type).
    skipped = set(re.findall(r"WARNING parsing (\w+) (\S+) within", output))
    downloads = {(method, re.sub(r"{(\w+):\w+}", r"{\1}", path)) for path, resource in ROUTES
                 for method, operation in resource.OPERATIONS.items() if operation.media_type}
    assert skipped == downloads, output

    anonymous = package.Client(base_url=up.base, raise_on_unexpected_status=True)
    registered = api.register.sync_detailed(client=anonymous, body=models.Register(
        email="alice@example.com", password=PASSWORD, agreement_accepted=True))
    assert registered.status_code == 201
    session = registered.parsed
    assert isinstance(session, models.SessionOpened) and session.stage == "email_code"
    assert registered.headers["X-Lkk-Position"] == str(session.position)

    customer = package.AuthenticatedClient(base_url=up.base, token=session.token, raise_on_unexpected_status=True)
    assert api.get_me.sync(client=customer).stage == "email_code"
    code = mailbox.last_code("alice@example.com")
    written = api.confirm_email.sync(client=customer, body=models.EnterCode(code=code))
    assert isinstance(written, models.Written) and written.position > session.position
    profile = api.get_me.sync(client=customer)
    assert isinstance(profile, models.Profile)
    assert (profile.email, profile.email_confirmed, profile.stage) == ("alice@example.com", True, "personal_data")
    assert contracts.sync(client=customer).items == []

    # A problem is a typed answer too: its own model per code, with the challenge header.
    stranger = package.AuthenticatedClient(base_url=up.base, token="not-a-token", raise_on_unexpected_status=True)
    refused = api.get_me.sync_detailed(client=stranger)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert isinstance(refused.parsed, models.UnauthenticatedProblem) and refused.parsed.code == "unauthenticated"
    wrong = api.log_in.sync(client=anonymous, body=models.LogIn(identifier="alice@example.com", password="Wrong#123"))
    assert isinstance(wrong, models.WrongCredentialsProblem) and wrong.detail
