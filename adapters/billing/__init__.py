"""Billing adapters: the reference billing port and the XLSX files (openpyxl lives only here)."""
