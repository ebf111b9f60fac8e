"""Accounts and authentication through the services (DOMAIN.md §1, §11; AS-01 … AS-14)."""

from __future__ import annotations

from functools import partial
from uuid import uuid4

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
    ResendLoginCode,
    RequestPasswordReset,
    ResetPassword,
    RestoreEmail,
    SavePersonalData,
    SavePhone,
    SwitchTwoFactor,
)
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.accounts import ProfileView, SessionsView
from tests.support import CHROME, FIREFOX, PASSWORD, Mailbox, refused, registered

STAFF = StaffActor("staff-1")
WRONG_CODE = "Неверный код"  # DOMAIN.md §13.14 (ACC-03)
CODE_VOID = "Код недействителен, запросите новый"
EMAIL_TAKEN = "Пользователь с таким e-mail уже зарегистрирован"  # DOMAIN.md §13.14 (ACC-02)
CONFIRM_EMAIL_FIRST = "Подтвердите адрес электронной почты"  # DOMAIN.md §13.14 (ACC-06)
FILL_REQUIRED = "Заполните обязательные поля"  # DOMAIN.md §13.14 (ACC-05)
WRONG_LOGIN = "Неверный e-mail (логин) или пароль"  # DOMAIN.md §13.14 (ACC-07)


def profile(services: Services, actor: Actor) -> dict:
    return services.views.of(ProfileView).profile(actor.account_id)


def log_in(services: Services, identifier: str, password: str = PASSWORD, device=CHROME):
    return accounts.log_in(services, LogIn(identifier=identifier, password=password), device)


def other_than(code: str) -> str:
    return "00000" if code != "00000" else "11111"


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
        refused(services, lambda: accounts.register(
                    services, Register(email="a@b.ru", password=PASSWORD, agreement_accepted=False), CHROME),
                code="validation_failed", field="agreement_accepted",
                message="Необходимо принять пользовательское соглашение")

        assert services.app.head() == 0
        assert mailbox.deliver() == []

    def test_acc01_advertising_tick_is_recorded(self, services: Services, mailbox: Mailbox) -> None:
        reg = accounts.register(
            services, Register(email="a@b.ru", password=PASSWORD, agreement_accepted=True, advertising=True), CHROME
        )
        assert profile(services, Actor(reg.account_id, reg.session_id)).advertising is True

    def test_acc02_same_email_in_other_case_and_spaces_is_a_conflict(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)

        again = Register(email="  Alice@Example.COM ", password=PASSWORD, agreement_accepted=True)

        refused(services, lambda: accounts.register(services, again, CHROME),
                code="conflict", field="email", message=EMAIL_TAKEN, status=409)

    def test_acc03_code_has_five_digits_and_goes_to_the_address(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox, confirm=False)

        [letter] = mailbox.deliver()
        assert letter.to == "alice@example.com"
        assert len(mailbox.last_code("alice@example.com")) == 5

    def test_as04_acc03_wrong_code_leaves_email_unconfirmed(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)
        wrong = other_than(mailbox.last_code("alice@example.com"))

        refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=wrong)),
                code="validation_failed", field="code", message=WRONG_CODE, wrote=1)  # the attempt is counted

        assert profile(services, actor).stage == "email_code"
        assert not profile(services, actor).email_confirmed

    def test_acc03_code_is_single_use(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)
        code = mailbox.last_code("alice@example.com")
        accounts.confirm_email(services, actor, EnterCode(code=code))

        refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=code)),
                code="expired", field="code", message=CODE_VOID)

    def test_acc03_code_expires_after_its_lifetime(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        actor = registered(services, mailbox, confirm=False)
        code = mailbox.last_code("alice@example.com")
        clock.advance(seconds=services.settings.code_ttl.total_seconds())

        refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=code)),
                code="expired", field="code", message=CODE_VOID)
        assert not profile(services, actor).email_confirmed

    def test_acc03_five_wrong_attempts_void_the_code(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)
        right = mailbox.last_code("alice@example.com")
        wrong = other_than(right)
        for _ in range(5):
            refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=wrong)),
                    code="validation_failed", field="code", message=WRONG_CODE, wrote=1)

        refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=right)),
                code="expired", field="code", message=CODE_VOID)

    def test_as03_acc04_resend_within_a_minute_is_refused_then_allowed(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        actor = registered(services, mailbox, confirm=False)
        first = mailbox.last_code("alice@example.com")
        clock.advance(seconds=59)

        refused(services, lambda: accounts.send_email_code(services, actor), code="rate_limited", status=429,
                message="Повторная отправка кода возможна через 1 с", retry_after=1, purpose="confirm_email")
        assert mailbox.deliver() == []

        clock.advance(seconds=1)
        accounts.send_email_code(services, actor)
        second = mailbox.last_code("alice@example.com")
        if first != second:
            refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=first)),
                    code="validation_failed", field="code", message=WRONG_CODE, wrote=1)
        accounts.confirm_email(services, actor, EnterCode(code=second))

    def test_as05_acc05_onboarding_cannot_be_skipped(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, onboard=False)

        refused(services, lambda: accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True)),
                code="precondition_failed", message=FILL_REQUIRED, status=412, stage="personal_data")
        refused(services, lambda: accounts.save_phone(services, actor, SavePhone(phone="+79608250000")),
                code="precondition_failed", message=FILL_REQUIRED, stage="personal_data")

        accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванова", first_name="Анна"))
        refused(services, lambda: accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True)),
                code="precondition_failed", message=FILL_REQUIRED, stage="phone")

    def test_acc05_personal_data_needs_the_email_code_first(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox, confirm=False)

        refused(services, lambda: accounts.save_personal_data(services, actor,
                                                               SavePersonalData(last_name="И", first_name="А")),
                code="precondition_failed", message=CONFIRM_EMAIL_FIRST, stage="email_code")

    def test_acc05_a_phone_that_is_not_russian_is_refused_naming_the_phone(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox, onboard=False)
        accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванова", first_name="Анна"))

        refused(services, lambda: accounts.save_phone(services, actor, SavePhone(phone="+1 555 123-45-67")),
                code="validation_failed", field="phone", message="Введите номер телефона в формате +7 XXX XXX-XX-XX")
        assert profile(services, actor).stage == "phone"

    def test_acc12_acc11a_an_account_without_email_gets_no_code_until_it_enters_one(self, services: Services) -> None:
        account_id = accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", password=PASSWORD)
        ).account_id
        actor = Actor(account_id, log_in(services, "ivanov77").session_id)

        refused(services, lambda: accounts.send_email_code(services, actor),
                code="precondition_failed", field="email", message="Укажите адрес электронной почты")

    @pytest.mark.parametrize(("weak", "unmet", "message"), [
        ("Secret1", ["min_length"], "Не менее 8 символов"),
        ("secret123", ["uppercase"], "Заглавные буквы"),
        ("SECRET123", ["lowercase"], "Строчные буквы"),
        ("SecretPass", ["digits"], "Цифры"),
        ("Secret 123", ["no_spaces"], "Любые символы кроме пробелов"),
        ("Пароль123A", ["latin_only", "lowercase"], "Буквы только латинского алфавита; Строчные буквы"),
    ])
    def test_as06_acc09_weak_password_is_refused_at_registration_naming_the_unmet_rules(
        self, services: Services, mailbox: Mailbox, weak: str, unmet: list[str], message: str
    ) -> None:
        refused(services, lambda: accounts.register(
                    services, Register(email="a@b.ru", password=weak, agreement_accepted=True), CHROME),
                code="validation_failed", field="password", message=message, unmet=unmet)
        assert services.app.head() == 0
        assert mailbox.deliver() == []


