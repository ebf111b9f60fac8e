"""The profile (DOMAIN.md §11, PRF-01 … PRF-03) and the gates of a confirmed e-mail (ACC-06, ACC-12)."""

from __future__ import annotations

import dataclasses

import pydantic
import pytest

from lkk_core import accounts
from lkk_core.accounts.account import Account
from lkk_core.accounts.commands import ChangeEmail, EnterCode, SavePersonalData, SavePhone, SwitchTwoFactor
from lkk_core.accounts.phones import MESSAGE as PHONE_MESSAGE
from lkk_core.kernel.services import Services
from lkk_core.accounts import ProfileView
from tests.support import Mailbox, refused, registered


def test_prf01_profile_shows_personal_contact_data_and_the_2fa_switch(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)
    accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))

    row = services.views.of(ProfileView).profile(actor.account_id)

    assert {"last_name", "first_name", "patronymic", "organisation", "position", "address"} <= {
        field.name for field in dataclasses.fields(row)}
    assert (row.phone, row.email, row.email_confirmed) == ("+78121231231", "alice@example.com", True)
    assert row.two_factor is True


def test_prf02_editing_personal_data_replaces_it(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)

    accounts.save_personal_data(
        services, actor,
        SavePersonalData(last_name="Смирнова", first_name="Анна", organisation="ООО «Свет»", position="Бухгалтер"),
    )

    row = services.views.of(ProfileView).profile(actor.account_id)
    assert (row.last_name, row.organisation, row.position) == ("Смирнова", "ООО «Свет»", "Бухгалтер")


@pytest.mark.parametrize("missing", ["last_name", "first_name"])
def test_prf02_acc05_surname_and_first_name_stay_required(missing: str) -> None:
    fields = {"last_name": "Смирнова", "first_name": "Анна", missing: "  "}
    with pytest.raises(pydantic.ValidationError) as caught:
        SavePersonalData(**fields)
    assert [error["loc"] for error in caught.value.errors()] == [(missing,)]


def test_prf03_phone_edited_in_place_is_normalised(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)

    accounts.save_phone(services, actor, SavePhone(phone="+7(960)825-00-00"))

    assert services.views.of(ProfileView).profile(actor.account_id).phone == "+79608250000"
    refused(services, lambda: accounts.save_phone(services, actor, SavePhone(phone="+1 202 555 0100")),
            code="validation_failed", field="phone", message=PHONE_MESSAGE)
    assert services.views.of(ProfileView).profile(actor.account_id).phone == "+79608250000"


def test_prf03_acc13_email_edited_in_place_needs_confirming(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)

    accounts.change_email(services, actor, ChangeEmail(email="anna@example.com"))

    row = services.views.of(ProfileView).profile(actor.account_id)
    assert (row.email, row.email_confirmed) == ("anna@example.com", False)


def test_acc06_an_unconfirmed_email_blocks_paying_binding_and_readings(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)
    accounts.change_email(services, actor, ChangeEmail(email="anna@example.com"))

    account = services.get(Account, actor.account_id)
    refused(services, account.require_confirmed_email, code="precondition_failed", field="email",
            message="Подтвердите адрес электронной почты")


def test_acc12_confirming_later_sends_a_code_to_the_current_address(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)
    accounts.change_email(services, actor, ChangeEmail(email="anna@example.com"))
    mailbox.deliver()

    accounts.send_email_code(services, actor)
    [letter] = mailbox.deliver()
    accounts.confirm_email(services, actor, EnterCode(code=mailbox.last_code("anna@example.com")))

    assert letter.to == "anna@example.com"
    services.get(Account, actor.account_id).require_confirmed_email()


def test_acc12_acc03_a_wrong_code_counts_the_attempt_and_confirms_nothing(services: Services, mailbox: Mailbox) -> None:
    actor = registered(services, mailbox)
    accounts.change_email(services, actor, ChangeEmail(email="anna@example.com"))
    accounts.send_email_code(services, actor)
    right = mailbox.last_code("anna@example.com")
    wrong = "11111" if right == "00000" else "00000"

    refused(services, lambda: accounts.confirm_email(services, actor, EnterCode(code=wrong)), code="validation_failed",
            field="code", message="Неверный код", wrote=1)  # the attempt is counted: the refusal writes

    assert not services.views.of(ProfileView).profile(actor.account_id).email_confirmed
    accounts.confirm_email(services, actor, EnterCode(code=right))
    assert services.views.of(ProfileView).profile(actor.account_id).email_confirmed


@pytest.mark.parametrize("text", ["Ива\x00нова", "Ива\x07нова", "\x1b[31mИванова"])
def test_control_characters_are_refused_in_every_text_field(text: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        SavePersonalData(last_name=text, first_name="Анна")
    assert [error["loc"] for error in caught.value.errors()] == [("last_name",)]
    with pytest.raises(pydantic.ValidationError) as caught:
        ChangeEmail(email=f"{text}@example.com")
    assert [error["loc"] for error in caught.value.errors()] == [("email",)]
