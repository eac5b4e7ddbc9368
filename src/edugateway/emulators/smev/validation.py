"""XML Schema validation against the project's own schema files (edugateway.schemas)."""

from __future__ import annotations

from functools import cache
from typing import Any

from lxml import etree

from edugateway.schemas import schema_path

# Schemas are local files that import each other by relative name: no network, no entities.
_SCHEMA_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@cache
def compiled(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path(name)), _SCHEMA_PARSER))


def schema_errors(schema: etree.XMLSchema, element: etree._Element) -> list[tuple[int, str]]:
    """(line in the received message, message) per violation; empty when `element` is valid.

    The element is validated as a document of its own, so that the envelope around it does not matter.
    """
    own = etree.fromstring(etree.tostring(element), _SCHEMA_PARSER)
    if schema.validate(own):
        return []
    first_line = source_line(element) or 1
    entries: list[Any] = list(schema.error_log)  # type: ignore[call-overload]  # lxml-stubs lack _ErrorLog.__iter__
    return [(first_line + int(entry.line) - 1, str(entry.message)) for entry in entries]


def source_line(element: etree._Element) -> int:
    """The element's line in the received message; 0 when unknown (built in memory)."""
    line: Any = element.sourceline  # lxml-stubs type it as `...`
    return int(line or 0)
