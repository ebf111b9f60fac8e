"""Errors as RFC 9457 problem details, with our stable ``code`` and the Russian message."""

from __future__ import annotations

import logging
from typing import Any

import falcon

from lkk_core.kernel import errors
log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

# One table: every LkkError class has a status (a test walks the tree).
STATUS: dict[type[errors.LkkError], int] = {
    errors.ValidationFailed: 422,
    errors.WrongCredentials: 401,
    errors.Unauthenticated: 401,
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.Conflict: 409,
    errors.RateLimited: 429,
    errors.Expired: 410,
    errors.PreconditionFailed: 412,
    errors.WindowClosed: 409,
}

# Falcon's own refusals (routing, media, size) get codes of ours too.
FALCON_CODES = {400: "malformed_request", 401: "unauthenticated", 404: "not_found", 405: "method_not_allowed",
                413: "payload_too_large", 415: "unsupported_media_type", 411: "length_required"}
FALCON_MESSAGES = {400: "Некорректный запрос", 404: "Не найдено", 405: "Метод не поддерживается",
                   413: "Слишком большой запрос", 415: "Ожидается тело запроса в формате JSON"}  # NOTE: proposals


def status_of(error: errors.LkkError) -> int:
    """Return the HTTP status of a domain error: the most specific class in the table wins."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _write(resp: falcon.Response, status: int, code: str, title: str, detail: str, extra: dict[str, Any]) -> None:
    resp.status = status
    resp.content_type = PROBLEM
    resp.media = {"type": f"/problems/{code}", "title": title, "status": status, "code": code, "detail": detail, **extra}


def handle_lkk_error(req: falcon.Request, resp: falcon.Response, ex: errors.LkkError, params: dict[str, Any]) -> None:
    """Answer a domain error with its problem document."""
    status = status_of(ex)
    code = "wrong_credentials" if isinstance(ex, errors.WrongCredentials) else ex.code
    details = {k: v for k, v in ex.details.items() if k not in ("type", "title", "status", "code", "detail")}
    _write(resp, status, code, falcon.code_to_http_status(status)[4:], ex.message, details)
    if isinstance(ex, errors.RateLimited) and "retry_after" in ex.details:
        resp.set_header("Retry-After", str(ex.details["retry_after"]))
    if status == 401:
        # RFC 9110 §15.5.2: every 401 carries a challenge (wrong credentials too, not only a missing token).
        resp.set_header("WWW-Authenticate", "Bearer")


def handle_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError, params: dict[str, Any]) -> None:
    """Answer Falcon's own errors (no route, bad media, too large) in the same shape."""
    status = ex.status_code
    code = FALCON_CODES.get(status, "http_error")
    detail = FALCON_MESSAGES.get(status, ex.title or "")
    _write(resp, status, code, ex.title or "", detail, {"reason": ex.description} if ex.description else {})
    for name, value in (ex.headers or {}).items():
        resp.set_header(name, value)


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict[str, Any]) -> None:
    """An unexpected exception is a bug: log it and answer 500 without internals."""
    if isinstance(ex, falcon.HTTPError):
        handle_http_error(req, resp, ex, params)
        return
    log.exception("unhandled error on %s %s", req.method, req.path)
    _write(resp, 500, "internal_error", "Internal Server Error", "Внутренняя ошибка, повторите позже", {})


def install(app: falcon.App) -> None:
    """Register the handlers; Falcon picks the most specific by MRO."""
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(errors.LkkError, handle_lkk_error)
