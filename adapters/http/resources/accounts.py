"""Accounts and authentication over HTTP (DOMAIN.md §1, §11)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

import falcon
from pydantic import BaseModel

from adapters.http.resources.base import Operation, Resource, answer, answer_page, device, paging
from adapters.http.schemas import accounts as schemas
from adapters.http.schemas.common import Written
from lkk_core import Paging, accounts
from lkk_core.accounts import ProfileView
from lkk_core.kernel.errors import Conflict, Expired, NotFound, PreconditionFailed, RateLimited, WrongCredentials


class Registrations(Resource):
    """«Регистрация»."""

    auth = "public"
    OPERATIONS = {"POST": Operation("Register with e-mail and password; the code goes to the e-mail", 201,
                                    schemas.SessionOpened, accounts.Register, "ACC-01, ACC-02, ACC-03, ACC-09",
                                    name="register", refusals=(Conflict,))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.Register) -> None:
        reg = accounts.register(self.services, body, device(req))
        self.written(resp, reg.position, 201, schemas.SessionOpened, reg)


class Sessions(Resource):
    """«Войти»: start a session."""

    auth = "public"
    OPERATIONS = {"POST": Operation("Log in by e-mail or login; 202 when a new device must confirm", 201,
                                    schemas.SessionOpened, accounts.LogIn, "ACC-07, ACC-08",
                                    alternatives=((202, schemas.LoginHeld),),
                                    name="logIn", refusals=(WrongCredentials,))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.LogIn) -> None:
        result = accounts.log_in(self.services, body, device(req, body.device_id))
        if result.token is None:
            self.written(resp, result.position, 202, schemas.LoginHeld, result)
            return
        self.written(resp, result.position, 201, schemas.SessionOpened, result)


class LoginConfirmation(Resource):
    """The code of a login from a new device."""

    auth = "public"
    OPERATIONS = {"POST": Operation("Confirm a held login with its code", 201, schemas.SessionOpened,
                                    accounts.ConfirmLogin, "ACC-08", name="confirmLogin", refusals=(NotFound, Expired))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.ConfirmLogin) -> None:
        result = accounts.confirm_login(self.services, body)
        self.written(resp, result.position, 201, schemas.SessionOpened, result)


class LoginCode(Resource):
    """Another code for a held login."""

    auth = "public"
    OPERATIONS = {"POST": Operation("Send the login code again (once a minute)", 202, Written,
                                    accounts.ResendLoginCode, "ACC-04, ACC-08",
                                    name="resendLoginCode", refusals=(NotFound, Expired, RateLimited))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.ResendLoginCode) -> None:
        self.written(resp, accounts.resend_login_code(self.services, body), 202)


class Me(Resource):
    """«Профиль»."""

    OPERATIONS = {"GET": Operation("Read the profile and the onboarding stage", 200, schemas.Profile,
                                   rules="PRF-01, ACC-05, ACC-12", name="getMe", refusals=(NotFound,))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        profile = self.services.views.of(ProfileView).profile(req.context.actor.account_id)
        if profile is None:
            raise NotFound
        answer(resp, schemas.Profile, profile)


class PersonalData(Resource):
    """«Вы зарегистрировались» / «Редактирование профиля»."""

    OPERATIONS = {"PUT": Operation("Save personal data", 200, Written, accounts.SavePersonalData,
                                   "ACC-05, PRF-02", name="savePersonalData", refusals=(PreconditionFailed,))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, body: accounts.SavePersonalData) -> None:
        self.written(resp, accounts.save_personal_data(self.services, req.context.actor, body))


class Phone(Resource):
    """The phone of the profile."""

    OPERATIONS = {"PUT": Operation("Save the phone (+7XXXXXXXXXX)", 200, Written, accounts.SavePhone,
                                   "ACC-05, PRF-03", name="savePhone", refusals=(PreconditionFailed,))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, body: accounts.SavePhone) -> None:
        self.written(resp, accounts.save_phone(self.services, req.context.actor, body))


class Email(Resource):
    """The e-mail of the profile."""

    OPERATIONS = {"PUT": Operation("Change the e-mail; it is unconfirmed until its code", 200, Written,
                                   accounts.ChangeEmail, "ACC-02, ACC-13, PRF-03",
                                   name="changeEmail", refusals=(Conflict, PreconditionFailed))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, body: accounts.ChangeEmail) -> None:
        self.written(resp, accounts.change_email(self.services, req.context.actor, body))


class EmailCode(Resource):
    """«Подтвердить» / «Отправить ещё раз»."""

    OPERATIONS = {"POST": Operation("E-mail a confirmation code (once a minute)", 202, Written,
                                    rules="ACC-04, ACC-12", name="sendEmailCode", refusals=(Conflict, RateLimited))}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.written(resp, accounts.send_email_code(self.services, req.context.actor), 202)


class EmailConfirmation(Resource):
    """«Введите код, отправленный на почту»."""

    OPERATIONS = {"POST": Operation("Confirm the e-mail with its code", 200, Written, accounts.EnterCode,
                                    "ACC-03, ACC-12", name="confirmEmail", refusals=(Expired,))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.EnterCode) -> None:
        self.written(resp, accounts.confirm_email(self.services, req.context.actor, body))


class Password(Resource):
    """«Изменение пароля»."""

    OPERATIONS = {"PUT": Operation("Change the password", 200, Written, accounts.ChangePassword,
                                   "ACC-09, ACC-10", name="changePassword", refusals=(PreconditionFailed,))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, body: accounts.ChangePassword) -> None:
        self.written(resp, accounts.change_password(self.services, req.context.actor, body))


class TwoFactor(Resource):
    """«Двухфакторная аутентификация»."""

    OPERATIONS = {"PUT": Operation("Switch confirmation of logins from new devices", 200, Written,
                                   accounts.SwitchTwoFactor, "ACC-08",
                                   name="switchTwoFactor", refusals=(PreconditionFailed,))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, body: accounts.SwitchTwoFactor) -> None:
        self.written(resp, accounts.switch_two_factor(self.services, req.context.actor, body))


class Deletion(Resource):
    """«Удалить аккаунт»."""

    OPERATIONS = {"POST": Operation("Delete the account (confirm with the password)", 200, Written,
                                    accounts.DeleteAccount, "ACC-17", name="deleteAccount")}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.DeleteAccount) -> None:
        self.written(resp, accounts.delete_account(self.services, req.context.actor, body))


class SessionList(Resource):
    """«Сессии»."""

    QUERY: ClassVar[dict[str, type[BaseModel]]] = {"GET": Paging}
    OPERATIONS = {"GET": Operation("List sessions, newest first, a page at a time; the current one is marked", 200,
                                   schemas.Sessions, rules="ACC-14", name="listSessions")}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.read_after(req)
        answer_page(req, resp, schemas.Sessions, accounts.sessions_page(self.services, req.context.actor, paging(req)))


class SessionItem(Resource):
    """«Завершить» one session."""

    OPERATIONS = {"DELETE": Operation("End a session: the current one logs out", 200, Written,
                                      rules="ACC-14", name="endSession", refusals=(NotFound,))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, session_id: UUID) -> None:
        self.written(resp, accounts.end_session(self.services, req.context.actor, session_id))


class Logout(Resource):
    """«Выйти»."""

    OPERATIONS = {"POST": Operation("End the current session", 200, Written, rules="ACC-15", name="logOut")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.written(resp, accounts.log_out(self.services, req.context.actor))


class PasswordRecovery(Resource):
    """«Вспомнить пароль» → «Восстановить»."""

    auth = "public"
    OPERATIONS = {"POST": Operation("E-mail a recovery code; the answer never tells whether the e-mail exists",
                                    202, None, accounts.RequestPasswordReset, "ACC-11", name="requestPasswordReset",
                                    writes=False)}  # no position: it would tell whether the e-mail exists

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.RequestPasswordReset) -> None:
        accounts.request_password_reset(self.services, body)
        resp.status = 202
        resp.media = {}


class PasswordRecoveryConfirmation(Resource):
    """The recovery code with the new password."""

    auth = "public"
    OPERATIONS = {"POST": Operation("Set a new password with the recovery code; all sessions end", 200,
                                    Written, accounts.ResetPassword, "ACC-09, ACC-11",
                                    name="resetPassword", refusals=(Expired,))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.ResetPassword) -> None:
        self.written(resp, accounts.reset_password(self.services, body))


class StaffLegacyAccounts(Resource):
    """Staff: import a legacy account."""

    auth = "staff"
    OPERATIONS = {"POST": Operation("Import an account that logs in by login", 201, schemas.AccountCreated,
                                    accounts.ImportLegacyAccount, "ACC-07, ACC-11a",
                                    name="staffImportLegacyAccount", refusals=(Conflict,))}

    def on_post(self, req: falcon.Request, resp: falcon.Response, body: accounts.ImportLegacyAccount) -> None:
        imported = accounts.import_legacy_account(self.services, req.context.staff, body)
        self.written(resp, imported.position, 201, schemas.AccountCreated, imported)


class StaffAccountEmail(Resource):
    """Staff: restore the e-mail of a legacy account."""

    auth = "staff"
    OPERATIONS = {"PUT": Operation("Restore a removed e-mail, unconfirmed", 200, Written,
                                   accounts.RestoreEmail, "ACC-11a",
                                   name="staffRestoreEmail", refusals=(NotFound, Conflict))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, account_id: UUID, body: accounts.RestoreEmail) -> None:
        self.written(resp, accounts.restore_email(self.services, req.context.staff, account_id, body))

