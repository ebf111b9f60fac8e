"""Roles on a contract (DOMAIN.md §12, ROL-01 … ROL-19), through the services."""

from __future__ import annotations

import re

import pydantic
import pytest

from lkk_core import accounts, contracts
from lkk_core.accounts.commands import LogIn, SavePersonalData, SavePhone
from lkk_core.contracts.commands import GrantAdministrator, GrantRole, RefuseAdministratorRequest
from lkk_core.kernel.permissions import (
    ENERGY_OBJECT_SCOPED,
    GRANTABLE_BY_ADMINISTRATOR,
    TABLE_3,
    Capability,
    Holding,
    Role,
    allows,
)
from lkk_core.kernel.services import Actor, Services, StaffActor
from lkk_core.accounts import ProfileView
from tests.contracts_support import C1, C2, C3, C4, COLUMNS, EXPECTED, bound
from tests.support import CHROME, Mailbox, refused, registered

STAFF = StaffActor("staff-1")
EO1, EO2, EO3 = f"{C1}0001", f"{C1}0002", f"{C1}0003"

@pytest.fixture
def admin(services: Services, mailbox: Mailbox) -> Actor:
    """client1 (ROL-10's user 1): binds contract 1 and is made its Administrator by staff."""
    actor = registered(services, mailbox, "client1@mail.ru")
    bound(services, mailbox, actor, C1, "client1@mail.ru")
    contracts.grant_administrator(services, STAFF, C1, GrantAdministrator(account_id=actor.account_id))
    return actor


def grant(services: Services, admin: Actor, email: str, role: Role = Role.ACCOUNTANT,
          objects: tuple[str, ...] = (EO1,)) -> contracts.RoleGrant:
    return contracts.grant_role(services, admin, C1, GrantRole(role=role, email=email, energy_objects=list(objects)))


def role_on(services: Services, actor: Actor, number: str = C1) -> str | None:
    rows = [r for r in contracts.my_contracts(services, actor) if r.contract_number == number]
    return rows[0].role if rows else None


def login(services: Services, identifier: str, password: str) -> Actor:
    result = accounts.log_in(services, LogIn(identifier=identifier, password=password), CHROME)
    assert result.session_id is not None
    return Actor(result.account_id, result.session_id)


class TestMatrix:
    def test_rol19_table_3_matches_the_manual_cell_by_cell(self) -> None:
        assert len(EXPECTED) == 14 * 4
        for (capability, role), allowed in EXPECTED.items():
            assert (role in TABLE_3[capability]) is allowed, (capability, role)
            assert allows(Holding(role), capability) is allowed, (capability, role)
        for capability in Capability:
            assert not allows(None, capability)  # no role: nothing

    @pytest.mark.parametrize("role", [*COLUMNS, None], ids=lambda r: r.value if r else "no role")
    def test_rol19_the_services_offer_exactly_the_roles_capabilities(
        self, services: Services, mailbox: Mailbox, admin: Actor, role: Role | None
    ) -> None:
        user = registered(services, mailbox, "user@example.com")
        if role is Role.ADMINISTRATOR:
            user = admin
        elif role is not None:
            grant(services, admin, "user@example.com", role, (EO1, EO2, EO3))

        if role is None:
            refused(services, lambda: contracts.contract_detail(services, user, C1), code="not_found",
                    contract_number=C1)
            return
        offered = set(contracts.contract_detail(services, user, C1).capabilities)
        assert offered == {c for c in Capability if EXPECTED[(c, role)]}

    @pytest.mark.parametrize("role", COLUMNS, ids=lambda r: r.value)
    def test_rol19_role_management_is_enforced_by_the_services(
        self, services: Services, mailbox: Mailbox, admin: Actor, role: Role
    ) -> None:
        user = registered(services, mailbox, "user@example.com")
        registered(services, mailbox, "third@example.com")
        other = grant(services, admin, "third@example.com")
        if role is Role.ADMINISTRATOR:
            user = admin
        else:
            grant(services, admin, "user@example.com", role)
        may_manage = EXPECTED[(Capability.GRANT_ROLE, role)]

        for attempt, capability in (
            (lambda: contracts.contract_users(services, user, C1), Capability.GRANT_ROLE),
            (lambda: grant(services, user, "third@example.com", Role.MANAGER), Capability.GRANT_ROLE),
            (lambda: contracts.revoke_role(services, user, C1, other.account_id), Capability.REVOKE_ROLE),
        ):
            if may_manage:
                attempt()
            else:
                refused(services, attempt, code="forbidden", capability=capability.value, role=role.value,
                        contract_number=C1, message="Недостаточно прав для выполнения операции")

    def test_rol15_readings_capabilities_reach_only_the_granted_energy_objects(self) -> None:
        holding = Holding(Role.POWER_ENGINEER, frozenset({EO1}))
        for capability in ENERGY_OBJECT_SCOPED:
            assert allows(holding, capability, EO1)
            assert not allows(holding, capability, EO2)
        assert allows(holding, Capability.VIEW_CONTRACT, EO2)  # contract-level data is not scoped
        assert allows(Holding(Role.MANAGER), Capability.SUBMIT_READINGS, EO2)  # None: every object


