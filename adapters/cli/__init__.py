"""The ``lkk`` command line."""
