"""Readings files and history over HTTP (DOMAIN.md RDG-10 … RDG-19, HIS-07, AS-34 … AS-39): multipart uploads,
templates, «Первичный акт» downloads, limits, through Falcon's test client."""

from __future__ import annotations

import calendar
import io
import zipfile
from decimal import Decimal
from typing import Any
from urllib.parse import unquote
from uuid import uuid4

import falcon.testing
import pytest
import xlwt
from openpyxl import Workbook, load_workbook

from adapters.billing.readings_files import HEADERS, HOURS, Limits
from adapters.billing.readings_files.uploads import limits_from_env
from lkk_core import readings
from lkk_core.kernel.app import ConfigurationError
from lkk_core.kernel.billing import PriceCategory
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import Services, StaffActor
from tests.http_contracts_support import ContractsClient, administrator_of, holder_of, read
from tests.http_support import assert_problem, bearer, media_type
from tests.readings_support import (
    C5,
    EO1,
    EO3,
    EXPORT_METER,
    FIG12,
    INSIDE,
    OTHER_EO_METER,
    PERIOD,
    REACTIVE,
    TWO_ZONES,
    install_interval,
)
from tests.support import Mailbox

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH = PERIOD.isoformat()
DAYS = calendar.monthrange(PERIOD.year, PERIOD.month)[1]  # February 2023: 28
EO1_NAME, EO3_NAME = "Цех № 1", "Гараж"


def client_for(services: Services, limits: Limits | None = None) -> ContractsClient:
    client = ContractsClient.over(services, limits=limits)
    client.services = services  # each answer counts the events it wrote: a refusal writes none
    return client


@pytest.fixture
def client(services: Services, clock: FixedClock) -> ContractsClient:
    clock.set(INSIDE)
    install_interval(services)  # category III: integral and interval readings both apply
    return client_for(services)


@pytest.fixture
def admin(client: ContractsClient, mailbox: Mailbox) -> dict[str, Any]:
    return administrator_of(client, mailbox, C5, "client5@mail.ru")


def holder(client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any], email: str, role: Role,
           objects: list[str]) -> dict[str, Any]:
    return holder_of(client, mailbox, admin, C5, email, role, objects)


# -- helpers ---------------------------------------------------------------------------


def multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> tuple[dict[str, str], bytes]:
    """Return the headers and body of a multipart/form-data request with text fields and a ``file`` part."""
    boundary = f"lkk-{uuid4().hex}"
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        body.write(value.encode() + b"\r\n")
    if file is not None:
        name, data = file
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                   f"Content-Type: application/octet-stream\r\n\r\n".encode())
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body.getvalue()


def upload_integral(client: ContractsClient, token: str, data: bytes, name: str = "Показания.xlsx",
                    **fields: str) -> falcon.testing.Result:
    headers, body = multipart({"contract_number": C5, "period": MONTH, **fields}, (name, data))
    return client.simulate_post("/v1/readings/integral-uploads", headers={**bearer(token), **headers}, body=body)


def upload_interval(client: ContractsClient, token: str, data: bytes, name: str = "Интервальные показания.xlsx",
                    meter: str = FIG12, **fields: str) -> falcon.testing.Result:
    form = {"contract_number": C5, "energy_object": EO1, "meter_number": meter, "period": MONTH,
            "kind": "Фактические", **fields}
    headers, body = multipart(form, (name, data))
    return client.simulate_post("/v1/readings/interval-acts", headers={**bearer(token), **headers}, body=body)


def integral_template(client: ContractsClient, token: str) -> falcon.testing.Result:
    return client.simulate_get("/v1/readings/integral-template", headers=bearer(token),
                               params={"contract_number": C5, "period": MONTH})


def sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def filled(template: bytes, values: dict[tuple[str, str], str | float]) -> bytes:
    """Return the template with «Текущие показания» typed for (meter, zone)."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.active
    for row in range(2, sheet.max_row + 1):
        key = (sheet.cell(row, 4).value, sheet.cell(row, 7).value)
        if key in values:
            sheet.cell(row, 9, values[key])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def integral_rows(rows: dict[int, tuple[str, str, str, str, Any]]) -> bytes:
    """A fresh integral workbook: {sheet row: (EO code, meter, quantity, zone, current)}, other rows empty."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Показания"
    sheet.append(list(HEADERS))
    for row, (eo, meter, quantity, zone, current) in rows.items():
        for column, value in ((1, eo), (2, "ЭО"), (3, "Ожидание"), (4, meter), (5, "ИК"), (6, quantity),
                              (7, zone), (9, current)):
            sheet.cell(row, column, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def grid_value(hour: int, day: int) -> Decimal:
    return Decimal("1.25") + hour + Decimal(day) / 100


def interval_grid(template: bytes, *, edit: Any = None) -> bytes:
    """Fill the interval template's B2:…25 with ``grid_value``; ``edit(sheet)`` spoils it for a test."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.active
    for hour in range(24):
        for day in range(1, DAYS + 1):
            sheet.cell(hour + 2, day + 1, float(grid_value(hour, day)))
    if edit is not None:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def interval_template(client: ContractsClient, token: str, meter: str = FIG12) -> falcon.testing.Result:
    return client.simulate_get("/v1/readings/interval-template", headers=bearer(token), params={
        "contract_number": C5, "energy_object": EO1, "meter_number": meter, "period": MONTH})


def grid_total() -> Decimal:
    return sum((grid_value(h, d) for h in range(24) for d in range(1, DAYS + 1)), Decimal(0))


def page_scales(client: ContractsClient, token: str) -> dict[tuple[str, str], Any]:
    page = read(client.simulate_get("/v1/readings", headers=bearer(token),
                                    params={"contract_number": C5, "period": MONTH}))
    return {(meter["number"], scale["zone"] + scale["quantity"]): (scale, meter)
            for block in page["items"] for eo in block["energy_objects"] for point in eo["metering_points"]
            for meter in point["meters"] for scale in meter["scales"]}


def disposition_names(result: falcon.testing.Result) -> tuple[str, str]:
    header = result.headers["content-disposition"]
    assert header.startswith("attachment;"), header
    ascii_name = header.split('filename="', 1)[1].split('"', 1)[0]
    utf8 = unquote(header.split("filename*=UTF-8''", 1)[1])
    assert ascii_name.isascii()
    return ascii_name, utf8


# -- integral: template and upload ---------------------------------------------------------


def test_rdg11_integral_template_has_the_nine_columns_and_only_awaiting_rows(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    result = integral_template(client, admin["token"])

    assert result.status_code == 200, result.text
    assert media_type(result) == XLSX
    assert disposition_names(result)[1] == "Шаблон интегральных показаний.xlsx"
    header, *rows = sheet_rows(result.content)
    assert header == HEADERS
    # EO2 («Принято») and the meter in «Принято» are left out (RDG-03); one row per scale (AS-34).
    assert [(row[0], row[3], row[5], row[6], row[7]) for row in rows] == [
        (EO1, FIG12, "А+", "Круглосуточный", 12441),
        (EO1, TWO_ZONES, "А+", "День", 100),
        (EO1, TWO_ZONES, "А+", "Ночь", 50),
        (EO1, REACTIVE, "А+", "Круглосуточный", 10),
        (EO1, REACTIVE, "R+", "Круглосуточный", 999990),
        (EO1, EXPORT_METER, "А-", "Круглосуточный", None),
        (EO3, OTHER_EO_METER, "А+", "Круглосуточный", 500),
    ]
    assert all(row[2] == "Ожидание" and row[8] is None for row in rows)


def test_rdg11_rol15_template_of_a_scoped_power_engineer_has_only_granted_rows(
    client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any]
) -> None:
    bob = holder(client, mailbox, admin, "bob@example.com", Role.POWER_ENGINEER, [EO3])
    rows = sheet_rows(read_file(integral_template(client, bob["token"])))[1:]
    assert [(row[0], row[1], row[3]) for row in rows] == [(EO3, EO3_NAME, OTHER_EO_METER)]


def read_file(result: falcon.testing.Result) -> bytes:
    assert result.status_code == 200, result.text
    assert media_type(result) == XLSX
    return result.content


def test_as34_filled_template_submits_only_the_filled_meters(client: ContractsClient, admin: dict[str, Any]) -> None:
    template = read_file(integral_template(client, admin["token"]))
    data = filled(template, {(FIG12, "Круглосуточный"): "12442,00", (TWO_ZONES, "День"): 110,
                             (TWO_ZONES, "Ночь"): 55.5, (OTHER_EO_METER, "Круглосуточный"): 600})

    result = upload_integral(client, admin["token"], data)

    assert result.status_code == 201, result.text
    assert result.json["message"] == "Показания сохранены"
    assert result.json["energy_objects"] == [EO1, EO3]
    scales = page_scales(client, admin["token"])
    assert scales[(FIG12, "КруглосуточныйА+")][0]["consumption"] == "12600"  # AS-29 by file
    assert scales[(TWO_ZONES, "НочьА+")][0]["current"] == "55.5"
    assert scales[(OTHER_EO_METER, "КруглосуточныйА+")][0]["current"] == "600"
    assert scales[(REACTIVE, "КруглосуточныйА+")][0]["current"] is None  # not filled: not sent (RDG-08)


def test_as35_bad_number_and_missing_zone_reported_together_by_cell(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    data = integral_rows({
        5: (EO1, FIG12, "А+", "Круглосуточный", "12,44,1"),
        7: (EO1, TWO_ZONES, "А+", "День", 110),
        8: (EO1, TWO_ZONES, "А+", "Ночь", None),
    })

    body = assert_problem(upload_integral(client, admin["token"], data), 422, "validation_failed", field=None, wrote=0)

    cells = {(error["sheet"], error["cell"]): error["message"] for error in body["errors"]}
    assert cells[("Показания", "I5")].startswith("Введите число")
    assert cells[("Показания", "I8")] == ("Передайте показания по всем тарифным зонам и видам энергии "
                                         f"прибора учёта {TWO_ZONES}")
    assert [error["row"] for error in body["errors"]] == [5, 8]
    assert page_scales(client, admin["token"])[(TWO_ZONES, "ДеньА+")][0]["current"] is None  # nothing saved


def test_rdg12_rule_errors_of_a_parsed_file_name_their_cells(client: ContractsClient, admin: dict[str, Any]) -> None:
    data = integral_rows({
        2: (EO1, TWO_ZONES, "А+", "День", 90),  # below the previous 100 (RDG-02)
        3: (EO1, "99999999", "А+", "Круглосуточный", 1),  # no such meter on the EO (RDG-11)
        4: (EO1, REACTIVE, "А+", "Круглосуточный", 11),  # its «R+» has no row at all (RDG-06)
    })

    body = assert_problem(upload_integral(client, admin["token"], data), 422, "validation_failed", field=None, wrote=0)

    found = [(error["cell"], error["message"]) for error in body["errors"]]
    assert ("D3", "Шкала прибора учёта не найдена в договоре") in found
    assert ("I2", "Текущие показания меньше предыдущих") in found
    missing = [error for error in body["errors"] if error["cell"] is None]
    assert sorted((e["meter_number"], e["zone"], e["quantity"]) for e in missing) == [
        (TWO_ZONES, "Ночь", "А+"), (REACTIVE, "Круглосуточный", "R+")]
    assert all("нет строки шкалы" in e["message"] for e in missing)


def test_rdg11_an_impossible_key_or_a_wrong_header_is_named_by_cell(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    data = integral_rows({2: ("Э" * 41, FIG12, "А+", "Круглосуточный", 1), 3: (EO1, FIG12, "Б+", "Круглосуточный", 1)})
    body = assert_problem(upload_integral(client, admin["token"], data), 422, "validation_failed", field=None, wrote=0)
    assert [(e["cell"], e["message"]) for e in body["errors"]] == [
        ("A2", "Шкала прибора учёта не найдена в договоре"), ("F3", "Ожидается одно из значений: А+, А-, R+, R-")]

    workbook = load_workbook(io.BytesIO(integral_rows({2: (EO1, TWO_ZONES, "А+", "День", 110)})))
    workbook.active.cell(1, 9, "Показания")
    out = io.BytesIO()
    workbook.save(out)
    body = assert_problem(upload_integral(client, admin["token"], out.getvalue()), 422, "validation_failed",
                          field=None, wrote=0)
    # The columns cannot be trusted: only the header is reported, not the «Ночь» the rules would miss.
    assert [(e["cell"], e["message"]) for e in body["errors"]] == [("I1", "Ожидается заголовок «Текущие показания»")]


def test_rol15_a_row_of_an_energy_object_outside_the_grant_is_403(
    client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any]
) -> None:
    bob = holder(client, mailbox, admin, "bob@example.com", Role.POWER_ENGINEER, [EO1])
    data = integral_rows({2: (EO1, FIG12, "А+", "Круглосуточный", 12442), 3: (EO3, OTHER_EO_METER, "А+",
                                                                            "Круглосуточный", 600)})
    body = assert_problem(upload_integral(client, bob["token"], data), 403, "forbidden", field=None, wrote=0)
    assert body["energy_object"] == EO3
    assert page_scales(client, admin["token"])[(FIG12, "КруглосуточныйА+")][0]["current"] is None


def test_rdg03_a_row_of_a_meter_not_awaiting_is_409_with_its_cell(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    from tests.readings_support import CLOSED_METER  # noqa: PLC0415

    body = assert_problem(upload_integral(client, admin["token"], integral_rows({
        3: (EO1, CLOSED_METER, "А+", "Круглосуточный", 5)})), 409, "conflict", field=None, wrote=0)
    assert [(error["cell"], error["status"]) for error in body["errors"]] == [("I3", "Принято")]


def test_rdg10_an_xls_file_is_accepted(client: ContractsClient, admin: dict[str, Any]) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Показания")
    for column, title in enumerate(HEADERS):
        sheet.write(0, column, title)
    for column, value in enumerate((EO3, EO3_NAME, "Ожидание", OTHER_EO_METER, "ТП-5", "А+", "Круглосуточный",
                                    500, "600,5")):
        sheet.write(1, column, value)
    out = io.BytesIO()
    workbook.save(out)

    result = upload_integral(client, admin["token"], out.getvalue(), name="Показания.xls")

    assert result.status_code == 201, result.text
    assert page_scales(client, admin["token"])[(OTHER_EO_METER, "КруглосуточныйА+")][0]["current"] == "600.5"


def test_rdg10_a_renamed_text_file_is_refused_naming_the_file_type(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    body = assert_problem(upload_integral(client, admin["token"], b"EO;meter;value\n1;2;3\n", name="x.xlsx"),
                          422, "validation_failed", field=None, wrote=0)
    assert body["reason"] == "not_a_workbook"
    assert body["detail"] == "Файл «x.xlsx» не является книгой Excel: загрузите файл .xls или .xlsx"


def test_uploads_missing_file_or_field_are_422_with_the_field(client: ContractsClient, admin: dict[str, Any]) -> None:
    headers, body = multipart({"contract_number": C5, "period": MONTH}, None)
    result = client.simulate_post("/v1/readings/integral-uploads", headers={**bearer(admin["token"]), **headers},
                                  body=body)
    problem = assert_problem(result, 422, "validation_failed", field="file", wrote=0)
    assert problem["detail"] == "Загрузите файл (.xls или .xlsx)"

    headers, body = multipart({"period": MONTH}, ("a.xlsx", b"PK"))
    result = client.simulate_post("/v1/readings/integral-uploads", headers={**bearer(admin["token"]), **headers},
                                  body=body)
    assert_problem(result, 422, "validation_failed", field="contract_number", wrote=0)

    result = client.simulate_post("/v1/readings/integral-uploads", headers=bearer(admin["token"]),
                                  json={"contract_number": C5})
    assert_problem(result, 415, "unsupported_media_type", wrote=0)


@pytest.mark.parametrize("typed", ["1000000000005", "1000000000000A", ""])
def test_con02_every_readings_file_route_refuses_a_wrong_number_before_the_file_is_read(
    client: ContractsClient, admin: dict[str, Any], typed: str
) -> None:
    # The number is checked once, by the query or form model (``ContractNumber``): the use cases take it as valid.
    token, garbage = admin["token"], b"not a workbook at all"
    interval = {"contract_number": typed, "energy_object": EO1, "meter_number": FIG12, "period": MONTH}
    grid = [["1"] * DAYS for _ in range(24)]
    for result in (
        client.simulate_get("/v1/readings/integral-template", headers=bearer(token),
                            params={"contract_number": typed, "period": MONTH}),
        client.simulate_get("/v1/readings/interval-template", headers=bearer(token), params=interval),
        upload_integral(client, token, garbage, contract_number=typed),
        upload_interval(client, token, garbage, contract_number=typed),
        client.simulate_post("/v1/readings/interval-acts", headers=bearer(token),
                             json={**interval, "kind": "Фактические", "values": grid}),
    ):
        body = assert_problem(result, 422, "validation_failed", field="contract_number", wrote=0)
        assert body["detail"] == "Номер договора должен состоять из 14 цифр"


def test_uploads_a_broken_multipart_body_is_a_4xx_not_a_500(client: ContractsClient, admin: dict[str, Any]) -> None:
    for body in (b"no boundary at all", b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nPK",
                 b"--b\r\nbroken header line\r\n\r\nx\r\n--b--\r\n"):
        result = client.simulate_post("/v1/readings/integral-uploads", body=body,
                                      headers={**bearer(admin["token"]), "Content-Type": "multipart/form-data; boundary=b"})
        assert 400 <= result.status_code < 500, (body, result.status_code, result.text)
        assert assert_problem(result, wrote=0)["code"] in ("malformed_request", "validation_failed")


def test_uploads_over_the_size_limit_are_413_naming_the_limit(
    services: Services, client: ContractsClient, admin: dict[str, Any]
) -> None:
    small = client_for(services, Limits(max_bytes=1000))
    data = integral_rows({2: (EO1, FIG12, "А+", "Круглосуточный", 12442)})
    assert len(data) > 1000

    body = assert_problem(upload_integral(small, admin["token"], data), 413, "payload_too_large", wrote=0)
    assert (body["limit"], body["maximum"]) == ("max_bytes", 1000)
    assert body["detail"] == "Файл «Показания.xlsx» больше 1 000 байт — загрузите файл не больше 1 000 байт"
    # The same for the interval form; and a body announced far over the limit is refused before it is read.
    assert_problem(upload_interval(small, admin["token"], data), 413, "payload_too_large", wrote=0)
    headers, raw = multipart({"contract_number": C5, "period": MONTH}, ("a.xlsx", b"x" * 200_000))
    result = small.simulate_post("/v1/readings/integral-uploads", headers={**bearer(admin["token"]), **headers},
                                 body=raw)
    assert assert_problem(result, 413, "payload_too_large", wrote=0)["maximum"] == 1000


def test_issue10_the_413_answer_is_a_russian_sentence_in_mb_naming_the_file(
    services: Services, client: ContractsClient, admin: dict[str, Any]
) -> None:
    """МБ = 1 048 576 bytes; the name is known once the file part is read, not from Content-Length alone."""
    small = client_for(services, Limits(max_bytes=MIB_FOR_TEST))
    data = b"PK\x03\x04" + b"\0" * (MIB_FOR_TEST + 1)

    body = assert_problem(upload_integral(small, admin["token"], data, name="Показания за май.xlsx"), 413,
                          "payload_too_large", wrote=0)
    assert (body["detail"], body["filename"]) == (
        "Файл «Показания за май.xlsx» больше 1 МБ — загрузите файл не больше 1 МБ", "Показания за май.xlsx")
    headers, raw = multipart({"contract_number": C5, "period": MONTH}, ("a.xlsx", b"x" * (2 * MIB_FOR_TEST)))
    result = small.simulate_post("/v1/readings/integral-uploads", headers={**bearer(admin["token"]), **headers},
                                 body=raw)
    assert assert_problem(result, 413, "payload_too_large", wrote=0)["detail"] == (
        "Файл больше 1 МБ — загрузите файл не больше 1 МБ")


MIB_FOR_TEST = 1024 * 1024


def test_issue10_an_integral_table_on_the_second_sheet_is_one_error_naming_it(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    workbook = load_workbook(io.BytesIO(integral_rows({2: (EO1, FIG12, "А+", "Круглосуточный", 12442)})))
    workbook.create_sheet("Инструкция", 0)  # the table is now the second sheet
    out = io.BytesIO()
    workbook.save(out)

    body = assert_problem(upload_integral(client, admin["token"], out.getvalue()), 422, "validation_failed", wrote=0)
    assert body["errors"] == [{"sheet": "Показания", "row": 1, "column": 1, "cell": "A1",
                               "message": "Таблица показаний найдена на листе «Показания», а должна быть на первом "
                                          "листе: переместите этот лист в начало книги"}]


def test_as39_an_accountant_gets_neither_template_nor_upload_nor_history(
    client: ContractsClient, mailbox: Mailbox, admin: dict[str, Any]
) -> None:
    carol = holder(client, mailbox, admin, "carol@example.com", Role.ACCOUNTANT, [EO1, EO3])
    data = integral_rows({2: (EO1, FIG12, "А+", "Круглосуточный", 12442)})

    history = {"contract_number": C5}
    for result in (
        integral_template(client, carol["token"]), upload_integral(client, carol["token"], data),
        interval_template(client, carol["token"]), upload_interval(client, carol["token"], data),
        client.simulate_get("/v1/readings/history", headers=bearer(carol["token"]), params=history),
        client.simulate_get("/v1/readings/history/export.xlsx", headers=bearer(carol["token"]), params=history),
    ):
        body = assert_problem(result, 403, "forbidden", field=None, wrote=0)
        assert (body["contract_number"], body["role"]) == (C5, str(Role.ACCOUNTANT))
    assert page_scales(client, admin["token"])[(FIG12, "КруглосуточныйА+")][0]["current"] is None


# -- interval: template, upload, acts --------------------------------------------------------


def test_as36_interval_round_trip_template_upload_acts_and_download(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    template = interval_template(client, admin["token"])
    assert disposition_names(template) == ("interval_readings.xlsx", "Интервальные показания.xlsx")
    rows = sheet_rows(read_file(template))
    assert rows[0][0] == "Время" and rows[0][1] == "01.02.2023" and rows[0][DAYS] == "28.02.2023"
    assert [row[0] for row in rows[1:]] == list(HOURS)

    result = upload_interval(client, admin["token"], interval_grid(template.content))

    assert result.status_code == 201, result.text
    act = result.json
    assert (act["status"], act["message"], act["kind"]) == ("В ожидании", "Показания сохранены", "Фактические")
    assert Decimal(act["total"]) == grid_total()
    listed = read(client.simulate_get("/v1/readings/interval-acts", headers=bearer(admin["token"]), params={
        "contract_number": C5, "meter_number": FIG12, "period": MONTH}))
    assert listed["kinds"] == ["Фактические", "Расчётные"]
    assert listed["label"] == "ПУ 01284918 • РП-10 кВ яч.2"
    [row] = listed["acts"]
    assert (row["act_id"], row["number"], row["current"]) == (act["act_id"], act["number"], True)
    assert row["file_name"] == "Интервальные показания.xlsx"

    download = client.simulate_get(f"/v1/readings/interval-acts/{act['act_id']}/{act['number']}",
                                   headers=bearer(admin["token"]))
    ascii_name, name = disposition_names(download)
    assert name == "Первичный акт 01284918 10.02.2023 12.00.00.xlsx"  # INSIDE, in LKK_TIMEZONE
    assert ascii_name == "primary_act_01284918_10.02.2023_12.00.00.xlsx"
    cells = sheet_rows(read_file(download))
    assert cells[0][0] == "Первичный акт"
    assert ("Введённый расход", float(grid_total())) in [(r[0], r[1]) for r in cells]
    # RDG-18: the page shows «Расход интервальный» from the act.
    meter = page_scales(client, admin["token"])[(FIG12, "КруглосуточныйА+")][1]
    assert Decimal(meter["interval_act"]["total"]) == grid_total()


def test_rdg16_the_on_screen_grid_as_json(client: ContractsClient, admin: dict[str, Any]) -> None:
    values = [[str(grid_value(h, d)) for d in range(1, DAYS + 1)] for h in range(24)]
    result = client.simulate_post("/v1/readings/interval-acts", headers=bearer(admin["token"]), json={
        "contract_number": C5, "energy_object": EO1, "meter_number": FIG12, "period": MONTH,
        "kind": "Расчётные", "values": values})
    assert result.status_code == 201, result.text
    assert Decimal(result.json["total"]) == grid_total()


def test_rdg16_an_xls_interval_grid_is_accepted(client: ContractsClient, admin: dict[str, Any]) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("02.2023")
    sheet.write(0, 0, "Время")
    for day in range(1, DAYS + 1):
        sheet.write(0, day, f"{day:02d}.02.2023")
    for hour, label in enumerate(HOURS, start=1):
        sheet.write(hour, 0, label)
        for day in range(1, DAYS + 1):
            sheet.write(hour, day, str(grid_value(hour - 1, day)).replace(".", ","))
    out = io.BytesIO()
    workbook.save(out)

    result = upload_interval(client, admin["token"], out.getvalue(), name="Интервальные показания.xls")

    assert result.status_code == 201, result.text
    assert Decimal(result.json["total"]) == grid_total()


def test_as37_category_i_refused_before_the_file_is_read(
    services: Services, client: ContractsClient, admin: dict[str, Any]
) -> None:
    install_interval(services, PriceCategory.I)
    body = assert_problem(upload_interval(client, admin["token"], b"not a workbook at all"), 422, "validation_failed",
                          field="contract_number", wrote=0)
    assert body["detail"] == "Интервальные показания передаются только для потребителей III–VI ценовых категорий"
    assert_problem(interval_template(client, admin["token"]), 422, "validation_failed", field="contract_number",
                   wrote=0)


def test_as37_a_meter_without_a_plus_is_refused(
    services: Services, client: ContractsClient, admin: dict[str, Any]
) -> None:
    install_interval(services, PriceCategory.IV)
    body = assert_problem(upload_interval(client, admin["token"], b"x", meter=EXPORT_METER), 422, "validation_failed",
                          field="meter_number", wrote=0)
    assert body["detail"] == "Интервальный расход заполняется только для строк «А+»"


@pytest.mark.parametrize(("edit", "cell"), [
    (lambda sheet: sheet.cell(26, 1, "24-25"), "A26"),  # a 25th hour
    (lambda sheet: sheet.cell(1, 16, "32.02.2023"), "P1"),  # no column 15.02.2023
    (lambda sheet: setattr(sheet.cell(7, 3), "value", None), "C7"),  # an empty cell
])
def test_as38_malformed_grid_names_the_cell(
    client: ContractsClient, admin: dict[str, Any], edit: Any, cell: str
) -> None:
    template = read_file(interval_template(client, admin["token"]))
    body = assert_problem(upload_interval(client, admin["token"], interval_grid(template, edit=edit)),
                          422, "validation_failed", field=None, wrote=0)
    assert cell in [error["cell"] for error in body["errors"]], body["errors"]


@pytest.mark.parametrize("data", [b"\xd0\x92\xd1\x80\xd0\xb5\xd0\xbc\xd1\x8f;00-01\n", b"zip"])
def test_as38_a_renamed_text_or_zip_file_is_refused_naming_the_file_type(
    client: ContractsClient, admin: dict[str, Any], data: bytes
) -> None:
    if data == b"zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        data = out.getvalue()
    body = assert_problem(upload_interval(client, admin["token"], data), 422, "validation_failed", field=None,
                          wrote=0)
    assert body["reason"] == "not_a_workbook"


def test_rdg17_an_unknown_act_is_404(client: ContractsClient, admin: dict[str, Any]) -> None:
    for path in (f"/v1/readings/interval-acts/{uuid4()}/1", f"/v1/readings/interval-acts/{uuid4()}/x"):
        assert_problem(client.simulate_get(path, headers=bearer(admin["token"])), 404, "not_found", field=None, wrote=0)


# -- history (HIS-07) ------------------------------------------------------------------------


def test_his07_history_and_its_export_show_the_same_rows(
    services: Services, client: ContractsClient, admin: dict[str, Any]
) -> None:
    data = integral_rows({2: (EO1, FIG12, "А+", "Круглосуточный", "12442,00")})
    assert upload_integral(client, admin["token"], data).status_code == 201
    position = readings.accept_period(services, StaffActor("staff-1"), C5, PERIOD)
    query = {"contract_number": C5, "period_from": MONTH, "period_to": MONTH}
    headers = {**bearer(admin["token"]), "X-Lkk-Position": str(position)}

    page = read(client.simulate_get("/v1/readings/history", headers=headers, params=query))

    [contract] = page["contracts"]
    shown = [(eo["code"], meter) for eo in contract["energy_objects"] for meter in eo["meters"] if meter["readings"]]
    [(code, meter)] = shown
    assert (code, meter["number"]) == (EO1, FIG12)
    assert meter["readings"][0]["value"] == "12442.00"
    assert meter["readings"][0]["source"] == "передано через ЛКК"
    export = client.simulate_get("/v1/readings/history/export.xlsx", headers=headers, params=query)
    assert disposition_names(export)[1] == "История показаний.xlsx"
    rows = sheet_rows(read_file(export))
    assert [(r[0], r[1], r[3], r[5], r[8]) for r in rows[1:]] == [(C5, EO1, FIG12, 12442, "передано через ЛКК")]


def test_issue10_a_6_2_meters_reading_keeps_two_decimals_in_the_history_and_its_export(
    services: Services, client: ContractsClient, admin: dict[str, Any]
) -> None:
    """FIG12 counts 6+2 digits: «12442» typed without decimals is 12442.00 in the JSON and «0.00» in the sheet."""
    data = integral_rows({2: (EO1, FIG12, "А+", "Круглосуточный", 12442)})
    assert upload_integral(client, admin["token"], data).status_code == 201
    position = readings.accept_period(services, StaffActor("staff-1"), C5, PERIOD)
    query = {"contract_number": C5, "period_from": MONTH, "period_to": MONTH}
    headers = {**bearer(admin["token"]), "X-Lkk-Position": str(position)}

    page = read(client.simulate_get("/v1/readings/history", headers=headers, params=query))
    export = read_file(client.simulate_get("/v1/readings/history/export.xlsx", headers=headers, params=query))

    [value] = [r["value"] for eo in page["contracts"][0]["energy_objects"] for m in eo["meters"] for r in m["readings"]]
    assert value == "12442.00"
    cell = load_workbook(io.BytesIO(export)).active["F2"]
    assert (cell.value, cell.number_format) == (12442, "0.00")


def test_issue10_the_integral_templates_previous_readings_keep_the_meters_decimals(
    client: ContractsClient, admin: dict[str, Any]
) -> None:
    sheet = load_workbook(io.BytesIO(read_file(integral_template(client, admin["token"])))).active
    assert (sheet["D2"].value, sheet["H2"].value, sheet["H2"].number_format) == (FIG12, 12441, "0.00")


# -- OpenAPI and configuration -----------------------------------------------------------------


def test_openapi_describes_every_readings_file_route(client: ContractsClient) -> None:
    paths = read(client.simulate_get("/openapi.json"))["paths"]
    for path in ("/v1/readings/integral-template", "/v1/readings/interval-template",
                 "/v1/readings/interval-acts/{act_id}/{number}", "/v1/readings/history/export.xlsx"):
        assert paths[path]["get"]["responses"]["200"]["content"] == {XLSX: {"schema": {"type": "string",
                                                                                       "format": "binary"}}}
    upload = paths["/v1/readings/integral-uploads"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["file"] == {"type": "string", "format": "binary",
                                                      "description": "the workbook, .xlsx or .xls"}
    assert set(upload["schema"]["required"]) == {"contract_number", "period", "file"}
    both = paths["/v1/readings/interval-acts"]["post"]["requestBody"]["content"]
    assert set(both) == {"application/json", "multipart/form-data"}
    assert "kind" in both["multipart/form-data"]["schema"]["properties"]
    names = {p["name"] for p in paths["/v1/readings/history"]["get"]["parameters"]}
    assert {"contract_number", "address", "period_from", "period_to"} <= names


def test_upload_limits_from_the_environment() -> None:
    assert limits_from_env({}) == Limits()
    limits = limits_from_env({"LKK_UPLOAD_MAX_BYTES": "2048", "LKK_UPLOAD_MAX_CELLS": " 500 ",
                              "LKK_UPLOAD_MAX_UNCOMPRESSED_BYTES": "4096", "LKK_UPLOAD_MAX_COMPRESSION_RATIO": "50",
                              "LKK_UPLOAD_MAX_ZIP_ENTRIES": "20"})
    assert (limits.max_bytes, limits.max_cells, limits.max_uncompressed_bytes, limits.max_compression_ratio,
            limits.max_zip_entries) == (2048, 500, 4096, 50, 20)
    for bad in ("0", "-1", "1e6", "ten", "١٠"):
        with pytest.raises(ConfigurationError, match="LKK_UPLOAD_MAX_BYTES"):
            limits_from_env({"LKK_UPLOAD_MAX_BYTES": bad})
