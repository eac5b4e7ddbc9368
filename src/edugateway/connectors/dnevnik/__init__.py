"""Дневник.ру partner API v2 connector (also ИСУОД «Школьный портал» by base URL)."""

from edugateway.connectors.dnevnik.auth import DnevnikTokenAuth
from edugateway.connectors.dnevnik.build import build_dnevnik_connector
from edugateway.connectors.dnevnik.connector import CAPABILITIES, DnevnikConnector
from edugateway.connectors.dnevnik.errors import ERROR_TYPES

__all__ = ["CAPABILITIES", "ERROR_TYPES", "DnevnikConnector", "DnevnikTokenAuth", "build_dnevnik_connector"]
