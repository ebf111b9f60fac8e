"""Validated command models, shared by every adapter (HTTP, CLI, files)."""
