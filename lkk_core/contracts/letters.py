"""The letters of the contracts context: the binding link (CON-04) and «Вам назначена роль» (ROL-14, ROL-16)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from lkk_core.contracts.contract_binding import ContractBinding
from lkk_core.contracts.contract_roles import BINDING, ContractRoles
from lkk_core.kernel.letters import SIGNATURE, message_id
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.personal_data import is_redacted
from lkk_core.kernel.ports import OutgoingMail

if TYPE_CHECKING:
    from lkk_core.kernel.outbox import Outbox


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
    return OutgoingMail(message_id(event), event.email, subject, body)


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
    return OutgoingMail(message_id(event), to, subject, body)


def _contract_name(outbox: Outbox, number: str, *, default: str | None) -> str | None:
    contract = outbox.billing.find_contract(number) if outbox.billing else None
    return contract.name if contract else default


class BindingLetters:
    """Writes the letter with the link of every binding request (CON-04)."""

    events = (ContractBinding.Requested, ContractBinding.RequestedAgain)

    def letter(self, event: Any, outbox: Outbox) -> OutgoingMail | None:
        """Return the link letter; None once the address is shredded."""
        if is_redacted(event.email):
            return None
        link = binding_link(outbox.portal_url, event.originator_id,
                            outbox.secret.link_token(event.originator_id, event.nonce))
        return binding_letter(event, link, _contract_name(outbox, event.contract_number, default=None))


class RoleLetters:
    """Writes «Вам назначена роль» for grants and changes, with a new account's first password (ROL-14, ROL-16)."""

    events = (ContractRoles.RoleGranted, ContractRoles.RoleChanged)

    def letter(self, event: Any, outbox: Outbox) -> OutgoingMail | None:
        """Return the role letter; None for a binder's own role or a grantee gone."""
        if event.source == BINDING:
            return None  # the binder followed the link; the bell tells them (CON-08)
        grantee = outbox.app.repository.get(event.account_id)
        if grantee.is_deleted or not grantee.email:
            return None
        credentials = None
        if event.invitation_nonce:
            credentials = (grantee.login, outbox.secret.initial_password(event.originator_id, event.invitation_nonce))
        name = _contract_name(outbox, event.contract_number, default=f"№ {event.contract_number}")
        return role_letter(event, grantee.email, name or "", outbox.portal_url, credentials)
