"""The one place the HTTP adapter reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

import falcon

from adapters.billing.readings_files.uploads import limits_from_env
from adapters.compose import services_from_env
from adapters.http.app import MAX_BODY_BYTES, create_app
from lkk_core.kernel.services import Services


def app_for(services: Services, env: Mapping[str, str]) -> falcon.App:
    """Build the app over ``services`` with the HTTP settings of ``env``.

    ``LKK_STAFF_TOKEN`` enables the /v1/staff routes; ``LKK_MAX_BODY_BYTES``
    bounds a JSON request body (default 64 KiB); the upload variables bound an
    uploaded readings file (``limits_from_env``).
    """
    return create_app(
        services,
        staff_token=env.get("LKK_STAFF_TOKEN"),
        max_body_bytes=int(env.get("LKK_MAX_BODY_BYTES", MAX_BODY_BYTES)),
        limits=limits_from_env(env),
    )


def create_app_from_env() -> falcon.App:
    """Build services and the app from ``os.environ`` (``waitress-serve --call``)."""
    return app_for(services_from_env(os.environ), os.environ)
