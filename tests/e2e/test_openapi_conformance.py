"""Schemathesis over the whole API, every check on, as a customer and as staff (issue 10, «Hardening»).

Each operation of ``/openapi.json`` gets examples, the coverage phase's edge cases and
fuzzed cases, positive and negative, sent to a real server; every built-in check runs on
each answer: no 5xx, status, content type, headers and body as documented, a valid request
not refused (``positive_data_acceptance``), an invalid one not accepted
(``negative_data_rejection``), auth not ignored, unsupported methods 405 with ``Allow``.
Customer operations run as the Administrator of contract C1; staff operations with the
staff credentials of ``staff_headers``. Derandomized, so a failure replays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from adapters.http.app import ROUTES, create_app
from adapters.http.openapi import openapi
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.services import Services
from tests.contracts_support import C1, Catalogue
from tests.e2e.test_server import running
from tests.http_contracts_support import administrator_of
from tests import http_support
from tests.http_support import RecordingClient, bearer
from tests.support import Mailbox

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 75  # per operation and phase: both runs (94 tests) take about two minutes on one core

# 410 (a code or link past its lifetime) and 412 (finish onboarding first) refuse a well-formed
# request for the state it meets, as 404 and 409 do; 422 stays a refusal of the request itself...
# 413: a body over LKK_MAX_BODY_BYTES is refused whatever it holds (a long list of readings).
STATE_REFUSALS = ["2xx", "401", "403", "404", "409", "410", "412", "413", "429"]
# ...but for these, whose fields are checked against secrets or the rest of the form, which no schema knows.
CHECKED_AGAINST_STATE = {
    "register": "ACC-09 (the password's strength, in passwords.py), ACC-02 (the agreement accepted)",
    "confirmLogin": "the code is compared with the one sent (ACC-08)",
    "confirmEmail": "the code is compared with the one sent (ACC-03)",
    "resetPassword": "the code (ACC-11), the new password's strength and its repetition (ACC-09)",
    "changePassword": "the old password, the new one's strength and its repetition (ACC-09, ACC-10)",
    "deleteAccount": "the password (ACC-17)",
    "staffImportLegacyAccount": "the password's strength (ACC-09)",
    "submitReadings": "each value is typed text, read per cell so that every wrong one is reported (RDG-05, RDG-07)",
    "uploadIntegralReadings": "the file's content (RDG-10, RDG-12)",
    "uploadIntervalProfile": "the grid is 24 × the days of `period`, each wrong cell reported (RDG-16); the file",
    "grantRole": "the energy objects are the contract's (ROL-14)",
    "requestBinding": "the e-mail is one of the contract's in billing (CON-03)",
    "downloadIntervalTemplate": "the energy object and the meter are the contract's (RDG-15)",
    "listIntervalActs": "the meter is the contract's (RDG-15)",
    "getReadingsHistory": "period_from not after period_to, at most 36 months (HIS-07)",
    "exportReadingsHistory": "period_from not after period_to, at most 36 months (HIS-07)",
}
NEGATIVE_REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
SETTINGS: dict[str, Any] = {
    # The credentials are the fixture's (``headers``), not drawn: a drawn Authorization that the call then
    # replaces would make a negative case positive. ``ignored_auth`` still sends none and a wrong one.
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False},
    "checks": {"positive_data_acceptance": {"expected-statuses": STATE_REFUSALS},
               # 413: a body over the limit (an array past maxItems) is refused before it is read.
               "negative_data_rejection": {"expected-statuses": [*NEGATIVE_REFUSALS, "413"]}},
    "operations": [{"include-operation-id": list(CHECKED_AGAINST_STATE),
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*STATE_REFUSALS, "422"]}}}],
}
# The document ``/openapi.json`` serves (less the served address).
DOCUMENT = openapi(ROUTES)
# A page's ``cursor`` is signed (``lkk_core.kernel.paging``): any other well-formed text is refused, 422.
PAGED = sorted(operation["operationId"] for item in DOCUMENT["paths"].values() for operation in item.values()
               if any(parameter["name"] == "cursor" for parameter in operation.get("parameters", [])))
SETTINGS["operations"].append({"include-operation-id": PAGED, "checks": {
    "positive_data_acceptance": {"expected-statuses": [*STATE_REFUSALS, "422"]}}})
CONFIG = SchemathesisConfig.from_dict(SETTINGS)
# The same run on the Administrator's own contract: its screen, users, roles, readings and files.
ON_C1 = SchemathesisConfig.from_dict({**SETTINGS, "parameters": {
    "path.contract_number": C1, "query.contract_number": C1, "body.contract_number": C1}})


def test_the_exceptions_name_operations_of_the_document() -> None:
    ids = {operation["operationId"] for item in DOCUMENT["paths"].values() for operation in item.values()}
    assert set(CHECKED_AGAINST_STATE) <= ids
    assert len(PAGED) >= 5  # the lists that grow: sessions, contracts, users, requests, acts, history


def staff_headers(services: Services) -> dict[str, str]:
    """The credentials of a supplier specialist (a real token of their own), the one place this run authenticates staff."""
    return http_support.staff_headers(services, "conformance")


@pytest.fixture
def api(sqlite_env: dict[str, str], clock: FixedClock,
        tmp_path: Path) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    """A real server (waitress) over fresh services, and the token of C1's Administrator (registered, bound).

    Over HTTP rather than in-process WSGI: werkzeug's test client encodes some multipart
    forms with a missing delimiter, which the server rightly refuses.
    """
    services = bootstrap(sqlite_env, clock=clock, billing=Catalogue())
    mailbox = Mailbox(services)
    staff = staff_headers(services)
    client = RecordingClient(create_app(services))
    client.staff = staff
    admin = administrator_of(client, mailbox, C1, "alice@example.com")
    with running(services, mailbox.outbox, tmp_path) as server:
        yield server.base, bearer(admin["token"]), staff


# One test per operation of the document.
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
# The operations that name a contract, in the path, the query or the body.
NAME_A_CONTRACT = sorted(operation["operationId"] for item in DOCUMENT["paths"].values() for operation in item.values()
                         if "contract_number" in json.dumps(operation) or "readings" in operation["tags"])
schema_on_c1 = schemathesis.openapi.from_dict(DOCUMENT, config=ON_C1).include(operation_id=NAME_A_CONTRACT)
# The fixture's account outlives the examples on purpose: a logout or deletion among them leaves later ones 401.
FIXED = settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FIXED
def test_every_operation_conforms_to_the_document(case: Any, api: tuple[str, dict[str, str], dict[str, str]]) -> None:
    _call(case, api)


@schema_on_c1.parametrize()
@FIXED
def test_every_operation_on_the_administrators_contract_conforms(case: Any, api: tuple[str, dict[str, str], dict[str, str]]) -> None:
    _call(case, api)


def _call(case: Any, api: tuple[str, dict[str, str], dict[str, str]]) -> None:
    base_url, customer, staff = api
    security = case.operation.definition.raw.get("security") or []
    kinds = {name for requirement in security for name in requirement}
    headers = staff if "staffToken" in kinds else customer if "sessionToken" in kinds else {}
    case.call_and_validate(base_url=base_url, headers=headers)
