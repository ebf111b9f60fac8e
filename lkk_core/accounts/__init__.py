"""Use cases of accounts and authentication (DOMAIN.md §1, §11)."""

from lkk_core.accounts.login import (
    LoginResult,
    authenticate,
    confirm_login,
    end_session,
    log_in,
    log_out,
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
from lkk_core.accounts.registration import (
    Registration,
    confirm_email,
    register,
    save_personal_data,
    save_phone,
    send_email_code,
)
from lkk_core.accounts.staff import import_legacy_account, restore_email

__all__ = [
    "LoginResult",
    "Registration",
    "authenticate",
    "change_email",
    "change_password",
    "confirm_email",
    "confirm_login",
    "delete_account",
    "end_session",
    "import_legacy_account",
    "log_in",
    "log_out",
    "register",
    "request_password_reset",
    "resend_login_code",
    "reset_password",
    "restore_email",
    "save_personal_data",
    "save_phone",
    "send_email_code",
    "switch_two_factor",
]
