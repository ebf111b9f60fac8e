"""Every account command, raced: the store settles it and ``services.write`` retries the losers (ARCHITECTURE.md §2).

Each racer is its own "process" (its own bootstrap()ed services, application,
pool and caches over one store and one clock), released at once by a barrier.
To make the race certain rather than likely, every racer's first save waits
until all racers have loaded and decided, so in the first round all but one
lose (the store's ``IntegrityError``) and must retry on fresh state.

What each test proves: no racer gets anything but the domain's own refusals
(``LkkError``), never a raw store error (an HTTP 500) nor a ``Conflict`` for
having lost every retry; and the end state is what the winners wrote.
A guard over the whole file: no command saves outside ``services.write``.
"""

from __future__ import annotations

import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import falcon.testing
import pytest
from eventsourcing.persistence import IntegrityError

from lkk_core import accounts
from lkk_core.accounts import (
    Account,
    ChangeEmail,
    ChangePassword,
    ConfirmLogin,
    DeleteAccount,
    EnterCode,
    ImportLegacyAccount,
    LogIn,
    ProfileView,
    Register,
    RequestPasswordReset,
    ResendLoginCode,
    ResetPassword,
    RestoreEmail,
    SavePersonalData,
    SavePhone,
    SessionsView,
    SwitchTwoFactor,
)
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.kernel.errors import Conflict, LkkError, Unauthenticated, WrongCredentials
from lkk_core.kernel.services import Actor, Services, StaffActor
from tests.contracts_support import Catalogue
from tests.http_support import CHROME_UA
from tests.support import CHROME, FIREFOX, PASSWORD, Mailbox, registered

pytestmark = pytest.mark.slow

RACERS = 8
LOGINS = 16
STAFF = StaffActor("staff-1")
LOST_RACE = "Операция не выполнена из-за одновременного изменения, повторите её"  # services.write gave up


class WritePath:
    """Wraps ``Services.write`` and ``save``: saves outside a write are noted; racers' first saves meet."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.outside: list[str] = []
        self.lost = 0  # saves the store refused (a concurrent writer won)
        self.collide: threading.Barrier | None = None
        self.lock = threading.Lock()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        write, save = Services.write, Services.save
        path = self

        def counted_write(services: Services, attempt: Callable[[], Any]) -> Any:
            depth = getattr(path.local, "depth", 0)
            path.local.depth = depth + 1
            try:
                return write(services, attempt)
            finally:
                path.local.depth = depth

        def watched_save(services: Services, *aggregates: Any) -> int:
            if not getattr(path.local, "depth", 0):
                path.outside.append("".join(traceback.format_stack(limit=6)))
            barrier = path.collide
            if barrier is not None and not getattr(path.local, "collided", False):
                path.local.collided = True
                try:
                    barrier.wait(timeout=10)  # every racer has loaded the same version
                except threading.BrokenBarrierError:
                    pass
            try:
                return save(services, *aggregates)
            except IntegrityError:
                with path.lock:
                    path.lost += 1
                raise

        monkeypatch.setattr(Services, "write", counted_write)
        monkeypatch.setattr(Services, "save", watched_save)


@pytest.fixture(autouse=True)
def write_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[WritePath]:
    path = WritePath()
    path.install(monkeypatch)
    yield path
    assert path.outside == [], "saved outside services.write:\n" + "\n".join(path.outside)


@pytest.fixture
def mailbox(store_services: Services) -> Mailbox:
    return Mailbox(store_services)


Racers = Callable[[int], list[Services]]


@pytest.fixture
def racers(store_env: dict[str, str], clock: FixedClock) -> Iterator[Racers]:
    """``racers(n)``: n services of their own over the store, sharing the test's clock; closed afterwards."""
    built: list[Services] = []

    def build(n: int) -> list[Services]:
        while len(built) < n:
            built.append(bootstrap({**store_env, "POSTGRES_POOL_SIZE": "2"}, clock=clock, billing=Catalogue()))
        return built[:n]

    yield build
    for services in built:
        services.views.close()
        services.app.close()


