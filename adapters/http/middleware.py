"""Authentication (Bearer tokens) and body validation (pydantic), before any responder runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import falcon
from pydantic import BaseModel, ValidationError

from lkk_core import accounts, staff
from lkk_core.kernel.access import valid_contract_number
from lkk_core.kernel.errors import Unauthenticated, ValidationFailed
from lkk_core.kernel.services import Services

PUBLIC, CUSTOMER, STAFF = "public", "customer", "staff"


def bearer(req: falcon.Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header."""
    header = req.get_header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class Authentication:
    """Puts ``req.context.actor`` (customer) or ``req.context.staff`` on the request.

    A resource says who may call it with ``auth = PUBLIC | CUSTOMER | STAFF``
    (customer by default). Staff routes take a specialist's own token
    (``lkk staff create`` / ``lkk staff token``) and nothing else: the
    specialist it names is who the command records, so ``X-Staff-Id`` is
    refused rather than silently ignored. A customer token never passes there,
    nor a staff token on customer routes (each is looked up in its own aggregate).
    """

    def __init__(self, services: Services) -> None:
        self._services = services

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict) -> None:
        if resource is None:
            return
        kind = getattr(resource, "auth", CUSTOMER)
        if kind == PUBLIC:
            return
        token = bearer(req)
        if kind == STAFF:
            if req.get_header("X-Staff-Id") is not None:
                raise ValidationFailed(STAFF_ID_HEADER_GONE, field="X-Staff-Id")
            req.context.staff = staff.authenticate_staff(self._services, token or "")
            return
        if token is None:
            raise Unauthenticated
        req.context.actor = accounts.authenticate(self._services, token)


# The specialist is the one the token names (issue 10): a header naming someone else has no place.
STAFF_ID_HEADER_GONE = "Заголовок X-Staff-Id не принимается: специалиста определяет его ключ"  # NOTE: proposal


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


# Path parameters of a core type, parsed once before any responder by the type the command models use:
# ``/v1/contracts/{contract_number}/…`` hands the use case a valid number, or answers CON-02's 422.
PATH_PARAMETERS: dict[str, Callable[[str], Any]] = {"contract_number": valid_contract_number}


class Validation:
    """Parses typed path parameters, then the JSON body into the resource's ``<METHOD>_SCHEMA`` (``params['body']``)."""

    def __init__(self, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes
        # Per (resource class, method): its body model and whether it also takes a form, looked up once.
        self._plans: dict[tuple[type, str], tuple[type[BaseModel] | None, bool]] = {}

    def _plan(self, resource: Any, method: str) -> tuple[type[BaseModel] | None, bool]:
        key = (type(resource), method)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = (getattr(resource, f"{method}_SCHEMA", None),
                                       method in getattr(resource, "FORMS", {}))
        return plan

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict) -> None:
        if params:
            for name, check in PATH_PARAMETERS.items():
                if name in params:
                    params[name] = check(params[name])
        model, takes_form = self._plan(resource, req.method)
        if model is None:
            return
        if takes_form and is_multipart(req):
            params["body"] = None  # the same command as a form with a file: the responder reads it (read_form)
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


# -- multipart/form-data uploads -----------------------------------------------------------

FILE_FIELD = "file"
FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and the text fields around the file
MAX_FIELD_BYTES = 1024
CHOOSE_FILE = "Загрузите файл (.xls или .xlsx)"  # §13.5, the upload control (RDG-10)
FIELD_TOO_LONG = "Слишком длинное значение поля"  # NOTE: proposal
NOT_UTF8 = "Значение поля должно быть в кодировке UTF-8"  # NOTE: proposal


class UploadTooLarge(falcon.HTTPContentTooLarge):
    """The upload (or the whole form) exceeds ``LKK_UPLOAD_MAX_BYTES``: 413 naming the limit."""

    def __init__(self, maximum: int, filename: str = "") -> None:
        super().__init__(description=f"the file limit is {maximum} bytes")
        self.limit, self.maximum = "max_bytes", maximum
        self.filename = filename  # the file part's name, once it is known (not from Content-Length alone)


@dataclass(frozen=True)
class Upload:
    """The file part of a form: the name the client gave it and its bytes."""

    filename: str
    data: bytes


def is_multipart(req: falcon.Request) -> bool:
    """Tell whether the body is ``multipart/form-data``."""
    return (req.content_type or "").split(";")[0].strip().lower() == falcon.MEDIA_MULTIPART


def read_form(req: falcon.Request, max_file_bytes: int) -> tuple[dict[str, str], Upload]:
    """Return the text fields and the ``file`` part of a multipart form, never reading more than the limits.

    The body is refused by its Content-Length before anything is read; each
    part is then read with a bound (``max_file_bytes`` for the file, 1 KiB
    for a text field), so a lying or chunked client cannot make it buffer more.
    Parts of other names are skipped (Falcon drains them in chunks).

    Raises:
        UploadTooLarge: The body or the file is over ``max_file_bytes``.
        ValidationFailed: No file part, or a text field too long or not UTF-8.
        falcon.HTTPUnsupportedMediaType: The body is not a multipart form.
    """
    if not is_multipart(req):
        raise falcon.HTTPUnsupportedMediaType(description="send multipart/form-data with a part named file")
    if req.content_length is not None and req.content_length > max_file_bytes + FORM_OVERHEAD:
        raise UploadTooLarge(max_file_bytes)
    fields: dict[str, str] = {}
    upload: Upload | None = None
    for part in req.get_media():
        if part.name == FILE_FIELD and upload is None:
            data = part.stream.read(max_file_bytes + 1)
            if len(data) > max_file_bytes:
                raise UploadTooLarge(max_file_bytes, part.filename or "")
            upload = Upload(part.filename or "", data)
        elif part.name and part.name not in fields:
            raw = part.stream.read(MAX_FIELD_BYTES + 1)
            if len(raw) > MAX_FIELD_BYTES:
                raise ValidationFailed(FIELD_TOO_LONG, field=part.name)
            try:
                fields[part.name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationFailed(NOT_UTF8, field=part.name) from None
    if upload is None or not upload.data:
        raise ValidationFailed(CHOOSE_FILE, field=FILE_FIELD, errors=[{"field": FILE_FIELD, "message": CHOOSE_FILE}])
    return fields, upload
