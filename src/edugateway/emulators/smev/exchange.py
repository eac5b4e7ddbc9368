"""СМЭВ 3 message exchange as a consumer sees it: SendRequest queues, GetResponse polls, Ack confirms.

The emulator plays СМЭВ and ЕСИА (the provider) at once: an accepted request is answered straight away,
but the answer only becomes visible to GetResponse `response_delay_s` later, as real answers arrive
minutes after the request. GetResponse returns the oldest unacknowledged answer for the sender and type,
and the same one again until it is acknowledged; Ack removes it.

Signatures: real СМЭВ identifies the sender by the certificate in CallerInformationSystemSignature and
refuses unsigned messages. The emulator accepts unsigned messages (the signature elements are optional in
the schema, "so that clients can be tested with simplified emulators") and does not verify signatures it
gets. It names the sender by the mnemonic in `NodeID` instead (SenderProvidedRequestData/NodeID for
SendRequest, MessageTypeSelector/NodeID for GetResponse); Ack names only the message, so any caller may
acknowledge a message it has received.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from edugateway.emulators.smev import lookup
from edugateway.emulators.smev.soap import BASIC_NS, TYPES_NS, SoapFault, basic, timestamp, types
from edugateway.emulators.smev.validation import compiled, schema_errors
from edugateway.emulators.smev.world import SmevWorld
from edugateway.schemas import ESIA_LOOKUP_NS, SMEV_TYPES_XSD

PROVIDER_MNEMONIC = "ESIA"
PROVIDER_NAME = "Единая система идентификации и аутентификации (ЕСИА)"
# Request type (root element) -> the root elements GetResponse may name for its answers.
REGISTERED_TYPES = {ESIA_LOOKUP_NS: {lookup.REQUEST_ROOT, lookup.RESPONSE_ROOT}}
STALE_AFTER_S = 2 * 24 * 3600  # МР: an id whose time is two days old is stale
_UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_UUID_EPOCH_OFFSET = 0x01B21DD213814000  # 100-ns intervals from 1582-10-15 to 1970-01-01


@dataclass
class QueuedResponse:
    message_id: str  # the answer's id: SenderProvidedResponseData/MessageID = MessageMetadata/MessageId
    recipient: str  # the consumer's mnemonic
    namespace: str  # of the business root element, for MessageTypeSelector
    available_at: float
    response: etree._Element  # types:Response, without DeliveryTimestamp
    delivered: bool = False


class MessageExchange:
    """The queues of one emulated СМЭВ; thread-safe, as tests poke it from the outside while it serves."""

    def __init__(self, world: SmevWorld, *, response_delay_s: float, clock: Callable[[], float] = time.time) -> None:
        self.world = world
        self.response_delay_s = response_delay_s
        self.clock = clock
        self.counters: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._accepted_ids: set[str] = set()
        self._queue: list[QueuedResponse] = []
        self._sent_at: dict[str, deque[float]] = {}
        self._node = random.getrandbits(48) | 1 << 40  # multicast bit: a random node, not this host's MAC

    # ---- operations -------------------------------------------------------------------------------
    def send_request(self, request: etree._Element) -> etree._Element:
        data = request.find(types("SenderProvidedRequestData"))
        message_id = data.findtext(types("MessageID")) if data is not None else None
        if message_id is not None:
            self._check_message_id(message_id)
        _validate_envelope(request)
        assert data is not None  # the schema requires it, and MessageID in it
        assert message_id is not None
        sender = self._sender(data.findtext(types("NodeID")), unknown="AccessDenied")
        content = _business_document(data)
        now = self.clock()
        with self._lock:
            if message_id in self._accepted_ids:
                raise SoapFault.smev("MessageIsAlreadySent", f"Сообщение с MessageID {message_id} уже было отправлено")
        numbers = lookup.requested_snils(content)
        with self._lock:
            self._take_quota(sender, now)
            self._accepted_ids.add(message_id)
            answer_id = self._new_id()
            self._queue.append(
                QueuedResponse(
                    message_id=answer_id,
                    recipient=sender,
                    namespace=ESIA_LOOKUP_NS,
                    available_at=now + self.response_delay_s,
                    response=self._response(data, answer_id, sender, lookup.answer(self.world, numbers), now),
                )
            )
            self.counters["requests accepted"] += 1
        reply = etree.Element(types("SendRequestResponse"), nsmap={"ns2": TYPES_NS})
        reply.append(self._metadata(message_id, "REQUEST", sender, PROVIDER_MNEMONIC, now, status="requestIsQueued"))
        return reply

    def get_response(self, request: etree._Element) -> etree._Element:
        _validate_envelope(request)
        selector = request.find(basic("MessageTypeSelector"))
        assert selector is not None
        sender = self._sender(selector.findtext(basic("NodeID")), unknown="SenderIsNotRegistered")
        namespace = selector.findtext(basic("NamespaceURI"))
        root = selector.findtext(basic("RootElementLocalName"))
        if namespace is not None and root not in REGISTERED_TYPES.get(namespace, set()):
            raise SoapFault.smev("UnknownMessageType", f"Тип сообщения {{{namespace}}}{root} не зарегистрирован в СМЭВ")
        reply = etree.Element(types("GetResponseResponse"), nsmap={"ns2": TYPES_NS, "ns3": BASIC_NS})
        now = self.clock()
        with self._lock:
            queued = next(
                (
                    q
                    for q in self._queue
                    if q.recipient == sender and q.available_at <= now and namespace in (None, q.namespace)
                ),
                None,
            )
            if queued is None:
                self.counters["empty polls"] += 1
                return reply
            self.counters["responses delivered"] += 1
            queued.delivered = True
            response = copy.deepcopy(queued.response)
        metadata = response.find(types("MessageMetadata"))
        assert metadata is not None
        delivered = etree.Element(types("DeliveryTimestamp"))
        delivered.text = timestamp(now)
        metadata.find(types("Status")).addprevious(delivered)  # type: ignore[union-attr]
        etree.SubElement(reply, types("ResponseMessage")).append(response)
        return reply

    def ack(self, request: etree._Element) -> etree._Element:
        _validate_envelope(request)
        target = request.find(basic("AckTargetMessage"))
        assert target is not None
        message_id = (target.text or "").strip()
        accepted = target.get("accepted", "true") in ("true", "1")
        with self._lock:
            queued = next((q for q in self._queue if q.message_id == message_id and q.delivered), None)
            if queued is None:
                raise SoapFault.smev(
                    "TargetMessageIsNotFound", f"Неподтверждённое сообщение с Id {message_id} не найдено"
                )
            self._queue.remove(queued)
            self.counters["acknowledged" if accepted else "acknowledged as rejected"] += 1
        return etree.Element(types("AckResponse"), nsmap={"ns2": TYPES_NS})

    # ---- inspection -------------------------------------------------------------------------------
    def queue_sizes(self) -> dict[str, int]:
        now = self.clock()
        with self._lock:
            return {
                "waiting": sum(1 for q in self._queue if q.available_at > now),
                "available": sum(1 for q in self._queue if q.available_at <= now),
            }

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._sent_at.clear()
            self.counters.clear()

    # ---- rules ------------------------------------------------------------------------------------
    def _check_message_id(self, message_id: str) -> None:
        if not _UUID_TEXT.match(message_id) or uuid.UUID(message_id).version != 1:
            raise SoapFault.smev(
                "InvalidMessageIdFormat",
                "MessageID должен быть строковым представлением UUID версии 1 (RFC 4122) в нижнем регистре",
            )
        issued = (uuid.UUID(message_id).time - _UUID_EPOCH_OFFSET) / 1e7
        if self.clock() - issued > STALE_AFTER_S:
            raise SoapFault.smev("StaleMessageId", "MessageID содержит устаревшую метку времени; создайте новый UUID")

    def _sender(self, mnemonic: str | None, *, unknown: str) -> str:
        if not mnemonic:
            raise SoapFault.smev(
                "SenderIsNotRegistered",
                "Отправитель не определён: сообщение не подписано, а NodeID (мнемоника отправителя) не указан",
            )
        if mnemonic not in self.world.settings.senders:
            raise SoapFault.smev(unknown, f"Отправителю {mnemonic} не разрешено отправлять запросы к ЕСИА")
        return mnemonic

    def _take_quota(self, sender: str, now: float) -> None:
        """Counts accepted requests per sender in a sliding window; call with the lock held."""
        settings = self.world.settings
        if settings.quota_requests is None:
            return
        sent = self._sent_at.setdefault(sender, deque())
        while sent and sent[0] <= now - settings.quota_interval_s:
            sent.popleft()
        if len(sent) >= settings.quota_requests:
            raise SoapFault.with_fields(
                "QuoteLimitExceeded",
                "QUOTE_LIMIT_EXCEEDED",
                f"Квота исчерпана: не более {settings.quota_requests} запросов за {settings.quota_interval_s:g} с",
                [("RemainedTotalQuoteSize", "0"), ("RealTotalAttachmentSize", "0")],
            )
        sent.append(now)

    def _new_id(self) -> str:
        return str(uuid.uuid1(node=self._node))

    # ---- messages ---------------------------------------------------------------------------------
    def _metadata(
        self, message_id: str, kind: str, sender: str, recipient: str, sent: float, *, status: str
    ) -> etree._Element:
        names = {PROVIDER_MNEMONIC: PROVIDER_NAME, **self.world.settings.senders}
        metadata = etree.Element(types("MessageMetadata"))
        etree.SubElement(metadata, types("MessageId")).text = message_id
        etree.SubElement(metadata, types("MessageType")).text = kind
        _party(metadata, "Sender", sender, names)
        etree.SubElement(metadata, types("SendingTimestamp")).text = timestamp(sent)
        _party(metadata, "Recipient", recipient, names)
        etree.SubElement(metadata, types("Status")).text = status
        return metadata

    def _response(
        self, request_data: etree._Element, answer_id: str, consumer: str, content: etree._Element, now: float
    ) -> etree._Element:
        request_id = request_data.findtext(types("MessageID")) or ""
        response = etree.Element(types("Response"))
        etree.SubElement(response, types("OriginalMessageId")).text = request_id
        transaction = request_data.findtext(types("TransactionCode"))
        if transaction:
            etree.SubElement(response, types("OriginalTransactionCode")).text = transaction
        reference = request_data.findtext(types("ReferenceMessageID")) or request_id
        etree.SubElement(response, types("ReferenceMessageID")).text = reference
        data = etree.SubElement(response, types("SenderProvidedResponseData"))
        etree.SubElement(data, types("MessageID")).text = answer_id
        etree.SubElement(data, types("To")).text = f"{consumer}:{request_id}"  # opaque reply address
        etree.SubElement(data, basic("MessagePrimaryContent")).append(content)
        sent = now + self.response_delay_s
        response.append(
            self._metadata(answer_id, "RESPONSE", PROVIDER_MNEMONIC, consumer, sent, status="messageIsDelivered")
        )
        return response


def _party(metadata: etree._Element, role: str, mnemonic: str, names: dict[str, str]) -> None:
    party = etree.SubElement(metadata, types(role))
    etree.SubElement(party, types("Mnemonic")).text = mnemonic
    etree.SubElement(party, types("HumanReadableName")).text = names.get(mnemonic, mnemonic)


def _validate_envelope(request: etree._Element) -> None:
    errors = schema_errors(compiled(SMEV_TYPES_XSD), request)
    if errors:
        raise SoapFault.invalid_content(errors)


def _business_document(data: etree._Element) -> etree._Element:
    """The request type is the qualified name of the element under MessagePrimaryContent."""
    content = data.find(basic("MessagePrimaryContent"))
    document = next((child for child in content if isinstance(child.tag, str)), None) if content is not None else None
    assert document is not None  # the envelope schema requires one element
    name = etree.QName(document)
    if name.namespace not in REGISTERED_TYPES or name.localname != lookup.REQUEST_ROOT:
        raise SoapFault.with_fields(
            "BusinessDataTypeIsNotSupported",
            "BUSINESS_DATA_TYPE_IS_NOT_SUPPORTED",
            f"Запрос с корневым элементом {{{name.namespace}}}{name.localname} не зарегистрирован в СМЭВ",
            [("RootElementLocalName", name.localname), ("RootElementNamespaceURI", name.namespace or "")],
        )
    return document
