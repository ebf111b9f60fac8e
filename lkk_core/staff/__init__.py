"""Staff credentials (issue 10): specialists of the supplier, their tokens, and who a staff token is.

Every staff command of every context takes a ``StaffActor``; the adapters
get it here, from a specialist's own token (HTTP) or login (the console's
``--as``), so the log says which specialist did what.
Other contexts, adapters and embedding portals import from here only.
"""

from lkk_core.staff.commands import CreateStaffMember, FullName, StaffLogin
from lkk_core.staff.member import StaffMember, StaffTokenRecord
from lkk_core.staff.members import (
    acting_staff,
    authenticate_staff,
    create_staff_member,
    issue_staff_token,
    IssuedToken,
    OPERATOR,
    revoke_staff_member,
    revoke_staff_token,
    staff_member_id,
    TOKEN_PREFIX,
)
from lkk_core.staff.staff_view import staff_members, StaffProjection, StaffRow, StaffTokenRow, StaffView

__all__ = [
    "CreateStaffMember",
    "FullName",
    "IssuedToken",
    "OPERATOR",
    "StaffLogin",
    "StaffMember",
    "StaffProjection",
    "StaffRow",
    "StaffTokenRecord",
    "StaffTokenRow",
    "StaffView",
    "TOKEN_PREFIX",
    "acting_staff",
    "authenticate_staff",
    "create_staff_member",
    "issue_staff_token",
    "revoke_staff_member",
    "revoke_staff_token",
    "staff_member_id",
    "staff_members",
]
