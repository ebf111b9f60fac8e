"""One account's request to bind one contract, confirmed by a link to the contract's e-mail (CON-02 … CON-07)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from lkk_core.kernel.permissions import NOT_FOUND
from lkk_core.kernel.errors import Conflict, Expired, NotFound
from lkk_core.kernel.personal_data import PII
from lkk_core.kernel.security import same_hash

BINDING_LIFETIME = timedelta(hours=24)  # CON-05: from the request
NAMESPACE = uuid5(NAMESPACE_URL, "https://lkk.example/contract-binding")

# The address the link went to: personal data of the account that asked (sealed under its key).
ContractEmail = Annotated[str, PII("account_id")]

PENDING, BOUND, EXPIRED, UNBOUND = "pending", "bound", "expired", "unbound"

ALREADY_BOUND = "Договор уже добавлен в Личный кабинет"  # NOTE: proposal, DOMAIN.md §13.14 (CON-07)
LINK_EXPIRED = "Срок подтверждения привязки договора истёк"  # NOTE: proposal, DOMAIN.md §13.14 (CON-05)
LINK_UNKNOWN = "Ссылка недействительна"  # NOTE: proposal


class ContractBinding(Aggregate):
    """The binding of a contract to an account; its id is ``uuid5(contract number + account id)``.

    A new request while one is pending replaces it (a new link, the old one
    dies, 24 hours counted anew); after expiry or unbinding the same
    aggregate takes a new request.
    """

    TOPIC = "lkk:ContractBinding"

    class Event(Aggregate.Event):
        """Base of the binding's events."""

        TOPIC = "lkk:ContractBinding.Event"

    @staticmethod
    def create_id(contract_number: str, account_id: UUID) -> UUID:
        """Return the binding's id for the pair."""
        return binding_id(contract_number, account_id)

    @classmethod
    def request(
        cls, contract_number: str, account_id: UUID, *, email: str, nonce: str, now: datetime
    ) -> ContractBinding:
        """Open the first binding request of the pair."""
        return cls(
            contract_number=contract_number, account_id=account_id, email=email, nonce=nonce,
            at=now, expires_at=now + BINDING_LIFETIME,
        )

    @event("Requested", topic="lkk:ContractBinding.BindingRequested")
    def __init__(
        self,
        contract_number: str,
        account_id: UUID,
        email: ContractEmail,
        nonce: str,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        """A binding was requested; the outbox e-mails the link to the contract's address."""
        self.contract_number, self.account_id = contract_number, account_id
        self._pending(email, nonce, expires_at)

    def _pending(self, email: str, nonce: str, expires_at: datetime) -> None:
        self.status, self.email, self.nonce, self.expires_at = PENDING, email, nonce, expires_at

    # -- queries ------------------------------------------------------------------

    def is_pending(self, now: datetime) -> bool:
        """Tell whether the request waits for its link and has not run out (CON-05)."""
        return self.status == PENDING and now < self.expires_at

    @property
    def is_bound(self) -> bool:
        """Tell whether the link was followed and the contract is in the account."""
        return self.status == BOUND

    # -- commands -----------------------------------------------------------------

    def request_again(self, *, email: str, nonce: str, now: datetime) -> None:
        """Ask again: replaces a pending request, reopens an expired or unbound one (CON-07)."""
        if self.status == BOUND:
            raise Conflict(ALREADY_BOUND, contract_number=self.contract_number)
        self._requested_again(
            contract_number=self.contract_number, account_id=self.account_id, email=email, nonce=nonce, at=now, expires_at=now + BINDING_LIFETIME
        )

    @event("RequestedAgain", topic="lkk:ContractBinding.BindingRequestedAgain")
    def _requested_again(
        self, contract_number: str, account_id: UUID, email: ContractEmail, nonce: str, at: datetime, expires_at: datetime
    ) -> None:
        """A new request replaced the pending one or reopened the pair; the old link is void."""
        self._pending(email, nonce, expires_at)

    def confirm(self, typed_token_hash: str, expected_token_hash: str, *, now: datetime) -> None:
        """Follow the link: bind, or refuse a wrong, used or late link (CON-04, CON-05)."""
        if not same_hash(typed_token_hash, expected_token_hash):
            raise NotFound(LINK_UNKNOWN, field="token")
        if self.status == BOUND:
            raise Conflict(ALREADY_BOUND, contract_number=self.contract_number)
        if self.status == UNBOUND:
            raise NotFound(LINK_UNKNOWN, field="token")  # withdrawn, or the contract was removed since
        if self.status == EXPIRED or now >= self.expires_at:
            raise Expired(LINK_EXPIRED, field="token")
        self._bound(at=now)

    @event("Bound", topic="lkk:ContractBinding.ContractBound")
    def _bound(self, at: datetime) -> None:
        """The link was followed: the contract is bound to the account."""
        self.status = BOUND  # the nonce stays: a second use of the link is told it is bound

    def expire(self, *, now: datetime) -> bool:
        """Record the expiry of a request past its 24 hours (the sweep); False if nothing to do."""
        if self.status != PENDING or now < self.expires_at:
            return False
        self._expired(at=now)
        return True

    @event("Expired", topic="lkk:ContractBinding.BindingExpired")
    def _expired(self, at: datetime) -> None:
        """The request was not confirmed within 24 hours and was removed (CON-05)."""
        self.status = EXPIRED

    def unbind(self, *, now: datetime, reason: str) -> None:
        """Take the contract out of this account (CON-11) or drop a pending request."""
        if self.status not in (BOUND, PENDING):
            raise NotFound(NOT_FOUND, contract_number=self.contract_number)
        self._unbound(reason=reason, at=now)

    @event("Unbound", topic="lkk:ContractBinding.ContractUnbound")
    def _unbound(self, reason: str, at: datetime) -> None:
        """The contract or request left the account (``reason`` says why: see the event catalogue)."""
        self.status = UNBOUND


def binding_id(contract_number: str, account_id: UUID) -> UUID:
    """Return the id of the binding of a contract to an account (ARCHITECTURE.md §4)."""
    return uuid5(NAMESPACE, f"{contract_number}:{account_id.hex}")
