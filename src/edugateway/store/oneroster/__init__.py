"""OneRoster 1.2 CSV: read a set into a ParsedRoster for `apply_roster`, write a SchoolSnapshot as a bulk set."""

from edugateway.store.oneroster._reader import read_oneroster
from edugateway.store.oneroster._writer import write_oneroster

__all__ = ["read_oneroster", "write_oneroster"]
