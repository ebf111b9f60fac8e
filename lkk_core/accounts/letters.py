"""The letters of the accounts context: e-mailed codes (ACC-03, ACC-08, ACC-11)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lkk_core.accounts.account import CONFIRM_EMAIL, CONFIRM_LOGIN, RESET_PASSWORD, Account
from lkk_core.kernel.letters import SIGNATURE, message_id
from lkk_core.kernel.personal_data import is_redacted
from lkk_core.kernel.ports import OutgoingMail

if TYPE_CHECKING:
    from lkk_core.kernel.outbox import Outbox

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


def code_letter(event: Any, code: str) -> OutgoingMail:
    """Write the letter that carries an e-mailed code (ACC-03, ACC-08, ACC-11)."""
    minutes = int((event.expires_at - event.at).total_seconds() // 60)
    body = (
        f"Здравствуйте!\n\n{CODE_PURPOSES[event.purpose]}: {code}\n\n"
        f"Код действует {minutes} мин. Если вы не запрашивали код, просто проигнорируйте это письмо.\n\n"
        f"{SIGNATURE}"
    )
    return OutgoingMail(message_id(event), event.to, CODE_SUBJECTS[event.purpose], body)


class CodeLetters:
    """Writes the letter of every ``Account.CodeIssued``, with the code derived from its nonce."""

    events = (Account.CodeIssued,)

    def letter(self, event: Any, outbox: Outbox) -> OutgoingMail | None:
        """Return the code letter; None once the address is gone (changed or shredded)."""
        if not event.to or is_redacted(event.to):
            return None
        return code_letter(event, outbox.secret.code(event.originator_id, event.purpose, event.nonce))
