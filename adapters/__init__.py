"""Adapters around lkk_core: HTTP, mail, CLI."""
