"""Contracts and roles (DOMAIN.md §2, §12): binding, unbinding, grants, staff actions, queries.

The public face of the context: other contexts, adapters and embedding portals import from here only.
"""

from lkk_core.contracts.binding import (
    BindingRequested,
    cancel_binding_request,
    confirm_binding,
    expire_binding,
    request_binding,
    unbind_contract,
)
from lkk_core.contracts.commands import (
    ConfirmBinding,
    GrantAdministrator,
    GrantRole,
    RefuseAdministratorRequest,
    RequestBinding,
)
from lkk_core.contracts.contract_binding import ContractBinding
from lkk_core.contracts.contract_roles import ContractRoles
from lkk_core.contracts.contracts_view import ContractsProjection, ContractsView
from lkk_core.contracts.holdings import RoleHoldings
from lkk_core.contracts.letters import BindingLetters, RoleLetters
from lkk_core.contracts.queries import (
    contract_detail,
    contract_users,
    contract_users_page,
    ContractDetail,
    ContractListItem,
    ContractUser,
    my_contracts,
    my_contracts_page,
    open_administrator_requests,
    open_administrator_requests_page,
    OpenAdministratorRequest,
    staff_contract_users,
    staff_contract_users_page,
)
from lkk_core.contracts.release import release_contracts
from lkk_core.contracts.roles import (
    AdministratorRequest,
    grant_administrator,
    grant_role,
    refuse_administrator_request,
    request_administrator,
    revoke_role,
    revoke_role_by_staff,
    RoleGrant,
)

__all__ = [
    "AdministratorRequest",
    "BindingLetters",
    "BindingRequested",
    "ConfirmBinding",
    "ContractBinding",
    "ContractDetail",
    "ContractListItem",
    "ContractRoles",
    "ContractUser",
    "ContractsProjection",
    "ContractsView",
    "GrantAdministrator",
    "GrantRole",
    "OpenAdministratorRequest",
    "RefuseAdministratorRequest",
    "RequestBinding",
    "RoleGrant",
    "RoleHoldings",
    "RoleLetters",
    "cancel_binding_request",
    "confirm_binding",
    "contract_detail",
    "contract_users",
    "contract_users_page",
    "expire_binding",
    "grant_administrator",
    "grant_role",
    "my_contracts",
    "my_contracts_page",
    "open_administrator_requests",
    "open_administrator_requests_page",
    "refuse_administrator_request",
    "release_contracts",
    "request_administrator",
    "request_binding",
    "revoke_role",
    "revoke_role_by_staff",
    "staff_contract_users",
    "staff_contract_users_page",
    "unbind_contract",
]