class TestRoles:
    def test_rol01_four_roles_with_the_manuals_names(self) -> None:
        assert [r.label for r in Role] == ["Администратор", "Руководитель", "Энергетик", "Бухгалтер"]
        assert {r.value for r in Role} == {"ADMINISTRATOR", "MANAGER", "POWER_ENGINEER", "ACCOUNTANT"}

    def test_rol02_each_role_means_what_the_manual_says(self) -> None:
        management = {Capability.GRANT_ROLE, Capability.REVOKE_ROLE}
        readings = {Capability.SUBMIT_READINGS, Capability.VIEW_READINGS_HISTORY}
        money = {Capability.VIEW_UNPAID_DOCUMENTS, Capability.VIEW_DEBT, Capability.VIEW_BILLS_CHART,
                 Capability.VIEW_PAYMENTS_HISTORY, Capability.MAKE_PAYMENT, Capability.VIEW_DOCUMENTS_HISTORY}

        def can(role: Role) -> set[Capability]:
            return {c for c in Capability if allows(Holding(role), c)}

        assert can(Role.ADMINISTRATOR) == set(Capability)  # the owner: full access, roles included
        assert can(Role.MANAGER) == set(Capability) - management  # full access without role management
        assert readings <= can(Role.POWER_ENGINEER) and not money & can(Role.POWER_ENGINEER)
        assert money <= can(Role.ACCOUNTANT) and not readings & can(Role.ACCOUNTANT)

    def test_rol03_a_role_belongs_to_one_account_on_one_contract(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        carol = registered(services, mailbox, "carol@example.com")
        grant(services, admin, "bob@example.com", Role.ACCOUNTANT)
        bound(services, mailbox, carol, C1, "client1@mail.ru")
        assert (role_on(services, bob), role_on(services, carol)) == ("ACCOUNTANT", "MANAGER")

    def test_rol04_granting_again_replaces_the_role(self, services: Services, mailbox: Mailbox, admin: Actor) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        grant(services, admin, "bob@example.com", Role.ACCOUNTANT)
        grant(services, admin, "bob@example.com", Role.POWER_ENGINEER, (EO2,))
        users = contracts.contract_users(services, admin, C1)
        assert [(u.email, u.role) for u in users if u.email == "bob@example.com"] == [
            ("bob@example.com", "POWER_ENGINEER")
        ]
        assert role_on(services, bob) == "POWER_ENGINEER"

    def test_rol05_second_administrator_on_a_contract_is_refused(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, bob, C1, "client1@mail.ru")
        refused(services, lambda: contracts.grant_administrator(services, STAFF, C1,
                                                                GrantAdministrator(account_id=bob.account_id)),
                code="conflict", contract_number=C1, message="На договор уже назначен Администратор")

    def test_rol06_the_administrator_sees_every_holder(self, services: Services, mailbox: Mailbox, admin: Actor) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        registered(services, mailbox, "carol@example.com")
        bound(services, mailbox, bob, C1, "client1@mail.ru")
        grant(services, admin, "carol@example.com", Role.ACCOUNTANT, (EO1, EO3))

        users = {u.email: u for u in contracts.contract_users(services, admin, C1)}

        assert {e: u.role for e, u in users.items()} == {
            "client1@mail.ru": "ADMINISTRATOR", "bob@example.com": "MANAGER", "carol@example.com": "ACCOUNTANT",
        }
        assert users["carol@example.com"].energy_objects == (EO1, EO3)
        assert users["bob@example.com"].last_name == "Иванова"

    def test_rol07_con08_binding_makes_a_manager_until_an_administrator_changes_it(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, bob, C1, "client1@mail.ru")
        assert role_on(services, bob) == "MANAGER"
        grant(services, admin, "bob@example.com", Role.ACCOUNTANT)
        assert role_on(services, bob) == "ACCOUNTANT"

    def test_rol08_only_staff_grant_administrator_and_only_to_a_holder(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        refused(services, lambda: grant(services, admin, "bob@example.com", Role.ADMINISTRATOR), code="forbidden",
                field="role", message="Роль «Администратор» назначается специалистом сбытовой компании")
        refused(services, lambda: contracts.grant_administrator(services, STAFF, C2,
                                                                GrantAdministrator(account_id=bob.account_id)),
                code="not_found", field="account_id")
        assert Role.ADMINISTRATOR not in GRANTABLE_BY_ADMINISTRATOR

    def test_rol09_rol18_without_an_administrator_nobody_grants(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)
        registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, alice, C2)
        command = GrantRole(role=Role.ACCOUNTANT, email="bob@example.com", energy_objects=[f"{C2}0001"])
        refused(services, lambda: contracts.grant_role(services, alice, C2, command), code="forbidden",
                capability="grant_role", role="MANAGER", contract_number=C2)

    def test_rol10_the_manuals_worked_example(self, services: Services, mailbox: Mailbox, admin: Actor) -> None:
        # User 1 (client1@mail.ru) holds contracts 1–3: Administrator, Power engineer, Accountant.
        for number, role in ((C2, Role.POWER_ENGINEER), (C3, Role.ACCOUNTANT)):
            owner = registered(services, mailbox, f"owner{number[-1]}@example.com")
            bound(services, mailbox, owner, number, "alice@example.com")
            contracts.grant_administrator(services, STAFF, number, GrantAdministrator(account_id=owner.account_id))
            contracts.grant_role(services, owner, number, GrantRole(role=role, email="client1@mail.ru",
                                                                    energy_objects=[f"{number}0001"]))
        mine = {r.contract_number: r.role for r in contracts.my_contracts(services, admin)}
        assert mine == {C1: "ADMINISTRATOR", C2: "POWER_ENGINEER", C3: "ACCOUNTANT"}
        can = {n: set(contracts.contract_detail(services, admin, n).capabilities) for n in (C1, C2, C3)}
        assert [n for n in (C1, C2, C3) if Capability.SUBMIT_READINGS in can[n]] == [C1, C2]  # «Показания»
        assert [n for n in (C1, C2, C3) if Capability.MAKE_PAYMENT in can[n]] == [C1, C3]  # paying

        # User 1 adds client2@mail.ru with a role on contract 1: user 2 is created with it.
        created = grant(services, admin, "client2@mail.ru", Role.ACCOUNTANT)
        assert created.invited
        letter = [m for m in mailbox.deliver() if m.to == "client2@mail.ru"][-1]
        password = re.search(r"Пароль: (\S+)", letter.body).group(1)  # type: ignore[union-attr]
        user2 = login(services, "client2@mail.ru", password)
        accounts.save_personal_data(services, user2, SavePersonalData(last_name="Сидоров", first_name="Пётр"))
        accounts.save_phone(services, user2, SavePhone(phone="+79001112233"))
        assert role_on(services, user2) == "ACCOUNTANT"

        # User 2 binds contract 4 and is its «Руководитель».
        bound(services, mailbox, user2, C4, "client2@mail.ru")
        assert role_on(services, user2, C4) == "MANAGER"
        assert Capability.GRANT_ROLE not in contracts.contract_detail(services, user2, C4).capabilities

    def test_rol11_what_a_user_may_do_depends_on_the_role_on_that_contract(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        bound(services, mailbox, admin, C2, "client1@mail.ru")
        assert Capability.GRANT_ROLE in contracts.contract_detail(services, admin, C1).capabilities
        assert Capability.GRANT_ROLE not in contracts.contract_detail(services, admin, C2).capabilities


class TestGrants:
    def test_rol12_request_access_only_while_no_administrator_and_once(
        self, services: Services, mailbox: Mailbox
    ) -> None:
        alice = registered(services, mailbox)
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, alice, C2)
        bound(services, mailbox, bob, C2)
        [row] = contracts.my_contracts(services, alice)
        assert row.may_request_administrator

        contracts.request_administrator(services, alice, C2)
        refused(services, lambda: contracts.request_administrator(services, alice, C2), code="conflict",
                contract_number=C2, message="Запрос доступа уже направлен")
        [row] = contracts.my_contracts(services, alice)
        assert not row.may_request_administrator and row.administrator_requested
        assert [r.account_id for r in contracts.open_administrator_requests(services, STAFF)] == [
            alice.account_id]

        contracts.grant_administrator(services, STAFF, C2, GrantAdministrator(account_id=alice.account_id))
        assert contracts.open_administrator_requests(services, STAFF) == []
        refused(services, lambda: contracts.request_administrator(services, bob, C2), code="conflict",
                contract_number=C2, message="На договор уже назначен Администратор")
        [row] = contracts.my_contracts(services, bob)
        assert not row.may_request_administrator

    def test_rol13_staff_may_refuse_a_request(self, services: Services, mailbox: Mailbox) -> None:
        alice = registered(services, mailbox)
        bound(services, mailbox, alice, C2)
        contracts.request_administrator(services, alice, C2)
        contracts.refuse_administrator_request(services, STAFF, C2,
                                               RefuseAdministratorRequest(account_id=alice.account_id))
        assert contracts.open_administrator_requests(services, STAFF) == []
        contracts.request_administrator(services, alice, C2)  # may ask again

    def test_rol14_the_grantee_gets_the_manuals_letter(self, services: Services, mailbox: Mailbox, admin: Actor) -> None:
        registered(services, mailbox, "bob@example.com")
        mailbox.deliver()
        grant(services, admin, "bob@example.com", Role.POWER_ENGINEER)
        [letter] = mailbox.deliver()
        assert letter.to == "bob@example.com"
        assert (f"На договор Договор энергоснабжения № {C1} Вам назначена роль Энергетик. "
                "Вы можете посмотреть изменения в личном кабинете http://127.0.0.1:8000") in letter.body
        assert "Пароль" not in letter.body

    def test_rol14_the_administrator_cannot_change_their_own_role(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        refused(services, lambda: grant(services, admin, "client1@mail.ru", Role.MANAGER), code="forbidden",
                field="email", message="Собственную роль изменить нельзя")
        refused(services, lambda: contracts.revoke_role(services, admin, C1, admin.account_id), code="forbidden",
                field="account_id", message="Собственную роль изменить нельзя")

    def test_rol15_a_grant_needs_at_least_one_energy_object_of_this_contract(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        registered(services, mailbox, "bob@example.com")
        refused(services, lambda: grant(services, admin, "bob@example.com", Role.ACCOUNTANT, (f"{C2}0001",)),
                code="validation_failed", field="energy_objects", unknown=[f"{C2}0001"],
                message="Выберите хотя бы один энергообъект")
        with pytest.raises(pydantic.ValidationError) as caught:  # the command model refuses an empty list
            GrantRole(role=Role.ACCOUNTANT, email="bob@example.com", energy_objects=[])
        assert [error["loc"] for error in caught.value.errors()] == [("energy_objects",)]

    def test_rol16_a_registered_grantee_sees_the_contract_at_once(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        assert not grant(services, admin, "BOB@example.com").invited
        assert role_on(services, bob) == "ACCOUNTANT"

    def test_rol16_an_unregistered_grantee_gets_an_account_confirmed_at_first_login(
        self, services: Services, mailbox: Mailbox, admin: Actor
    ) -> None:
        grant(services, admin, "newbie@example.com", Role.POWER_ENGINEER)
        [letter] = [m for m in mailbox.deliver() if m.to == "newbie@example.com"]
        login_name = re.search(r"Логин: (\S+)", letter.body).group(1)  # type: ignore[union-attr]
        password = re.search(r"Пароль: (\S+)", letter.body).group(1)  # type: ignore[union-attr]

        newbie = login(services, login_name, password)

        me = services.views.of(ProfileView).profile(newbie.account_id)
        assert me.email_confirmed and me.stage == "personal_data"  # onboarding still applies (ACC-05)
        assert role_on(services, newbie) == "POWER_ENGINEER"
        assert login(services, "newbie@example.com", password)

    def test_rol17_a_revoked_holder_loses_the_contract(self, services: Services, mailbox: Mailbox, admin: Actor) -> None:
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, bob, C1, "client1@mail.ru")
        grant(services, admin, "bob@example.com", Role.ACCOUNTANT)

        contracts.revoke_role(services, admin, C1, bob.account_id)

        assert role_on(services, bob) is None
        refused(services, lambda: contracts.contract_detail(services, bob, C1), code="not_found", contract_number=C1)
        bound(services, mailbox, bob, C1, "client1@mail.ru")  # the binding went too: a new one starts afresh

    def test_rol17_staff_may_remove_the_administrator(self, services: Services, mailbox: Mailbox, admin: Actor) -> None:
        contracts.revoke_role_by_staff(services, STAFF, C1, admin.account_id)
        assert role_on(services, admin) is None
        bob = registered(services, mailbox, "bob@example.com")
        bound(services, mailbox, bob, C1, "client1@mail.ru")
        contracts.grant_administrator(services, STAFF, C1, GrantAdministrator(account_id=bob.account_id))