def race(path: WritePath, racers: list[Services], step: Callable[[int, Services], Any]) -> list[Any]:
    """Run ``step(i, services)`` in one thread per racer, all at once; return each outcome (result or exception)."""
    start = threading.Barrier(len(racers))
    outcomes: list[Any] = [None] * len(racers)

    def run(i: int, services: Services) -> None:
        start.wait()
        try:
            outcomes[i] = step(i, services)
        except Exception as ex:  # noqa: BLE001  (judged below, not swallowed)
            outcomes[i] = ex

    path.collide, path.lost = threading.Barrier(len(racers)), 0
    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    path.collide = None
    return outcomes


def judged(outcomes: list[Any]) -> Counter[str]:
    """Count outcomes as ``ok`` or ``code:field``; a raw error or a lost-every-retry Conflict fails the test."""
    for outcome in outcomes:
        if isinstance(outcome, Exception) and not isinstance(outcome, LkkError):
            raise AssertionError(f"a raw {type(outcome).__name__} escaped (an HTTP 500)") from outcome
        if isinstance(outcome, Conflict) and outcome.message == LOST_RACE:
            raise AssertionError(f"a racer lost all retries: {outcomes}") from outcome
    return Counter(
        f"{o.code}:{o.details.get('field')}" if isinstance(o, LkkError) else "ok" for o in outcomes
    )


def fresh(services: Services, account_id: Any) -> Account:
    services.app.repository.cache = None  # read the log, not what this process remembers
    return services.get(Account, account_id)


def events(services: Services, account_id: Any, kind: type) -> list[Any]:
    return [e for e in services.app.events.get(account_id) if isinstance(e, kind)]


def live_sessions(account: Account) -> set[Any]:
    return {sid for sid in account.sessions if account.live_session(sid)}


def logged_in(services: Services, email: str, password: str = PASSWORD, device: Any = CHROME) -> Actor:
    result = accounts.log_in(services, LogIn(identifier=email, password=password), device)
    assert result.session_id is not None
    return Actor(result.account_id, result.session_id)


def challenged(services: Services, mailbox: Mailbox, email: str) -> tuple[Actor, Any, str]:
    """An onboarded account with 2FA on, and a login from a new browser held for its code (ACC-08)."""
    actor = registered(services, mailbox, email)
    accounts.switch_two_factor(services, actor, SwitchTwoFactor(enabled=True))
    held = accounts.log_in(services, LogIn(identifier=email, password=PASSWORD), FIREFOX)
    assert held.challenge_id is not None
    return actor, held.challenge_id, mailbox.last_code(email)


def other_code(code: str) -> str:
    return "11111" if code != "11111" else "22222"


# -- registration and onboarding (ACC-01 … ACC-05, ACC-12) -------------------------------------------------


def test_acc02_one_email_registered_by_eight_at_once_yields_one_account(
    store_services: Services, racers: Racers, write_path: WritePath
) -> None:
    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.register(
        s, Register(email="race@example.com", password=PASSWORD, agreement_accepted=True), CHROME))

    assert judged(outcomes) == {"ok": 1, "conflict:email": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    store_services.views.catch_up()
    assert len(store_services.views.of(ProfileView).rows("SELECT * FROM {profile}")) == 1


def test_acc03_eight_at_once_confirm_the_email_once_and_the_rest_find_the_code_used(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "confirm@example.com", confirm=False)
    code = mailbox.last_code("confirm@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.confirm_email(s, actor, EnterCode(code=code)))

    assert judged(outcomes) == {"ok": 1, "expired:code": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    assert fresh(store_services, actor.account_id).email_confirmed


def test_acc03_eight_wrong_codes_at_once_use_up_the_five_attempts_exactly(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "wrong@example.com", confirm=False)
    wrong = other_code(mailbox.last_code("wrong@example.com"))

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.confirm_email(s, actor, EnterCode(code=wrong)))

    # Each refusal's count was saved before it was told (no lost update): 5 wrong, then the code is void.
    assert judged(outcomes) == {"validation_failed:code": 5, "expired:code": RACERS - 5}
    assert len(events(store_services, actor.account_id, Account.CodeRejected)) == 5
    assert "confirm_email" not in fresh(store_services, actor.account_id).codes


def test_acc04_eight_at_once_ask_for_a_new_email_code_and_one_is_sent(
    store_services: Services, mailbox: Mailbox, clock: FixedClock, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "resend@example.com")
    clock.advance(seconds=61)
    before = len(events(store_services, actor.account_id, Account.CodeIssued))

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.send_email_code(s, actor))

    assert judged(outcomes) == {"ok": 1, "rate_limited:None": RACERS - 1}
    assert len(events(store_services, actor.account_id, Account.CodeIssued)) == before + 1


def test_acc05_personal_data_saved_by_eight_at_once_the_last_written_is_shown(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "data@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.save_personal_data(
        s, actor, SavePersonalData(last_name=f"Иванова{i}", first_name="Анна")))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    saved = events(store_services, actor.account_id, Account.PersonalDataSaved)
    assert sorted(e.last_name for e in saved[-RACERS:]) == sorted(f"Иванова{i}" for i in range(RACERS))
    assert fresh(store_services, actor.account_id).personal_data["last_name"] == saved[-1].last_name
    store_services.views.catch_up()
    assert store_services.views.of(ProfileView).profile(actor.account_id).last_name == saved[-1].last_name


