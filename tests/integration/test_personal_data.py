"""Personal data can be erased (152-ФЗ, ACC-17): the log stays whole, the person is gone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lkk_core import accounts
from lkk_core.accounts.account import Account
from lkk_core.accounts.commands import DeleteAccount, SavePersonalData
from lkk_core.kernel.personal_data import REDACTED
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from lkk_core.kernel.services import Services
from lkk_core.accounts import ProfileView
from tests.support import PASSWORD, Mailbox, registered

# Unique strings, so that a hit in the raw bytes can only be the person's data.
EMAIL = "zoya.canary.7731@example.com"
SURNAME, NAME, ADDRESS = "Канареечкина", "Зоя", "ул. Канареечная, 7731"
PHONE = "+79607731773"


def raw_database(services: Services, env: dict[str, str], tmp_path: Path) -> bytes:
    """Every byte the store holds: SQLite files with their WALs, or a pg_dump of the schema."""
    if services.app.is_postgres:
        dump = subprocess.run(
            [shutil.which("pg_dump") or "pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only",
             "--schema", env["POSTGRES_SCHEMA"], "test"],
            check=True, capture_output=True,
        )
        return dump.stdout
    return b"".join(p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file() and ".db" in p.name)


def canaries(services: Services) -> tuple[Mailbox, object]:
    mailbox = Mailbox(services)
    zoya = registered(services, mailbox, EMAIL, onboard=False)
    accounts.save_personal_data(
        services, zoya, SavePersonalData(last_name=SURNAME, first_name=NAME, address=ADDRESS)
    )
    from lkk_core.accounts.commands import SavePhone  # noqa: PLC0415

    accounts.save_phone(services, zoya, SavePhone(phone=PHONE))
    registered(services, mailbox, "someone.else@example.com")  # a bystander whose data must stay
    return mailbox, zoya


def test_acc17_after_deletion_the_raw_store_holds_no_email_name_or_phone(
    store_services: Services, store_env: dict[str, str], tmp_path: Path
) -> None:
    _, zoya = canaries(store_services)
    before = raw_database(store_services, store_env, tmp_path)
    assert SURNAME.encode() in before  # the canary is visible in the profile view while she exists

    accounts.delete_account(store_services, zoya, DeleteAccount(password=PASSWORD))

    after = raw_database(store_services, store_env, tmp_path)
    for value in (EMAIL, SURNAME, NAME, ADDRESS, PHONE, PHONE[1:]):
        assert value.encode() not in after, value
        assert value.encode("utf-16-le") not in after


def test_acc17_log_replays_with_placeholders_and_views_verify(
    store_services: Services, tmp_path: Path
) -> None:
    _, zoya = canaries(store_services)
    accounts.delete_account(store_services, zoya, DeleteAccount(password=PASSWORD))

    account = store_services.app.repository.get(zoya.account_id)
    assert account.is_deleted and account.email == REDACTED and account.phone == REDACTED
    events = [store_services.app.mapper.to_domain_event(n)
              for n in store_services.app.recorder.select_notifications(start=1, limit=1000)]
    registered_event = next(e for e in events if isinstance(e, Account.Registered) and e.originator_id == zoya.account_id)
    assert registered_event.email == REDACTED
    store_services.views.rebuild()
    assert verify(store_services.app, ALL_PROJECTIONS, store_services.views, tmp_path / "verify") == []
    bystander = store_services.views.of(ProfileView).rows("SELECT * FROM {profile} WHERE deleted_at IS NULL")
    assert [row["email"] for row in bystander] == ["someone.else@example.com"]


def test_acc17_the_email_registers_again_after_deletion(store_services: Services) -> None:
    mailbox, zoya = canaries(store_services)
    accounts.delete_account(store_services, zoya, DeleteAccount(password=PASSWORD))

    again = registered(store_services, mailbox, EMAIL.upper())

    assert again.account_id != zoya.account_id


def test_no_new_personal_data_about_a_forgotten_person(services: Services) -> None:
    from lkk_core.kernel.personal_data import SubjectForgotten  # noqa: PLC0415

    _, zoya = canaries(services)
    stale = services.get(Account, zoya.account_id)  # loaded before the deletion
    accounts.delete_account(services, zoya, DeleteAccount(password=PASSWORD))
    stale._phone_saved(phone="+79990000000", at=services.clock.now())  # noqa: SLF001

    head = services.app.head()
    with pytest.raises(SubjectForgotten):
        services.app.save(stale)
    assert services.app.head() == head


def test_acc17_a_crash_between_deletion_and_shredding_is_finished_by_the_sweep(
    store_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lkk_core.sweep import sweep  # noqa: PLC0415

    _, zoya = canaries(store_services)
    keys = store_services.app.keys

    def crash(subject: object) -> None:
        raise SystemExit("power cut after the Deleted event was committed")

    with monkeypatch.context() as patched:
        patched.setattr(keys, "shred", crash)
        with pytest.raises(SystemExit):
            accounts.delete_account(store_services, zoya, DeleteAccount(password=PASSWORD))
    assert zoya.account_id in keys.subjects_with_keys()  # the key outlived the account

    assert sweep(store_services).keys_shredded == 1
    assert zoya.account_id not in keys.subjects_with_keys()
    assert sweep(store_services).keys_shredded == 0  # idempotent
    assert len(keys.subjects_with_keys()) == 1  # the bystander keeps theirs
