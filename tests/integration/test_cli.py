"""The ``lkk`` command line, run as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def lkk(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    import os  # noqa: PLC0415

    return subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", *args],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]), **env},
        cwd=cwd, capture_output=True, text=True, timeout=120, input=stdin,
    )


def test_seed_export_rebuild_and_verify_on_a_fresh_directory(tmp_path: Path) -> None:
    env = {"LKK_ARGON2_PROFILE": "fast"}  # secrets are generated into var/secrets.env, as for make run

    seeded = lkk(env, tmp_path, "demo", "seed")
    again = lkk(env, tmp_path, "demo", "seed")
    exported = lkk(env, tmp_path, "events", "export")
    rebuilt = lkk(env, tmp_path, "project", "rebuild")
    verified = lkk(env, tmp_path, "project", "verify")
    swept = lkk(env, tmp_path, "sweep")

    assert seeded.returncode == 0, seeded.stderr
    assert "already exists" in again.stdout
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["position"] for r in records] == list(range(1, len(records) + 1))
    assert records[0]["topic"] == "lkk:Account.Registered"
    assert "demo@lkk.example" not in exported.stdout  # personal data stays sealed in the export
    assert rebuilt.returncode == 0 and "rebuilt" in rebuilt.stdout
    assert verified.returncode == 0 and "0 differences" in verified.stdout
    assert swept.returncode == 0 and "shredded 0 leftover keys" in swept.stdout, swept.stderr
    assert (tmp_path / "var" / "secrets.env").stat().st_mode & 0o077 == 0


def test_export_from_a_position_and_staff_commands(tmp_path: Path) -> None:
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")
    lkk(env, tmp_path, "staff", "create", "ann", "--name", "Петрова Анна")
    imported = lkk(env, tmp_path, "staff", "--as", "ann", "import-legacy", "--login", "petrov", stdin="Secret#123\n")
    restored = lkk(env, tmp_path, "staff", "--as", "ann", "restore-email", imported.stdout.strip(), "petrov@example.com")
    duplicate = lkk(env, tmp_path, "staff", "--as", "ann", "import-legacy", "--login", "PETROV", stdin="Secret#123")
    anonymous = lkk(env, tmp_path, "staff", "restore-email", imported.stdout.strip(), "petrov@example.com")
    tail = lkk(env, tmp_path, "events", "export", "--from", "3")

    assert imported.returncode == 0 and restored.returncode == 0, imported.stderr + restored.stderr
    assert duplicate.returncode == 2 and "conflict" in duplicate.stderr
    assert anonymous.returncode == 2 and "Укажите специалиста" in anonymous.stderr
    assert "[unauthenticated]" in anonymous.stderr
    assert json.loads(tail.stdout.splitlines()[0])["position"] == 3


def test_secrets_new_prints_two_keys(tmp_path: Path) -> None:
    printed = lkk({}, tmp_path, "secrets", "new").stdout.splitlines()
    assert [line.split("=")[0] for line in printed] == ["LKK_PII_KEK", "LKK_SECRET_KEY"]


def test_demo_seed_with_2000_contracts_loads_and_binds(tmp_path: Path) -> None:
    # The same path as at 100,000 (a generated dataset, loaded, checked, a contract bound) at a size that
    # takes seconds; the full size is timed by ``python -m bench.seed`` (make bench).
    env = {"LKK_ARGON2_PROFILE": "fast"}

    seeded = lkk(env, tmp_path, "demo", "seed", "--contracts", "2000")
    checked = lkk(env, tmp_path, "billing", "check")

    assert seeded.returncode == 0, seeded.stderr
    assert "2000 generated contracts" in seeded.stdout
    assert "contract 78010000002778 bound" in seeded.stdout
    assert checked.returncode == 0 and "2000" in checked.stdout.replace(",", "").replace(" ", ""), checked.stdout


def test_billing_accept_period_records_billing_facts(tmp_path: Path) -> None:
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")

    accepted = lkk(env, tmp_path, "billing", "accept-period", "78010000002778", "2023-01")
    unknown = lkk(env, tmp_path, "billing", "accept-period", "99999999999999", "2023-01")
    fed = lkk(env, tmp_path, "billing", "feed", "--once")
    exported = lkk(env, tmp_path, "events", "export")

    assert accepted.returncode == 0 and "recorded at position" in accepted.stdout, accepted.stderr
    assert unknown.returncode == 2 and "not_found" in unknown.stderr
    # The demo's own readings and hourly profile of this month go to billing; January 2023 had none.
    assert fed.returncode == 0 and "delivered 2 submissions" in fed.stdout, fed.stderr
    topics = [json.loads(line)["topic"] for line in exported.stdout.splitlines()]
    assert topics[-3:] == ["lkk:ReadingSubmission.Opened", "lkk:ReadingSubmission.ReadingsAccepted",
                           "lkk:ReadingSubmission.PeriodClosed"]


def test_rol13_staff_contract_users_prints_each_holder_as_the_http_answer_shows_it(tmp_path: Path) -> None:
    """`lkk staff contract-users` prints the same fields and text as GET /v1/staff/contracts/{n}/users (ROL-13)."""
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")

    lkk(env, tmp_path, "staff", "create", "ann", "--name", "Петрова Анна")
    listed = lkk(env, tmp_path, "staff", "--as", "ann", "contract-users", "78010000002778")

    [administrator] = [json.loads(line) for line in listed.stdout.splitlines()
                       if json.loads(line)["role"] == "ADMINISTRATOR"]
    assert (administrator["email"], administrator["role_label"]) == ("demo@lkk.example", "Администратор")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", administrator["since"])  # the view's stamp


def test_issue10_staff_credentials_from_the_console(tmp_path: Path) -> None:
    """`lkk staff create | token | revoke | list`: the token is printed once, commands record the specialist."""
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")

    made = lkk(env, tmp_path, "staff", "create", "Ann", "--name", "Петрова Анна", "--email", "ann@supplier.example")
    again = lkk(env, tmp_path, "staff", "create", "ann", "--name", "Другая")
    second = lkk(env, tmp_path, "staff", "--as", "ann", "token", "ann")
    removed = lkk(env, tmp_path, "staff", "--as", "ann", "revoke-role", "78010000002778", "demo@lkk.example")
    token_id = re.search(r"token id (\S+) ", second.stderr).group(1)  # type: ignore[union-attr]
    revoked_one = lkk(env, tmp_path, "staff", "revoke", "ann", "--token", token_id)
    listed = lkk(env, tmp_path, "staff", "list", "--json")
    revoked = lkk(env, tmp_path, "staff", "revoke", "ann")
    refused = lkk(env, tmp_path, "staff", "--as", "ann", "requests")
    table = lkk(env, tmp_path, "staff", "list")
    exported = lkk(env, tmp_path, "events", "export")

    assert made.returncode == 0, made.stderr
    [token] = made.stdout.split()
    assert token.startswith("lkks.") and "shown once" in made.stderr
    assert again.returncode == 2 and "conflict" in again.stderr
    assert second.returncode == 0 and second.stdout.strip() != token
    assert revoked_one.returncode == 0 and revoked.returncode == 0
    [member] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (member["login"], member["full_name"], member["email"]) == ("ann", "Петрова Анна", "ann@supplier.example")
    assert member["created_by"] == "operator" and member["revoked_at"] is None
    assert [t["revoked_at"] is None for t in member["tokens"]] == [True, False]
    assert refused.returncode == 2 and "unauthenticated" in refused.stderr
    assert "ann\tПетрова Анна\trevoked" in table.stdout
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert removed.returncode == 0, removed.stderr
    [revocation] = [r for r in records if r["topic"] == "lkk:ContractRoles.RoleRevoked"]
    assert revocation["state"]["by_staff"] == member["staff_id"]
    assert token.rsplit(".", 1)[1] not in exported.stdout and "Петрова Анна" not in exported.stdout


def test_json_output_of_check_verify_and_sweep_is_one_object_each(tmp_path: Path) -> None:
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")

    checked = json.loads(lkk(env, tmp_path, "billing", "check", "--json").stdout)
    verified = json.loads(lkk(env, tmp_path, "project", "verify", "--json").stdout)
    swept = json.loads(lkk(env, tmp_path, "sweep", "--json").stdout)

    assert checked["valid"] is True and checked["contracts"] == 20  # noqa: PLR2004
    assert verified["differences"] == [] and verified["views"] >= 1
    assert set(swept) == {"keys_shredded", "bindings_expired", "contracts_released"}


def test_a_domain_refusal_is_one_readable_line_on_stderr(tmp_path: Path) -> None:
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")
    lkk(env, tmp_path, "staff", "create", "ann", "--name", "Петрова Анна")
    refused = lkk(env, tmp_path, "staff", "--as", "ann", "restore-email", "nobody@example.com", "a@example.com")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "lkk: Пользователь не найден (account) [not_found]"


def test_the_demo_shows_this_months_readings_consumption_and_a_delta(tmp_path: Path) -> None:
    """The demo's page «Показания» is not empty: previous readings, this month's, «Расход», «Дельта» (RDG-02, RDG-18)."""
    env = {"LKK_ARGON2_PROFILE": "fast"}
    seeded = lkk(env, tmp_path, "demo", "seed")
    assert "readings of" in seeded.stdout and "«Первичный акт» № 1" in seeded.stdout, seeded.stdout + seeded.stderr
    script = """
