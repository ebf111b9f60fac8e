"""The manual's worked example of roles (ROL-10, §13.2.1.2) over a real waitress server, on both stores.

Billing is the reference adapter over a generated dataset file; links,
logins and passwords are read from the .eml letters the outbox writes. At the
end `lkk project verify` finds the views equal to a rebuild from the log.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from adapters.billing.generate import write_generated
from adapters.compose import services_from_env
from adapters.mail import EmlDirectoryMailer
from lkk_core.kernel.outbox import Outbox
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from tests.e2e.test_server import PASSWORD, ROOT, Server, running, written

pytestmark = pytest.mark.slow

# Contracts 1–3 list client1@mail.ru, contract 4 client2@mail.ru (adapters/billing/generate.py).
C1, C2, C3, C4 = "47100000100030", "47100000306885", "78020000998034", "74010131001206"


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_generated(tmp_path / "billing.jsonl", 20)


@pytest.fixture
def env(store_env: dict[str, str], dataset: Path) -> dict[str, str]:
    return {**store_env, "LKK_BILLING_DATASET": str(dataset)}


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    services = services_from_env(env)
    outbox_dir = tmp_path / "outbox"
    with running(services, Outbox.for_services(services, EmlDirectoryMailer(outbox_dir)), outbox_dir) as up:
        yield up


def newest_letter(server: Server, to: str) -> str:
    """Deliver the outbox and return the body of the newest unread letter to ``to``."""
    server.outbox.deliver_pending()
    bodies = []
    for path in sorted(server.outbox_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        if path.name in server.read_letters:
            continue
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            server.read_letters.add(path.name)
            bodies.append(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert bodies, f"no new letter to {to}"
    return bodies[-1]


def onboard(server: Server, email_address: str) -> str:
    """AS-01 over HTTP: register, confirm the code, personal data, phone; return the token."""
    reg = server.request("POST", "/v1/registrations",
                         {"email": email_address, "password": PASSWORD, "agreement_accepted": True})
    token = reg.body["token"]
    written(server.request("POST", "/v1/me/email/confirmation", {"code": server.code_for(email_address)},
                           token=token))
    written(server.request("PUT", "/v1/me/personal-data", {"last_name": "Клиентов", "first_name": "Иван"},
                           token=token))
    written(server.request("PUT", "/v1/me/phone", {"phone": "+79001234567"}, token=token))
    return token


def bind(server: Server, token: str, number: str, contract_email: str) -> None:
    """«Новый договор», then follow the link in the letter to the contract's e-mail."""
    written(server.request("POST", "/v1/contract-bindings", {"contract_number": number, "email": contract_email},
                           token=token), 202)
    link = re.search(r"https?://\S+", newest_letter(server, contract_email)).group()  # type: ignore[union-attr]
    parts = urlsplit(link)
    written(server.request("GET", f"{parts.path}?{parts.query}"))


def roles(server: Server, token: str) -> dict[str, str]:
    return {row["contract_number"]: row["role"] for row in server.request("GET", "/v1/contracts", token=token).body[
        "items"] if row["status"] == "bound"}


def capabilities(server: Server, token: str, number: str) -> set[str]:
    return set(server.request("GET", f"/v1/contracts/{number}", token=token).body["capabilities"])