def test_prf03_phone_saved_by_eight_at_once_the_last_written_is_shown(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "phone@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.save_phone(
        s, actor, SavePhone(phone=f"+7 812 123-12-{i:02d}")))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    saved = events(store_services, actor.account_id, Account.PhoneSaved)
    assert sorted(e.phone for e in saved[-RACERS:]) == sorted(f"+781212312{i:02d}" for i in range(RACERS))
    assert fresh(store_services, actor.account_id).phone == saved[-1].phone
    store_services.views.catch_up()
    assert store_services.views.of(ProfileView).profile(actor.account_id).phone == saved[-1].phone


# -- login and sessions (ACC-07, ACC-08, ACC-14, ACC-15) ----------------------------------------------------


def test_acc07_sixteen_logins_to_one_account_at_once_open_sixteen_sessions(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "login@example.com")

    outcomes = race(write_path, racers(LOGINS), lambda i, s: accounts.log_in(
        s, LogIn(identifier="login@example.com", password=PASSWORD), CHROME))

    assert judged(outcomes) == {"ok": LOGINS}
    assert write_path.lost >= LOGINS - 1
    account = fresh(store_services, actor.account_id)
    assert live_sessions(account) == {actor.session_id} | {o.session_id for o in outcomes}
    for outcome in outcomes:
        assert accounts.authenticate(store_services, outcome.token) == Actor(actor.account_id, outcome.session_id)
    store_services.views.catch_up()
    assert len(store_services.views.of(SessionsView).sessions(actor.account_id)) == LOGINS + 1


def test_acc07_eight_wrong_passwords_at_once_are_each_refused_alike(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    registered(store_services, mailbox, "guess@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.log_in(
        s, LogIn(identifier="guess@example.com", password=f"Wrong#{i}pass"), CHROME))

    assert all(type(o) is WrongCredentials for o in outcomes), outcomes


def test_acc08_eight_at_once_confirm_one_held_login_and_one_session_opens(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor, challenge_id, code = challenged(store_services, mailbox, "twofa@example.com")
    cmd = ConfirmLogin(account_id=actor.account_id, challenge_id=challenge_id, code=code)

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.confirm_login(s, cmd))

    assert judged(outcomes) == {"ok": 1, "not_found:challenge_id": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    (winner,) = [o for o in outcomes if isinstance(o, accounts.LoginResult)]
    account = fresh(store_services, actor.account_id)
    assert live_sessions(account) == {actor.session_id, winner.session_id}
    assert account.challenge is None


def test_acc08_eight_wrong_login_codes_at_once_use_up_the_five_attempts_exactly(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor, challenge_id, code = challenged(store_services, mailbox, "twofa-wrong@example.com")
    cmd = ConfirmLogin(account_id=actor.account_id, challenge_id=challenge_id, code=other_code(code))

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.confirm_login(s, cmd))

    assert judged(outcomes) == {"validation_failed:code": 5, "expired:code": RACERS - 5}
    assert "confirm_login" not in fresh(store_services, actor.account_id).codes


def test_acc04_eight_at_once_ask_for_a_new_login_code_and_one_is_sent(
    store_services: Services, mailbox: Mailbox, clock: FixedClock, racers: Racers, write_path: WritePath
) -> None:
    actor, challenge_id, _ = challenged(store_services, mailbox, "twofa-resend@example.com")
    clock.advance(seconds=61)
    cmd = ResendLoginCode(account_id=actor.account_id, challenge_id=challenge_id)

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.resend_login_code(s, cmd))

    assert judged(outcomes) == {"ok": 1, "rate_limited:None": RACERS - 1}
    issued = [e for e in events(store_services, actor.account_id, Account.CodeIssued) if e.purpose == "confirm_login"]
    assert len(issued) == 2  # the login's code and one resend


