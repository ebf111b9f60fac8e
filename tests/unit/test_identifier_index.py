"""``IdentifierIndex`` alone (ACC-02, ACC-17): one live account per e-mail or login, no I/O.

The index is built in memory with a fixed ``now``; each test reads its
decision from ``collect_events()``: the events, or a refusal with its code and
field and no event at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from lkk_core.accounts import EMAIL, LOGIN, IdentifierIndex, normalise_identifier
from lkk_core.kernel.security import ServerSecret
from tests.support import refused

ALICE, BOB = UUID(int=1), UUID(int=2)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECRET = ServerSecret(b"k" * 32)
KEY = SECRET.index_id(EMAIL, "alice@example.com")
TAKEN = {
    EMAIL: "Пользователь с таким e-mail уже зарегистрирован",
    LOGIN: "Пользователь с таким логином уже зарегистрирован",
}


def held_by(account: UUID, kind: str = EMAIL) -> IdentifierIndex:
    """Given: the identifier is claimed by ``account``."""
    index = IdentifierIndex(key=KEY, kind=kind, account_id=account, at=T0)
    index.collect_events()
    return index


def released(kind: str = EMAIL) -> IdentifierIndex:
    """Given: ALICE held the identifier and let it go (changed it, or the account was deleted)."""
    index = held_by(ALICE, kind)
    index.release(ALICE, now=T0)
    index.collect_events()
    return index


def test_acc02_the_first_claim_records_who_holds_the_identifier() -> None:
    index = IdentifierIndex(key=KEY, kind=EMAIL, account_id=ALICE, at=T0)

    [claimed] = index.collect_events()
    assert isinstance(claimed, IdentifierIndex.Claimed)
    assert (claimed.kind, claimed.account_id, claimed.at) == (EMAIL, ALICE, T0)
    assert index.id == KEY and index.is_held and index.account_id == ALICE


@pytest.mark.parametrize("kind", [EMAIL, LOGIN])
def test_acc02_an_identifier_held_by_a_live_account_is_refused_to_another(kind: str) -> None:
    index = held_by(ALICE, kind)

    refused(None, lambda: index.claim(BOB, now=T0 + timedelta(minutes=1)), code="conflict", field=kind,
            message=TAKEN[kind])

    assert index.collect_events() == [] and index.account_id == ALICE


def test_acc02_the_holder_claiming_again_records_nothing() -> None:
    index = held_by(ALICE)

    index.claim(ALICE, now=T0 + timedelta(minutes=1))

    assert index.collect_events() == [] and index.account_id == ALICE


def test_acc02_acc17_a_released_identifier_may_be_claimed_again() -> None:
    index = released()

    index.claim(BOB, now=T0 + timedelta(days=1))

    [reclaimed] = index.collect_events()
    assert isinstance(reclaimed, IdentifierIndex.Reclaimed)
    assert (reclaimed.account_id, reclaimed.at) == (BOB, T0 + timedelta(days=1))
    assert index.account_id == BOB


def test_acc02_acc17_the_holder_releasing_frees_the_identifier() -> None:
    index = held_by(ALICE)

    index.release(ALICE, now=T0 + timedelta(hours=1))

    [freed] = index.collect_events()
    assert isinstance(freed, IdentifierIndex.Released)
    assert (freed.account_id, freed.at) == (ALICE, T0 + timedelta(hours=1))
    assert not index.is_held


def test_acc02_only_the_holder_can_release_it() -> None:
    index = held_by(ALICE)

    index.release(BOB, now=T0)

    assert index.collect_events() == [] and index.account_id == ALICE


def test_acc02_releasing_a_free_identifier_records_nothing() -> None:
    index = released()

    index.release(ALICE, now=T0)

    assert index.collect_events() == [] and not index.is_held


@pytest.mark.parametrize("typed", ["Alice@Example.com", "  alice@example.com ", "ALICE@EXAMPLE.COM\t"])
def test_acc02_e_mails_are_compared_trimmed_and_lower_cased(typed: str) -> None:
    assert normalise_identifier(typed) == "alice@example.com"
    assert SECRET.index_id(EMAIL, normalise_identifier(typed)) == KEY


def test_acc02_the_index_id_is_keyed_and_keeps_e_mails_and_logins_apart() -> None:
    assert IdentifierIndex.create_id(KEY) == KEY  # the service derives the id; the aggregate takes it as is
    assert SECRET.index_id(LOGIN, "alice@example.com") != KEY  # an e-mail and a login never share an index
    assert ServerSecret(b"x" * 32).index_id(EMAIL, "alice@example.com") != KEY  # another key, another id
