"""The project's own schema files, shipped inside the package.

- `smev3-message-exchange-1.3.wsdl` with `smev3-types-1.3.xsd`, `smev3-basic-1.3.xsd`, `smev3-faults-1.3.xsd`:
  the consumer side of СМЭВ 3 message exchange 1.3 (SendRequest, GetResponse, Ack), written for the project
  and wire-compatible with the public WSDL. The СМЭВ emulator serves them; the ЕСИА connector loads them
  with zeep.
- `esia-person-lookup-1.0.0.xsd`: the business document "find the ЕСИА account(s) by СНИЛС".
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from edugateway.errors import ConfigError

SMEV_WSDL = "smev3-message-exchange-1.3.wsdl"
SMEV_TYPES_XSD = "smev3-types-1.3.xsd"
SMEV_BASIC_XSD = "smev3-basic-1.3.xsd"
SMEV_FAULTS_XSD = "smev3-faults-1.3.xsd"
ESIA_LOOKUP_XSD = "esia-person-lookup-1.0.0.xsd"
ALL = (SMEV_WSDL, SMEV_TYPES_XSD, SMEV_BASIC_XSD, SMEV_FAULTS_XSD, ESIA_LOOKUP_XSD)

ESIA_LOOKUP_NS = "urn://edugateway/esia-person-lookup/1.0.0"


def schema_path(name: str) -> Path:
    """A schema file as a path on disk; the files refer to each other by relative name, so zeep and lxml need
    the real directory (an installed wheel has one; a zipped package would not)."""
    if name not in ALL:
        raise ConfigError(f"no schema file {name!r} in edugateway.schemas; known: {', '.join(ALL)}")
    resource = files(__name__) / name
    if not isinstance(resource, Path):
        raise ConfigError(f"edugateway.schemas is not installed as plain files ({resource}); install unzipped")
    return resource
