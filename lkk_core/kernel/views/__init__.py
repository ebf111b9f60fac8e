"""The view machinery: projections over SQL views, one writer per backend, catch-up, rebuild and verify.

Each context brings its own projections and views; the composition root
(``lkk_core.bootstrap``) hands them all to ``Views``.
"""

from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer, concrete_view
from lkk_core.kernel.views.catch_up import Views, verify, view_env

__all__ = ["SqlProjection", "SqlView", "Views", "Writer", "concrete_view", "verify", "view_env"]
