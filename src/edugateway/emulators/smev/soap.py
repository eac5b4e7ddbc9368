"""SOAP 1.1 envelopes and СМЭВ faults, parsed and built with lxml.

Incoming XML goes through one hardened parser: no DTDs, no entity expansion, no network, bounded size.
Faults are SOAP 1.1 `Fault`s whose `detail` holds the fault element of the СМЭВ faults schema
(`InvalidContent`, `QuoteLimitExceeded`, `AccessDenied`, …), so zeep raises them as `zeep.exceptions.Fault`
with that element in `.detail`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from lxml import etree

from edugateway.emulators.faults import HTML_ERROR_PAGE, FaultKind

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
TYPES_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3"
BASIC_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3"
FAULTS_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.3"
NSMAP = {"soap": SOAP_ENV}
CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_ENVELOPE_BYTES = 2 * 1024 * 1024  # a hundred СНИЛС with signatures is a few kilobytes
MOSCOW = ZoneInfo("Europe/Moscow")  # СМЭВ's clocks and timestamps are Moscow time

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def types(name: str) -> str:
    return f"{{{TYPES_NS}}}{name}"


def basic(name: str) -> str:
    return f"{{{BASIC_NS}}}{name}"


class SoapFault(Exception):
    """Answered as a SOAP 1.1 Fault with HTTP 500; `detail` is the СМЭВ fault element, if any."""

    def __init__(self, message: str, *, server: bool = False, detail: etree._Element | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = "soap:Server" if server else "soap:Client"
        self.detail = detail

    @classmethod
    def smev(cls, name: str, message: str, *, server: bool = False) -> SoapFault:
        """A fault whose detail is an empty (`basic:Void`) СМЭВ element: AccessDenied, SMEVFailure, …"""
        return cls(message, server=server, detail=etree.Element(f"{{{FAULTS_NS}}}{name}"))

    @classmethod
    def with_fields(cls, name: str, code: str, message: str, fields: Sequence[tuple[str, str]]) -> SoapFault:
        """A fault of a `basic:SmevFault` extension: Code, Description, then its own fields in order."""
        detail = etree.Element(f"{{{FAULTS_NS}}}{name}")
        etree.SubElement(detail, basic("Code")).text = code
        etree.SubElement(detail, basic("Description")).text = message
        for field, value in fields:
            etree.SubElement(detail, f"{{{FAULTS_NS}}}{field}").text = value
        return cls(message, detail=detail)

    @classmethod
    def invalid_content(cls, errors: Sequence[tuple[int, str]]) -> SoapFault:
        """InvalidContent with one ValidationError per problem (errorPosition: the line, 0 when unknown)."""
        detail = etree.Element(f"{{{FAULTS_NS}}}InvalidContent")
        etree.SubElement(detail, basic("Code")).text = "INVALID_CONTENT"
        etree.SubElement(detail, basic("Description")).text = "Сообщение не прошло проверку по XML-схеме"
        for position, text in errors:
            error = etree.SubElement(detail, f"{{{FAULTS_NS}}}ValidationError", errorPosition=str(position))
            error.text = text
        summary = "; ".join(text for _, text in errors[:3])
        return cls(f"Содержательная часть сообщения не прошла валидацию: {summary}", detail=detail)


def parse_envelope(data: bytes) -> etree._Element:
    """The element inside soap:Body of a SOAP 1.1 envelope; SoapFault (Client) for anything else."""
    if len(data) > MAX_ENVELOPE_BYTES:
        raise SoapFault(f"Сообщение больше {MAX_ENVELOPE_BYTES} байт")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault(f"Сообщение не является корректным XML: {exc.msg}") from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise SoapFault("DOCTYPE в SOAP-сообщении не допускается")
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise SoapFault("Поддерживается только SOAP 1.1 (пространство имён SOAP 1.2 не принимается)")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("Корневой элемент должен быть soap:Envelope (SOAP 1.1)")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    payload = next((child for child in body if isinstance(child.tag, str)), None) if body is not None else None
    if payload is None:
        raise SoapFault("В soap:Body нет элемента запроса")
    return payload


def envelope(payload: etree._Element) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=NSMAP)
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(payload)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def fault_envelope(fault: SoapFault) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=NSMAP)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = fault.code
    etree.SubElement(node, "faultstring").text = fault.message
    if fault.detail is not None:
        etree.SubElement(node, "detail").append(fault.detail)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def timestamp(epoch_s: float) -> str:
    """xs:dateTime in Moscow time with milliseconds, as СМЭВ writes them."""
    return dt.datetime.fromtimestamp(epoch_s, MOSCOW).isoformat(timespec="milliseconds")


def render_fault(kind: FaultKind, status: int, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
    """Bodies for the injected faults: СМЭВ answers 429, 550 and 500/503 with a SOAP SMEVFailure (a client must
    retry those without limit); 502/504 come from the nginx in front of it."""
    headers = {"content-type": CONTENT_TYPE}
    if kind is FaultKind.RATE_LIMITED:
        wait = f"; повторите через {int(retry_after)} с" if retry_after else ""
        fault = SoapFault.smev("SMEVFailure", f"Превышена частота обращений к СМЭВ{wait}", server=True)
        return status, headers, fault_envelope(fault)
    if kind is FaultKind.MAINTENANCE:
        fault = SoapFault.smev("SMEVFailure", "СМЭВ: проводятся технические работы", server=True)
        return status, headers, fault_envelope(fault)
    if status in (500, 503):
        fault = SoapFault.smev("SMEVFailure", "Сообщение невозможно принять по причине сбоя в СМЭВ", server=True)
        return status, headers, fault_envelope(fault)
    title = {504: b"504 Gateway Time-out"}.get(status, f"{status} Bad Gateway".encode())
    return status, {"content-type": "text/html"}, HTML_ERROR_PAGE.replace(b"502 Bad Gateway", title)