def test_rol10_the_manuals_worked_example_over_a_real_server(
    server: Server, env: dict[str, str], tmp_path: Path
) -> None:
    # Owners of contracts 2 and 3 bind them, staff make them Administrators.
    owners = {}
    for number in (C2, C3):
        owners[number] = onboard(server, f"owner{number[-1]}@example.com")
        bind(server, owners[number], number, "client1@mail.ru")
        me = server.request("GET", "/v1/me", token=owners[number]).body["account_id"]
        written(server.request("PUT", f"/v1/staff/contracts/{number}/administrator", {"account_id": me},
                               token=server.staff_token))

    # User 1 (client1@mail.ru) binds contract 1 and becomes its Administrator.
    user1 = onboard(server, "client1@mail.ru")
    bind(server, user1, C1, "client1@mail.ru")
    assert roles(server, user1) == {C1: "MANAGER"}  # CON-08: a binder is «Руководитель»
    user1_id = server.request("GET", "/v1/me", token=user1).body["account_id"]
    written(server.request("PUT", f"/v1/staff/contracts/{C1}/administrator", {"account_id": user1_id},
                           token=server.staff_token))

    # Power engineer on contract 2, Accountant on contract 3, granted by their Administrators.
    for number, role in ((C2, "POWER_ENGINEER"), (C3, "ACCOUNTANT")):
        objects = [eo["code"] for eo in server.request("GET", f"/v1/contracts/{number}",
                                                       token=owners[number]).body["contract"]["energy_objects"]]
        written(server.request("POST", f"/v1/contracts/{number}/roles",
                               {"role": role, "email": "client1@mail.ru", "energy_objects": objects[:1]},
                               token=owners[number]), 201)
        assert "Вам назначена роль" in newest_letter(server, "client1@mail.ru")
    assert roles(server, user1) == {C1: "ADMINISTRATOR", C2: "POWER_ENGINEER", C3: "ACCOUNTANT"}

    # «Показания» shows contracts 1 and 2; paying is possible on 1 and 3.
    can = {n: capabilities(server, user1, n) for n in (C1, C2, C3)}
    assert [n for n in (C1, C2, C3) if "submit_readings" in can[n]] == [C1, C2]
    assert [n for n in (C1, C2, C3) if "make_payment" in can[n]] == [C1, C3]
    assert [n for n in (C1, C2, C3) if "grant_role" in can[n]] == [C1]

    # User 1 adds client2@mail.ru with a new role on contract 1: user 2 is created.
    objects = [eo["code"] for eo in server.request("GET", f"/v1/contracts/{C1}",
                                                   token=user1).body["contract"]["energy_objects"]]
    grant = server.request("POST", f"/v1/contracts/{C1}/roles",
                           {"role": "ACCOUNTANT", "email": "client2@mail.ru", "energy_objects": objects},
                           token=user1)
    assert grant.status == 201 and grant.body["invited"] is True
    letter = newest_letter(server, "client2@mail.ru")
    assert "Вам назначена роль Бухгалтер" in letter
    login = re.search(r"Логин: (\S+)", letter).group(1)  # type: ignore[union-attr]
    password = re.search(r"Пароль: (\S+)", letter).group(1)  # type: ignore[union-attr]
    user2 = server.request("POST", "/v1/sessions", {"identifier": login, "password": password}).body["token"]
    assert server.request("GET", "/v1/me", token=user2).body["email_confirmed"] is True
    written(server.request("PUT", "/v1/me/personal-data", {"last_name": "Второй", "first_name": "Пользователь"},
                           token=user2))
    written(server.request("PUT", "/v1/me/phone", {"phone": "+79007654321"}, token=user2))
    assert roles(server, user2) == {C1: "ACCOUNTANT"}
    users = server.request("GET", f"/v1/contracts/{C1}/users", token=user1).body["items"]
    assert {u["email"]: u["role"] for u in users} == {"client1@mail.ru": "ADMINISTRATOR",
                                                       "client2@mail.ru": "ACCOUNTANT"}

    # User 2 binds contract 4 and is its «Руководитель»: everything but roles.
    bind(server, user2, C4, "client2@mail.ru")
    assert roles(server, user2) == {C1: "ACCOUNTANT", C4: "MANAGER"}
    assert "grant_role" not in capabilities(server, user2, C4)
    assert "make_payment" in capabilities(server, user2, C4)

    # `lkk project verify`: the live views equal a rebuild from the log.
    assert verify(server.services.app, ALL_PROJECTIONS, server.services.views, tmp_path / "verify") == []
    cli = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "project", "verify"],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env}, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "verify: 0 differences" in cli.stdout
