"""Keyset pages of the lists that grow (issue 10): ``Paging`` in, ``Page`` out, opaque signed cursors.

A list is read in a fixed order of a unique sort key (e.g. ``(since, account_id)``);
a page is the first ``limit`` items after the key of the previous page's last
item. The cursor is that key, as base64url JSON, with a keyed hash under
``LKK_SECRET_KEY`` that names the list: an item inserted or removed between two
fetches never shifts the items after it (no offset), and a cursor changed by
hand, or taken from another list, is refused with ``validation_failed``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import Field

from lkk_core.kernel.commands import Command
from lkk_core.kernel.errors import ValidationFailed
from lkk_core.kernel.security import ServerSecret

DEFAULT_LIMIT = 50  # a screen's worth; the first page without a cursor is today's list up to it
MAX_LIMIT = 500
CURSOR_MAX_LENGTH = 1000
BAD_CURSOR = "Неверная ссылка на следующую страницу списка: откройте список сначала"  # NOTE: proposal, §13.14

T = TypeVar("T")
Key = tuple[str | int, ...]


class Paging(Command):
    """Which page of a list: at most ``limit`` items after ``cursor`` (the ``next`` of the previous page)."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"items per page, 1–{MAX_LIMIT}")
    cursor: str | None = Field(None, min_length=1, max_length=CURSOR_MAX_LENGTH,
                               description="`next` of the previous page; none for the first page")


ALL = Paging.model_construct(limit=None, cursor=None)  # the whole list, for the callers that want it whole


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; ``next`` is the cursor of the following page, None on the last one."""

    items: tuple[T, ...]
    next: str | None = None


class Keyset:
    """The cursors of one list: a list's name and the arity of its sort key."""

    def __init__(self, secret: ServerSecret, name: str, arity: int) -> None:
        self.secret, self.name, self.arity = secret, name, arity

    def after(self, paging: Paging) -> Key | None:
        """Return the sort key the page starts after, None for the first page; refuse a cursor not made here."""
        if paging.cursor is None:
            return None
        payload, _, tag = paging.cursor.partition(".")
        try:
            expected = self._tag(payload)
            valid = hmac.compare_digest(_decode(tag), expected)
            key = json.loads(_decode(payload)) if valid else None
        except (ValueError, binascii.Error, UnicodeDecodeError):
            key = None
        if not (isinstance(key, list) and len(key) == self.arity and all(type(k) in {str, int} for k in key)):
            raise ValidationFailed(BAD_CURSOR, field="cursor")
        return tuple(key)

    def cursor(self, key: Key) -> str:
        """Return the opaque cursor of a page that starts after ``key``."""
        payload = _encode(json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode())
        return f"{payload}.{_encode(self._tag(payload))}"

    def page(self, fetched: Sequence[T], paging: Paging, key: Callable[[T], Key]) -> Page[T]:
        """Return the page of ``fetched``, the items after the cursor in order, one more than ``limit`` if any."""
        limit = paging.limit
        if limit is None or len(fetched) <= limit:
            return Page(tuple(fetched))
        items = tuple(fetched[:limit])
        return Page(items, self.cursor(key(items[-1])))

    def _tag(self, payload: str) -> bytes:
        return self.secret.mark("page-cursor", self.name, payload)[:12]


def fetch_limit(paging: Paging) -> int | None:
    """Return how many items to read: one more than the page holds, to know whether another follows."""
    return None if paging.limit is None else paging.limit + 1


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _decode(text: str) -> bytes:
    """Return the bytes of canonical unpadded base64url text; anything else (another spelling of them too) raises."""
    data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _encode(data) != text:
        raise ValueError(text)
    return data


def limit_clause(limit: int | None) -> tuple[str, list[int]]:
    """Return the SQL ``LIMIT ?`` and its parameter, or nothing for the whole list."""
    return ("", []) if limit is None else (" LIMIT ?", [limit])
