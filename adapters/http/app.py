"""``create_app(services)``: the route table, middleware and error handlers."""

from __future__ import annotations

import functools
import json

import falcon
import falcon.media

from adapters.billing.readings_files import Limits
from adapters.billing.readings_files.problems import limit_message
from adapters.http import problems
from adapters.http.middleware import Authentication, UploadTooLarge, Validation
from adapters.http.openapi import OpenApiDocument, openapi
from adapters.http.resources import accounts as acc
from adapters.http.resources import contracts as con
from adapters.http.resources import readings as rdg
from adapters.http.resources.base import Resource
from lkk_core.kernel.services import Services

MAX_BODY_BYTES = 64 * 1024

# The route table: (path, resource class). One place to read the whole API.
ROUTES: list[tuple[str, type[Resource]]] = [
    ("/v1/registrations", acc.Registrations),
    ("/v1/sessions", acc.Sessions),
    ("/v1/sessions/confirmation", acc.LoginConfirmation),
    ("/v1/sessions/confirmation/code", acc.LoginCode),
    ("/v1/password-recovery", acc.PasswordRecovery),
    ("/v1/password-recovery/confirmation", acc.PasswordRecoveryConfirmation),
    ("/v1/me", acc.Me),
    ("/v1/me/personal-data", acc.PersonalData),
    ("/v1/me/phone", acc.Phone),
    ("/v1/me/email", acc.Email),
    ("/v1/me/email/code", acc.EmailCode),
    ("/v1/me/email/confirmation", acc.EmailConfirmation),
    ("/v1/me/password", acc.Password),
    ("/v1/me/two-factor", acc.TwoFactor),
    ("/v1/me/deletion", acc.Deletion),
    ("/v1/me/sessions", acc.SessionList),
    ("/v1/me/sessions/{session_id:uuid}", acc.SessionItem),
    ("/v1/logout", acc.Logout),
    ("/v1/contracts", con.ContractList),
    ("/v1/contracts/{contract_number}", con.ContractItem),
    ("/v1/contracts/{contract_number}/export.xlsx", con.ContractExport),
    ("/v1/contracts/{contract_number}/users", con.ContractUsers),
    ("/v1/contracts/{contract_number}/roles", con.ContractRoles),
    ("/v1/contracts/{contract_number}/roles/{account_id:uuid}", con.ContractRole),
    ("/v1/contracts/{contract_number}/administrator-requests", con.AdministratorRequests),
    ("/v1/contract-bindings", con.Bindings),
    ("/v1/contract-bindings/confirmation", con.BindingConfirmation),
    ("/v1/contract-bindings/{contract_number}", con.PendingBinding),
    ("/v1/readings", rdg.Readings),
    ("/v1/readings/integral-template", rdg.IntegralTemplate),
    ("/v1/readings/integral-uploads", rdg.IntegralUploads),
    ("/v1/readings/interval-template", rdg.IntervalTemplate),
    ("/v1/readings/interval-acts", rdg.IntervalActs),
    ("/v1/readings/interval-acts/{act_id:uuid}/{number}", rdg.IntervalActFile),
    ("/v1/readings/history", rdg.ReadingsHistory),
    ("/v1/readings/history/export.xlsx", rdg.ReadingsHistoryExport),
    ("/v1/staff/legacy-accounts", acc.StaffLegacyAccounts),
    ("/v1/staff/accounts/{account_id:uuid}/email", acc.StaffAccountEmail),
    ("/v1/staff/contracts/{contract_number}/administrator", con.StaffAdministrator),
    ("/v1/staff/contracts/{contract_number}/users", con.StaffContractUsers),
    ("/v1/staff/contracts/{contract_number}/roles/{account_id:uuid}", con.StaffContractRole),
    ("/v1/staff/contracts/{contract_number}/administrator-requests/refusals", con.StaffRequestRefusal),
    ("/v1/staff/administrator-requests", con.StaffAdministratorRequests),
]


MAX_FORM_PARTS = 16  # a readings form has at most six fields and one file


def create_app(services: Services, *, max_body_bytes: int = MAX_BODY_BYTES, limits: Limits | None = None) -> falcon.App:
    """Build the WSGI app over the given services.

    ``max_body_bytes`` bounds a JSON body; ``limits`` (``limits_from_env``) bound an uploaded file.
    """
    limits = limits or Limits()
    app = falcon.App(
        middleware=[Authentication(services), Validation(max_body_bytes)],
        cors_enable=False,
    )
    app.req_options.strip_url_path_trailing_slash = True
    # Russian text stays readable in bodies; problems are JSON too; no spaces, as pydantic renders (base.answer).
    json_handler = falcon.media.JSONHandler(dumps=functools.partial(json.dumps, ensure_ascii=False,
                                                                    separators=(",", ":")))
    app.resp_options.media_handlers.update({falcon.MEDIA_JSON: json_handler, problems.PROBLEM: json_handler})
    # Multipart forms (file uploads): a part is never buffered beyond the upload limit.
    multipart = falcon.media.MultipartFormHandler()
    multipart.parse_options.max_body_part_buffer_size = limits.max_bytes
    multipart.parse_options.max_body_part_count = MAX_FORM_PARTS
    app.req_options.media_handlers[falcon.MEDIA_MULTIPART] = multipart
    problems.install(app)
    app.add_error_handler(UploadTooLarge, _upload_too_large)
    for path, resource_class in ROUTES:
        resource = resource_class(services)
        if isinstance(resource, rdg.Uploading):
            resource.limits = limits
        app.add_route(path, resource)
    app.add_route("/openapi.json", OpenApiDocument(openapi(ROUTES)))
    return app


def _upload_too_large(req: falcon.Request, resp: falcon.Response, ex: UploadTooLarge, params: dict) -> None:
    """413 ``payload_too_large`` naming the limit, as ``FileRefused.limit`` names the others."""
    problems.handle_http_error(req, resp, ex, params)
    detail = limit_message(ex.limit, ex.maximum, ex.filename)  # «Файл «a.xlsx» больше 10 МБ — …» (МБ = 2**20 bytes)
    named = {"filename": ex.filename} if ex.filename else {}
    resp.media = {**resp.media, "detail": detail, "limit": ex.limit, "maximum": ex.maximum, **named}
