"""The names this module held before the view machinery was split by job, for code that still imports them here.

``Views`` and ``view_env`` now live in ``registry``, catch-up in ``follow``,
read-your-writes in ``read_your_writes``, rebuild and ``verify`` in ``audit``.
New code imports ``lkk_core.kernel.views``.
"""

from lkk_core.kernel.views.audit import verify
from lkk_core.kernel.views.follow import BATCH
from lkk_core.kernel.views.registry import Views, view_env

__all__ = ["BATCH", "Views", "verify", "view_env"]
