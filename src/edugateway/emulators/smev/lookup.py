"""The business content: "find the ЕСИА account(s) by СНИЛС" (schema: esia-person-lookup-1.0.0.xsd)."""

from __future__ import annotations

from lxml import etree

from edugateway.domain.snils import check_snils
from edugateway.emulators.smev.soap import SoapFault
from edugateway.emulators.smev.validation import compiled, schema_errors, source_line
from edugateway.emulators.smev.world import Row, SmevWorld
from edugateway.schemas import ESIA_LOOKUP_NS, ESIA_LOOKUP_XSD

REQUEST_ROOT = "PersonLookupRequest"
RESPONSE_ROOT = "PersonLookupResponse"
# The fields of /rs/prns/{oid} the answer carries, in the schema's order; absent ones are left out.
PERSON_FIELDS = (
    "oid",
    "lastName",
    "firstName",
    "middleName",
    "birthDate",
    "gender",
    "snils",
    "trusted",
    "status",
    "updatedOn",
    "kidAccCreatedByParent",
)


def _q(name: str) -> str:
    return f"{{{ESIA_LOOKUP_NS}}}{name}"


def requested_snils(request: etree._Element) -> list[str]:
    """The СНИЛС of a valid request, in order; InvalidContent when the schema or a control number fails."""
    errors = schema_errors(compiled(ESIA_LOOKUP_XSD), request)
    if errors:
        raise SoapFault.invalid_content(errors)
    numbers = [node.text or "" for node in request.iter(_q("snils"))]
    bad = [
        (source_line(node), f"snils[{index}]: {check_snils(node.text or '').message}")
        for index, node in enumerate(request.iter(_q("snils")), 1)
        if not check_snils(node.text or "").valid
    ]
    if bad:
        raise SoapFault.invalid_content(bad)
    return numbers


def answer(world: SmevWorld, numbers: list[str]) -> etree._Element:
    """One result per requested СНИЛС, in request order: its accounts, or notFound."""
    response = etree.Element(_q(RESPONSE_ROOT), nsmap={"lk": ESIA_LOOKUP_NS})
    for snils in numbers:
        result = etree.SubElement(response, _q("result"))
        etree.SubElement(result, _q("snils")).text = snils
        accounts = world.accounts_with_snils(snils)
        if not accounts:
            etree.SubElement(result, _q("notFound"))
        for account in accounts:
            result.append(_person(account))
    return response


def _person(account: Row) -> etree._Element:
    person = etree.Element(_q("person"))
    for name in PERSON_FIELDS:
        value = account.get(name)
        if value is None or value == "":
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        etree.SubElement(person, _q(name)).text = text
    return person
