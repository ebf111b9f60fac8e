"""The letters the portal sends, written from the events that asked for them.

Each function turns one recorded event (and what the outbox derives or looks
up for it) into an ``OutgoingMail``. The ``message_id`` is the event's
originator id and version, so a redelivery after a crash is the same message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from lkk_core.aggregates.account import CONFIRM_EMAIL, CONFIRM_LOGIN, RESET_PASSWORD
from lkk_core.permissions import Role
from lkk_core.ports import OutgoingMail

SIGNATURE = "Личный кабинет для юридических лиц"

# NOTE: proposals: the manual shows only the modal (Fig. 3, Fig. 105), not the letter.
CODE_SUBJECTS = {
    CONFIRM_EMAIL: "Код подтверждения адреса электронной почты",
    RESET_PASSWORD: "Код для восстановления пароля",
    CONFIRM_LOGIN: "Код подтверждения входа в личный кабинет",
}
CODE_PURPOSES = {
    CONFIRM_EMAIL: "Для подтверждения адреса электронной почты введите код",
    RESET_PASSWORD: "Для восстановления пароля введите код",
    CONFIRM_LOGIN: "Выполняется вход в личный кабинет с нового устройства или браузера. Для подтверждения введите код",
}


def _message_id(event: Any) -> str:
    return f"{event.originator_id.hex}.{event.originator_version}"


def code_letter(event: Any, code: str) -> OutgoingMail:
    """Write the letter that carries an e-mailed code (ACC-03, ACC-08, ACC-11)."""
    minutes = int((event.expires_at - event.at).total_seconds() // 60)
    body = (
        f"Здравствуйте!\n\n{CODE_PURPOSES[event.purpose]}: {code}\n\n"
        f"Код действует {minutes} мин. Если вы не запрашивали код, просто проигнорируйте это письмо.\n\n"
        f"{SIGNATURE}"
    )
    return OutgoingMail(_message_id(event), event.to, CODE_SUBJECTS[event.purpose], body)


def binding_link(portal_url: str, binding_id: Any, token: str) -> str:
    """Return the confirmation link of a binding request (CON-04)."""
    query = urlencode({"binding_id": str(binding_id), "token": token})
    return f"{portal_url.rstrip('/')}/v1/contract-bindings/confirmation?{query}"


def binding_letter(event: Any, link: str, contract_name: str | None) -> OutgoingMail:
    """Write the letter with the link that completes a binding (CON-04); the text is a proposal."""
    named = f" «{contract_name}»" if contract_name else ""
    body = (
        "Здравствуйте!\n\n"
        f"В личном кабинете для юридических лиц запрошено добавление договора № {event.contract_number}{named}.\n"
        f"Чтобы подтвердить добавление, перейдите по ссылке:\n{link}\n\n"
        "Ссылка действует 24 часа. Если вы не запрашивали добавление договора, просто проигнорируйте это письмо.\n\n"
        f"{SIGNATURE}"
    )
    subject = f"Подтверждение добавления договора № {event.contract_number}"  # NOTE: proposal
    return OutgoingMail(_message_id(event), event.email, subject, body)


def role_letter(
    event: Any, to: str, contract_name: str, portal_url: str, credentials: tuple[str, str] | None
) -> OutgoingMail:
    """Write «На договор … Вам назначена роль …» (ROL-14), with the login and password of a new account (ROL-16)."""
    body = (
        f"Здравствуйте!\n\nНа договор {contract_name} Вам назначена роль {Role(event.role).label}. "
        f"Вы можете посмотреть изменения в личном кабинете {portal_url}\n"
    )
    if credentials is not None:
        login, password = credentials
        body += (
            "\nДля Вас создан личный кабинет. Войдите по электронной почте или логину и паролю:\n"  # NOTE: proposal
            f"Логин: {login}\nПароль: {password}\n"
            "После входа заполните личные данные; пароль можно сменить в профиле.\n"
        )
    body += f"\n{SIGNATURE}"
    subject = f"Вам назначена роль на договор {event.contract_number}"  # NOTE: proposal
    return OutgoingMail(_message_id(event), to, subject, body)
