"""Any interleaving of readings submissions, clock moves and billing's verdicts keeps RDG-03 … RDG-09 and replays.

A hypothesis state machine drives the services (SQLite, the views inline as
in production, a movable clock) over the readings contract of
``tests/readings_support`` (Fig. 12's meter, a two-zone meter, a meter with
reactive energy, meters that are not awaiting readings). Each request is
drawn scale by scale: a valid value (with "." or ",", padded or not), a blank
one, a malformed one, one below the previous reading, or a scale left out.
The machine keeps its own model — the latest value per meter scale, whether
billing accepted and closed the period — predicts each request's outcome
(saved, or exactly which refusal) and checks after every step that:

* a refused request changes nothing: no new event, the same page (RDG-07);
* the page «Показания» shows exactly the model's values until billing closes
  the period, then none (RDG-09), and the aggregate keeps the latest of each.

At the end the log must replay to the same aggregates, and the views rebuilt
from position 0 must equal the live ones (STYLE 21).
"""

from __future__ import annotations

import copy
import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from lkk_core import readings
from lkk_core.readings.reading_submission import ReadingSubmission, submission_id
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.readings.commands import ReadingInput, ReadingsFilter
from lkk_core.kernel.errors import Conflict, Forbidden, LkkError, ValidationFailed, WindowClosed
from lkk_core.kernel.permissions import Role
from lkk_core.kernel.services import StaffActor
from tests.conftest import base_env
from tests.contracts_support import Catalogue, moscow_window
from tests.readings_support import (
    C5,
    CLOSED_METER,
    EO1,
    EO2,
    EO3,
    INSIDE,
    PERIOD,
    administrator,
    facts,
    holder,
    readings_contract,
    submit,
)
from tests.support import Mailbox, replays_and_verifies

pytestmark = pytest.mark.slow

STAFF = StaffActor("billing")
WINDOW = moscow_window(PERIOD)  # RDG-04: [1 Feb 00:00, 22 Mar 00:00) Moscow time
# The instants the clock is put at: both edges of the window, to the second, and well inside and outside.
INSTANTS = (
    WINDOW.opens_at - timedelta(seconds=1), WINDOW.opens_at, INSIDE, WINDOW.closes_at - timedelta(seconds=1),
    WINDOW.closes_at, WINDOW.closes_at + timedelta(days=3),
)
BAD_TEXTS = ("12a", "1.234", "1 000", "1234567", "-5", "5.", ",5", "1,2,3", "1e3")
SID = submission_id(C5, PERIOD)

Key = tuple[str, str, str]  # (meter number, zone, quantity)


def _scales() -> dict[str, tuple[str, str, tuple[Key, ...]]]:
    """Return every meter of the contract: (energy object, meter status or the EO's, its scale keys)."""
    meters = {}
    for eo in readings_contract().energy_objects:
        for point in eo.metering_points:
            for meter in point.meters:
                status = meter.status if meter.status != "Ожидание" else eo.status
                keys = tuple((meter.number, scale.zone, str(scale.quantity)) for scale in meter.scales)
                meters[meter.number] = (eo.code, status, keys)
    return meters


METERS = _scales()
PREVIOUS = {(f.meter_number, f.zone, str(f.quantity)): f for f in facts()}


