"""СМЭВ 3 faults and transport failures -> the gateway's errors, in one table, each with what to do next.

The fault is named by the element in the SOAP fault's `detail` (the СМЭВ faults schema). Faults of
СМЭВ itself (`SMEVFailure`), HTTP 5xx/550 answers, refused connections and timeouts are `PlatformUnavailable`
and retried; a used-up quota is `RateLimited` and retried; refusals of the sender are `AuthError`; refusals
of the content are `SmevRejected` (a `PlatformRejected`) with the fault's validation errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import requests
from lxml import etree
from zeep.exceptions import Fault, TransportError
from zeep.exceptions import ValidationError as ZeepValidationError
from zeep.exceptions import XMLSyntaxError as ZeepXMLSyntaxError

from edugateway.errors import AuthError, ConnectorError, PlatformRejected, PlatformUnavailable, RateLimited
from edugateway.logs import mask_text

FAULTS_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.3"
BASIC_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3"
RETRYABLE: tuple[type[ConnectorError], ...] = (PlatformUnavailable, RateLimited)


class SmevRejected(PlatformRejected):
    """СМЭВ refused the message itself; `fault` names the СМЭВ fault, `validation_errors` its (position, text)."""

    def __init__(
        self,
        message: str,
        *,
        fault: str,
        validation_errors: tuple[tuple[int, str], ...] = (),
        platform: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, platform=platform, url=url)
        self.fault = fault
        self.validation_errors = validation_errors


@dataclass(frozen=True)
class FaultRule:
    error: type[ConnectorError]
    advice: str


FAULT_RULES: Mapping[str, FaultRule] = {
    "AccessDenied": FaultRule(
        AuthError,
        "СМЭВ does not let this sender ask ЕСИА: check the sender mnemonic (NodeID) and that the information "
        "system's certificate is registered in СМЭВ for this request type",
    ),
    "SenderIsNotRegistered": FaultRule(
        AuthError,
        "СМЭВ does not know the sender: check the sender mnemonic (NodeID), the signing certificate, and the "
        "information system's registration in СМЭВ",
    ),
    "QuoteLimitExceeded": FaultRule(RateLimited, "the sender's СМЭВ quota is used up; retry later"),
    "InvalidContent": FaultRule(
        SmevRejected, "the message failed СМЭВ's schema checks; see the validation errors and fix the request"
    ),
    "BusinessDataTypeIsNotSupported": FaultRule(
        SmevRejected,
        "СМЭВ has no request type registered for this business document; check the business XSD version "
        "the gateway sends against the one registered in СМЭВ",
    ),
    "UnknownMessageType": FaultRule(
        SmevRejected, "СМЭВ does not know the response type GetResponse asked for; check the business XSD version"
    ),
    "InvalidMessageIdFormat": FaultRule(SmevRejected, "MessageID is not a lower-case UUID v1; a gateway bug"),
    "StaleMessageId": FaultRule(SmevRejected, "the MessageID's time is too old; check this machine's clock"),
    "MessageIsAlreadySent": FaultRule(SmevRejected, "a message with this MessageID was accepted before"),
    "TargetMessageIsNotFound": FaultRule(SmevRejected, "Ack named a message СМЭВ has no unacknowledged copy of"),
    "SMEVFailure": FaultRule(PlatformUnavailable, "СМЭВ failed or is in maintenance; retry later"),
}
# Transport-level answers: HTTP status -> error; any other 5xx is an outage, any other status a refusal.
STATUS_ERRORS: Mapping[int, type[ConnectorError]] = {429: RateLimited, 550: PlatformUnavailable}


def fault_name(fault: Fault) -> str | None:
    """The local name of the СМЭВ fault element in the detail, if there is one."""
    detail = fault.detail
    if detail is None:
        return None
    element = next((child for child in detail if isinstance(child.tag, str)), None)
    return etree.QName(element).localname if element is not None else None


def error_for_fault(fault: Fault, *, platform: str, url: str) -> ConnectorError:
    """The gateway error a SOAP fault means; unknown faults: outages when the server says it failed."""
    name = fault_name(fault)
    rule = FAULT_RULES.get(name or "")
    text = summarise(str(fault.message or ""))
    if rule is None:
        server = str(fault.code or "").endswith("Server") or fault.code is None
        kind: type[ConnectorError] = PlatformUnavailable if server else PlatformRejected
        advice = "retry later" if server else "СМЭВ refused the message"
        return kind(
            f"СМЭВ fault {name or fault.code or 'without detail'}: {text}; {advice}", platform=platform, url=url
        )
    message = f"СМЭВ fault {name}: {text}; {rule.advice}"
    if rule.error is SmevRejected:
        assert name is not None  # a rule was found by it
        errors = _validation_errors(fault)
        if errors:
            message += " (" + "; ".join(f"position {pos}: {summarise(err)}" for pos, err in errors[:5]) + ")"
        return SmevRejected(message, fault=name, validation_errors=errors, platform=platform, url=url)
    if rule.error is RateLimited:
        return RateLimited(message, platform=platform, url=url)
    return rule.error(message, platform=platform, url=url)


def error_for_transport(exc: Exception, *, platform: str, url: str, timeout_s: float) -> ConnectorError:
    """Failures below SOAP: timeouts, refused connections, non-SOAP HTTP answers, unreadable XML."""
    if isinstance(exc, requests.Timeout):
        return PlatformUnavailable(
            f"no answer within {timeout_s:g} s ({type(exc).__name__}); СМЭВ is slow or down, or timeout_s is too short",
            platform=platform,
            url=url,
        )
    if isinstance(exc, requests.ConnectionError):
        return PlatformUnavailable(
            f"cannot connect ({type(exc).__name__}); check base_url, DNS, the network, and any proxy or firewall "
            "between this machine and the СМЭВ endpoint",
            platform=platform,
            url=url,
        )
    if isinstance(exc, TransportError):
        status = int(exc.status_code or 0)
        kind = STATUS_ERRORS.get(status, PlatformUnavailable if status >= 500 or status == 0 else PlatformRejected)
        what = f"HTTP {status}" if status else "an answer"
        advice = {
            PlatformUnavailable: "СМЭВ or a proxy in front of it is failing; retry later",
            RateLimited: "retry later",
        }.get(kind, "check base_url: it must be the СМЭВ SOAP endpoint")
        return kind(f"{what} that is not a SOAP answer; {advice}", platform=platform, url=url)
    if isinstance(exc, ZeepValidationError):
        return PlatformRejected(
            f"the message does not fit the WSDL ({summarise(str(exc))}); a gateway bug or a wrong `wsdl` setting",
            platform=platform,
            url=url,
        )
    if isinstance(exc, etree.XMLSyntaxError | ZeepXMLSyntaxError):
        return PlatformUnavailable("the answer is not well-formed XML; retry later", platform=platform, url=url)
    return PlatformUnavailable(f"call failed ({type(exc).__name__}); retry later", platform=platform, url=url)


def _validation_errors(fault: Fault) -> tuple[tuple[int, str], ...]:
    detail = fault.detail
    if detail is None:
        return ()
    found = []
    for node in detail.iter(f"{{{FAULTS_NS}}}ValidationError"):
        position = node.get("errorPosition", "0")
        # Kept on the error, which is logged and shown: personal data masked here already.
        text = mask_text(" ".join((node.text or "").split()))
        found.append((int(position) if position.lstrip("-").isdigit() else 0, text))
    return tuple(found)


def summarise(text: str, limit: int = 300) -> str:
    """One line, bounded, with any СНИЛС and full name in it masked: faults and refusals quote the values they
    refused, a person's name («Петрова Анна Сергеевна») among them."""
    text = mask_text(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
