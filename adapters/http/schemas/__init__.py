"""Response shapes of the HTTP API, one module per context beside its resources.

Requests are lkk_core's command models. Responses are pydantic models read
from the core's dataclasses (``from_attributes``): a resource answers
``answer(resp, Model, result)`` (a write: ``self.written(resp, position, status, Model, result)``)
and copies no field.
``common`` holds what every context's answers share (the base classes, the
problem document, the position of a write, timestamps as text).
"""
