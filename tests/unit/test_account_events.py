"""The Account aggregate's events are its stored contract: topics, fields and personal fields stay as logged.

The class is composed of one module per job (account_profile, account_codes,
account_sessions, account_personal_data); a log written before the split must
still replay (tests/integration/test_log_before_issue9.py), and personal data
must still be encrypted under the person's key, so that deleting the account
shreds it (ACC-17).
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import CanMutateAggregate

from lkk_core.accounts import Account
from lkk_core.accounts.account_sessions import LoginChallenge
from lkk_core.kernel.personal_data.markers import pii_fields

# event: (TOPIC, fields in order, personal fields), as logged since before issue 9.
LOGGED = {
    "CodeIssued": ("lkk:Account.CodeIssued", ("purpose", "to", "nonce", "code_hash", "at", "expires_at", "attempts"),
                   ("to",)),
    "CodeRejected": ("lkk:Account.CodeRejected", ("purpose", "attempts_left", "at"), ()),
    "Deleted": ("lkk:Account.Deleted", ("at",), ()),
    "EmailChanged": ("lkk:Account.EmailChanged", ("email", "at"), ("email",)),
    "EmailConfirmed": ("lkk:Account.EmailConfirmed", ("at",), ()),
    "EmailRestored": ("lkk:Account.EmailRestored", ("email", "staff_id", "at"), ("email",)),
    "LoggedIn": ("lkk:Account.LoggedIn",
                 ("session_id", "token_hash", "fingerprint", "browser", "browser_version", "os", "at"), ()),
    "LoginChallenged": ("lkk:Account.LoginChallenged",
                        ("challenge_id", "fingerprint", "browser", "browser_version", "os", "at"), ()),
    "PasswordChanged": ("lkk:Account.PasswordChanged", ("password_hash", "at"), ("password_hash",)),
    "PasswordReset": ("lkk:Account.PasswordReset", ("password_hash", "at"), ("password_hash",)),
    "PersonalDataSaved": ("lkk:Account.PersonalDataSaved",
                          ("last_name", "first_name", "patronymic", "organisation", "position", "address", "at"),
                          ("address", "first_name", "last_name", "organisation", "patronymic", "position")),
    "PhoneSaved": ("lkk:Account.PhoneSaved", ("phone", "at"), ("phone",)),
    "Registered": ("lkk:Account.Registered",
                   ("email", "login", "password_hash", "advertising", "agreement_accepted_at", "origin", "at"),
                   ("email", "login", "password_hash")),
    "SessionEnded": ("lkk:Account.SessionEnded", ("session_id", "reason", "at"), ()),
    "TwoFactorSwitched": ("lkk:Account.TwoFactorSwitched", ("enabled", "at"), ()),
}
ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_id_type", "originator_topic"}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def account_events() -> dict[str, type]:
    return {
        name: value for name, value in vars(Account).items()
        if isinstance(value, type) and issubclass(value, CanMutateAggregate) and name not in ("Event", "Created")
    }


def test_acc17_account_events_keep_their_logged_topics_fields_and_personal_fields() -> None:
    found = {
        name: (cls.TOPIC, tuple(f for f in typing.get_type_hints(cls) if f not in ENVELOPE), tuple(sorted(pii_fields(cls))))
        for name, cls in account_events().items()
    }

    assert found == LOGGED
    assert Account.TOPIC == "lkk:Account"
    assert Account.Deleted.forgets_subject is True  # type: ignore[attr-defined]


def test_acc03_acc08_acc17_one_account_story_replays_from_its_events_to_the_same_state() -> None:
    # Every job's events on one aggregate: the composed class applies each the same on replay.
    account = Account.register(email="a@example.com", password_hash="h1", advertising=False,
                               agreement_accepted=True, now=NOW)
    account.issue_code("confirm_email", to="a@example.com", nonce="n", code_hash="c", now=NOW,
                       ttl=timedelta(minutes=15), attempts=5)
    assert account.confirm_email("wrong", now=NOW) is False
    assert account.confirm_email("c", now=NOW) is True
    account.save_personal_data(now=NOW, last_name="Иванова", first_name="Анна")
    account.save_phone("+78121231231", now=NOW)
    account.switch_two_factor(True, now=NOW)
    session_id = uuid4()
    account.start_session(session_id, "t", LoginChallenge(uuid4(), "fp", "Chrome", "112", "Windows"), now=NOW)
    account.change_password("h2", now=NOW)
    account.end_session(session_id, now=NOW, reason="logout")
    account.delete(now=NOW)
    events = account.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert [type(e).__name__ for e in events] == [
        "Registered", "CodeIssued", "CodeRejected", "EmailConfirmed", "PersonalDataSaved", "PhoneSaved",
        "TwoFactorSwitched", "LoggedIn", "PasswordChanged", "SessionEnded", "Deleted",
    ]
    assert vars(replayed) == vars(account)
    assert account.is_deleted and account.sessions == {} and account.personal_data["last_name"] != "Иванова"


IMMUTABLE = (str, int, bool, float, type(None), datetime, UUID)


def immutable(value: object) -> bool:
    if isinstance(value, IMMUTABLE):
        return True
    if dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return all(immutable(getattr(value, f.name)) for f in dataclasses.fields(value))
    return isinstance(value, tuple) and all(immutable(v) for v in value)


def test_a_commands_copy_of_the_cached_account_shares_no_mutable_state_with_it() -> None:
    # The one-level __deepcopy__ is a deep copy only while every held value is immutable
    # or a dict, set or list of immutables: check that for an account with every kind of state.
    account = Account.register(email="a@example.com", password_hash="h1", advertising=False,
                               agreement_accepted=True, now=NOW)
    account.issue_code("confirm_email", to="a@example.com", nonce="n", code_hash="c", now=NOW,
                       ttl=timedelta(minutes=15), attempts=5)
    account.confirm_email("c", now=NOW)
    account.save_personal_data(now=NOW, last_name="Иванова", first_name="Анна")
    account.save_phone("+78121231231", now=NOW)
    account.switch_two_factor(True, now=NOW)
    account.challenge_login(LoginChallenge(uuid4(), "fp2", "Firefox", "112", "Windows"), now=NOW)
    account.start_session(uuid4(), "t", LoginChallenge(uuid4(), "fp", "Chrome", "112", "Windows"), now=NOW)
    account.challenge_login(LoginChallenge(uuid4(), "fp3", "Edge", "112", "Windows"), now=NOW)

    copied = copy.deepcopy(account)

    assert vars(copied) == vars(account)
    for name, value in vars(account).items():
        if isinstance(value, dict):
            assert copied.__dict__[name] is not value
            assert all(immutable(k) and immutable(v) for k, v in value.items()), name
        elif isinstance(value, (set, list)):
            assert copied.__dict__[name] is not value
            assert all(immutable(v) for v in value), name
        else:
            assert immutable(value), name
    copied.save_phone("+78121231232", now=NOW)
    assert account.phone == "+78121231231" and len(copied.collect_events()) == len(account.collect_events()) + 1
