"""Nightly reconciliation: local against each platform, compliance with the journal rules, and the reports."""