def ok_value(key: Key) -> st.SearchStrategy[tuple[str, Decimal]]:
    """A valid «Текущие показания» of the scale: at least the previous reading (or any, after a roll-over).

    Up to 6 whole digits and 2 decimals (the meters' capacity), "." or "," (RDG-05), maybe padded.
    """
    fact = PREVIOUS.get(key)
    low = 0 if fact is None or fact.rolled_over or fact.previous is None else int(fact.previous * 100)

    def typed(cents: int, separator: str, decimals: int, pad: str) -> tuple[str, Decimal]:
        whole, fraction = str(cents // 100), f"{cents % 100:02d}"[:decimals]
        exact = f"{whole}.{fraction}" if fraction else whole
        return f"{pad}{whole}{separator if fraction else ''}{fraction}{pad}", Decimal(exact)

    return st.builds(typed, st.integers(low, 99_999_999), st.sampled_from([".", ","]), st.sampled_from([0, 1, 2]),
                     st.sampled_from(["", " "]))


def below_value(key: Key) -> st.SearchStrategy[tuple[str, Decimal]] | None:
    """A value under the previous reading of a scale that did not roll over (RDG-02), if there can be one."""
    fact = PREVIOUS.get(key)
    if fact is None or fact.rolled_over or fact.previous is None or fact.previous < 1:
        return None
    return st.integers(0, int(fact.previous) - 1).map(lambda n: (str(n), Decimal(n)))


@st.composite
def requests(draw: st.DrawFn) -> list[tuple[str, Key, str, str | None, Decimal | None]]:
    """Draw a request: per scale (kind, key, energy object, text, value); kinds ok, blank, bad, below, left out."""
    # NOTE: aimed: meters awaiting readings three times in four, so that most requests get to the values.
    awaiting = sorted(n for n, (_, status, _) in METERS.items() if status == "Ожидание")
    pool = st.sampled_from(sorted(METERS)) if draw(st.integers(0, 3)) == 0 else st.sampled_from(awaiting)
    chosen = draw(st.lists(pool, unique=True, max_size=4))
    clean = draw(st.booleans())  # every scale valid: half the requests are meant to be saved
    inputs = []
    for number in chosen:
        eo, _, keys = METERS[number]
        for key in keys:
            kinds = ["ok"] * 6 + ["blank", "bad", "out"] + (["below"] if below_value(key) is not None else [])
            kind = "ok" if clean else draw(st.sampled_from(kinds))
            if kind == "ok":
                text, value = draw(ok_value(key))
            elif kind == "below":
                text, value = draw(below_value(key))  # type: ignore[arg-type]
            elif kind == "bad":
                text, value = draw(st.sampled_from(BAD_TEXTS)), None
            elif kind == "blank":
                text, value = draw(st.sampled_from([None, "", "   "])), None
            else:
                continue
            inputs.append((kind, key, eo, text, value))
    return inputs


class ReadingsStory(RuleBasedStateMachine):
    """Random readings stories; the model, the aggregate, the page and the log must agree throughout."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        self.env = {**base_env(self.dir), "SQLITE_DBNAME": str(self.dir / "lkk.db")}
        self.clock = FixedClock(INSIDE)
        self.services = bootstrap(self.env, clock=self.clock, billing=Catalogue())
        mailbox = Mailbox(self.services)
        self.admin = administrator(self.services, mailbox)
        self.bob = holder(self.services, mailbox, self.admin, "bob@example.com", Role.POWER_ENGINEER, (EO1,))
        self.live: dict[Any, dict[str, Any]] = {}
        save = self.services.save

        def save_and_keep(*aggregates: Any) -> int:
            position = save(*aggregates)
            self.live.update({a.id: copy.deepcopy(vars(a)) for a in aggregates})
            return position

        self.services.save = save_and_keep  # type: ignore[method-assign]
        # The model.
        self.latest: dict[Key, Decimal] = {}  # the aggregate's latest value per scale (kept after closing)
        self.accepted = self.closed = False

    # -- the model's prediction -------------------------------------------------------------

    def predict(self, actor_is_bob: bool, inputs: list[tuple[str, Key, str, str | None, Decimal | None]],
                ) -> type[LkkError] | None:
        """Return the refusal the services must give, or None when the readings are to be saved."""
        if actor_is_bob and any(eo != EO1 for _, _, eo, _, _ in inputs):
            return Forbidden  # ROL-15: an energy object outside the Power engineer's scope
        if self.closed or not WINDOW.is_open(self.clock.now()):
            return WindowClosed  # RDG-04, before the values are judged
        given = [(kind, key) for kind, key, *_ in inputs if kind != "blank"]
        if any(METERS[key[0]][1] != "Ожидание" for _, key in given):
            return Conflict  # RDG-03
        if not given or any(kind in ("bad", "below") for kind, _ in given):
            return ValidationFailed  # RDG-08, RDG-05, RDG-02
        filled = {key for _, key in given}
        if any(key not in filled for meter in {key[0] for key in filled} for key in METERS[meter][2]):
            return ValidationFailed  # RDG-06: every scale of a meter with values
        return None

    # -- rules -------------------------------------------------------------------------------

    @rule(inputs=requests(), by_bob=st.sampled_from([False, False, False, True]))
    def submit_readings(self, inputs: list[tuple[str, Key, str, str | None, Decimal | None]], by_bob: bool) -> None:
        expected = self.predict(by_bob, inputs)
        cmd = submit(*(ReadingInput(energy_object=eo, meter_number=key[0], zone=key[1], quantity=key[2], value=text)
                       for _, key, eo, text, _ in inputs))
        head, page = self.services.app.head(), self.page()
        try:
            saved = readings.submit_readings(self.services, self.bob if by_bob else self.admin, cmd)
        except LkkError as ex:
            event(f"submit: {type(ex).__name__}")
            assert type(ex) is expected, f"expected {expected}, got {ex!r}"
            assert self.services.app.head() == head, "a refused request recorded events"
            assert self.page() == page, "a refused request changed the page"
            return
        event("submit: saved")
        assert expected is None, f"expected {expected.__name__}, the readings were saved"
        assert saved.period == PERIOD
        for kind, key, _, _, value in inputs:
            if kind == "ok":
                assert value is not None
                self.latest[key] = value  # RDG-09: a later value replaces the earlier one

    @rule(instant=st.sampled_from((*INSTANTS, INSIDE, INSIDE)))
    def move_the_clock(self, instant: datetime) -> None:
        self.clock.set(instant)

    @rule(close=st.sampled_from([False, False, True]))
    def billing_accepts(self, close: bool) -> None:
        readings.accept_period(self.services, STAFF, C5, PERIOD, close=close)
        self.accepted = True
        self.closed = self.closed or close

    # -- invariants ------------------------------------------------------------------------

    def page(self) -> dict[str, Any]:
        [block] = readings.readings_page(
            self.services, self.admin, ReadingsFilter(period=PERIOD, contract_number=C5)).items
        return block

    @invariant()
    def the_page_shows_the_latest_values_until_the_period_closes(self) -> None:
        block = self.page()
        shown = {
            (meter.number, scale.zone, scale.quantity): scale.current
            for eo in block.energy_objects for point in eo.metering_points for meter in point.meters
            for scale in meter.scales if scale.current is not None
        }
        expected = {} if self.closed else self.latest
        assert {k: str(v) for k, v in shown.items()} == {k: str(v) for k, v in expected.items()}
        assert (block.accepted_at is not None) is self.accepted
        assert (block.closed_at is not None) is self.closed
        ticked = {eo.code for eo in block.energy_objects if eo.submitted}
        assert ticked == ({METERS[key[0]][0] for key in self.latest} if not self.closed else set())  # RDG-07

    @invariant()
    def the_aggregate_keeps_the_latest_value_of_each_scale(self) -> None:
        submission = self.services.find(ReadingSubmission, SID)
        values = {} if submission is None else {k: v.value for k, v in submission.values.items()}
        assert {k: str(v) for k, v in values.items()} == {k: str(v) for k, v in self.latest.items()}
        assert submission is None or submission.is_closed is self.closed

    # -- at the end: the log replays to the same aggregates and the same views -------------

    def teardown(self) -> None:
        replays_and_verifies(self.services, self.env, self.live, self.dir)


ReadingsStory.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_rdg04_rdg09_any_readings_story_keeps_the_rules_and_replays = ReadingsStory.TestCase

