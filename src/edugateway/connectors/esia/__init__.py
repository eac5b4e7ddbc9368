"""ЕСИА account lookup by СНИЛС through СМЭВ 3 (SOAP via zeep): SendRequest, poll GetResponse, Ack.

`build_esia_lookup(name, settings, signer=..., sender=...)` gives an `EsiaLookup`; `find_accounts(snils)`
returns a `LookupResult`. Messages are signed by a `Signer` (`OpenSslGostSigner`; `UnsignedSigner` for tests).
"""

from edugateway.connectors.esia.audit import EnvelopeAuditPlugin, redact_envelope
from edugateway.connectors.esia.build import build_esia_lookup, esia_lookup_from_settings
from edugateway.connectors.esia.connector import EsiaLookup, LookupLimits, LookupResult
from edugateway.connectors.esia.errors import FAULT_RULES, SmevRejected
from edugateway.connectors.esia.signer import OpenSslGostSigner, Signer, UnsignedSigner, gost_engine_available
from edugateway.connectors.esia.transform import exclusive_c14n, signed_bytes, smev_transform

__all__ = [
    "FAULT_RULES",
    "EnvelopeAuditPlugin",
    "EsiaLookup",
    "LookupLimits",
    "LookupResult",
    "OpenSslGostSigner",
    "Signer",
    "SmevRejected",
    "UnsignedSigner",
    "build_esia_lookup",
    "esia_lookup_from_settings",
    "exclusive_c14n",
    "gost_engine_available",
    "redact_envelope",
    "signed_bytes",
    "smev_transform",
]