class TestLogin:
    def test_as08_acc07_login_by_email_or_legacy_login(self, services: Services) -> None:
        accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", email="iv@example.com", password=PASSWORD)
        )

        assert log_in(services, "ivanov77").token
        assert log_in(services, "IV@example.com").token

    def test_as08_acc07_wrong_password_and_unknown_user_fail_alike(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)

        wrong_password = refused(services, lambda: log_in(services, "alice@example.com", "Wrong#1234"),
                                 code="validation_failed", field="identifier", message=WRONG_LOGIN, status=401)
        unknown = refused(services, lambda: log_in(services, "nobody@example.com"),
                          code="validation_failed", field="identifier", message=WRONG_LOGIN, status=401)
        assert (type(wrong_password), wrong_password.details) == (type(unknown), unknown.details)

    def test_acc03_login_before_the_code_returns_to_the_code_step(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox, confirm=False)

        assert log_in(services, "alice@example.com").stage == "email_code"

    def test_token_authenticates_its_actor_and_a_forged_one_does_not(self, services: Services, mailbox: Mailbox) -> None:
        registered(services, mailbox)
        result = log_in(services, "alice@example.com")

        assert accounts.authenticate(services, result.token) == Actor(result.account_id, result.session_id)
        forged = result.token[:-4] + ("AAAA" if not result.token.endswith("AAAA") else "BBBB")
        for bad in (forged, "garbage", "", "a.b.c"):
            refused(services, partial(accounts.authenticate, services, bad), code="unauthenticated", status=401)

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

        wrong = ConfirmLogin(account_id=held.account_id, challenge_id=held.challenge_id, code=other_than(right))

        refused(services, lambda: accounts.confirm_login(services, wrong),
                code="validation_failed", field="code", message=WRONG_CODE, wrote=1)  # counted, as ACC-03
        assert len(services.views.of(SessionsView).sessions(actor.account_id)) == 1

    def test_acc08_a_code_for_a_login_that_is_not_held_is_not_found(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
        held = log_in(services, "alice@example.com", device=FIREFOX)
        code = mailbox.last_code("alice@example.com")

        for account_id, challenge_id in ((held.account_id, uuid4()), (uuid4(), held.challenge_id)):
            confirm = ConfirmLogin(account_id=account_id, challenge_id=challenge_id, code=code)
            refused(services, partial(accounts.confirm_login, services, confirm),
                    code="not_found", field="challenge_id", message="Вход не найден, войдите снова")
        assert len(services.views.of(SessionsView).sessions(actor.account_id)) == 1

    def test_acc04_acc08_the_login_code_is_resent_at_most_once_a_minute(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        actor = registered(services, mailbox)
        accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
        held = log_in(services, "alice@example.com", device=FIREFOX)
        mailbox.deliver()
        resend = ResendLoginCode(account_id=held.account_id, challenge_id=held.challenge_id)
        clock.advance(seconds=59)

        refused(services, lambda: accounts.resend_login_code(services, resend), code="rate_limited", status=429,
                message="Повторная отправка кода возможна через 1 с", retry_after=1, purpose="confirm_login")
        assert mailbox.deliver() == []

        clock.advance(seconds=1)
        accounts.resend_login_code(services, resend)
        assert [m.to for m in mailbox.deliver()] == ["alice@example.com"]


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

        refused(services, lambda: accounts.authenticate(services, other.token), code="unauthenticated")
        assert [r.session_id for r in services.views.of(SessionsView).sessions(actor.account_id)] == [actor.session_id]

    def test_acc14_ending_a_session_the_account_does_not_have_is_not_found(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox)
        bob = registered(services, mailbox, "bob@example.com")

        for session_id in (uuid4(), bob.session_id):
            refused(services, partial(accounts.end_session, services, actor, session_id),
                    code="not_found", field="session_id", message="Сессия не найдена")
        assert len(services.views.of(SessionsView).sessions(bob.account_id)) == 1  # Bob's session lives on

    def test_as12_acc15_logout_ends_the_current_session(self, services: Services, mailbox: Mailbox) -> None:
        result = (registered(services, mailbox), log_in(services, "alice@example.com"))[1]
        actor = accounts.authenticate(services, result.token)

        accounts.log_out(services, actor)

        refused(services, lambda: accounts.authenticate(services, result.token), code="unauthenticated")


class TestPasswords:
    def test_as13_acc10_wrong_old_password_refused(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        change = ChangePassword(old_password="Wrong#123", new_password="Newpass#1", new_password_again="Newpass#1")

        refused(services, lambda: accounts.change_password(services, actor, change),
                code="validation_failed", field="old_password", message="Неверный старый пароль")
        assert log_in(services, "alice@example.com").token

    def test_as13_acc10_new_entries_must_match(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        change = ChangePassword(old_password=PASSWORD, new_password="Newpass#1", new_password_again="Newpass#2")

        refused(services, lambda: accounts.change_password(services, actor, change),
                code="validation_failed", field="new_password_again", message="Пароли не совпадают")

    def test_as13_acc10_acc09_change_applies_the_rules_then_the_new_password_works(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        actor = registered(services, mailbox)
        weak = ChangePassword(old_password=PASSWORD, new_password="short", new_password_again="short")
        refused(services, lambda: accounts.change_password(services, actor, weak),
                code="validation_failed", field="new_password", unmet=["min_length", "uppercase", "digits"],
                message="Не менее 8 символов; Заглавные буквы; Цифры")
        accounts.change_password(
            services, actor, ChangePassword(old_password=PASSWORD, new_password="Newpass#1", new_password_again="Newpass#1")
        )

        assert log_in(services, "alice@example.com", "Newpass#1").token
        refused(services, lambda: log_in(services, "alice@example.com"),
                code="validation_failed", field="identifier", message=WRONG_LOGIN)

    def test_as09_acc11_recovery_by_code_ends_every_session(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        other = log_in(services, "alice@example.com", device=FIREFOX)

        accounts.request_password_reset(services, RequestPasswordReset(email="alice@example.com"))
        code = mailbox.last_code("alice@example.com")
        accounts.reset_password(
            services,
            ResetPassword(email="alice@example.com", code=code, new_password="Newpass#1", new_password_again="Newpass#1"),
        )

        refused(services, lambda: accounts.authenticate(services, other.token), code="unauthenticated")
        refused(services, lambda: accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True)),
                code="unauthenticated")
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

        refused(services, lambda: accounts.register(
                    services, Register(email="iv@example.com", password=PASSWORD, agreement_accepted=True), CHROME),
                code="conflict", field="email", message=EMAIL_TAKEN)
        assert log_in(services, "iv@example.com").token

    def test_acc11a_restoring_the_email_of_an_account_that_does_not_exist_is_not_found(
        self, services: Services
    ) -> None:
        restore = RestoreEmail(email="iv@example.com")

        refused(services, lambda: accounts.restore_email(services, STAFF, uuid4(), restore),
                code="not_found", field="account_id")

    def test_acc02_acc07_a_legacy_login_is_held_by_one_account_in_any_case(self, services: Services) -> None:
        accounts.import_legacy_account(services, STAFF, ImportLegacyAccount(login="ivanov77", password=PASSWORD))

        refused(services, lambda: accounts.import_legacy_account(
                    services, STAFF, ImportLegacyAccount(login=" IVANOV77", email="iv@example.com", password=PASSWORD)),
                code="conflict", field="login", message="Пользователь с таким логином уже зарегистрирован")
        refused(services, lambda: log_in(services, "iv@example.com"),
                code="validation_failed", field="identifier", message=WRONG_LOGIN)  # nothing of it was written

    def test_acc08_acc11a_an_account_without_email_cannot_switch_on_two_factor(self, services: Services) -> None:
        account_id = accounts.import_legacy_account(
            services, STAFF, ImportLegacyAccount(login="ivanov77", password=PASSWORD)
        ).account_id
        session = log_in(services, "ivanov77")
        actor = Actor(account_id, session.session_id)
        accounts.save_personal_data(services, actor, SavePersonalData(last_name="Иванов", first_name="Иван"))
        accounts.save_phone(services, actor, SavePhone(phone="+79001234567"))

        refused(services, lambda: accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True)),
                code="precondition_failed", field="email", message="Укажите адрес электронной почты")
        assert log_in(services, "ivanov77", device=FIREFOX).token  # never locked out

    def test_acc11_every_failed_recovery_answers_alike(
        self, services: Services, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        registered(services, mailbox)
        mailbox.deliver()

        def reset(email: str, code: str, *, wrote: int = 0) -> tuple:
            command = ResetPassword(email=email, code=code, new_password="Newpass#1", new_password_again="Newpass#1")
            error = refused(services, lambda: accounts.reset_password(services, command),
                            code="validation_failed", field="code", message=WRONG_CODE, status=422, wrote=wrote)
            return type(error), error.code, error.message, error.details

        unknown_email = reset("nobody@example.com", "12345")
        no_code = reset("alice@example.com", "12345")
        accounts.request_password_reset(services, RequestPasswordReset(email="alice@example.com"))
        right = mailbox.last_code("alice@example.com")
        wrong_code = reset("alice@example.com", other_than(right), wrote=1)  # the attempt is counted (ACC-03)
        clock.advance(seconds=services.settings.code_ttl.total_seconds())
        expired_code = reset("alice@example.com", right)

        assert unknown_email == no_code == wrong_code == expired_code
        assert log_in(services, "alice@example.com").token  # the password never changed


class TestEmailChange:
    def test_as14_acc13_changed_email_is_unconfirmed_until_its_code(self, services: Services, mailbox: Mailbox) -> None:
        actor = registered(services, mailbox)
        accounts.change_email(services, actor, ChangeEmail(email="anna@example.com"))
        assert not profile(services, actor).email_confirmed
        account = services.app.repository.get(actor.account_id)
        refused(services, account.require_confirmed_email,
                code="precondition_failed", field="email", message=CONFIRM_EMAIL_FIRST)

        accounts.send_email_code(services, actor)
        accounts.confirm_email(services, actor, EnterCode(code=mailbox.last_code("anna@example.com")))

        assert profile(services, actor).email_confirmed
        assert profile(services, actor).email == "anna@example.com"

    def test_acc02_acc13_email_of_another_live_account_is_refused_and_old_one_is_freed(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        alice = registered(services, mailbox)
        registered(services, mailbox, "bob@example.com")
        refused(services, lambda: accounts.change_email(services, alice, ChangeEmail(email="BOB@example.com")),
                code="conflict", field="email", message=EMAIL_TAKEN)
        assert profile(services, alice).email == "alice@example.com"

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
        refused(services, lambda: accounts.switch_two_factor(services, alice, SwitchTwoFactor(enabled=False)),
                code="unauthenticated")
        assert log_in(services, "alice@example.com", device=FIREFOX).account_id == again.account_id

    def test_acc17_deletion_needs_the_password_and_ends_sessions(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)
        refused(services, lambda: accounts.delete_account(services, alice, DeleteAccount(password="Wrong#123")),
                code="validation_failed", field="password", message="Неверный пароль")
        assert profile(services, alice) is not None

        accounts.delete_account(services, alice, DeleteAccount(password=PASSWORD))

        refused(services, lambda: accounts.switch_two_factor(services, alice, SwitchTwoFactor(enabled=False)),
                code="unauthenticated")
        assert services.views.of(SessionsView).sessions(alice.account_id) == []
