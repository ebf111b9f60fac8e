"""The OpenAPI 3.1 document, generated from the route table and the pydantic models."""

from __future__ import annotations

import re
from typing import Any

import falcon
from pydantic import BaseModel

from adapters.http.problems import STATUS
from adapters.http.resources.base import Resource
from adapters.http.schemas.common import Problem

REF = "#/components/schemas/{model}"
UPLOAD_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel",
                "application/octet-stream")


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _path(path: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "format": "uuid"} if converter == "uuid" else {"type": "string"}}
        for name, converter in re.findall(r"{(\w+)(?::(\w+))?}", path)
    ]
    return re.sub(r"{(\w+):\w+}", r"{\1}", path), parameters


def _query(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    # Operations read from the query string (a link in a letter) document their fields as query parameters.
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required,
         "schema": {key: value for key, value in field.items() if key != "title"}}
        for name, field in schema.get("properties", {}).items()
    ]


def _form(model: type[BaseModel]) -> dict[str, Any]:
    # A file upload: the model's fields as text parts, plus the part ``file`` (binary, .xls or .xlsx).
    schema = model.model_json_schema(ref_template=REF)
    properties = {name: {key: value for key, value in field.items() if key != "title"}
                  for name, field in schema.get("properties", {}).items()}
    properties["file"] = {"type": "string", "format": "binary", "description": "the workbook, .xlsx or .xls"}
    return {
        "schema": {"type": "object", "description": (model.__doc__ or "").strip(), "properties": properties,
                   "required": [*schema.get("required", ()), "file"]},
        "encoding": {"file": {"contentType": ", ".join(UPLOAD_TYPES)}},
    }


def openapi(routes: list[tuple[str, type[Resource]]]) -> dict[str, Any]:
    """Describe every route's operations, request and response models, and problems."""
    components: dict[str, Any] = {}
    problem = {"application/problem+json": {"schema": _schema(Problem, components)}}
    paths: dict[str, Any] = {}
    for raw_path, resource in routes:
        path, parameters = _path(raw_path)
        for method, op in resource.OPERATIONS.items():
            operation: dict[str, Any] = {
                "summary": op.summary,
                "description": f"Rules: {op.rules}" if op.rules else "",
                "operationId": f"{resource.__name__}_{method.lower()}",
                "tags": ["staff" if resource.auth == "staff" else resource.__module__.rsplit(".", 1)[-1]],
                "parameters": parameters + _query(getattr(resource, "QUERY", {}).get(method)),
                "responses": {
                    **{
                        str(status): {
                            "description": "OK" if status == op.status else (model.__doc__ or "").strip(),
                            **({"content": {"application/json": {"schema": _schema(model, components)}}}
                               if model else {}),
                            **({"content": {op.media_type: {"schema": {"type": "string", "format": "binary"}}}}
                               if op.media_type and status == op.status else {}),
                        }
                        for status, model in ((op.status, op.returns), *op.alternatives)
                    },
                    "4XX": {"description": "A problem (RFC 9457) with lkk's `code`", "content": problem},
                },
            }
            content: dict[str, Any] = {}
            if op.body is not None:
                content["application/json"] = {"schema": _schema(op.body, components)}
            form = getattr(resource, "FORMS", {}).get(method)
            if form is not None:
                content["multipart/form-data"] = _form(form)
            if content:
                operation["requestBody"] = {"required": True, "content": content}
            if resource.auth != "public":
                operation["security"] = [{"staffToken": []}] if resource.auth == "staff" else [{"sessionToken": []}]
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "lkk: личный кабинет клиента юридического лица", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "sessionToken": {"type": "http", "scheme": "bearer", "description": "The token a login returns"},
                "staffToken": {"type": "http", "scheme": "bearer", "description": "LKK_STAFF_TOKEN"},
            },
        },
        "x-error-statuses": {cls.__name__: status for cls, status in STATUS.items()},
    }


class OpenApiDocument:
    """Serves the document at ``/openapi.json``."""

    auth = "public"

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document
