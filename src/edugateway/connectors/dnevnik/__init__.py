"""Дневник.ру partner API v2 connector (also ИСУОД «Школьный портал» by base URL)."""

from edugateway.connectors.dnevnik.auth import DnevnikTokenAuth
from edugateway.connectors.dnevnik.connector import CAPABILITIES, DnevnikConnector
from edugateway.connectors.dnevnik.errors import ERROR_TYPES

__all__ = ["CAPABILITIES", "ERROR_TYPES", "DnevnikConnector", "DnevnikTokenAuth"]
