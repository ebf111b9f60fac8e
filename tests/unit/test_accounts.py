"""Accounts and authentication through the services (DOMAIN.md §1, §11; AS-01 … AS-14)."""

from __future__ import annotations

import pytest

from lkk_core import accounts
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import (
    ChangeEmail,
    ChangePassword,
    ConfirmLogin,
    DeleteAccount,
    EnterCode,
    ImportLegacyAccount,
    LogIn,
    Register,
    RequestPasswordReset,
    ResetPassword,
    RestoreEmail,
    SavePersonalData,
    SavePhone,
    SwitchTwoFactor,
)
from lkk_core.kernel.errors import (
    Conflict,
    Expired,
    PreconditionFailed,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
    WrongCredentials,
)
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.accounts import ProfileView, SessionsView
from tests.support import CHROME, FIREFOX, PASSWORD, Mailbox, registered

STAFF = StaffActor("staff-1")


def profile(services: Services, actor: Actor) -> dict:
    return services.views.of(ProfileView).profile(actor.account_id)


def log_in(services: Services, identifier: str, password: str = PASSWORD, device=CHROME):
    return accounts.log_in(services, LogIn(identifier=identifier, password=password), device)


class TestRegistration:
    def test_as01_acc01_acc03_acc05_happy_path_confirms_email_and_normalises_phone(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox)

        row = profile(services, actor)
        assert row.email_confirmed and row.stage == "done"
        assert (row.last_name, row.first_name, row.phone) == ("Иванова", "Анна", "+78121231231")

    def test_acc01_without_accepting_the_agreement_no_account_and_no_mail(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            accounts.register(services, Register(email="a@b.ru", password=PASSWORD, agreement_accepted=False), CHROME)

        assert caught.value.details["field"] == "agreement_accepted"
        assert services.app.head() == 0
        assert mailbox.deliver() == []

    def test_acc01_advertising_tick_is_recorded(self, services: Services, mailbox: Mailbox) -> None:
        reg = accounts.register(
            services, Register(email="a@b.ru", password=PASSWORD, agreement_accepted=True, advertising=True), CHROME
        )
        assert profile(services, Actor(reg.account_id, reg.session_id)).advertising is True

    def test_acc02_same_email_in_other_case_and_spaces_is_a_conflict(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)

        with pytest.raises(Conflict):
            accounts.register(
                services, Register(email="  Alice@Example.COM ", password=PASSWORD, agreement_accepted=True), CHROME
            )

    def test_acc03_code_has_five_digits_and_goes_to_the_address(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox, confirm=False)

        [letter] = mailbox.deliver()
        assert letter.to == "alice@example.com"
        assert len(mailbox.last_code("alice@example.com")) == 5

    def test_as04_acc03_wrong_code_leaves_email_unconfirmed(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)
        right = mailbox.last_code("alice@example.com")
        wrong = "00000" if right != "00000" else "11111"

        with pytest.raises(ValidationFailed):
            accounts.confirm_email(services, actor, EnterCode(code=wrong))

        assert profile(services, actor).stage == "email_code"
        assert not profile(services, actor).email_confirmed

    def test_acc03_code_is_single_use(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)
        code = mailbox.last_code("alice@example.com")
        accounts.confirm_email(services, actor, EnterCode(code=code))

        with pytest.raises(Expired):
            accounts.confirm_email(services, actor, EnterCode(code=code))

    def test_acc03_code_expires_after_its_lifetime(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        actor = registered(services, mailbox, confirm=False)
        code = mailbox.last_code("alice@example.com")
        clock.advance(seconds=services.settings.code_ttl.total_seconds())

        with pytest.raises(Expired):
            accounts.confirm_email(services, actor, EnterCode(code=code))

    def test_acc03_five_wrong_attempts_void_the_code(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)
        right = mailbox.last_code("alice@example.com")
        wrong = "00000" if right != "00000" else "11111"
        for _ in range(5):
            with pytest.raises(ValidationFailed):
                accounts.confirm_email(services, actor, EnterCode(code=wrong))

        with pytest.raises(Expired):
            accounts.confirm_email(services, actor, EnterCode(code=right))

    def test_as03_acc04_resend_within_a_minute_is_refused_then_allowed(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        actor = registered(services, mailbox, confirm=False)
        first = mailbox.last_code("alice@example.com")
        clock.advance(seconds=59)

        with pytest.raises(RateLimited) as caught:
            accounts.send_email_code(services, actor)
        assert caught.value.details["retry_after"] == 1
        assert mailbox.deliver() == []

        clock.advance(seconds=1)
        accounts.send_email_code(services, actor)
        second = mailbox.last_code("alice@example.com")
        if first != second:
            with pytest.raises(ValidationFailed):
                accounts.confirm_email(services, actor, EnterCode(code=first))
        accounts.confirm_email(services, actor, EnterCode(code=second))

    def test_as05_acc05_onboarding_cannot_be_skipped(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, onboard=False)

        with pytest.raises(PreconditionFailed):
            accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
        with pytest.raises(PreconditionFailed):
            accounts.save_phone(services, actor, SavePhone(phone="+79608250000"))

        accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванова", first_name="Анна"))
        with pytest.raises(PreconditionFailed):
            accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))

    def test_acc05_personal_data_needs_the_email_code_first(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)

        with pytest.raises(PreconditionFailed) as caught:
            accounts.save_personal_data(services, actor, SavePersonalData(last_name="И", first_name="А"))
        assert caught.value.message == "Подтвердите адрес электронной почты"

    @pytest.mark.parametrize("weak", ["Secret1", "secret123", "SECRET123", "SecretPass", "Secret 123", "Пароль123A"])
    def test_as06_acc09_weak_password_is_refused_at_registration(
        self, services: Services, mailbox: Mailbox, weak: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            accounts.register(services, Register(email="a@b.ru", password=weak, agreement_accepted=True), CHROME)
        assert caught.value.details["unmet"]
        assert services.app.head() == 0


class TestLogin:
    def test_as08_acc07_login_by_email_or_legacy_login(self, services: Services) -> None:
        accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", email="iv@example.com", password=PASSWORD)
        )

        assert log_in(services, "ivanov77").token
        assert log_in(services, "IV@example.com").token

    def test_as08_acc07_wrong_password_and_unknown_user_fail_alike(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)

        with pytest.raises(WrongCredentials) as wrong_password:
            log_in(services, "alice@example.com", "Wrong#1234")
        with pytest.raises(WrongCredentials) as unknown:
            log_in(services, "nobody@example.com")
        assert wrong_password.value.message == unknown.value.message == "Неверный e-mail (логин) или пароль"

    def test_acc03_login_before_the_code_returns_to_the_code_step(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox, confirm=False)

        assert log_in(services, "alice@example.com").stage == "email_code"

    def test_token_authenticates_its_actor_and_a_forged_one_does_not(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)
        result = log_in(services, "alice@example.com")

        assert accounts.authenticate(services, result.token) == Actor(result.account_id, result.session_id)
        forged = result.token[:-4] + ("AAAA" if not result.token.endswith("AAAA") else "BBBB")
        for bad in (forged, "garbage", "", "a.b.c"):
            with pytest.raises(Unauthenticated):
                accounts.authenticate(services, bad)

    def test_as11_acc08_new_browser_needs_the_code_known_one_does_not(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox)
        accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))

        held = log_in(services, "alice@example.com", device=FIREFOX)
        assert held.token is None and held.challenge_id
        code = mailbox.last_code("alice@example.com")
        confirmed = accounts.confirm_login(services, ConfirmLogin(account_id=held.account_id, challenge_id=held.challenge_id, code=code))
        assert confirmed.token

        assert log_in(services, "alice@example.com", device=FIREFOX).token
        assert log_in(services, "alice@example.com", device=CHROME).token

    def test_acc08_wrong_login_code_opens_no_session(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
        held = log_in(services, "alice@example.com", device=FIREFOX)
        right = mailbox.last_code("alice@example.com")

        with pytest.raises(ValidationFailed):
            accounts.confirm_login(
                services,
                ConfirmLogin(account_id=held.account_id, challenge_id=held.challenge_id,
                             code="00000" if right != "00000" else "11111"),
            )
        assert len(services.views.of(SessionsView).sessions(actor.account_id)) == 1


class TestSessions:
    def test_acc14_sessions_list_browser_os_and_current(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        log_in(services, "alice@example.com", device=FIREFOX)

        rows = services.views.of(SessionsView).sessions(actor.account_id, actor.session_id)
        assert {(r.browser, r.os, r.current) for r in rows} == {
            ("Google Chrome", "Windows", True), ("Mozilla Firefox", "Windows", False)
        }

    def test_as12_acc14_ending_another_session_revokes_and_removes_it(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox)
        other = log_in(services, "alice@example.com", device=FIREFOX)

        accounts.end_session(services, actor, other.session_id)

        with pytest.raises(Unauthenticated):
            accounts.authenticate(services, other.token)
        assert [r.session_id for r in services.views.of(SessionsView).sessions(actor.account_id)] == [actor.session_id]

    def test_as12_acc15_logout_ends_the_current_session(self, services: Services, mailbox: Mailbox) -> None:
        result = (registered(services, mailbox), log_in(services, "alice@example.com"))[1]
        actor = accounts.authenticate(services, result.token)

        accounts.log_out(services, actor)

        with pytest.raises(Unauthenticated):
            accounts.authenticate(services, result.token)


class TestPasswords:
    def test_as13_acc10_wrong_old_password_refused(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        with pytest.raises(ValidationFailed) as caught:
            accounts.change_password(
                services, actor,
                ChangePassword(old_password="Wrong#123", new_password="Newpass#1", new_password_again="Newpass#1"),
            )
        assert caught.value.message == "Неверный старый пароль"

    def test_as13_acc10_new_entries_must_match(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        with pytest.raises(ValidationFailed) as caught:
            accounts.change_password(
                services, actor,
                ChangePassword(old_password=PASSWORD, new_password="Newpass#1", new_password_again="Newpass#2"),
            )
        assert caught.value.message == "Пароли не совпадают"

    def test_as13_acc10_acc09_change_applies_the_rules_then_the_new_password_works(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox)
        with pytest.raises(ValidationFailed):
            accounts.change_password(
                services, actor, ChangePassword(old_password=PASSWORD, new_password="short", new_password_again="short")
            )
        accounts.change_password(
            services, actor, ChangePassword(old_password=PASSWORD, new_password="Newpass#1", new_password_again="Newpass#1")
        )

        assert log_in(services, "alice@example.com", "Newpass#1").token
        with pytest.raises(WrongCredentials):
            log_in(services, "alice@example.com")

    def test_as09_acc11_recovery_by_code_ends_every_session(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        other = log_in(services, "alice@example.com", device=FIREFOX)

        accounts.request_password_reset(services, RequestPasswordReset(email="alice@example.com"))
        code = mailbox.last_code("alice@example.com")
        accounts.reset_password(
            services,
            ResetPassword(email="alice@example.com", code=code, new_password="Newpass#1", new_password_again="Newpass#1"),
        )

        for token_holder in (other.token,):
            with pytest.raises(Unauthenticated):
                accounts.authenticate(services, token_holder)
        with pytest.raises(Unauthenticated):
            accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
        assert log_in(services, "alice@example.com", "Newpass#1").token

    def test_as09_acc11_unknown_email_looks_the_same_and_sends_nothing(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        assert accounts.request_password_reset(services, RequestPasswordReset(email="nobody@example.com")) is None
        assert mailbox.deliver() == []

    def test_acc11_acc04_second_request_within_a_minute_is_silently_not_sent(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        registered(services, mailbox)
        mailbox.deliver()
        accounts.request_password_reset(services, RequestPasswordReset(email="alice@example.com"))
        clock.advance(seconds=30)
        accounts.request_password_reset(services, RequestPasswordReset(email="alice@example.com"))

        assert len(mailbox.deliver()) == 1

    def test_as10_acc11a_legacy_account_without_email_gets_no_code_until_staff_restore_it(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        account_id = accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", password=PASSWORD)
        ).account_id
        accounts.request_password_reset(services, RequestPasswordReset(email="iv@example.com"))
        assert mailbox.deliver() == []

        accounts.restore_email(services, STAFF, account_id, RestoreEmail(email="iv@example.com"))
        accounts.request_password_reset(services, RequestPasswordReset(email="iv@example.com"))

        assert [m.to for m in mailbox.deliver()] == ["iv@example.com"]
        session = log_in(services, "ivanov77")
        assert not profile(services, Actor(account_id, session.session_id)).email_confirmed


    def test_acc11a_restoring_the_same_email_in_another_spelling_keeps_it_claimed(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        account_id = accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", email="iv@example.com", password=PASSWORD)
        ).account_id
        accounts.restore_email(services, STAFF, account_id, RestoreEmail(email="IV@Example.com"))

        with pytest.raises(Conflict):
            accounts.register(services, Register(email="iv@example.com", password=PASSWORD,
                                                 agreement_accepted=True), CHROME)
        assert log_in(services, "iv@example.com").token

    def test_acc08_acc11a_an_account_without_email_cannot_switch_on_two_factor(self, services: Services) -> None:
        account_id = accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", password=PASSWORD)
        ).account_id
        session = log_in(services, "ivanov77")
        actor = Actor(account_id, session.session_id)
        accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванов", first_name="Иван"))
        accounts.save_phone(services, actor, SavePhone(phone="+79001234567"))

        with pytest.raises(PreconditionFailed):
            accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
        assert log_in(services, "ivanov77", device=FIREFOX).token  # never locked out

    def test_acc11_every_failed_recovery_answers_alike(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)
        reset = {"code": "00000", "new_password": "Newpass#1", "new_password_again": "Newpass#1"}
        answers = []
        for email in ("nobody@example.com", "alice@example.com"):  # unknown; known with no code pending
            with pytest.raises(ValidationFailed) as caught:
                accounts.reset_password(services, ResetPassword(email=email, **reset))
            answers.append((type(caught.value), caught.value.message, caught.value.details))
        assert answers[0] == answers[1]


class TestEmailChange:
    def test_as14_acc13_changed_email_is_unconfirmed_until_its_code(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        accounts.change_email(services, actor, ChangeEmail(email="anna@example.com"))
        assert not profile(services, actor).email_confirmed
        account = services.app.repository.get(actor.account_id)
        with pytest.raises(PreconditionFailed):
            account.require_confirmed_email()

        accounts.send_email_code(services, actor)
        accounts.confirm_email(services, actor, EnterCode(code=mailbox.last_code("anna@example.com")))

        assert profile(services, actor).email_confirmed
        assert profile(services, actor).email == "anna@example.com"

    def test_acc02_acc13_email_of_another_live_account_is_refused_and_old_one_is_freed(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        alice = registered(services, mailbox)
        registered(services, mailbox, "bob@example.com")
        with pytest.raises(Conflict):
            accounts.change_email(services, alice, ChangeEmail(email="BOB@example.com"))

        accounts.change_email(services, alice, ChangeEmail(email="anna@example.com"))
        registered(services, mailbox, "alice@example.com")  # the old address is free again


class TestDeletion:
    def test_as07_acc17_deleted_account_frees_its_email_for_a_new_registration(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        alice = registered(services, mailbox)
        accounts.delete_account(services, alice, DeleteAccount(password=PASSWORD))

        again = registered(services, mailbox, "alice@example.com")

        assert again.account_id != alice.account_id
        assert profile(services, alice) is None
        with pytest.raises(WrongCredentials):
            log_in(services, "alice@example.com", device=FIREFOX) if False else log_in(services, "x@y.ru")

    def test_acc17_deletion_needs_the_password_and_ends_sessions(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)
        with pytest.raises(ValidationFailed):
            accounts.delete_account(services, alice, DeleteAccount(password="Wrong#123"))

        accounts.delete_account(services, alice, DeleteAccount(password=PASSWORD))

        with pytest.raises(Unauthenticated):
            accounts.switch_two_factor(services, alice, SwitchTwoFactor(enabled=False))
        assert services.views.of(SessionsView).sessions(alice.account_id) == []
