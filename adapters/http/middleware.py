"""Authentication (Bearer tokens) and body validation (pydantic), before any responder runs."""

from __future__ import annotations

import hmac
import json
from typing import Any

import falcon
from pydantic import BaseModel, ValidationError

from lkk_core import accounts
from lkk_core.errors import Unauthenticated, ValidationFailed
from lkk_core.services import Services, StaffActor

PUBLIC, CUSTOMER, STAFF = "public", "customer", "staff"


def bearer(req: falcon.Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header."""
    header = req.get_header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class Authentication:
    """Puts ``req.context.actor`` (customer) or ``req.context.staff`` on the request.

    A resource says who may call it with ``auth = PUBLIC | CUSTOMER | STAFF``
    (customer by default). The staff token is compared only on staff routes and
    a customer token never passes there, nor the staff token on customer routes.
    """

    def __init__(self, services: Services, staff_token: str | None) -> None:
        self._services, self._staff_token = services, staff_token

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict) -> None:
        if resource is None:
            return
        kind = getattr(resource, "auth", CUSTOMER)
        if kind == PUBLIC:
            return
        token = bearer(req)
        if token is None:
            raise Unauthenticated
        if kind == STAFF:
            if not self._staff_token or not hmac.compare_digest(token.encode(), self._staff_token.encode()):
                raise Unauthenticated("Требуется ключ специалиста сбытовой компании")  # NOTE: proposal
            req.context.staff = StaffActor(_staff_id(req.get_header("X-Staff-Id")))
            return
        req.context.actor = accounts.authenticate(self._services, token)


def _staff_id(header: str | None) -> str:
    # The id goes into events (by_staff, staff_id): keep it short and printable.
    if header is None:
        return "staff"
    value = header.strip()
    if not 1 <= len(value) <= 64 or not value.isprintable():
        raise ValidationFailed("Некорректный идентификатор специалиста", field="X-Staff-Id")  # NOTE: proposal
    return value


def _pydantic_errors(ex: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or None, "code": e["type"], "reason": e["msg"]}
        for e in ex.errors(include_url=False)
    ]


def parse(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate data into a command model, or raise ``ValidationFailed`` listing every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as ex:
        errors = _pydantic_errors(ex)
        raise ValidationFailed(field=errors[0]["field"], errors=errors) from None


class Validation:
    """Reads ``<METHOD>_SCHEMA`` of the resource, parses the JSON body into it as ``params['body']``."""

    def __init__(self, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict) -> None:
        model = getattr(resource, f"{req.method}_SCHEMA", None)
        if model is None:
            return
        params["body"] = parse(model, self._json(req))

    def _json(self, req: falcon.Request) -> Any:
        if req.content_length is not None and req.content_length > self.max_body_bytes:
            raise falcon.HTTPContentTooLarge(description=f"the limit is {self.max_body_bytes} bytes")
        raw = req.bounded_stream.read(self.max_body_bytes + 1)
        if len(raw) > self.max_body_bytes:
            raise falcon.HTTPContentTooLarge(description=f"the limit is {self.max_body_bytes} bytes")
        if not raw.strip():
            return {}
        media_type = (req.content_type or "application/json").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise falcon.HTTPUnsupportedMediaType(description="send application/json")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as ex:
            raise falcon.HTTPBadRequest(title="Malformed JSON", description=str(ex)) from None
        except RecursionError:
            # Arrays or objects nested thousands deep fit in the size limit but not in the parser.
            raise falcon.HTTPBadRequest(title="Malformed JSON", description="nested too deeply") from None


def _refuse_constant(name: str) -> None:
    msg = f"{name} is not JSON"
    raise ValueError(msg)
