"""Contracts in accounts: who holds which contract with which role, pending bindings, requests.

Feeds the contract list («Оплата», «Профиль» → «Договоры»), the
Administrator's user list (ROL-06), staff's list of requests (ROL-12) and the
sweep's list of due bindings (CON-05). No personal data: only ids and numbers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from lkk_core.contracts.contract_binding import BOUND, EXPIRED, PENDING, UNBOUND, ContractBinding
from lkk_core.contracts.contract_roles import ContractRoles
from lkk_core.kernel.paging import Key, limit_clause
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer, stamp


class ContractsView(SqlView):
    """Holdings, bindings, Administrators and open requests, by contract and by account."""

    tables: ClassVar[dict[str, str]] = {
        "holdings": (
            "contract_number TEXT NOT NULL, account_id TEXT NOT NULL, role TEXT NOT NULL, energy_objects TEXT,"
            " source TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY (contract_number, account_id)"
        ),
        "bindings": (
            "binding_id TEXT PRIMARY KEY, contract_number TEXT NOT NULL, account_id TEXT NOT NULL,"
            " status TEXT NOT NULL, requested_at TEXT NOT NULL, expires_at TEXT NOT NULL, changed_at TEXT NOT NULL"
        ),
        "admin_requests": (
            "request_id TEXT PRIMARY KEY, contract_number TEXT NOT NULL, account_id TEXT NOT NULL,"
            " requested_at TEXT NOT NULL, closed_at TEXT, outcome TEXT"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "holdings_by_account": ("holdings", "account_id"),
        "bindings_by_account": ("bindings", "account_id"),
        "bindings_by_deadline": ("bindings", "status, expires_at"),
        "admin_requests_by_contract": ("admin_requests", "contract_number, account_id"),
    }

    def holdings_of(self, account_id: UUID, *, after: str | None = None,
                    limit: int | None = None) -> list[dict[str, Any]]:
        """Return the account's contracts with its role on each, by contract number (after the number ``after``)."""
        where, params = ("", []) if after is None else (" AND contract_number > ?", [after])
        tail, more = limit_clause(limit)
        rows = self.rows("SELECT * FROM {holdings} WHERE account_id = ?" + where + " ORDER BY contract_number" + tail,
                         [str(account_id), *params, *more])
        return [_holding(row) for row in rows]

    def holders(self, contract_number: str, *, after: Key | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:
        """Return every account holding the contract (ROL-06), by (since, account id), after that key."""
        where, params = _after("since", "account_id", after)
        tail, more = limit_clause(limit)
        rows = self.rows("SELECT * FROM {holdings} WHERE contract_number = ?" + where + " ORDER BY since, account_id"
                         + tail, [contract_number, *params, *more])
        return [_holding(row) for row in rows]

    def administrated(self, contract_numbers: list[str]) -> set[str]:
        """Return which of the contracts have an Administrator."""
        if not contract_numbers:
            return set()
        marks = ", ".join("?" * len(contract_numbers))
        rows = self.rows(f"SELECT contract_number FROM {{holdings}} WHERE role = ? AND contract_number IN ({marks})",
                         [Role.ADMINISTRATOR.value, *contract_numbers])
        return {row["contract_number"] for row in rows}

    def pending_bindings(self, account_id: UUID, now: datetime, *, after: str | None = None,
                         limit: int | None = None) -> list[dict[str, Any]]:
        """Return the account's requests still waiting for their link (expired ones are never shown, CON-05)."""
        where, params = ("", []) if after is None else (" AND contract_number > ?", [after])
        tail, more = limit_clause(limit)
        return self.rows(
            "SELECT * FROM {bindings} WHERE account_id = ? AND status = ? AND expires_at > ?" + where
            + " ORDER BY contract_number" + tail,
            [str(account_id), PENDING, stamp(now), *params, *more],
        )

    def due_bindings(self, now: datetime, limit: int = 1000) -> list[UUID]:
        """Return pending requests whose 24 hours are over: the sweep records their expiry."""
        rows = self.rows(
            "SELECT binding_id FROM {bindings} WHERE status = ? AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            [PENDING, stamp(now), limit],
        )
        return [UUID(row["binding_id"]) for row in rows]

    def open_requests(self, account_id: UUID | None = None, *, after: Key | None = None,
                      limit: int | None = None) -> list[dict[str, Any]]:
        """Return requests for the Administrator role that staff have not answered (ROL-12, ROL-13).

        By (requested_at, request_id), after that key.
        """
        where, params = ("AND account_id = ?", [str(account_id)]) if account_id else ("", [])
        keyset, keys = _after("requested_at", "request_id", after)
        tail, more = limit_clause(limit)
        return self.rows(
            f"SELECT request_id, contract_number, account_id, requested_at FROM {{admin_requests}}"  # noqa: S608
            f" WHERE closed_at IS NULL {where}{keyset} ORDER BY requested_at, request_id{tail}",
            [*params, *keys, *more],
        )


def _after(first: str, second: str, key: Key | None) -> tuple[str, list[Any]]:
    """Return the SQL that keeps the rows after ``key`` in the order (first, second), and its parameters."""
    if key is None:
        return "", []
    return f" AND ({first} > ? OR ({first} = ? AND {second} > ?))", [key[0], *key]


def _holding(row: dict[str, Any]) -> dict[str, Any]:
    objects = row["energy_objects"]
    return {**row, "energy_objects": None if objects is None else json.loads(objects)}


def _held(writer: Writer, e: Any) -> None:
    objects = None if e.energy_objects is None else json.dumps(sorted(e.energy_objects))
    writer.execute("DELETE FROM {holdings} WHERE contract_number = ? AND account_id = ?",
                   [e.contract_number, str(e.account_id)])
    writer.execute("INSERT INTO {holdings} VALUES (?, ?, ?, ?, ?, ?)",
                   [e.contract_number, str(e.account_id), e.role, objects, e.source, stamp(e.at)])
    if e.role == Role.ADMINISTRATOR:
        # Every open request of the contract is moot once it has an Administrator (ROL-12).
        writer.execute("UPDATE {admin_requests} SET closed_at = ?, outcome = ? WHERE contract_number = ?"
                       " AND closed_at IS NULL", [stamp(e.at), "administrator_assigned", e.contract_number])


def _revoked(writer: Writer, e: Any) -> None:
    writer.execute("DELETE FROM {holdings} WHERE contract_number = ? AND account_id = ?",
                   [e.contract_number, str(e.account_id)])
    writer.execute("UPDATE {admin_requests} SET closed_at = ?, outcome = ? WHERE contract_number = ?"
                   " AND account_id = ? AND closed_at IS NULL",
                   [stamp(e.at), "role_ended", e.contract_number, str(e.account_id)])


def _requested(writer: Writer, e: Any) -> None:
    writer.execute(
        "INSERT INTO {bindings} VALUES (?, ?, ?, ?, ?, ?, ?)",
        [str(e.originator_id), e.contract_number, str(e.account_id), PENDING, stamp(e.at), stamp(e.expires_at),
         stamp(e.at)],
    )


def _requested_again(writer: Writer, e: Any) -> None:
    writer.execute("UPDATE {bindings} SET status = ?, requested_at = ?, expires_at = ?, changed_at = ?"
                   " WHERE binding_id = ?", [PENDING, stamp(e.at), stamp(e.expires_at), stamp(e.at),
                                              str(e.originator_id)])


def _binding_status(status: str) -> Any:
    def handle(writer: Writer, e: Any) -> None:
        writer.execute("UPDATE {bindings} SET status = ?, changed_at = ? WHERE binding_id = ?",
                       [status, stamp(e.at), str(e.originator_id)])

    return handle


def _administrator_requested(writer: Writer, e: Any) -> None:
    writer.execute("INSERT INTO {admin_requests} VALUES (?, ?, ?, ?, NULL, NULL)",
                   [str(e.request_id), e.contract_number, str(e.account_id), stamp(e.at)])


def _request_closed(writer: Writer, e: Any) -> None:
    writer.execute("UPDATE {admin_requests} SET closed_at = ?, outcome = ? WHERE contract_number = ?"
                   " AND account_id = ? AND closed_at IS NULL",
                   [stamp(e.at), e.outcome, e.contract_number, str(e.account_id)])


class ContractsProjection(SqlProjection):
    """Folds binding and role events into ``ContractsView``."""

    name = "contracts"
    view_class = ContractsView
    handlers: ClassVar = {
        ContractBinding.Requested: _requested,
        ContractBinding.RequestedAgain: _requested_again,
        ContractBinding.Bound: _binding_status(BOUND),
        ContractBinding.Expired: _binding_status(EXPIRED),
        ContractBinding.Unbound: _binding_status(UNBOUND),
        ContractRoles.RoleGranted: _held,
        ContractRoles.RoleChanged: _held,
        ContractRoles.RoleRevoked: _revoked,
        ContractRoles.AdministratorRequested: _administrator_requested,
        ContractRoles.RequestClosed: _request_closed,
    }
