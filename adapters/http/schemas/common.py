"""What every context's answers share: the base models, a write's position, the problem document, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from lkk_core.kernel.views.base import stamp

# Timestamps keep the text the views store, so an answer reads as it always did:
# ``Stamp`` the fixed-width UTC text of the contracts and readings views,
# ``Instant`` the event's own ISO text (profile and sessions).
Stamp = Annotated[datetime, PlainSerializer(stamp, return_type=str)]
Instant = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]


class Out(BaseModel):
    """Base of response models: read from the core's dataclasses by attribute, no field unknown to the API."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Paged(Out):
    """A page of a list that grows (``limit``, ``cursor``): ``next`` fetches the following page."""

    next: str | None = Field(None, description="the `cursor` of the next page (also in the `Link: rel=\"next\"` "
                                                "header); left out on the last page")


class Written(Out):
    """A command's answer: the log position its events reached."""

    position: int


class Problem(Out):
    """An RFC 9457 problem document with lkk's stable ``code``."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    code: str
    detail: str