from adapters.cli.config import environment
from adapters.compose import services_from_env
from lkk_core import accounts, readings
from lkk_core.accounts import ClientDevice, LogIn
from lkk_core.kernel.services import Actor
services = services_from_env(environment())
login = accounts.log_in(services, LogIn(identifier="demo@lkk.example", password="Demo#2026"), ClientDevice("t"))
page = readings.readings_page(services, Actor(login.account_id, login.session_id),
                              readings.ReadingsFilter(contract_number="78010000002778"))
scales = [(m.number, s) for eo in page.items[0].energy_objects for p in eo.metering_points for m in p.meters
          for s in m.scales]
print(sum(s.previous is not None and s.current is not None and s.consumption is not None for _, s in scales),
      len(scales), [str(s.delta) for n, s in scales if s.delta is not None])
"""
    shown = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                           env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parents[2]), **env})
    filled, total, deltas = shown.stdout.split(" ", 2)
    assert filled == total and int(total) > 0, shown.stdout + shown.stderr
    assert deltas.strip() != "[]"


def test_demo_reset_starts_afresh_and_keeps_the_keys(tmp_path: Path) -> None:
    env = {"LKK_ARGON2_PROFILE": "fast"}
    lkk(env, tmp_path, "demo", "seed")
    keys = (tmp_path / "var" / "secrets.env").read_text()
    lkk(env, tmp_path, "staff", "create", "ann", "--name", "Петрова Анна")
    lkk(env, tmp_path, "staff", "--as", "ann", "import-legacy", "--login", "petrov", stdin="Secret#123\n")

    reset = lkk(env, tmp_path, "demo", "reset")
    exported = lkk(env, tmp_path, "events", "export")

    assert reset.returncode == 0, reset.stderr
    assert "demo account: demo@lkk.example" in reset.stdout  # seeded anew, not "already exists"
    assert (tmp_path / "var" / "secrets.env").read_text() == keys
    # The demo's own two accounts only: petrov is gone with the old log.
    assert exported.stdout.count('"topic": "lkk:Account.Registered"') == 2  # noqa: PLR2004


def test_demo_reset_refuses_a_store_outside_the_demo_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "production.db"
    elsewhere.write_bytes(b"precious")
    refused = lkk({"SQLITE_DBNAME": str(elsewhere)}, tmp_path, "demo", "reset")
    assert refused.returncode == 2 and "SQLITE_DBNAME" in refused.stderr
    assert elsewhere.read_bytes() == b"precious"
