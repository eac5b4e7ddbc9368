"""ГИС ЕЦП connector: the diary's family API for reads, the SMEV adapter's edu-upload CSV service for pushes
of pupils and their legal representatives."""

from edugateway.connectors.ecp.auth import EcpPasswordAuth
from edugateway.connectors.ecp.build import build_ecp_connector
from edugateway.connectors.ecp.connector import CAPABILITIES, EcpConnector
from edugateway.connectors.ecp.contingent import ContingentRecord, Pupil, Representative, contingent
from edugateway.connectors.ecp.errors import ERROR_TYPES

__all__ = [
    "CAPABILITIES",
    "ERROR_TYPES",
    "ContingentRecord",
    "EcpConnector",
    "EcpPasswordAuth",
    "Pupil",
    "Representative",
    "build_ecp_connector",
    "contingent",
]
