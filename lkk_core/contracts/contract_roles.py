"""Who holds which role on one contract (DOMAIN.md §12): one aggregate per contract.

Its id is ``uuid5`` of the contract number, so every writer of a contract's
roles races on one version: at most one Administrator (ROL-05) and one role
per account (ROL-04) hold under concurrency without a check-then-write.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lkk_core.contracts.contract_binding import ALREADY_BOUND
from lkk_core.kernel.permissions import FORBIDDEN_MESSAGE, GRANTABLE_BY_ADMINISTRATOR, NOT_FOUND, Holding, Role

NAMESPACE = uuid5(NAMESPACE_URL, "https://lkk.example/contract-roles")

SECOND_ADMINISTRATOR = "На договор уже назначен Администратор"  # NOTE: proposal, DOMAIN.md §13.14 (ROL-05)
STAFF_ONLY = "Роль «Администратор» назначается специалистом сбытовой компании"  # NOTE: proposal (ROL-08)
OWN_ROLE = "Собственную роль изменить нельзя"  # NOTE: proposal (ROL-14)
NO_ENERGY_OBJECTS = "Выберите хотя бы один энергообъект"  # NOTE: proposal (ROL-15)
REQUEST_OPEN = "Запрос доступа уже направлен"  # NOTE: proposal (ROL-12)
NOT_A_CONTRACT_USER = "Пользователь не добавлял этот договор"  # NOTE: proposal
USER_NOT_FOUND = "Пользователь не найден"  # NOTE: proposal
REQUEST_NOT_FOUND = "Запрос не найден"  # NOTE: proposal (ROL-12)

# Where a role came from: the holder bound the contract (CON-08), its Administrator
# granted it (ROL-09), or supplier staff did (ROL-08).
BINDING, ADMINISTRATOR_GRANT, STAFF_GRANT = "binding", "administrator", "staff"


def roles_id(contract_number: str) -> UUID:
    """Return the id of a contract's roles aggregate (ARCHITECTURE.md §4)."""
    return uuid5(NAMESPACE, contract_number)


