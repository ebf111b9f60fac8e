"""Contracts and roles over HTTP (DOMAIN.md §2, §12)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

import falcon
from pydantic import BaseModel

from adapters.http.middleware import parse
from adapters.http.resources.base import Operation, Resource, answer, answer_page, paging
from adapters.http.schemas import contracts as schemas
from adapters.http.schemas.common import Written
from lkk_core import Paging, contracts
from lkk_core.kernel.errors import Conflict, Expired, Forbidden, NotFound, PreconditionFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ContractList(Resource):
    """«Договоры» on «Оплата» and «Профиль»."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": Paging}
    OPERATIONS = {"GET": Operation("List my contracts with my role on each, then pending requests, a page at a time",
                                   200, schemas.ContractList, rules="CON-01, CON-05, CON-07, ROL-12",
                                   name="listContracts")}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        page = contracts.my_contracts_page(self.services, req.context.actor, paging(req))
        answer_page(req, resp, schemas.ContractList, page)


class Bindings(Resource):
    """«Новый договор» → «Сохранить»."""

    OPERATIONS = {"POST": Operation("Ask to bind a contract: the link goes to the contract's e-mail", 202,
                                    schemas.BindingRequestedOut, contracts.RequestBinding,
                                    "CON-02, CON-03, CON-04, CON-06, CON-07, ACC-06",
                                    name="requestBinding", refusals=(NotFound, Conflict, PreconditionFailed))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: contracts.RequestBinding) -> None:
        result = contracts.request_binding(self.services, req.context.actor, body)
        self.written(resp, result.position, 202, schemas.BindingRequestedOut, result)


