"""Billing adapters: the reference billing port and the XLSX files (openpyxl lives only here).

``DatasetBilling`` is the reference ``lkk_core.kernel.ports.Billing`` over a dataset
file (``dataset``, ``records``, ``loader``); ``generate`` writes realistic
datasets of any size (``generate_contracts``, ``write_generated``). ``contract_xlsx`` is imported by name where it is
needed, so opening a dataset never loads openpyxl.
"""

from adapters.billing.dataset import (
    DEFAULT_TIMEZONE,
    DatasetBilling,
    billing_from_env,
    dataset_json_schema,
    default_window,
    write_dataset,
)
from adapters.billing.generate import generate_contracts, write_generated
from adapters.billing.loader import DatasetError, DatasetInvalid, DatasetMissing, Problem

__all__ = [
    "DEFAULT_TIMEZONE",
    "DatasetBilling",
    "DatasetError",
    "DatasetInvalid",
    "DatasetMissing",
    "Problem",
    "billing_from_env",
    "dataset_json_schema",
    "default_window",
    "generate_contracts",
    "write_dataset",
    "write_generated",
]