class ContractRoles(Aggregate):
    """The holders of one contract: their roles and the energy objects each role reaches."""

    TOPIC = "lkk:ContractRoles"

    class Event(Aggregate.Event):
        """Base of the roles' events."""

        TOPIC = "lkk:ContractRoles.Event"

    @staticmethod
    def create_id(contract_number: str) -> UUID:
        """Return the aggregate's id for the contract."""
        return roles_id(contract_number)

    @event("Opened", topic="lkk:ContractRoles.Opened")
    def __init__(self, contract_number: str, at: datetime) -> None:
        """The contract got its first holder in the portal."""
        self.contract_number = contract_number
        self.holdings: dict[UUID, Holding] = {}
        self.administrator: UUID | None = None
        self.open_requests: set[UUID] = set()

    # -- queries ------------------------------------------------------------------

    def holding(self, account_id: UUID) -> Holding | None:
        """Return the account's role on the contract, or None (ROL-03)."""
        return self.holdings.get(account_id)

    @property
    def has_administrator(self) -> bool:
        """Tell whether supplier staff have given the contract an Administrator (ROL-12, ROL-18)."""
        return self.administrator is not None

    def may_request_administrator(self, account_id: UUID) -> bool:
        """Tell whether «Запросить доступ» is offered to the account (ROL-12)."""
        return account_id in self.holdings and not self.has_administrator and account_id not in self.open_requests

    # -- commands -----------------------------------------------------------------

    def take_as_binder(self, account_id: UUID, *, now: datetime) -> None:
        """A confirmed self-binding makes the account «Руководитель» on all energy objects (CON-08, ROL-07)."""
        if account_id in self.holdings:
            raise Conflict(ALREADY_BOUND, contract_number=self.contract_number)
        self._role_granted(
            contract_number=self.contract_number, account_id=account_id, role=Role.MANAGER.value,
            energy_objects=None, source=BINDING, by_account=None, by_staff=None, invitation_nonce=None, at=now,
        )

    def grant(
        self,
        administrator_id: UUID,
        account_id: UUID,
        role: Role,
        energy_objects: frozenset[str],
        *,
        contract_objects: frozenset[str],
        invitation_nonce: str | None,
        now: datetime,
    ) -> None:
        """The Administrator gives or changes another account's role (ROL-04, ROL-09, ROL-14, ROL-15)."""
        if self.administrator != administrator_id:
            raise Forbidden(FORBIDDEN_MESSAGE, capability="grant_role")
        if role not in GRANTABLE_BY_ADMINISTRATOR:
            raise Forbidden(STAFF_ONLY, field="role")
        if account_id == administrator_id:
            raise Forbidden(OWN_ROLE, field="email")
        if not energy_objects:
            raise ValidationFailed(NO_ENERGY_OBJECTS, field="energy_objects")
        if unknown := sorted(energy_objects - contract_objects):
            raise ValidationFailed(NO_ENERGY_OBJECTS, field="energy_objects", unknown=unknown)
        # The Administrator's choice is kept as chosen, even if it is every object today.
        scope = sorted(energy_objects)
        old = self.holdings.get(account_id)
        if old is not None and old.role == role and old.energy_objects == energy_objects:
            return
        apply = self._role_changed if old is not None else self._role_granted
        apply(
            contract_number=self.contract_number, account_id=account_id, role=role.value, energy_objects=scope,
            source=ADMINISTRATOR_GRANT, by_account=administrator_id, by_staff=None,
            invitation_nonce=invitation_nonce, at=now,
        )

    def grant_administrator(self, account_id: UUID, *, staff_id: str, now: datetime) -> None:
        """Supplier staff make a holder of the contract its Administrator (ROL-05, ROL-08, ROL-13)."""
        if account_id not in self.holdings:
            raise NotFound(NOT_A_CONTRACT_USER, field="account_id")
        if self.administrator == account_id:
            return
        if self.administrator is not None:
            raise Conflict(SECOND_ADMINISTRATOR, contract_number=self.contract_number)
        self._role_changed(
            contract_number=self.contract_number, account_id=account_id, role=Role.ADMINISTRATOR.value,
            energy_objects=None, source=STAFF_GRANT, by_account=None, by_staff=staff_id, invitation_nonce=None, at=now,
        )

    def revoke(self, administrator_id: UUID, account_id: UUID, *, now: datetime) -> None:
        """The Administrator removes a role it may manage; the holder loses the contract (ROL-17)."""
        if self.administrator != administrator_id:
            raise Forbidden(FORBIDDEN_MESSAGE, capability="revoke_role")
        if account_id == administrator_id:
            raise Forbidden(OWN_ROLE, field="account_id")
        if account_id not in self.holdings:
            raise NotFound(USER_NOT_FOUND, field="account_id")
        self._role_revoked(
            contract_number=self.contract_number, account_id=account_id, reason="revoked",
            by_account=administrator_id, by_staff=None, at=now,
        )

    def revoke_by_staff(self, account_id: UUID, *, staff_id: str, now: datetime) -> None:
        """Supplier staff remove any role, the Administrator's included (ROL-17 decision)."""
        if account_id not in self.holdings:
            raise NotFound(USER_NOT_FOUND, field="account_id")
        self._role_revoked(
            contract_number=self.contract_number, account_id=account_id, reason="revoked_by_staff",
            by_account=None, by_staff=staff_id, at=now,
        )

    def leave(self, account_id: UUID, *, now: datetime, reason: str = "unbound") -> bool:
        """The holder removes the contract from their account (CON-11) or was deleted; False if no role."""
        if account_id not in self.holdings:
            return False
        self._role_revoked(
            contract_number=self.contract_number, account_id=account_id, reason=reason,
            by_account=None, by_staff=None, at=now,
        )
        return True

    def request_administrator(self, account_id: UUID, request_id: UUID, *, now: datetime) -> None:
        """«Запросить доступ»: ask supplier staff for the Administrator role (ROL-12)."""
        if account_id not in self.holdings:
            raise NotFound(NOT_FOUND, contract_number=self.contract_number)
        if self.has_administrator:
            raise Conflict(SECOND_ADMINISTRATOR, contract_number=self.contract_number)
        if account_id in self.open_requests:
            raise Conflict(REQUEST_OPEN, contract_number=self.contract_number)
        self._administrator_requested(
            contract_number=self.contract_number, account_id=account_id, request_id=request_id, at=now
        )

    def refuse_request(self, account_id: UUID, *, staff_id: str, now: datetime) -> None:
        """Supplier staff answer a request with a refusal (ROL-13)."""
        if account_id not in self.open_requests:
            raise NotFound(REQUEST_NOT_FOUND, field="account_id")
        self._request_closed(
            contract_number=self.contract_number, account_id=account_id, outcome="refused", staff_id=staff_id, at=now
        )

    # -- events -------------------------------------------------------------------

    @event("RoleGranted", topic="lkk:ContractRoles.RoleGranted")
    def _role_granted(
        self, contract_number: str, account_id: UUID, role: str, energy_objects: list[str] | None, source: str,
        by_account: UUID | None, by_staff: str | None, invitation_nonce: str | None, at: datetime,
    ) -> None:
        """An account got a role on the contract; ``energy_objects`` null means all of them."""
        self._hold(account_id, role, energy_objects)

    @event("RoleChanged", topic="lkk:ContractRoles.RoleChanged")
    def _role_changed(
        self, contract_number: str, account_id: UUID, role: str, energy_objects: list[str] | None, source: str,
        by_account: UUID | None, by_staff: str | None, invitation_nonce: str | None, at: datetime,
    ) -> None:
        """An account's role on the contract was replaced (ROL-04: one role per account)."""
        self._hold(account_id, role, energy_objects)

    def _hold(self, account_id: UUID, role: str, energy_objects: list[str] | None) -> None:
        if self.administrator == account_id:
            self.administrator = None
        self.holdings[account_id] = Holding(Role(role), None if energy_objects is None else frozenset(energy_objects))
        if role == Role.ADMINISTRATOR:
            self.administrator = account_id
            self.open_requests.clear()  # the button disappears for everyone (ROL-12)

    @event("RoleRevoked", topic="lkk:ContractRoles.RoleRevoked")
    def _role_revoked(
        self, contract_number: str, account_id: UUID, reason: str, by_account: UUID | None, by_staff: str | None,
        at: datetime,
    ) -> None:
        """An account lost its role and the contract (``reason`` says why: see the event catalogue)."""
        del self.holdings[account_id]
        self.open_requests.discard(account_id)
        if self.administrator == account_id:
            self.administrator = None

    @event("AdministratorRequested", topic="lkk:ContractRoles.AdministratorRequested")
    def _administrator_requested(self, contract_number: str, account_id: UUID, request_id: UUID, at: datetime) -> None:
        """A holder asked supplier staff for the Administrator role (ROL-12)."""
        self.open_requests.add(account_id)

    @event("RequestClosed", topic="lkk:ContractRoles.AdministratorRequestClosed")
    def _request_closed(
        self, contract_number: str, account_id: UUID, outcome: str, staff_id: str, at: datetime
    ) -> None:
        """Supplier staff answered a request for the Administrator role with a refusal (ROL-13)."""
        self.open_requests.discard(account_id)
