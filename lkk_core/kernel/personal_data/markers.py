"""The ``Personal`` marker on event fields, and the placeholder for erased data."""

from __future__ import annotations

import functools
import typing
from typing import Annotated, Any, NamedTuple


class Redacted(str):
    """A personal value whose key was destroyed (still a ``str``, so views keep working)."""

    __slots__ = ()


# NOTE: the placeholder every view shows for an erased person (DOMAIN.md ACC-17).
REDACTED = Redacted("«удалённый пользователь»")


class PII(NamedTuple):
    """Marks a field as personal data of the account named by ``subject``.

    ``subject`` is the name of the event field that holds the person's account
    id; the default, ``originator_id``, suits an account's own events.
    """

    subject: str = "originator_id"


Personal = Annotated[str, PII()]
OptionalPersonal = Annotated[str | None, PII()]


def is_redacted(value: object) -> bool:
    """Tell whether a value is the placeholder of erased personal data."""
    return isinstance(value, Redacted)


def _pii(hint: Any) -> PII | None:
    own = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, PII)]
    if own:
        return own[0]
    return next(filter(None, map(_pii, typing.get_args(hint))), None)


@functools.cache
def pii_fields(cls: type) -> dict[str, str]:
    """Return ``{field: subject field}`` for the personal fields of an event class."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {name: marker.subject for name, hint in hints.items() if (marker := _pii(hint))}
