"""The OpenAPI 3.1 document, generated from the route table and the pydantic models.

Each operation lists the problems it can answer, by status, with the ``code`` of
each (an enum) and that code's extra fields: those its shape implies
(``refusals``: a body, a token, a typed path or query parameter) and the domain
errors the resource declares (``Operation.refusals``). The HTTP tests check that
every problem they see is one the operation declares (``tests/http_support.py``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import falcon
from pydantic import BaseModel, TypeAdapter

from adapters.http.problems import FALCON_CODES, STATUS
from adapters.http.request_schema import RequestJsonSchema
from adapters.http.resources.base import MAX_POSITION, POSITION_HEADER, Operation, Resource
from adapters.http.schemas.common import Problem
from lkk_core.kernel import errors
from lkk_core.kernel.commands import ContractNumber

REF = "#/components/schemas/{model}"
UPLOAD_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel",
                "application/octet-stream")
PROBLEM_MEDIA = "application/problem+json"

# -- the problem codes, their statuses and extra fields -------------------------------------

_TEXT = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_FIELD = {"type": ["string", "null"], "description": "the field, header or parameter at fault"}
_ITEMS = {"type": "array", "description": "every fault found, each naming its field (or row and column)",
          "items": {"type": "object", "additionalProperties": True}}
# A domain error's details become extra members of the problem (``problems.handle_lkk_error``).
EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "validation_failed": {"field": _FIELD, "errors": _ITEMS, "filename": _TEXT, "unlisted": _COUNT,
                          "limit": {"type": "string", "description": "the file limit exceeded"},
                          "value": _COUNT, "maximum": _COUNT, "reason": _TEXT},
    "wrong_credentials": {"field": _FIELD},
    "not_found": {"field": _FIELD, "contract_number": _TEXT, "reason": _TEXT},
    "forbidden": {"field": _FIELD, "contract_number": _TEXT, "capability": _TEXT, "role": _TEXT},
    "conflict": {"field": _FIELD, "errors": _ITEMS, "contract_number": _TEXT},
    "rate_limited": {"retry_after": {**_COUNT, "description": "seconds, as the Retry-After header"},
                     "purpose": _TEXT},
    "expired": {"field": _FIELD},
    "window_closed": {"contract_number": _TEXT, "period": _TEXT},
    "precondition_failed": {"field": _FIELD, "stage": _TEXT},
    "payload_too_large": {"reason": _TEXT, "limit": _TEXT, "maximum": _COUNT},
    "malformed_request": {"reason": _TEXT},
    "unsupported_media_type": {"reason": _TEXT},
}
# Headers that come with a status (RFC 9110 §15.5.2, §10.2.3).
PROBLEM_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"required": True, "description": "the challenge, always `Bearer`",
                               "schema": {"type": "string", "const": "Bearer"}}},
    429: {"Retry-After": {"required": True, "description": "seconds until the request may be repeated",
                          "schema": {"type": "integer", "minimum": 0}}},
    503: {"Retry-After": {"required": True, "description": "seconds until the request may be repeated",
                          "schema": {"type": "integer", "minimum": 0}}},
}


def problem_code(error: type[errors.LkkError]) -> tuple[int, str]:
    """Return the (status, code) a domain error class answers with (``problems.handle_lkk_error``)."""
    status = next(STATUS[cls] for cls in error.__mro__ if cls in STATUS)
    return status, "wrong_credentials" if issubclass(error, errors.WrongCredentials) else error.code


def refusals(path: str, resource: type[Resource], method: str) -> dict[int, set[str]]:
    """Return {status: codes} of every problem the operation can answer."""
    op = resource.OPERATIONS[method]
    found: dict[int, set[str]] = {}

    def add(status: int, code: str) -> None:
        found.setdefault(status, set()).add(code)

    if resource.auth != "public":
        add(401, "unauthenticated")
    if op.body is not None or method in getattr(resource, "FORMS", {}):
        for status in (400, 413, 415):
            add(status, FALCON_CODES[status])
        add(422, "validation_failed")
    if method in getattr(resource, "QUERY", {}) or "{contract_number}" in path:
        add(422, "validation_failed")  # a malformed query parameter or contract number (CON-02)
    if method == "GET" and not _writes(op, method):
        add(422, "validation_failed")  # a malformed X-Lkk-Position
    if ":uuid}" in path:
        add(404, "not_found")  # Falcon matches no route for a malformed id
    for error in op.refusals:
        add(*problem_code(error))
    return found


def _writes(op: Operation, method: str) -> bool:
    return op.writes if op.writes is not None else method != "GET"


def _problem_schema(code: str, components: dict[str, Any]) -> dict[str, str]:
    name = "".join(part.title() for part in code.split("_")) + "Problem"
    if name not in components:
        base = copy.deepcopy(components[Problem.__name__])
        base["title"] = name
        base["properties"]["code"] = {"type": "string", "const": code}
        base["properties"].update(EXTRA_FIELDS.get(code, {}))
        components[name] = base
    return {"$ref": REF.format(model=name)}


def _problem_response(status: int, codes: set[str], components: dict[str, Any]) -> dict[str, Any]:
    ordered = sorted(codes)
    schemas = [_problem_schema(code, components) for code in ordered]
    schema: dict[str, Any] = schemas[0] if len(schemas) == 1 else {
        "oneOf": schemas,
        "discriminator": {"propertyName": "code",
                          "mapping": {code: ref["$ref"] for code, ref in zip(ordered, schemas, strict=True)}},
    }
    return {
        "description": f"A problem (RFC 9457), `code` one of: {', '.join(ordered)}",
        "content": {PROBLEM_MEDIA: {"schema": schema}},
        **({"headers": PROBLEM_HEADERS[status]} if status in PROBLEM_HEADERS else {}),
    }


# -- requests and answers -------------------------------------------------------------------

_POSITION = {"type": "integer", "minimum": 0, "maximum": MAX_POSITION}
def _schema(model: type[BaseModel], components: dict[str, Any], *, request: bool = False) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF, **({"schema_generator": RequestJsonSchema} if request else {}))
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _path(path: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(name, converter)}
        for name, converter in re.findall(r"{(\w+)(?::(\w+))?}", path)
    ]
    return re.sub(r"{(\w+):\w+}", r"{\1}", path), parameters


def _path_schema(name: str, converter: str) -> dict[str, Any]:
    if converter == "uuid":
        return {"type": "string", "format": "uuid"}
    if name == "contract_number":
        return TypeAdapter(ContractNumber).json_schema()  # 14 digits (CON-02)
    return {"type": "string"}


def _query(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    # Operations read from the query string (a link in a letter) document their fields as query parameters.
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF, schema_generator=RequestJsonSchema)
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required,
         "schema": {key: value for key, value in field.items() if key != "title"}}
        for name, field in schema.get("properties", {}).items()
    ]


def _form(model: type[BaseModel]) -> dict[str, Any]:
    # A file upload: the model's fields as text parts, plus the part ``file`` (binary, .xls or .xlsx).
    schema = model.model_json_schema(ref_template=REF, schema_generator=RequestJsonSchema)
    properties = {name: {key: value for key, value in field.items() if key != "title"}
                  for name, field in schema.get("properties", {}).items()}
    properties["file"] = {"type": "string", "format": "binary", "description": "the workbook, .xlsx or .xls"}
    return {
        "schema": {"type": "object", "description": (model.__doc__ or "").strip(), "properties": properties,
                   "required": [*schema.get("required", ()), "file"]},
        "encoding": {"file": {"contentType": ", ".join(UPLOAD_TYPES)}},
    }


def _success(op: Operation, status: int, model: type[BaseModel] | None, writes: bool,
             components: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": "OK" if status == op.status else (model.__doc__ or "").strip()}
    if model is not None:
        answer["content"] = {"application/json": {"schema": _schema(model, components)}}
    elif op.media_type and status == op.status:
        answer["content"] = {op.media_type: {"schema": {"type": "string", "format": "binary"}}}
    else:
        answer["content"] = {"application/json": {"schema": {"type": "object", "maxProperties": 0}}}
    if writes:
        answer["headers"] = {POSITION_HEADER: {
            "required": True, "schema": _POSITION,
            "description": "the log position the write reached; send it back on a read to see the write"}}
    return answer


def _operation(path: str, raw_path: str, resource: type[Resource], method: str, parameters: list[dict[str, Any]],
               components: dict[str, Any]) -> dict[str, Any]:
    op = resource.OPERATIONS[method]
    writes = _writes(op, method)
    read_after = [] if writes or method != "GET" else [{
        "name": POSITION_HEADER, "in": "header", "required": False, "schema": _POSITION,
        "description": "wait (bounded) until the views show this position before reading"}]
    responses = {str(status): _success(op, status, model, writes, components)
                 for status, model in ((op.status, op.returns), *op.alternatives)}
    for status, codes in sorted(refusals(raw_path, resource, method).items()):
        responses[str(status)] = _problem_response(status, codes, components)
    operation: dict[str, Any] = {
        "summary": op.summary,
        "description": f"Rules: {op.rules}" if op.rules else "",
        "operationId": op.name or f"{resource.__name__}_{method.lower()}",
        "tags": ["staff" if resource.auth == "staff" else resource.__module__.rsplit(".", 1)[-1]],
        "parameters": parameters + _query(getattr(resource, "QUERY", {}).get(method)) + read_after,
        "responses": responses,
    }
    content: dict[str, Any] = {}
    if op.body is not None:
        content["application/json"] = {"schema": _schema(op.body, components, request=True)}
    form = getattr(resource, "FORMS", {}).get(method)
    if form is not None:
        content["multipart/form-data"] = _form(form)
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    if resource.auth != "public":
        operation["security"] = [{"staffToken": []}] if resource.auth == "staff" else [{"sessionToken": []}]
    return operation


def openapi(routes: list[tuple[str, type[Resource]]]) -> dict[str, Any]:
    """Describe every route's operations, request and response models, and problems."""
    components: dict[str, Any] = {}
    _schema(Problem, components)
    paths: dict[str, Any] = {}
    for raw_path, resource in routes:
        path, parameters = _path(raw_path)
        for method in resource.OPERATIONS:
            paths.setdefault(path, {})[method.lower()] = _operation(path, raw_path, resource, method, parameters,
                                                                    components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "lkk: личный кабинет клиента юридического лица", "version": "1"},
        "servers": [{"url": "/", "description": "the server that serves this document"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "sessionToken": {"type": "http", "scheme": "bearer", "description": "The token a login returns"},
                "staffToken": {"type": "http", "scheme": "bearer",
                               "description": "A specialist's own token (lkk staff create, lkk staff token)"},
            },
        },
        "x-error-statuses": {cls.__name__: status for cls, status in STATUS.items()},
    }


class OpenApiDocument:
    """Serves the document at ``/openapi.json``, its first server the address it was asked at."""

    auth = "public"

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # ``req.prefix`` is the scheme, host and mount point the client used; "/" (relative) stays the default.
        resp.media = {**self.document, "servers": [{"url": req.prefix, "description": "this server"},
                                                   *self.document["servers"]]}
