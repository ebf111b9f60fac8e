"""Meter readings over HTTP (DOMAIN.md §4)."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import quote
from uuid import UUID

import falcon
from pydantic import BaseModel, Field

from adapters.billing.readings_files import TEMPLATE_FILENAME, Limits, uploads
from adapters.billing.readings_files.history_xlsx import readings_history_xlsx
from adapters.http.middleware import parse, read_form
from adapters.http.resources.base import Operation, Resource, answer, answer_page
from adapters.http.schemas import readings as schemas
from lkk_core import Paging, readings
from lkk_core.kernel.commands import ContractNumber, EnergyObjectCode, IsoDate
from lkk_core.kernel.errors import Conflict, Forbidden, NotFound, WindowClosed
from lkk_core.readings import ACT_NOT_FOUND

HISTORY_FILENAME = "История показаний.xlsx"  # NOTE: proposal (§7.3 names the tab «Показания»)


class Readings(Resource):
    """The page «Показания» and «Передать показания»."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": readings.ReadingsFilter}  # the OpenAPI query parameters
    OPERATIONS = {
        "GET": Operation("The readings page: contracts, energy objects, meters and scales with their figures", 200,
                         schemas.ReadingsPageOut, rules="RDG-01, RDG-02, RDG-09, RDG-18, RDG-19, ROL-15",
                         name="getReadingsPage", refusals=(NotFound, Forbidden)),
        "POST": Operation("Submit readings of a contract for a month («Передать показания»)", 201,
                          schemas.ReadingsSavedOut, readings.SubmitReadings,
                          "RDG-02 … RDG-09, RDG-19, ACC-06",
                          name="submitReadings", refusals=(NotFound, Forbidden, Conflict, WindowClosed)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        names = readings.ReadingsFilter.model_fields
        query = {name: req.get_param(name) for name in names if req.get_param(name) is not None}
        page = readings.readings_page(self.services, req.context.actor, parse(readings.ReadingsFilter, query))  # type: ignore[arg-type]
        answer(resp, schemas.ReadingsPageOut, page)

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: readings.SubmitReadings) -> None:
        _saved(self, resp, readings.submit_readings(self.services, req.context.actor, body))


# -- readings files (RDG-10 … RDG-17) and history (HIS-07) --------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IntegralTemplateQuery(BaseModel):
    """«Шаблон интегральных показаний» for a contract and month."""

    contract_number: ContractNumber
    period: IsoDate = Field(description="any day of the month")


class IntegralUploadForm(BaseModel):
    """The form «Интегральные по договору»; the file goes in the part ``file`` (.xls or .xlsx)."""

    contract_number: ContractNumber
    period: IsoDate = Field(description="any day of the month the readings are for")


class IntervalTemplateQuery(BaseModel):
    """«Шаблон интервальных показаний» for a meter and month."""

    contract_number: ContractNumber
    energy_object: EnergyObjectCode
    meter_number: readings.Key
    period: IsoDate = Field(description="any day of the month")


class IntervalActsQuery(Paging):
    """The meter chosen on the form «Интервальные по прибору учета», and the page of its acts."""

    contract_number: ContractNumber
    meter_number: readings.Key
    period: IsoDate = Field(description="any day of the month")


class ReadingsHistoryQuery(readings.ReadingsHistoryFilter, Paging):
    """The filters of «История» → «Показания», and the page of its contracts."""


def _paging(query: Paging) -> Paging:
    return Paging(limit=query.limit, cursor=query.cursor)


class IntervalUploadForm(IntervalTemplateQuery):
    """The form «Интервальные по прибору учета»; the file goes in the part ``file`` (.xlsx or .xls)."""

    kind: readings.Key = Field(description="«Вид показаний», one of the list GET /v1/readings/interval-acts gives")


def _query(req: falcon.Request, model: type[BaseModel]) -> Any:
    return parse(model, {name: req.get_param(name) for name in model.model_fields if req.get_param(name) is not None})


def attach(resp: falcon.Response, data: bytes, filename: str, fallback: str) -> None:
    """Answer a file: .xlsx, ``attachment`` with an ASCII name and the Russian one (RFC 6266, RFC 5987)."""
    resp.data = data
    resp.content_type = XLSX
    resp.set_header("Content-Disposition",
                    f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}")


def _ascii(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z.-]+", "_", text).strip("_") or "file"


class Uploading(Resource):
    """A resource that reads uploaded files: ``create_app`` sets ``limits`` (``limits_from_env``)."""

    limits: Limits = Limits()


class IntegralTemplate(Resource):
    """«Шаблон интегральных показаний» (RDG-10, RDG-11)."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": IntegralTemplateQuery}
    OPERATIONS = {"GET": Operation("Download the integral template: the rows the actor may submit", 200,
                                   rules="RDG-03, RDG-10, RDG-11, RDG-19, ROL-15", media_type=XLSX,
                                   name="downloadIntegralTemplate", refusals=(NotFound, Forbidden))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        query = _query(req, IntegralTemplateQuery)
        data = uploads.integral_template_for(self.services, req.context.actor, query.contract_number, query.period)
        period = query.period
        attach(resp, data, uploads.INTEGRAL_TEMPLATE_FILENAME,
               f"integral_{_ascii(query.contract_number)}_{period:%m.%Y}.xlsx")


class IntegralUploads(Uploading):
    """«Загрузить показания файлом» → «Интегральные по договору» → «Передать показания» (RDG-10, RDG-12)."""

    FORMS: ClassVar[dict[str, type[BaseModel]]] = {"POST": IntegralUploadForm}  # multipart fields + ``file``
    OPERATIONS = {"POST": Operation("Submit the filled integral template (multipart: contract_number, period, file)",
                                    201, schemas.ReadingsSavedOut, rules="RDG-03 … RDG-12, RDG-19, ACC-06",
                                    name="uploadIntegralReadings",
                                    refusals=(NotFound, Forbidden, Conflict, WindowClosed))}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields, upload = read_form(req, self.limits.max_bytes)
        form = parse(IntegralUploadForm, fields)
        saved = uploads.submit_integral_file(
            self.services, req.context.actor, contract_number=form.contract_number, period=form.period,  # type: ignore[attr-defined]
            data=upload.data, filename=upload.filename, limits=self.limits,
        )
        _saved(self, resp, saved)


class IntervalTemplate(Resource):
    """«Шаблон интервальных показаний»: «Интервальные показания.xlsx» (RDG-15, RDG-16)."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": IntervalTemplateQuery}
    OPERATIONS = {"GET": Operation("Download the interval template of a meter and month", 200,
                                   rules="RDG-13, RDG-14, RDG-16, RDG-19, ROL-15", media_type=XLSX,
                                   name="downloadIntervalTemplate", refusals=(NotFound, Forbidden))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        query = _query(req, IntervalTemplateQuery)
        data = uploads.interval_template_for(
            self.services, req.context.actor, contract_number=query.contract_number,
            energy_object=query.energy_object, meter_number=query.meter_number, period=query.period)
        attach(resp, data, TEMPLATE_FILENAME, "interval_readings.xlsx")


class IntervalActs(Uploading):
    """The form «Интервальные по прибору учета»: its acts, and «Передать показания» (RDG-15 … RDG-17)."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": IntervalActsQuery}
    FORMS: ClassVar[dict[str, type[BaseModel]]] = {"POST": IntervalUploadForm}  # or the JSON grid
    OPERATIONS = {
        "GET": Operation("List the meter's «Первичный акт» records of the month and the «Вид показаний» choices",
                         200, schemas.IntervalActsOut, rules="RDG-15, RDG-17, RDG-19, ROL-15",
                         name="listIntervalActs", refusals=(NotFound, Forbidden)),
        "POST": Operation("Upload an hourly profile: multipart (fields + file) or the JSON grid; a new act", 201,
                          schemas.ActRecordedOut, readings.UploadIntervalProfile,
                          "RDG-03, RDG-04, RDG-13 … RDG-17, RDG-19, ACC-06",
                          name="uploadIntervalProfile", refusals=(NotFound, Forbidden, Conflict, WindowClosed)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        query = _query(req, IntervalActsQuery)
        page = readings.interval_acts(self.services, req.context.actor, query.contract_number, query.meter_number,
                                      query.period, _paging(query))
        answer_page(req, resp, schemas.IntervalActsOut, page)

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: readings.UploadIntervalProfile | None) -> None:
        if body is not None:  # the on-screen grid (RDG-16 decision)
            act = readings.upload_interval_profile(self.services, req.context.actor, body)
        else:
            fields, upload = read_form(req, self.limits.max_bytes)
            form: Any = parse(IntervalUploadForm, fields)
            act = uploads.submit_interval_file(
                self.services, req.context.actor, contract_number=form.contract_number,
                energy_object=form.energy_object, meter_number=form.meter_number, period=form.period,
                kind=form.kind, data=upload.data, filename=upload.filename, limits=self.limits,
            )
        self.written(resp, act.position, 201, schemas.ActRecordedOut, act)


class IntervalActFile(Resource):
    """«↓» next to a «Первичный акт» (RDG-17)."""

    OPERATIONS = {"GET": Operation("Download one «Первичный акт» as .xlsx", 200, rules="RDG-17, RDG-19, ROL-15",
                                   media_type=XLSX, name="downloadIntervalAct", refusals=(NotFound, Forbidden))}

    def on_get(self, req: falcon.Request, resp: falcon.Response, act_id: UUID, number: str) -> None:
        if not number.isascii() or not number.isdigit() or len(number) > 9:
            raise NotFound(ACT_NOT_FOUND, act_id=str(act_id), number=number)
        self.read_after(req)
        filename, data = uploads.interval_act_xlsx(self.services, req.context.actor, act_id, int(number))
        attach(resp, data, filename, f"primary_act_{_ascii(filename[len('Первичный акт '):-len('.xlsx')])}.xlsx")


class ReadingsHistory(Resource):
    """«История» → «Показания» (HIS-07)."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": ReadingsHistoryQuery}
    OPERATIONS = {"GET": Operation("The accepted readings of my contracts, by contract, energy object and meter; "
                                   "a page of contracts at a time", 200,
                                   schemas.ReadingsHistoryOut, rules="HIS-07, RDG-19, ROL-15",
                                   name="getReadingsHistory", refusals=(NotFound, Forbidden))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        query = _query(req, ReadingsHistoryQuery)
        page = readings.readings_history(self.services, req.context.actor, query, _paging(query))
        answer_page(req, resp, schemas.ReadingsHistoryOut, page)


class ReadingsHistoryExport(Resource):
    """«Скачать» on «История» → «Показания»: exactly the rows shown (HIS-07)."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": readings.ReadingsHistoryFilter}
    OPERATIONS = {"GET": Operation("Download the readings history with the same filters as .xlsx", 200,
                                   rules="HIS-07, RDG-19, ROL-15", media_type=XLSX,
                                   name="exportReadingsHistory", refusals=(NotFound, Forbidden))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        page = readings.readings_history(self.services, req.context.actor,
                                         _query(req, readings.ReadingsHistoryFilter))
        data = readings_history_xlsx(page, generated_at=self.services.clock.now())
        attach(resp, data, HISTORY_FILENAME, "readings_history.xlsx")


def _saved(resource: Resource, resp: falcon.Response, saved: readings.ReadingsSaved) -> None:
    resource.written(resp, saved.position, 201, schemas.ReadingsSavedOut, saved)
