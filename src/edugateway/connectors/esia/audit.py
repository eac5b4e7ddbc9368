"""A zeep plugin that logs every СМЭВ envelope going out and coming in, with personal data redacted.

Each envelope becomes one structlog event `smev.envelope` with the direction, the operation, the ids it
carries and its size, and the envelope itself with every СНИЛС masked and every name and birth date replaced:
the audit trail shows what was exchanged without holding the personal data (152-ФЗ).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree
from zeep import Plugin

from edugateway.domain.snils import mask_snils
from edugateway.logs import get_logger

TYPES_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3"
BASIC_NS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3"
HIDDEN = "***"
# Elements whose text is personal data whatever their namespace (ЕСИА's /rs/prns field names).
_SNILS_ELEMENTS = frozenset({"snils"})
_PERSONAL_ELEMENTS = frozenset({"lastName", "firstName", "middleName", "birthDate", "surName"})
_SNILS_IN_TEXT = re.compile(r"(?<!\d)\d{3}[- ]?\d{3}[- ]?\d{3}[- ]?\d{2}(?!\d)")
_FIO_IN_TEXT = re.compile(r"[А-ЯЁ][а-яё-]+\s+[А-ЯЁ][а-яё-]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|чна|ична|оглы|кызы)\b")

log = get_logger(__name__)


def redact_envelope(envelope: etree._Element) -> str:
    """The envelope as text, with СНИЛС masked and names and birth dates replaced; the original is untouched."""
    copied = copy.deepcopy(envelope)
    for node in copied.iter():
        if not isinstance(node.tag, str):
            node.text = _mask_text(node.text)
            node.tail = _mask_text(node.tail)
            continue
        name = etree.QName(node).localname
        if name in _SNILS_ELEMENTS and node.text:
            node.text = mask_snils(node.text)
        elif name in _PERSONAL_ELEMENTS and node.text:
            node.text = HIDDEN
        else:
            node.text = _mask_text(node.text)
        node.tail = _mask_text(node.tail)
        for key, value in node.attrib.items():
            node.set(key, _mask_text(str(value)) or "")
    return etree.tostring(copied, encoding="unicode")


class EnvelopeAuditPlugin(Plugin):
    """Logs each envelope redacted; put it after the signing plugin so the log shows what was really sent."""

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def egress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        self._log("egress", envelope, operation)
        return envelope, http_headers

    def ingress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        self._log("ingress", envelope, operation)
        return envelope, http_headers

    def _log(self, direction: str, envelope: etree._Element, operation: Any) -> None:
        # Debug: an answer for 100 SNILS is ~60 KB even redacted; at info it would bury a console or a journal.
        log.debug(
            "smev.envelope",
            platform=self.platform,
            direction=direction,
            operation=getattr(operation, "name", None),
            message_id=_first_text(envelope, ("MessageID", "MessageId", "AckTargetMessage")),
            original_message_id=_first_text(envelope, ("OriginalMessageId",)),
            bytes=len(etree.tostring(envelope)),
            envelope=redact_envelope(envelope),
        )


def _first_text(envelope: etree._Element, names: tuple[str, ...]) -> str | None:
    for name in names:
        for namespace in (TYPES_NS, BASIC_NS):
            node = next(envelope.iter(f"{{{namespace}}}{name}"), None)
            if node is not None and node.text:
                return node.text.strip()
    return None


def _mask_text(text: str | None) -> str | None:
    if not text:
        return text
    text = _SNILS_IN_TEXT.sub(lambda m: mask_snils(m.group(0)), text)
    return _FIO_IN_TEXT.sub(HIDDEN, text)
