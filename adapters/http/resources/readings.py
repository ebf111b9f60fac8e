"""Meter readings over HTTP (DOMAIN.md §4)."""

from __future__ import annotations

from typing import ClassVar

import falcon
from pydantic import BaseModel

from adapters.http import schemas
from adapters.http.middleware import parse
from adapters.http.resources.base import Operation, Resource
from lkk_core import readings
from lkk_core.commands import readings as cmd


class Readings(Resource):
    """The page «Показания» and «Передать показания»."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": cmd.ReadingsFilter}  # the OpenAPI query parameters
    OPERATIONS = {
        "GET": Operation("The readings page: contracts, energy objects, meters and scales with their figures", 200,
                         schemas.ReadingsPageOut, rules="RDG-01, RDG-02, RDG-09, RDG-18, RDG-19, ROL-15"),
        "POST": Operation("Submit readings of a contract for a month («Передать показания»)", 201,
                          schemas.ReadingsSavedOut, cmd.SubmitReadings,
                          "RDG-02 … RDG-09, RDG-19, ACC-06"),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        names = cmd.ReadingsFilter.model_fields
        query = {name: req.get_param(name) for name in names if req.get_param(name) is not None}
        page = readings.readings_page(self.services, req.context.actor, parse(cmd.ReadingsFilter, query))  # type: ignore[arg-type]
        resp.media = schemas.ReadingsPageOut.model_validate(page).model_dump(mode="json")

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: cmd.SubmitReadings) -> None:
        saved = readings.submit_readings(self.services, req.context.actor, body)
        media = schemas.ReadingsSavedOut(
            submission_id=saved.submission_id, contract_number=saved.contract_number, period=saved.period,
            message=saved.message, energy_objects=list(saved.energy_objects), warnings=list(saved.warnings),
            position=saved.position,
        ).model_dump(mode="json")
        self.written(resp, saved.position, 201, media)
