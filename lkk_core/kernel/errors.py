"""The error hierarchy of lkk.

Every error a service raises is an ``LkkError``: a stable machine-readable
``code``, the Russian ``message`` shown to the user (DOMAIN.md §13; proposals
of §13.14 are marked there) and ``details`` (field, row, column, limits)::

    LkkError
    ├── ValidationFailed      validation_failed    a field is missing or malformed
    │   └── WrongCredentials  validation_failed    login failed (one generic message, ACC-07)
    ├── Unauthenticated       unauthenticated      no valid session token
    ├── NotFound              not_found            nothing visible to this actor by that id
    ├── Forbidden             forbidden            the actor may not do this (Table 3)
    ├── Conflict              conflict             a uniqueness or state rule is violated
    ├── RateLimited           rate_limited         a code was asked for within the minute (ACC-04)
    ├── Expired               expired              a code, link or draft is past its lifetime
    ├── WindowClosed          window_closed        readings outside billing's window for the period (RDG-04)
    └── PreconditionFailed    precondition_failed  confirm the e-mail / finish onboarding first
"""

from __future__ import annotations

from typing import Any, ClassVar


class LkkError(Exception):
    """The root of every error a service raises on purpose."""

    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "Ошибка"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, **{self.details!r})"


class ValidationFailed(LkkError):
    """A field, row or cell is missing or malformed; ``details['errors']`` lists each."""

    code = "validation_failed"
    # NOTE: proposal (DOMAIN.md §13.14 lists no generic text).
    default_message = "Проверьте правильность заполнения полей"


class WrongCredentials(ValidationFailed):
    """Login failed; the same message whether the e-mail/login exists or not (ACC-07)."""

    # NOTE: proposal, DOMAIN.md §13.14 (login).
    default_message = "Неверный e-mail (логин) или пароль"


class Unauthenticated(LkkError):
    """The request carries no valid session token."""

    code = "unauthenticated"
    # NOTE: proposal; the manual has no text for an expired session.
    default_message = "Требуется вход в личный кабинет"


class NotFound(LkkError):
    """No such thing visible to this actor."""

    code = "not_found"
    default_message = "Не найдено"


class Forbidden(LkkError):
    """The actor's role lacks the capability, or the action belongs to staff."""

    code = "forbidden"
    # NOTE: proposal, DOMAIN.md §13.14 (Table 3).
    default_message = "Недостаточно прав для выполнения операции"


class Conflict(LkkError):
    """A uniqueness or state rule is violated, or a race was lost too often."""

    code = "conflict"
    default_message = "Операция противоречит текущему состоянию"


class RateLimited(LkkError):
    """A new code was asked for within a minute of the previous one (ACC-04)."""

    code = "rate_limited"
    default_message = "Повторная отправка кода возможна позже"


class Expired(LkkError):
    """A code, link or draft is past its lifetime."""

    code = "expired"
    default_message = "Срок действия истёк"


class WindowClosed(LkkError):
    """Readings arrived outside billing's submission window of the period, or after it closed (RDG-04)."""

    code = "window_closed"
    # NOTE: proposal, DOMAIN.md §13.14 (RDG-04).
    default_message = "Период передачи показаний завершён"


class PreconditionFailed(LkkError):
    """The account lacks a prerequisite: a confirmed e-mail or finished onboarding."""

    code = "precondition_failed"
    default_message = "Заполните обязательные поля"


__all__ = [
    "Conflict",
    "Expired",
    "Forbidden",
    "LkkError",
    "NotFound",
    "PreconditionFailed",
    "RateLimited",
    "Unauthenticated",
    "ValidationFailed",
    "WindowClosed",
    "WrongCredentials",
]
