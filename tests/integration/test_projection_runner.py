"""The views also run under eventsourcing's own ProjectionRunner (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import pytest
from eventsourcing.projection import ProjectionRunner

from lkk_core.kernel.app import LkkApplication
from lkk_core.bootstrap import bootstrap
from lkk_core.kernel.clock import FixedClock
from lkk_core.accounts import ProfileProjection, ProfileView
from lkk_core.kernel.views import concrete_view
from tests.support import Mailbox, registered

pytestmark = pytest.mark.postgres


def test_profile_view_follows_the_log_in_a_projection_runner(postgres_env: dict[str, str]) -> None:
    writer = bootstrap({**postgres_env, "LKK_PROJECTIONS": "external"}, clock=FixedClock())
    view_class = concrete_view(ProfileView, "eventsourcing.postgres")

    with ProjectionRunner(
        application_class=LkkApplication, projection_class=ProfileProjection, view_class=view_class,
        env=postgres_env,
    ) as runner:
        actor = registered(writer, Mailbox(writer))
        runner.wait(writer.app.head(), timeout=10)
        last = runner.view.max_tracking_id(writer.app.name)
        row = runner.view.profile(actor.account_id)

    assert last is not None and row is not None
    assert (row.last_name, row.phone, row.stage) == ("Иванова", "+78121231231", "done")
    writer.app.close()
