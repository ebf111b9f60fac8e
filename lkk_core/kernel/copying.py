"""Cheaper copies of aggregates that hold many recorded entries.

The repository hands out a deep copy of a cached aggregate on every ``get``
(so a refused command cannot corrupt the cache). An aggregate holding 5,000
readings spends most of a file upload in that copy (bench/readings_uploads.py).
Entries that event handlers only ever *replace*, never change in place, can
be shared between the copies: only their container is copied.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar


class SharesRecordedEntries:
    """Mixin: ``copy.deepcopy`` copies the containers named in ``SHARED_ENTRIES`` one level deep.

    The aggregate promises that the entries of those containers (dicts of one
    reading, one act) are never mutated after an event handler stored them.
    """

    SHARED_ENTRIES: ClassVar[tuple[str, ...]] = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for name, value in vars(self).items():
            clone.__dict__[name] = copy.copy(value) if name in self.SHARED_ENTRIES else copy.deepcopy(value, memo)
        return clone
