"""Accounts and authentication (DOMAIN.md §1, §11): the public face of the context.

Other contexts, adapters and embedding portals import from here only.
"""

from lkk_core.accounts._common import account_by_identifier, acting_account, claim
from lkk_core.accounts.account import Account
from lkk_core.accounts.commands import (
    ChangeEmail,
    ChangePassword,
    Command,
    ConfirmLogin,
    DeleteAccount,
    EmailAddress,
    EnterCode,
    ImportLegacyAccount,
    LogIn,
    Register,
    RequestPasswordReset,
    ResendLoginCode,
    ResetPassword,
    RestoreEmail,
    SavePersonalData,
    SavePhone,
    SwitchTwoFactor,
)
from lkk_core.accounts.identifier_index import EMAIL, IdentifierIndex, LOGIN, normalise_identifier
from lkk_core.accounts.letters import CodeLetters
from lkk_core.accounts.login import (
    authenticate,
    ClientDevice,
    confirm_login,
    end_session,
    log_in,
    log_out,
    LoginResult,
    resend_login_code,
)
from lkk_core.accounts.profile import (
    change_email,
    change_password,
    delete_account,
    request_password_reset,
    reset_password,
    switch_two_factor,
)
from lkk_core.accounts.profile_view import Profile, ProfileProjection, ProfileView
from lkk_core.accounts.registration import (
    confirm_email,
    register,
    Registration,
    save_personal_data,
    save_phone,
    send_email_code,
)
from lkk_core.accounts.session_list import sessions_page
from lkk_core.accounts.sessions import AccountSessions
from lkk_core.accounts.sessions_view import SessionRow, SessionsProjection, SessionsView
from lkk_core.accounts.staff import AccountImported, import_legacy_account, restore_email

__all__ = [
    "Account",
    "AccountImported",
    "AccountSessions",
    "ChangeEmail",
    "ChangePassword",
    "ClientDevice",
    "CodeLetters",
    "Command",
    "ConfirmLogin",
    "DeleteAccount",
    "EMAIL",
    "EmailAddress",
    "EnterCode",
    "IdentifierIndex",
    "ImportLegacyAccount",
    "LOGIN",
    "LogIn",
    "LoginResult",
    "Profile",
    "ProfileProjection",
    "ProfileView",
    "Register",
    "Registration",
    "RequestPasswordReset",
    "ResendLoginCode",
    "ResetPassword",
    "RestoreEmail",
    "SavePersonalData",
    "SavePhone",
    "SessionRow",
    "SessionsProjection",
    "SessionsView",
    "SwitchTwoFactor",
    "account_by_identifier",
    "acting_account",
    "authenticate",
    "change_email",
    "change_password",
    "claim",
    "confirm_email",
    "confirm_login",
    "delete_account",
    "end_session",
    "import_legacy_account",
    "log_in",
    "log_out",
    "normalise_identifier",
    "register",
    "request_password_reset",
    "resend_login_code",
    "reset_password",
    "restore_email",
    "save_personal_data",
    "save_phone",
    "send_email_code",
    "sessions_page",
    "switch_two_factor",
]