class PendingBinding(Resource):
    """A request still waiting for its link."""

    OPERATIONS = {"DELETE": Operation("Withdraw a pending binding request", 200, Written,
                                      rules="CON-05", name="cancelBindingRequest", refusals=(NotFound,))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        self.written(resp, contracts.cancel_binding_request(self.services, req.context.actor, contract_number))


class BindingConfirmation(Resource):
    """The link of the binding letter: no login needed, the token identifies the request."""

    auth = "public"
    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": contracts.ConfirmBinding}  # the OpenAPI query parameters
    OPERATIONS = {
        "GET": Operation("Follow the e-mailed link (?binding_id=…&token=…): bind the contract", 200,
                         schemas.BindingConfirmed, rules="CON-04, CON-05, CON-08",
                         name="followBindingLink", writes=True, refusals=(NotFound, Conflict, Expired)),
        "POST": Operation("Confirm a binding with the link's id and token", 200, schemas.BindingConfirmed,
                          contracts.ConfirmBinding, "CON-04, CON-05, CON-08",
                          name="confirmBinding", refusals=(NotFound, Conflict, Expired)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = {name: req.get_param(name) for name in ("binding_id", "token") if req.get_param(name) is not None}
        self._confirm(resp, parse(self.QUERY["GET"], query))  # type: ignore[arg-type]

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: contracts.ConfirmBinding) -> None:
        self._confirm(resp, body)

    def _confirm(self, resp: falcon.Response, body: contracts.ConfirmBinding) -> None:
        number, position = contracts.confirm_binding(self.services, body)
        self.written(resp, position, 200, schemas.BindingConfirmed, {"contract_number": number, "position": position})


class ContractItem(Resource):
    """The contract screen, and «Удалить договор»."""

    OPERATIONS = {
        "GET": Operation("Read the contract screen: contract, requisites, contacts, bank, meters, my role", 200,
                         schemas.ContractDetailOut, rules="CON-09, ROL-11, ROL-15, ROL-19",
                         name="getContract", refusals=(NotFound,)),
        "DELETE": Operation("Remove the contract from my account", 200, Written,
                            rules="CON-11, ROL-19", name="unbindContract", refusals=(NotFound, Forbidden)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        self.read_after(req)
        detail = contracts.contract_detail(self.services, req.context.actor, contract_number)
        answer(resp, schemas.ContractDetailOut, detail)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        self.written(resp, contracts.unbind_contract(self.services, req.context.actor, contract_number))


class ContractExport(Resource):
    """«Скачать» on the contract screen."""

    OPERATIONS = {"GET": Operation("Download the contract screen as .xlsx", 200, rules="CON-10",
                                   media_type=XLSX, name="exportContract", refusals=(NotFound,))}

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        from adapters.billing.contract_xlsx import contract_workbook, contract_xlsx_filename  # noqa: PLC0415

        self.read_after(req)
        detail = contracts.contract_detail(self.services, req.context.actor, contract_number)
        resp.data = contract_workbook(detail.contract, role=detail.holding.role.label,
                                      generated_at=self.services.clock.now())
        resp.content_type = XLSX
        resp.downloadable_as = contract_xlsx_filename(detail.contract)


class ContractUsers(Resource):
    """The Administrator's list of the contract's users."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": Paging}
    OPERATIONS = {"GET": Operation("List every account that holds the contract (Administrator), a page at a time",
                                   200, schemas.ContractUsers, rules="ROL-06, ROL-19",
                                   name="listContractUsers", refusals=(NotFound, Forbidden))}

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        self.read_after(req)
        page = contracts.contract_users_page(self.services, req.context.actor, contract_number, paging(req))
        answer_page(req, resp, schemas.ContractUsers, page)


class ContractRoles(Resource):
    """«Добавить роль» → «Выдача доступа к договору»."""

    OPERATIONS = {"POST": Operation("Grant or change a role on chosen energy objects (Administrator)", 201,
                                    schemas.RoleGranted, contracts.GrantRole,
                                    "ROL-04, ROL-08, ROL-09, ROL-14, ROL-15, ROL-16",
                                    name="grantRole", refusals=(NotFound, Forbidden, Conflict))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_number: str, body: contracts.GrantRole) -> None:
        grant = contracts.grant_role(self.services, req.context.actor, contract_number, body)
        self.written(resp, grant.position, 201, schemas.RoleGranted, grant)


class ContractRole(Resource):
    """«Удаление назначенной роли»."""

    OPERATIONS = {"DELETE": Operation("Remove a role the Administrator manages; the holder loses the contract",
                                      200, Written, rules="ROL-14, ROL-17",
                                      name="revokeRole", refusals=(NotFound, Forbidden))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, contract_number: str, account_id: UUID) -> None:
        self.written(resp, contracts.revoke_role(self.services, req.context.actor, contract_number, account_id))


class AdministratorRequests(Resource):
    """«Запросить доступ»."""

    OPERATIONS = {"POST": Operation("Ask supplier staff for the Administrator role", 201,
                                    schemas.AdministratorRequested, rules="ROL-12",
                                    name="requestAdministrator", refusals=(NotFound, Forbidden, Conflict))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        asked = contracts.request_administrator(self.services, req.context.actor, contract_number)
        self.written(resp, asked.position, 201, schemas.AdministratorRequested, asked)


# -- supplier staff ------------------------------------------------------------------------


class StaffAdministrator(Resource):
    """Staff: the contract's Administrator."""

    auth = "staff"
    OPERATIONS = {"PUT": Operation("Make a holder of the contract its Administrator", 200, Written,
                                   contracts.GrantAdministrator, "ROL-05, ROL-08, ROL-13",
                                   name="staffGrantAdministrator", refusals=(NotFound, Conflict))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, contract_number: str,
               body: contracts.GrantAdministrator) -> None:
        self.written(resp, contracts.grant_administrator(self.services, req.context.staff, contract_number, body))


class StaffContractRole(Resource):
    """Staff: remove any role, the Administrator's included."""

    auth = "staff"
    OPERATIONS = {"DELETE": Operation("Remove a holder's role on the contract", 200, Written,
                                      rules="ROL-17", name="staffRevokeRole", refusals=(NotFound,))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, contract_number: str, account_id: UUID) -> None:
        self.written(resp, contracts.revoke_role_by_staff(self.services, req.context.staff, contract_number,
                                                          account_id))


class StaffContractUsers(Resource):
    """Staff: who holds the contract."""

    auth = "staff"
    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": Paging}
    OPERATIONS = {"GET": Operation("List every account that holds the contract, a page at a time", 200,
                                   schemas.ContractUsers, rules="ROL-06, ROL-13", name="staffListContractUsers",
                                   refusals=(NotFound,))}

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_number: str) -> None:
        self.read_after(req)
        page = contracts.staff_contract_users_page(self.services, req.context.staff, contract_number, paging(req))
        answer_page(req, resp, schemas.ContractUsers, page)


class StaffAdministratorRequests(Resource):
    """Staff: requests for the Administrator role."""

    auth = "staff"
    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": Paging}
    OPERATIONS = {"GET": Operation("List the requests not yet answered, oldest first, a page at a time", 200,
                                   schemas.AdministratorRequests, rules="ROL-12, ROL-13",
                                   name="staffListAdministratorRequests")}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        page = contracts.open_administrator_requests_page(self.services, req.context.staff, paging(req))
        answer_page(req, resp, schemas.AdministratorRequests, page)


class StaffRequestRefusal(Resource):
    """Staff: answer a request with a refusal."""

    auth = "staff"
    OPERATIONS = {"POST": Operation("Refuse a holder's request for the Administrator role", 200, Written,
                                    contracts.RefuseAdministratorRequest, "ROL-13",
                                    name="staffRefuseAdministratorRequest", refusals=(NotFound,))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_number: str,
                body: contracts.RefuseAdministratorRequest) -> None:
        self.written(resp, contracts.refuse_administrator_request(self.services, req.context.staff,
                                                                  contract_number, body))
