"""The one place the HTTP adapter reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

import falcon

from adapters.billing.readings_files.uploads import limits_from_env
from adapters.compose import services_from_env
from adapters.http.app import MAX_BODY_BYTES, create_app
from lkk_core.kernel.app import ConfigurationError
from lkk_core.kernel.services import Services


def app_for(services: Services, env: Mapping[str, str]) -> falcon.App:
    """Build the app over ``services`` with the HTTP settings of ``env``.

    ``LKK_MAX_BODY_BYTES`` bounds a JSON request body (default 64 KiB); the
    upload variables bound an uploaded readings file (``limits_from_env``).
    The /v1/staff routes take specialists' own tokens (``lkk staff create``);
    the shared ``LKK_STAFF_TOKEN`` is gone, and a deployment still setting it
    is stopped here rather than left with staff routes that refuse its token.
    """
    if env.get("LKK_STAFF_TOKEN"):
        msg = ("LKK_STAFF_TOKEN is no longer read: staff authenticate with their own tokens."
               " Create them with `lkk staff create LOGIN --name ...` (docs/how-to/staff-accounts.md),"
               " then unset LKK_STAFF_TOKEN")
        raise ConfigurationError(msg)
    return create_app(
        services,
        max_body_bytes=int(env.get("LKK_MAX_BODY_BYTES", MAX_BODY_BYTES)),
        limits=limits_from_env(env),
    )


def create_app_from_env() -> falcon.App:
    """Build services and the app from ``os.environ`` (``waitress-serve --call``)."""
    return app_for(services_from_env(os.environ), os.environ)
