"""The contract aggregates alone (DOMAIN.md §2, §12): ``ContractBinding`` and ``ContractRoles``, no I/O.

Each test builds the aggregate in memory, runs one command with a fixed ``now``
and reads what it decided from ``collect_events()``: the events, or a refusal
with its code and field and no event at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from lkk_core.contracts import ContractBinding, ContractRoles
from lkk_core.kernel.errors import LkkError
from lkk_core.kernel.permissions import Holding, Role
from tests.support import refused

C1 = "10000000000001"
EO1, EO2, EO3 = f"{C1}0001", f"{C1}0002", f"{C1}0003"
OBJECTS = frozenset({EO1, EO2, EO3})
ALICE, BOB, CAROL = UUID(int=1), UUID(int=2), UUID(int=3)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
LINK, LINK_HASH, OTHER_HASH = "alice@example.com", "hash-of-the-first-token", "hash-of-another-token"


def refused_by(aggregate: Aggregate, call: Callable[[], Any], **expected: Any) -> LkkError:
    """The refusal is whole (``tests.support.refused``) and the aggregate recorded no event."""
    error = refused(None, call, **expected)
    assert aggregate.collect_events() == []
    return error


def only_event(aggregate: Aggregate) -> Any:
    [recorded] = aggregate.collect_events()
    return recorded


# -- ContractBinding ------------------------------------------------------------------


def pending_binding(at: datetime = T0) -> ContractBinding:
    binding = ContractBinding.request(C1, ALICE, email=LINK, nonce="n1", now=at)
    binding.collect_events()
    return binding


def bound_binding() -> ContractBinding:
    binding = pending_binding()
    binding.confirm(LINK_HASH, LINK_HASH, now=T0 + timedelta(hours=1))
    binding.collect_events()
    return binding


class TestRequestBinding:
    def test_con04_con05_a_request_records_the_address_the_link_goes_to_and_its_24_hours(self) -> None:
        binding = ContractBinding.request(C1, ALICE, email="client1@mail.ru", nonce="n1", now=T0)

        requested = only_event(binding)
        assert isinstance(requested, ContractBinding.Requested)
        assert (requested.contract_number, requested.account_id, requested.email) == (C1, ALICE, "client1@mail.ru")
        assert (requested.nonce, requested.at, requested.expires_at) == ("n1", T0, T0 + DAY)
        assert binding.is_pending(T0) and not binding.is_bound

    def test_con07_one_binding_per_contract_and_account(self) -> None:
        first = ContractBinding.request(C1, ALICE, email=LINK, nonce="n1", now=T0)

        assert first.id == ContractBinding.create_id(C1, ALICE)
        assert ContractBinding.create_id(C1, BOB) != first.id  # the same contract in another account
        assert ContractBinding.create_id("10000000000002", ALICE) != first.id  # another contract, same account

    def test_con07_a_new_request_while_pending_replaces_it_and_counts_24_hours_anew(self) -> None:
        binding = pending_binding()

        binding.request_again(email="client1@mail.ru", nonce="n2", now=T0 + timedelta(hours=20))

        again = only_event(binding)
        assert isinstance(again, ContractBinding.RequestedAgain)
        assert (again.email, again.nonce, again.expires_at) == ("client1@mail.ru", "n2", T0 + timedelta(hours=44))
        assert binding.nonce == "n2"  # the old link's token came from "n1": it no longer matches
        assert binding.is_pending(T0 + timedelta(hours=25))

    def test_con07_a_request_for_a_contract_already_bound_is_a_conflict(self) -> None:
        binding = bound_binding()

        refused_by(binding, lambda: binding.request_again(email=LINK, nonce="n2", now=T0 + DAY),
                   code="conflict", contract_number=C1, message="Договор уже добавлен в Личный кабинет")

    def test_con05_an_expired_request_can_be_made_again(self) -> None:
        binding = pending_binding()
        binding.expire(now=T0 + DAY)
        binding.collect_events()

        binding.request_again(email=LINK, nonce="n2", now=T0 + 2 * DAY)

        assert isinstance(only_event(binding), ContractBinding.RequestedAgain)
        assert binding.is_pending(T0 + 2 * DAY)


class TestConfirmBinding:
    def test_con04_following_the_link_binds_the_contract(self) -> None:
        binding = pending_binding()

        binding.confirm(LINK_HASH, LINK_HASH, now=T0 + timedelta(hours=1))

        bound = only_event(binding)
        assert isinstance(bound, ContractBinding.Bound) and bound.at == T0 + timedelta(hours=1)
        assert binding.is_bound and not binding.is_pending(T0 + timedelta(hours=1))

    def test_con04_a_wrong_token_binds_nothing(self) -> None:
        binding = pending_binding()

        refused_by(binding, lambda: binding.confirm(OTHER_HASH, LINK_HASH, now=T0), code="not_found", field="token",
                   message="Ссылка недействительна")
        assert not binding.is_bound

    def test_con04_a_second_use_of_the_link_is_a_conflict(self) -> None:
        binding = bound_binding()

        refused_by(binding, lambda: binding.confirm(LINK_HASH, LINK_HASH, now=T0 + timedelta(hours=2)),
                   code="conflict", contract_number=C1, message="Договор уже добавлен в Личный кабинет")

    def test_con05_the_link_works_until_just_before_24_hours(self) -> None:
        binding = pending_binding()

        binding.confirm(LINK_HASH, LINK_HASH, now=T0 + DAY - timedelta(seconds=1))

        assert isinstance(only_event(binding), ContractBinding.Bound)

    def test_con05_at_24_hours_the_link_is_expired(self) -> None:
        binding = pending_binding()

        refused_by(binding, lambda: binding.confirm(LINK_HASH, LINK_HASH, now=T0 + DAY), code="expired",
                   field="token", message="Срок подтверждения привязки договора истёк")
        assert not binding.is_pending(T0 + DAY)

    def test_con05_a_link_to_a_request_the_sweep_expired_stays_expired(self) -> None:
        binding = pending_binding()
        binding.expire(now=T0 + DAY)
        binding.collect_events()

        refused_by(binding, lambda: binding.confirm(LINK_HASH, LINK_HASH, now=T0 + DAY), code="expired",
                   field="token", message="Срок подтверждения привязки договора истёк")

    def test_con11_a_link_to_a_withdrawn_request_is_unknown(self) -> None:
        binding = pending_binding()
        binding.unbind(now=T0 + timedelta(hours=1), reason="cancelled")
        binding.collect_events()

        refused_by(binding, lambda: binding.confirm(LINK_HASH, LINK_HASH, now=T0 + timedelta(hours=2)),
                   code="not_found", field="token", message="Ссылка недействительна")


class TestExpireBinding:
    def test_con05_the_sweep_records_the_expiry_at_24_hours_once(self) -> None:
        binding = pending_binding()

        assert binding.expire(now=T0 + DAY - timedelta(seconds=1)) is False
        assert binding.collect_events() == []
        assert binding.expire(now=T0 + DAY) is True
        expired = only_event(binding)
        assert isinstance(expired, ContractBinding.Expired) and expired.at == T0 + DAY
        assert binding.expire(now=T0 + 2 * DAY) is False
        assert binding.collect_events() == []

    def test_con05_a_bound_contract_never_expires(self) -> None:
        binding = bound_binding()

        assert binding.expire(now=T0 + 2 * DAY) is False
        assert binding.collect_events() == [] and binding.is_bound


class TestUnbind:
    def test_con11_unbinding_records_why_and_the_pair_may_bind_again(self) -> None:
        binding = bound_binding()

        binding.unbind(now=T0 + DAY, reason="unbound")

        unbound = only_event(binding)
        assert isinstance(unbound, ContractBinding.Unbound) and unbound.reason == "unbound"
        assert not binding.is_bound
        binding.request_again(email=LINK, nonce="n2", now=T0 + DAY)
        assert binding.is_pending(T0 + DAY)

    def test_con11_unbinding_what_is_not_bound_is_not_found(self) -> None:
        binding = bound_binding()
        binding.unbind(now=T0 + DAY, reason="unbound")
        binding.collect_events()

        refused_by(binding, lambda: binding.unbind(now=T0 + DAY, reason="unbound"), code="not_found",
                   contract_number=C1, message="Договор не найден")


# -- ContractRoles --------------------------------------------------------------------


def roles_of(*binders: UUID, administrator: UUID | None = None) -> ContractRoles:
    """Given: the binders hold C1 as Managers (CON-08); staff made ``administrator`` its Administrator."""
    roles = ContractRoles(contract_number=C1, at=T0)
    for account in binders:
        roles.take_as_binder(account, now=T0)
    if administrator is not None:
        roles.grant_administrator(administrator, staff_id="staff-1", now=T0)
    roles.collect_events()
    return roles


def grant(roles: ContractRoles, account: UUID, role: Role = Role.ACCOUNTANT, objects: frozenset[str] = frozenset({EO1}),
          *, by: UUID = ALICE) -> None:
    roles.grant(by, account, role, objects, contract_objects=OBJECTS, invitation_nonce=None, now=T0)


class TestBinderRole:
    def test_con08_rol07_the_binder_is_manager_on_every_energy_object(self) -> None:
        roles = roles_of()

        roles.take_as_binder(ALICE, now=T0)

        granted = only_event(roles)
        assert isinstance(granted, ContractRoles.RoleGranted)
        assert (granted.account_id, granted.role, granted.energy_objects, granted.source) == (
            ALICE, "MANAGER", None, "binding")
        assert roles.holding(ALICE) == Holding(Role.MANAGER, None)

    def test_con07_binding_a_contract_the_account_holds_is_a_conflict(self) -> None:
        roles = roles_of(ALICE)

        refused_by(roles, lambda: roles.take_as_binder(ALICE, now=T0), code="conflict", contract_number=C1,
                   message="Договор уже добавлен в Личный кабинет")

    def test_rol03_one_aggregate_per_contract(self) -> None:
        assert roles_of().id == ContractRoles.create_id(C1) != ContractRoles.create_id("10000000000002")


class TestGrantAdministrator:
    def test_rol08_staff_make_a_holder_the_administrator(self) -> None:
        roles = roles_of(ALICE)

        roles.grant_administrator(ALICE, staff_id="staff-1", now=T0)

        changed = only_event(roles)
        assert isinstance(changed, ContractRoles.RoleChanged)
        assert (changed.role, changed.source, changed.by_staff, changed.by_account) == (
            "ADMINISTRATOR", "staff", "staff-1", None)
        assert roles.administrator == ALICE and roles.holding(ALICE) == Holding(Role.ADMINISTRATOR)

    def test_rol05_one_administrator_per_contract(self) -> None:
        roles = roles_of(ALICE, BOB, administrator=ALICE)

        refused_by(roles, lambda: roles.grant_administrator(BOB, staff_id="staff-1", now=T0), code="conflict",
                   contract_number=C1, message="На договор уже назначен Администратор")
        assert roles.administrator == ALICE and roles.holding(BOB) == Holding(Role.MANAGER)

    def test_rol05_making_the_administrator_administrator_again_records_nothing(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)

        roles.grant_administrator(ALICE, staff_id="staff-2", now=T0)

        assert roles.collect_events() == []

    def test_rol08_only_a_holder_of_the_contract_becomes_its_administrator(self) -> None:
        roles = roles_of(ALICE)

        refused_by(roles, lambda: roles.grant_administrator(BOB, staff_id="staff-1", now=T0), code="not_found",
                   field="account_id")
        assert not roles.has_administrator


class TestGrantRole:
    def test_rol09_rol14_the_administrator_grants_a_role_on_chosen_energy_objects(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)

        grant(roles, BOB, Role.POWER_ENGINEER, frozenset({EO3, EO1}))

        granted = only_event(roles)
        assert isinstance(granted, ContractRoles.RoleGranted)
        assert (granted.account_id, granted.role, granted.energy_objects) == (BOB, "POWER_ENGINEER", [EO1, EO3])
        assert (granted.source, granted.by_account, granted.by_staff) == ("administrator", ALICE, None)
        assert roles.holding(BOB) == Holding(Role.POWER_ENGINEER, frozenset({EO1, EO3}))

    def test_rol04_granting_a_holder_another_role_replaces_it(self) -> None:
        roles = roles_of(ALICE, BOB, administrator=ALICE)

        grant(roles, BOB, Role.ACCOUNTANT, frozenset({EO2}))

        changed = only_event(roles)
        assert isinstance(changed, ContractRoles.RoleChanged) and changed.role == "ACCOUNTANT"
        assert roles.holding(BOB) == Holding(Role.ACCOUNTANT, frozenset({EO2}))

    def test_rol04_granting_the_same_role_and_objects_again_records_nothing(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)
        grant(roles, BOB)
        roles.collect_events()

        grant(roles, BOB)

        assert roles.collect_events() == []

    def test_rol09_rol18_only_the_administrator_grants(self) -> None:
        roles = roles_of(ALICE, BOB)  # no Administrator: everybody is a Manager

        refused_by(roles, lambda: grant(roles, CAROL, by=ALICE), code="forbidden", capability="grant_role",
                   message="Недостаточно прав для выполнения операции")

    def test_rol08_the_administrator_cannot_grant_administrator(self) -> None:
        roles = roles_of(ALICE, BOB, administrator=ALICE)

        refused_by(roles, lambda: grant(roles, BOB, Role.ADMINISTRATOR), code="forbidden", field="role",
                   message="Роль «Администратор» назначается специалистом сбытовой компании")

    def test_rol14_the_administrator_cannot_change_their_own_role(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)

        refused_by(roles, lambda: grant(roles, ALICE, Role.MANAGER), code="forbidden", field="email",
                   message="Собственную роль изменить нельзя")

    def test_rol15_a_grant_needs_at_least_one_energy_object(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)

        refused_by(roles, lambda: grant(roles, BOB, Role.ACCOUNTANT, frozenset()), code="validation_failed",
                   field="energy_objects", message="Выберите хотя бы один энергообъект")

    def test_rol15_only_energy_objects_of_this_contract(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)
        stranger = "100000000000020001"

        refused_by(roles, lambda: grant(roles, BOB, Role.ACCOUNTANT, frozenset({EO1, stranger})),
                   code="validation_failed", field="energy_objects", unknown=[stranger],
                   message="Выберите хотя бы один энергообъект")


class TestRevokeRole:
    def test_rol17_the_administrator_removes_a_role_and_the_holder_loses_the_contract(self) -> None:
        roles = roles_of(ALICE, BOB, administrator=ALICE)

        roles.revoke(ALICE, BOB, now=T0)

        revoked = only_event(roles)
        assert isinstance(revoked, ContractRoles.RoleRevoked)
        assert (revoked.account_id, revoked.reason, revoked.by_account) == (BOB, "revoked", ALICE)
        assert roles.holding(BOB) is None

    def test_rol17_only_the_administrator_removes_roles(self) -> None:
        roles = roles_of(ALICE, BOB, CAROL, administrator=ALICE)

        refused_by(roles, lambda: roles.revoke(BOB, CAROL, now=T0), code="forbidden", capability="revoke_role",
                   message="Недостаточно прав для выполнения операции")
        assert roles.holding(CAROL) == Holding(Role.MANAGER)

    def test_rol17_the_administrator_cannot_remove_their_own_role(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)

        refused_by(roles, lambda: roles.revoke(ALICE, ALICE, now=T0), code="forbidden", field="account_id",
                   message="Собственную роль изменить нельзя")

    def test_rol17_removing_someone_without_a_role_is_not_found(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)

        refused_by(roles, lambda: roles.revoke(ALICE, BOB, now=T0), code="not_found", field="account_id")

    def test_rol17_staff_may_remove_the_administrator_and_free_the_slot(self) -> None:
        roles = roles_of(ALICE, BOB, administrator=ALICE)

        roles.revoke_by_staff(ALICE, staff_id="staff-1", now=T0)

        revoked = only_event(roles)
        assert (revoked.reason, revoked.by_staff, revoked.by_account) == ("revoked_by_staff", "staff-1", None)
        assert not roles.has_administrator and roles.may_request_administrator(BOB)

    def test_rol17_staff_removing_someone_without_a_role_is_not_found(self) -> None:
        roles = roles_of(ALICE)

        refused_by(roles, lambda: roles.revoke_by_staff(BOB, staff_id="staff-1", now=T0), code="not_found",
                   field="account_id")


class TestLeave:
    def test_con11_an_unbinding_administrator_frees_the_slot_and_granted_roles_stay(self) -> None:
        roles = roles_of(ALICE, administrator=ALICE)
        grant(roles, BOB)
        roles.collect_events()

        assert roles.leave(ALICE, now=T0) is True

        left = only_event(roles)
        assert isinstance(left, ContractRoles.RoleRevoked) and left.reason == "unbound"
        assert not roles.has_administrator and roles.holding(BOB) == Holding(Role.ACCOUNTANT, frozenset({EO1}))

    def test_con11_leaving_without_a_role_records_nothing(self) -> None:
        roles = roles_of(ALICE)

        assert roles.leave(BOB, now=T0) is False
        assert roles.collect_events() == []


class TestAdministratorRequests:
    def test_rol12_a_holder_asks_for_the_administrator_role_once(self) -> None:
        roles = roles_of(ALICE, BOB)
        request_id = uuid4()

        roles.request_administrator(ALICE, request_id, now=T0)

        requested = only_event(roles)
        assert isinstance(requested, ContractRoles.AdministratorRequested)
        assert (requested.account_id, requested.request_id) == (ALICE, request_id)
        assert not roles.may_request_administrator(ALICE) and roles.may_request_administrator(BOB)
        refused_by(roles, lambda: roles.request_administrator(ALICE, uuid4(), now=T0), code="conflict",
                   contract_number=C1, message="Запрос доступа уже направлен")

    def test_rol12_no_request_once_the_contract_has_an_administrator(self) -> None:
        roles = roles_of(ALICE, BOB, administrator=ALICE)

        assert not roles.may_request_administrator(BOB)
        refused_by(roles, lambda: roles.request_administrator(BOB, uuid4(), now=T0), code="conflict",
                   contract_number=C1, message="На договор уже назначен Администратор")

    def test_rol12_only_a_holder_may_ask(self) -> None:
        roles = roles_of(ALICE)

        refused_by(roles, lambda: roles.request_administrator(BOB, uuid4(), now=T0), code="not_found",
                   contract_number=C1, message="Договор не найден")

    def test_rol12_granting_an_administrator_closes_every_open_request(self) -> None:
        roles = roles_of(ALICE, BOB)
        roles.request_administrator(ALICE, uuid4(), now=T0)
        roles.request_administrator(BOB, uuid4(), now=T0)
        roles.collect_events()

        roles.grant_administrator(BOB, staff_id="staff-1", now=T0)

        assert roles.open_requests == set()

    def test_rol13_staff_refuse_a_request_and_the_holder_may_ask_again(self) -> None:
        roles = roles_of(ALICE)
        roles.request_administrator(ALICE, uuid4(), now=T0)
        roles.collect_events()

        roles.refuse_request(ALICE, staff_id="staff-1", now=T0)

        closed = only_event(roles)
        assert isinstance(closed, ContractRoles.RequestClosed)
        assert (closed.account_id, closed.outcome, closed.staff_id) == (ALICE, "refused", "staff-1")
        assert roles.may_request_administrator(ALICE)

    def test_rol13_refusing_a_request_nobody_made_is_not_found(self) -> None:
        roles = roles_of(ALICE)

        refused_by(roles, lambda: roles.refuse_request(ALICE, staff_id="staff-1", now=T0), code="not_found",
                   field="account_id")
