"""What every resource shares: the services, the operation table and read-your-writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import falcon
from pydantic import BaseModel

from adapters.http.middleware import parse
from lkk_core import Paging
from lkk_core.accounts import ClientDevice
from lkk_core.kernel.errors import LkkError, ValidationFailed
from lkk_core.kernel.services import Services

POSITION_HEADER = "X-Lkk-Position"
MAX_POSITION = 2**63 - 1  # a log position is a BIGINT
POSITION_NOT_A_NUMBER = "Заголовок X-Lkk-Position должен быть неотрицательным целым числом"  # NOTE: proposal


@dataclass(frozen=True)
class Operation:
    """One method of a resource, as the OpenAPI document describes it."""

    summary: str
    status: int = 200
    returns: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    rules: str = ""
    # Other successful answers, e.g. 202 «a code was sent» beside 201 «logged in».
    alternatives: tuple[tuple[int, type[BaseModel]], ...] = ()
    media_type: str | None = None  # a file answer (e.g. .xlsx) instead of JSON
    # The OpenAPI operationId (``getMe``), the name a generated client gives the call.
    name: str = ""
    # The domain errors this operation may answer beyond those its shape implies (a body: 422,
    # a token: 401, …; ``adapters.http.openapi.refusals``); the HTTP tests check every problem
    # they see is declared (tests/http_support.py).
    refusals: tuple[type[LkkError], ...] = ()
    # Whether a success carries ``X-Lkk-Position`` (``written``): by default every method but GET.
    writes: bool | None = None


class Resource:
    """Base resource: holds the services; ``OPERATIONS`` feed the OpenAPI document."""

    auth: ClassVar[str] = "customer"
    OPERATIONS: ClassVar[dict[str, Operation]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for method, operation in cls.OPERATIONS.items():
            if operation.body is not None:
                setattr(cls, f"{method}_SCHEMA", operation.body)

    def __init__(self, services: Services) -> None:
        self.services = services

    def written(self, resp: falcon.Response, position: int, status: int = 200,
                model: type[BaseModel] | None = None, result: Any = None) -> None:
        """Answer a command once the views show its write (bounded wait), with the position.

        Without a model the body is ``Written``'s; with one, ``result`` read by it (``answer``).
        """
        self.services.views.wait_for(position)
        resp.status = status
        resp.set_header(POSITION_HEADER, str(position))
        if model is None:
            resp.data = b'{"position":%d}' % position  # what ``Written`` renders, without a model per write
        else:
            answer(resp, model, result)

    def read_after(self, req: falcon.Request) -> None:
        """Before a query, wait for the position the client saw written (``X-Lkk-Position``)."""
        seen = req.get_header(POSITION_HEADER)
        if seen is None:
            return
        # ASCII digits only (``"²".isdigit()`` holds but ``int("²")`` raises), and few enough for int().
        if not (seen.isascii() and seen.isdigit() and len(seen) <= 19 and int(seen) <= MAX_POSITION):
            raise ValidationFailed(POSITION_NOT_A_NUMBER, field=POSITION_HEADER)
        self.services.views.wait_for(int(seen))


def answer(resp: falcon.Response, model: type[BaseModel], result: Any) -> None:
    """Answer JSON read from a core result by its response model, rendered straight to bytes.

    pydantic's own serializer writes the UTF-8 JSON (Russian text unescaped, no
    spaces, as the media handler does), without a dict in between.
    """
    resp.content_type = falcon.MEDIA_JSON
    resp.data = model.__pydantic_serializer__.to_json(model.model_validate(result))


def device(req: falcon.Request, device_id: str | None = None) -> ClientDevice:
    """Describe the client from its User-Agent and optional device id."""
    return ClientDevice(req.user_agent, device_id or req.get_header("X-Device-Id"))


def query_of(req: falcon.Request, model: type[BaseModel]) -> Any:
    """Validate the query string's parameters that ``model`` knows into it."""
    return parse(model, {name: req.get_param(name) for name in model.model_fields if req.get_param(name) is not None})


def paging(req: falcon.Request) -> Paging:
    """Return the ``limit`` and ``cursor`` of a list's query string (``Paging``)."""
    return query_of(req, Paging)  # type: ignore[no-any-return]


def answer_page(req: falcon.Request, resp: falcon.Response, model: type[BaseModel], result: Any) -> None:
    """Answer a page of a list; when another follows, link it: ``Link: <…?cursor=…>; rel="next"`` (RFC 8288).

    The last page leaves ``next`` out, so a list that fits one page answers as it did before there were pages.
    """
    resp.content_type = falcon.MEDIA_JSON
    resp.data = model.__pydantic_serializer__.to_json(model.model_validate(result),
                                                      exclude=None if result.next else {"next"})
    if result.next:
        query = {**req.params, "cursor": result.next}
        resp.set_header("Link", f'<{req.path}?{urlencode(query, doseq=True)}>; rel="next"')
