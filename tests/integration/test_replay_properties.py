"""Any sequence of account commands replays to equal aggregates and equal views (STYLE 21)."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from lkk_core import accounts
from lkk_core.accounts.account import Account
from lkk_core.kernel.app import LkkApplication
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import (
    ChangeEmail,
    ChangePassword,
    DeleteAccount,
    EnterCode,
    LogIn,
    Register,
    SavePersonalData,
    SavePhone,
    SwitchTwoFactor,
)
from lkk_core.kernel.errors import LkkError
from lkk_core.kernel.services import Actor
from lkk_core.accounts import ProfileView
from tests.conftest import base_env
from tests.support import CHROME, FIREFOX, PASSWORD, Mailbox, registered

EMAILS = st.sampled_from(["a@x.ru", "b@x.ru", "A@X.RU ", "c@x.ru"])
NEW_PASSWORD = "Другой1A"  # refused by ACC-09: exercises the refusal path too


class AccountCommands(RuleBasedStateMachine):
    """Random account stories; after each step the log replays to what the services hold."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        self.env = {**base_env(self.dir), "SQLITE_DBNAME": str(self.dir / "lkk.db")}
        self.clock = FixedClock()
        self.services = bootstrap(self.env, clock=self.clock)
        self.mailbox = Mailbox(self.services)
        self.actors: list[Actor] = []
        self.passwords: dict[Any, str] = {}
        # The live aggregates, as the commands left them (the cache would be a replay itself).
        self.live: dict[Any, dict[str, Any]] = {}
        save = self.services.save

        def save_and_keep(*aggregates: Any) -> int:
            position = save(*aggregates)
            self.live.update({a.id: copy.deepcopy(vars(a)) for a in aggregates if isinstance(a, Account)})
            return position

        self.services.save = save_and_keep  # type: ignore[method-assign]

    @initialize()
    def an_onboarded_account(self) -> None:
        self.actors.append(registered(self.services, self.mailbox, "b@x.ru"))

    def _try(self, action: Any) -> None:
        try:
            action()
        except LkkError:
            pass  # refusals are part of the story; they must leave no trace

    @rule(email=EMAILS, agree=st.booleans())
    def register(self, email: str, agree: bool) -> None:
        def act() -> None:
            reg = accounts.register(
                self.services, Register(email=email, password=PASSWORD, agreement_accepted=agree), CHROME
            )
            self.actors.append(Actor(reg.account_id, reg.session_id))
            self.passwords[reg.account_id] = PASSWORD

        self._try(act)

    @precondition(lambda self: self.actors)
    @rule(data=st.data(), right=st.booleans())
    def enter_code(self, data: st.DataObject, right: bool) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        account = self.services.get(Account, actor.account_id)
        code = "00000"
        if right and account.email and "confirm_email" in account.codes:
            code = self.services.secret.code(account.id, "confirm_email", account.codes["confirm_email"].nonce)
        self._try(lambda: accounts.confirm_email(self.services, actor, EnterCode(code=code)))

    @precondition(lambda self: self.actors)
    @rule(data=st.data())
    def resend_code(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        self._try(lambda: accounts.send_email_code(self.services, actor))

    @precondition(lambda self: self.actors)
    @rule(data=st.data(), surname=st.sampled_from(["Иванова", "Петров"]), phone=st.sampled_from(["+79608250000", "8 812 123 12 31"]))
    def onboard(self, data: st.DataObject, surname: str, phone: str) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        if data.draw(st.booleans()):
            self._try(lambda: accounts.save_personal_data(
                self.services, actor, SavePersonalData(last_name=surname, first_name="Анна")))
        else:
            self._try(lambda: accounts.save_phone(self.services, actor, SavePhone(phone=phone)))

    @precondition(lambda self: self.actors)
    @rule(email=EMAILS, firefox=st.booleans())
    def log_in(self, email: str, firefox: bool) -> None:
        def act() -> None:
            result = accounts.log_in(
                self.services, LogIn(identifier=email, password=PASSWORD), FIREFOX if firefox else CHROME
            )
            if result.session_id:
                self.actors.append(Actor(result.account_id, result.session_id))

        self._try(act)

    @precondition(lambda self: self.actors)
    @rule(data=st.data())
    def end_a_session(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        other = data.draw(st.sampled_from([a for a in self.actors if a.account_id == actor.account_id]))
        self._try(lambda: accounts.end_session(self.services, actor, other.session_id))

    # One command per rule: the invariant must see each command's live aggregate.
    @precondition(lambda self: self.actors)
    @rule(data=st.data(), on=st.booleans())
    def switch_two_factor(self, data: st.DataObject, on: bool) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        self._try(lambda: accounts.switch_two_factor(self.services, actor, SwitchTwoFactor(enabled=on)))

    @precondition(lambda self: self.actors)
    @rule(data=st.data(), email=EMAILS)
    def change_email(self, data: st.DataObject, email: str) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        self._try(lambda: accounts.change_email(self.services, actor, ChangeEmail(email=email)))

    @precondition(lambda self: self.actors)
    @rule(data=st.data(), new=st.sampled_from([NEW_PASSWORD, "Newpass#1"]))
    def change_password(self, data: st.DataObject, new: str) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        self._try(lambda: accounts.change_password(self.services, actor, ChangePassword(
            old_password=PASSWORD, new_password=new, new_password_again=new)))

    @precondition(lambda self: self.actors)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self.actors))
        self._try(lambda: accounts.delete_account(self.services, actor, DeleteAccount(password=PASSWORD)))

    @rule(seconds=st.sampled_from([1, 59, 60, 900, 3600]))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @invariant()
    def log_replays_to_the_same_aggregates(self) -> None:
        reader = LkkApplication(env={**self.env, "AGGREGATE_CACHE_MAXSIZE": ""})
        try:
            for account_id, live in self.live.items():
                assert vars(reader.repository.get(account_id)) == live
        finally:
            reader.close()

    @invariant()
    def one_live_account_per_email(self) -> None:
        rows = self.services.views.of(ProfileView).rows("SELECT email FROM {profile} WHERE deleted_at IS NULL")
        emails = [r["email"].strip().lower() for r in rows if r["email"]]
        assert len(emails) == len(set(emails))

    def teardown(self) -> None:
        live = self.services.views.snapshot()
        self.services.views.rebuild()
        assert self.services.views.snapshot() == live
        self.services.views.close()
        self.services.app.close()


AccountCommands.TestCase.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_any_account_story_replays_to_equal_aggregates_and_views = AccountCommands.TestCase
