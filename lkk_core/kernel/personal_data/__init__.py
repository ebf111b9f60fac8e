"""Erasable personal data in the event log (crypto-shredding, 152-ФЗ).

Fields marked ``Personal`` are sealed under a key per person when an event is
stored; deleting the person destroys the key, and every later read shows
``REDACTED`` instead. See docs/explanation/personal-data.md.
"""

from lkk_core.kernel.personal_data.keystore import KeyStore, SubjectForgotten
from lkk_core.kernel.personal_data.mapper import ShreddingMapper
from lkk_core.kernel.personal_data.markers import (
    PII,
    REDACTED,
    OptionalPersonal,
    Personal,
    Redacted,
    is_redacted,
    pii_fields,
)

__all__ = [
    "PII",
    "REDACTED",
    "KeyStore",
    "OptionalPersonal",
    "Personal",
    "Redacted",
    "ShreddingMapper",
    "SubjectForgotten",
    "is_redacted",
    "pii_fields",
]
