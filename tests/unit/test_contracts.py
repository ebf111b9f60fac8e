"""Binding contracts (DOMAIN.md §2, CON-01 … CON-11), through the services."""

from __future__ import annotations

import pytest

from lkk_core import accounts, contracts
from lkk_core.contracts.contract_binding import ContractBinding
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts.commands import ChangeEmail, DeleteAccount
from lkk_core.contracts.commands import ConfirmBinding, GrantAdministrator, GrantRole, RequestBinding
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.sweep import sweep
from tests.contracts_support import C1, C2, C3, C4, bound, contract, link_of
from tests.support import PASSWORD, Mailbox, refused, registered

STAFF = StaffActor("staff-1")


def numbers(services: Services, actor: Actor, status: str = "bound") -> list[str]:
    return [row.contract_number for row in contracts.my_contracts(services, actor) if row.status == status]


def request(services: Services, actor: Actor, number: str = C1, email: str = "alice@example.com") -> None:
    contracts.request_binding(services, actor, RequestBinding(contract_number=number, email=email))


@pytest.fixture
def alice(services: Services, mailbox: Mailbox) -> Actor:
    return registered(services, mailbox)


class TestBindingRequest:
    def test_con01_without_contracts_the_list_is_empty_not_an_error(self, services: Services, alice: Actor) -> None:
        assert contracts.my_contracts(services, alice) == []

    @pytest.mark.parametrize("typed", ["1000000000000", "100000000000011", "1000000000000A", "１０００００００００００００１", ""])
    def test_con02_a_number_of_other_than_14_digits_is_refused_with_the_rule(
        self, services: Services, alice: Actor, typed: str
    ) -> None:
        refused(services, lambda: request(services, alice, typed), code="validation_failed", field="contract_number",
                message="Номер договора должен состоять из 14 цифр")

    def test_con02_surrounding_spaces_are_trimmed(self, services: Services, alice: Actor, mailbox: Mailbox) -> None:
        request(services, alice, f"  {C1} ")
        assert numbers(services, alice, "pending") == [C1]

    def test_con02_an_unknown_number_is_not_found(self, services: Services, alice: Actor) -> None:
        refused(services, lambda: request(services, alice, "99999999999999"), code="not_found", field="contract_number")

    def test_con02_acc06_binding_needs_a_confirmed_email(self, services: Services, alice: Actor) -> None:
        accounts.change_email(services, alice, ChangeEmail(email="alice.new@example.com"))
        refused(services, lambda: request(services, alice), code="precondition_failed", field="email")

    def test_con02_the_email_is_compared_normalised(self, services: Services, alice: Actor, mailbox: Mailbox) -> None:
        request(services, alice, C1, " Client1@Mail.RU ")
        assert link_of(mailbox, "Client1@Mail.RU")

    def test_con03_an_email_not_on_the_contract_binds_nothing_and_sends_nothing(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        mailbox.deliver()
        refused(services, lambda: request(services, alice, C1, "stranger@example.com"), code="validation_failed",
                field="email", message="Указанный адрес электронной почты не найден в договоре")
        assert mailbox.deliver() == []

    def test_con06_a_contract_that_lists_no_email_cannot_be_bound(self, services: Services, alice: Actor) -> None:
        services.billing.contracts["20000000000000"] = contract("20000000000000")  # type: ignore[union-attr]
        refused(services, lambda: request(services, alice, "20000000000000"), code="validation_failed", field="email",
                message="Указанный адрес электронной почты не найден в договоре")


class TestConfirmation:
    def test_con04_the_link_goes_to_the_contracts_email_and_binds(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        request(services, alice, C1, "client1@mail.ru")  # not Alice's own address
        [letter] = [m for m in mailbox.deliver() if m.to == "client1@mail.ru"]
        assert C1 in letter.body and "24 часа" in letter.body
        assert numbers(services, alice) == [] and numbers(services, alice, "pending") == [C1]

        binding_id, token = link_of(mailbox, "client1@mail.ru")
        contracts.confirm_binding(services, ConfirmBinding(binding_id=binding_id, token=token))

        assert numbers(services, alice) == [C1]
        assert numbers(services, alice, "pending") == []

    def test_con04_a_second_use_of_the_link_is_a_conflict(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        request(services, alice)
        binding_id, token = link_of(mailbox, "alice@example.com")
        contracts.confirm_binding(services, ConfirmBinding(binding_id=binding_id, token=token))
        confirm = ConfirmBinding(binding_id=binding_id, token=token)
        refused(services, lambda: contracts.confirm_binding(services, confirm),
                code="conflict", contract_number=C1, message="Договор уже добавлен в Личный кабинет")

    def test_con04_a_wrong_token_binds_nothing(self, services: Services, alice: Actor, mailbox: Mailbox) -> None:
        request(services, alice)
        binding_id, token = link_of(mailbox, "alice@example.com")
        refused(services, lambda: contracts.confirm_binding(services, ConfirmBinding(binding_id=binding_id,
                                                                                    token=token[::-1])),
                code="not_found", field="token")
        assert numbers(services, alice) == []

    def test_con05_the_link_works_until_just_before_24_hours(
        self, services: Services, alice: Actor, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        request(services, alice)
        binding_id, token = link_of(mailbox, "alice@example.com")
        clock.advance(hours=23, minutes=59, seconds=59)
        contracts.confirm_binding(services, ConfirmBinding(binding_id=binding_id, token=token))
        assert numbers(services, alice) == [C1]

    def test_con05_at_24_hours_the_request_is_gone_and_the_link_expired(
        self, services: Services, alice: Actor, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        request(services, alice)
        binding_id, token = link_of(mailbox, "alice@example.com")
        clock.advance(hours=24)

        assert numbers(services, alice, "pending") == []  # lazily: never shown after the deadline
        confirm = ConfirmBinding(binding_id=binding_id, token=token)
        refused(services, lambda: contracts.confirm_binding(services, confirm),
                code="expired", field="token", message="Срок подтверждения привязки договора истёк")

    def test_con05_the_sweep_records_the_expiry_once(
        self, services: Services, alice: Actor, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        request(services, alice, C1)
        clock.advance(hours=1)
        request(services, alice, C2)
        clock.advance(hours=23)

        assert sweep(services).bindings_expired == 1  # C1 only: C2 has an hour left
        assert sweep(services).bindings_expired == 0
        clock.advance(hours=1)
        assert sweep(services).bindings_expired == 1
        expired = [n for n in services.app.recorder.select_notifications(start=1, limit=1000)
                   if n.topic == "lkk:ContractBinding.BindingExpired"]
        assert len(expired) == 2

    def test_con05_an_expired_request_can_be_made_again(
        self, services: Services, alice: Actor, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        request(services, alice)
        clock.advance(hours=25)
        sweep(services)
        bound(services, mailbox, alice, C1)
        assert numbers(services, alice) == [C1]

    def test_con07_a_new_request_replaces_the_pending_one_and_kills_its_link(
        self, services: Services, alice: Actor, mailbox: Mailbox, clock: FixedClock
    ) -> None:
        request(services, alice)
        old = link_of(mailbox, "alice@example.com")
        clock.advance(hours=20)
        request(services, alice, C1, "client1@mail.ru")
        new = link_of(mailbox, "client1@mail.ru")
        clock.advance(hours=5)  # 25 h after the first request, 5 h after the second

        refused(services, lambda: contracts.confirm_binding(services, ConfirmBinding(binding_id=old[0], token=old[1])),
                code="not_found", field="token")
        contracts.confirm_binding(services, ConfirmBinding(binding_id=new[0], token=new[1]))
        assert numbers(services, alice) == [C1]


class TestManyAndUnbinding:
    def test_con07_one_account_many_contracts_and_one_contract_many_accounts(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        for number in (C3, C1, C2):
            bound(services, mailbox, alice, number)
        bound(services, mailbox, bob, C1, "client1@mail.ru")

        assert numbers(services, alice) == [C1, C2, C3]  # by number
        assert numbers(services, bob) == [C1]

    def test_con07_binding_a_contract_already_in_the_account_is_a_conflict(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bound(services, mailbox, alice, C1)
        refused(services, lambda: request(services, alice), code="conflict", contract_number=C1,
                message="Договор уже добавлен в Личный кабинет")

    def test_con08_the_binder_is_manager_on_every_energy_object(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bound(services, mailbox, alice, C1)
        [row] = contracts.my_contracts(services, alice)
        assert (row.role, row.role_label, row.energy_objects) == ("MANAGER", "Руководитель", None)

    def test_con09_the_detail_shows_the_contract_with_the_role(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bound(services, mailbox, alice, C1)
        detail = contracts.contract_detail(services, alice, C1)
        assert detail.contract.number == C1 and detail.holding.role is Role.MANAGER
        assert len(detail.contract.energy_objects) == 3
        assert detail.contract.bank is not None and detail.contract.contacts

    def test_con05_con09_a_pending_binding_gives_no_access(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        request(services, alice)
        refused(services, lambda: contracts.contract_detail(services, alice, C1), code="not_found", contract_number=C1)

    def test_con11_unbinding_removes_the_contract_from_this_account_only(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, alice, C1)
        bound(services, mailbox, bob, C1)

        contracts.unbind_contract(services, alice, C1)

        assert numbers(services, alice) == [] and numbers(services, bob) == [C1]
        refused(services, lambda: contracts.contract_detail(services, alice, C1), code="not_found", contract_number=C1)
        bound(services, mailbox, alice, C1)  # and it can be bound again
        assert numbers(services, alice) == [C1]

    def test_con11_an_unbinding_administrator_frees_the_slot_and_granted_roles_stay(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, alice, C1)
        contracts.grant_administrator(services, STAFF, C1, GrantAdministrator(account_id=alice.account_id))
        contracts.grant_role(services, alice, C1, GrantRole(role=Role.ACCOUNTANT, email="bob@example.com",
                                                            energy_objects=[f"{C1}0001"]))

        contracts.unbind_contract(services, alice, C1)

        assert numbers(services, bob) == [C1]
        [row] = contracts.my_contracts(services, bob)
        assert row.role == "ACCOUNTANT" and row.may_request_administrator

    def test_acc17_deleting_an_account_takes_its_contracts_and_leaves_them_whole(
        self, services: Services, alice: Actor, mailbox: Mailbox
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, alice, C1)
        bound(services, mailbox, bob, C1)
        request(services, alice, C2)
        contracts.grant_administrator(services, STAFF, C1, GrantAdministrator(account_id=alice.account_id))

        accounts.delete_account(services, alice, DeleteAccount(password=PASSWORD))

        users = contracts.staff_contract_users(services, STAFF, C1)
        assert [u.account_id for u in users] == [bob.account_id]
        binding = services.get(ContractBinding, contracts.binding.binding_id(C2, alice.account_id))
        assert binding.status == "unbound"
        contracts.grant_administrator(services, STAFF, C1, GrantAdministrator(account_id=bob.account_id))


def test_rol15_detail_lists_only_the_granted_energy_objects(
    services: Services, alice: Actor, mailbox: Mailbox
) -> None:
    bob = registered(services, mailbox, "bob@example.com")
    bound(services, mailbox, alice, C1)
    contracts.grant_administrator(services, STAFF, C1, GrantAdministrator(account_id=alice.account_id))
    contracts.grant_role(services, alice, C1, GrantRole(role=Role.POWER_ENGINEER, email="bob@example.com",
                                                        energy_objects=[f"{C1}0002"]))

    detail = contracts.contract_detail(services, bob, C1)

    assert [eo.code for eo in detail.contract.energy_objects] == [f"{C1}0002"]
    assert detail.holding.energy_objects == frozenset({f"{C1}0002"})
    refused(services, lambda: contracts.contract_users(services, bob, C1), code="forbidden",
            capability="grant_role", role="POWER_ENGINEER", contract_number=C1,
            message="Недостаточно прав для выполнения операции")


def test_con07_many_contracts_listed_by_number_with_c4_of_another_user(
    services: Services, alice: Actor, mailbox: Mailbox
) -> None:
    bob = registered(services, mailbox, "bob@example.com")
    bound(services, mailbox, bob, C4, "bob@example.com")
    assert numbers(services, alice) == []
    refused(services, lambda: contracts.contract_detail(services, alice, C4), code="not_found", contract_number=C4)
