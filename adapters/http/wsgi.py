"""The one place the HTTP adapter reads the environment."""

from __future__ import annotations

import os

import falcon

from adapters.http.app import MAX_BODY_BYTES, create_app
from lkk_core.bootstrap import bootstrap


def create_app_from_env() -> falcon.App:
    """Build services and the app from ``os.environ`` (``waitress-serve --call``)."""
    services = bootstrap(os.environ)
    return create_app(
        services,
        staff_token=os.environ.get("LKK_STAFF_TOKEN"),
        max_body_bytes=int(os.environ.get("LKK_MAX_BODY_BYTES", MAX_BODY_BYTES)),
    )