def test_acc08_two_factor_switched_on_by_eight_at_once_is_switched_once(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "switch@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.switch_two_factor(
        s, actor, SwitchTwoFactor(enabled=True)))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    assert len(events(store_services, actor.account_id, Account.TwoFactorSwitched)) == 1
    assert fresh(store_services, actor.account_id).two_factor


def test_acc14_eight_sessions_ended_at_once_all_end(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "end@example.com")
    others = [logged_in(store_services, "end@example.com") for _ in range(RACERS)]

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.end_session(s, actor, others[i].session_id))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    assert live_sessions(fresh(store_services, actor.account_id)) == {actor.session_id}
    assert len(events(store_services, actor.account_id, Account.SessionEnded)) == RACERS


def test_acc15_eight_sessions_logging_out_at_once_all_log_out(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "out@example.com")
    sessions = [actor] + [logged_in(store_services, "out@example.com") for _ in range(RACERS - 1)]

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.log_out(s, sessions[i]))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    assert live_sessions(fresh(store_services, actor.account_id)) == set()


# -- profile and passwords (ACC-10, ACC-11, ACC-13, ACC-17) -------------------------------------------------


def test_acc10_eight_password_changes_at_once_one_wins_the_rest_have_a_wrong_old_password(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "change@example.com")
    new = [f"Secret#{i}45" for i in range(RACERS)]

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.change_password(
        s, actor, ChangePassword(old_password=PASSWORD, new_password=new[i], new_password_again=new[i])))

    # The losers are checked against the winner's hash on their retry: their old password is no longer right.
    assert judged(outcomes) == {"ok": 1, "validation_failed:old_password": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    (winner,) = [i for i, o in enumerate(outcomes) if isinstance(o, int)]
    logged_in(store_services, "change@example.com", new[winner])
    with pytest.raises(WrongCredentials):
        logged_in(store_services, "change@example.com", PASSWORD)


def test_acc13_eight_email_changes_at_once_leave_only_the_last_email_held(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "move@example.com")
    emails = [f"moved{i}@example.com" for i in range(RACERS)]

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.change_email(s, actor, ChangeEmail(email=emails[i])))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    final = fresh(store_services, actor.account_id).email
    assert final in emails
    holders = {e: accounts.account_by_identifier(store_services, e) for e in ["move@example.com", *emails]}
    assert {e for e, account in holders.items() if account is not None} == {final}


def test_acc11_eight_reset_requests_at_once_send_one_code(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "forgot@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.request_password_reset(
        s, RequestPasswordReset(email="forgot@example.com")))

    assert judged(outcomes) == {"ok": RACERS}  # the same answer to all: an e-mail's existence is not told
    assert write_path.lost >= RACERS - 1
    issued = [e for e in events(store_services, actor.account_id, Account.CodeIssued) if e.purpose == "reset_password"]
    assert len(issued) == 1


