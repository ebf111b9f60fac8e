"""Aggregates: one module per consistency boundary."""
