"""The view machinery: projections over SQL views, one store per backend, catch-up, rebuild and verify.

Each context brings its own projections and views; the composition root
(``lkk_core.bootstrap``) hands them all to ``Views``. By job:

- ``base``: ``SqlProjection``, ``SqlView`` (what both backends share), ``Writer``, ``stamp``;
- ``sqlite``, ``postgres``: each backend's store (its transactions, tracking row, dialect, scrubbing);
- ``registry``: ``Views`` (built once, views found by class), ``concrete_view``, ``view_env``;
- ``follow``: catch-up in batches, reads overlapped with writes;
- ``read_your_writes``: ``after_save`` and ``wait_for``;
- ``audit``: ``rebuild``, ``snapshot``, ``verify``.
"""

from lkk_core.kernel.views.audit import verify
from lkk_core.kernel.views.base import SqlProjection, SqlView, Writer
from lkk_core.kernel.views.registry import Views, concrete_view, view_env

__all__ = ["SqlProjection", "SqlView", "Views", "Writer", "concrete_view", "verify", "view_env"]
