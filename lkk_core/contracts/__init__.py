"""Use cases of contracts and roles (DOMAIN.md §2, §12): binding, unbinding, grants, staff actions, queries."""

from lkk_core.contracts.binding import (
    BindingRequested,
    cancel_binding_request,
    confirm_binding,
    expire_binding,
    request_binding,
    unbind_contract,
)
from lkk_core.contracts.queries import (
    ContractDetail,
    contract_detail,
    contract_users,
    my_contracts,
    open_administrator_requests,
    staff_contract_users,
)
from lkk_core.contracts.release import release_contracts
from lkk_core.contracts.roles import (
    RoleGrant,
    grant_administrator,
    grant_role,
    refuse_administrator_request,
    request_administrator,
    revoke_role,
    revoke_role_by_staff,
)

__all__ = [
    "BindingRequested",
    "ContractDetail",
    "RoleGrant",
    "cancel_binding_request",
    "confirm_binding",
    "contract_detail",
    "contract_users",
    "expire_binding",
    "grant_administrator",
    "grant_role",
    "my_contracts",
    "open_administrator_requests",
    "refuse_administrator_request",
    "release_contracts",
    "request_administrator",
    "request_binding",
    "revoke_role",
    "revoke_role_by_staff",
    "staff_contract_users",
    "unbind_contract",
]