def test_acc11_eight_resets_with_one_code_at_once_one_wins_and_every_session_ends(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "reset@example.com")
    accounts.request_password_reset(store_services, RequestPasswordReset(email="reset@example.com"))
    code = mailbox.last_code("reset@example.com")
    new = [f"Secret#{i}67" for i in range(RACERS)]

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.reset_password(s, ResetPassword(
        email="reset@example.com", code=code, new_password=new[i], new_password_again=new[i])))

    assert judged(outcomes) == {"ok": 1, "validation_failed:code": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    (winner,) = [i for i, o in enumerate(outcomes) if isinstance(o, int)]
    assert live_sessions(fresh(store_services, actor.account_id)) == set()
    logged_in(store_services, "reset@example.com", new[winner])


def test_acc17_one_account_deleted_from_eight_sessions_at_once_is_deleted_once(
    store_services: Services, mailbox: Mailbox, racers: Racers, write_path: WritePath
) -> None:
    actor = registered(store_services, mailbox, "gone@example.com")

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.delete_account(
        s, actor, DeleteAccount(password=PASSWORD)))

    assert judged(outcomes) == {"ok": 1, "unauthenticated:None": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    assert len(events(store_services, actor.account_id, Account.Deleted)) == 1
    with pytest.raises(Unauthenticated):
        accounts.acting_account(store_services, actor)
    registered(store_services, mailbox, "gone@example.com")  # the e-mail is free again


# -- staff (ACC-07, ACC-11a) --------------------------------------------------------------------------------


def test_acc11a_one_legacy_login_imported_by_eight_at_once_yields_one_account(
    store_services: Services, racers: Racers, write_path: WritePath
) -> None:
    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.import_legacy_account(
        s, STAFF, ImportLegacyAccount(login="legacy", password=PASSWORD)))

    assert judged(outcomes) == {"ok": 1, "conflict:login": RACERS - 1}
    assert write_path.lost >= RACERS - 1
    (winner,) = [o for o in outcomes if isinstance(o, accounts.AccountImported)]
    assert accounts.account_by_identifier(store_services, "legacy").id == winner.account_id


def test_acc11a_eight_emails_restored_at_once_leave_only_the_last_held(
    store_services: Services, racers: Racers, write_path: WritePath
) -> None:
    imported = accounts.import_legacy_account(store_services, STAFF, ImportLegacyAccount(login="old", password=PASSWORD))
    emails = [f"restored{i}@example.com" for i in range(RACERS)]

    outcomes = race(write_path, racers(RACERS), lambda i, s: accounts.restore_email(
        s, STAFF, imported.account_id, RestoreEmail(email=emails[i])))

    assert judged(outcomes) == {"ok": RACERS}
    assert write_path.lost >= RACERS - 1
    final = fresh(store_services, imported.account_id).email
    holders = {e for e in emails if accounts.account_by_identifier(store_services, e) is not None}
    assert holders == {final}


# -- over HTTP, in one process: one app, one cache, the server's threads ------------------------------------


def test_acc07_sixteen_logins_over_http_at_once_all_answer_201_and_eight_phones_200(
    store_services: Services, mailbox: Mailbox, write_path: WritePath
) -> None:
    from adapters.http.app import create_app  # noqa: PLC0415  (only this test speaks HTTP)

    actor = registered(store_services, mailbox, "http@example.com")
    client = falcon.testing.TestClient(create_app(store_services), headers={"User-Agent": CHROME_UA})
    in_one_process = [store_services] * LOGINS

    answers = race(write_path, in_one_process, lambda i, s: client.simulate_post(
        "/v1/sessions", json={"identifier": "http@example.com", "password": PASSWORD}))

    assert Counter(a.status_code for a in answers) == {201: LOGINS}, [a.text for a in answers if a.status_code != 201]
    assert write_path.lost >= LOGINS - 1
    tokens = [a.json["token"] for a in answers]
    assert len(live_sessions(fresh(store_services, actor.account_id))) == LOGINS + 1

    phones = race(write_path, in_one_process[:RACERS], lambda i, s: client.simulate_put(
        "/v1/me/phone", json={"phone": f"+7 812 123-12-{i:02d}"}, headers={"Authorization": f"Bearer {tokens[i]}"}))

    assert Counter(a.status_code for a in phones) == {200: RACERS}, [a.text for a in phones if a.status_code != 200]
    last = events(store_services, actor.account_id, Account.PhoneSaved)[-1].phone
    shown = client.simulate_get("/v1/me", headers={"Authorization": f"Bearer {tokens[0]}"}).json
    assert shown["phone"] == last
