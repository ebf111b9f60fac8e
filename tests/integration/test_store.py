"""The log and the views on SQLite and PostgreSQL: the same tests on each store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lkk_core import accounts
from lkk_core.accounts.account import Account
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import ChangeEmail, LogIn, SwitchTwoFactor
from lkk_core.bootstrap import ALL_PROJECTIONS
from lkk_core.kernel.views import verify
from lkk_core.kernel.services import Services
from lkk_core.accounts import ProfileView
from tests.support import FIREFOX, PASSWORD, Mailbox, registered


def story(services: Services) -> None:
    """Two people, logins, a change of e-mail, 2FA: events of every view's kinds."""
    mailbox = Mailbox(services)
    alice = registered(services, mailbox)
    bob = registered(services, mailbox, "bob@example.com")
    accounts.log_in(services, LogIn(identifier="alice@example.com", password=PASSWORD), FIREFOX)
    accounts.change_email(services, bob, ChangeEmail(email="robert@example.com"))
    accounts.switch_two_factor(services, alice, SwitchTwoFactor(enabled=True))


def test_aggregates_read_back_equal_to_the_live_ones(store_services: Services) -> None:
    mailbox = Mailbox(store_services)
    actor = registered(store_services, mailbox)
    live = store_services.get(Account, actor.account_id)

    fresh = store_services.app.repository.get(actor.account_id)  # no cache hit across versions
    assert vars(fresh) == vars(live)
    assert fresh.personal_data["last_name"] == "Иванова"


def test_views_rebuilt_from_zero_equal_the_live_views(store_services: Services, tmp_path: Path) -> None:
    story(store_services)
    before = store_services.views.snapshot()

    store_services.views.rebuild()

    assert store_services.views.snapshot() == before
    assert verify(store_services.app, ALL_PROJECTIONS, store_services.views, tmp_path / "verify") == []


def test_verify_reports_a_tampered_view(store_services: Services, tmp_path: Path) -> None:
    story(store_services)
    view = store_services.views.of(ProfileView)
    with view.datastore.transaction(commit=True) as cursor:
        cursor.execute(view.sql("UPDATE {profile} SET phone = ?"), ("+70000000000",))

    differences = verify(store_services.app, ALL_PROJECTIONS, store_services.views, tmp_path / "verify")

    assert differences and all("profile.profile" in line for line in differences)


def test_external_views_are_caught_up_by_another_process_and_waited_for(store_env: dict[str, str], clock: FixedClock) -> None:
    writer = bootstrap({**store_env, "LKK_PROJECTIONS": "external"}, clock=clock)
    for i in range(3):
        registered(writer, Mailbox(writer), f"user{i}@example.com")
    assert writer.views.of(ProfileView).rows("SELECT * FROM {profile}") == []  # nobody followed the log yet
    assert not writer.views.wait_for(writer.app.head(), timeout=0.05)

    reader = bootstrap(store_env, clock=clock)  # a second process's view of the same store
    reader.views.catch_up()
    assert reader.views.wait_for(writer.app.head(), timeout=0.1)
    assert len(reader.views.of(ProfileView).rows("SELECT * FROM {profile}")) == 3


def test_stored_events_are_plain_json_without_personal_data(store_services: Services) -> None:
    registered(store_services, Mailbox(store_services))

    notifications = store_services.app.recorder.select_notifications(start=1, limit=100)
    assert notifications
    for n in notifications:
        text = n.state.decode()
        json.loads(text)
        for secret in ("alice@example.com", "Иванова", "78121231231", "argon2", PASSWORD):
            assert secret not in text
    assert {n.topic.split(".")[0] for n in notifications} <= {"lkk:Account", "lkk:IdentifierIndex"}


def test_no_log_write_when_a_command_is_refused(store_services: Services) -> None:
    from lkk_core.accounts.commands import Register  # noqa: PLC0415
    from tests.support import CHROME, refused  # noqa: PLC0415

    command = Register(email="a@b.ru", password=PASSWORD, agreement_accepted=False)
    refused(store_services, lambda: accounts.register(store_services, command, CHROME), code="validation_failed",
            field="agreement_accepted")
    assert store_services.app.head() == 0


def test_views_can_be_rebuilt_again_and_again(store_services: Services) -> None:
    story(store_services)
    before = store_services.views.snapshot()

    for _ in range(3):
        store_services.views.rebuild()

    assert store_services.views.snapshot() == before
