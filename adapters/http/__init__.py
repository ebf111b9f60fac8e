"""The HTTP API: a Falcon app described by OpenAPI."""

from adapters.http.app import create_app

__all__ = ["create_app"]
