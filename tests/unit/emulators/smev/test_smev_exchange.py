"""SOAP envelopes in and out of the СМЭВ emulator, in process (no sockets): the exchange's rules and faults."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from edugateway.domain.snils import format_snils
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.smev import ENDPOINT, SmevEmulator, SmevSettings, SmevWorld, create_app
from edugateway.emulators.synthetic import random_snils
from edugateway.schemas import ESIA_LOOKUP_NS, ESIA_LOOKUP_XSD, SMEV_TYPES_XSD, schema_path

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TYPES = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3"
BASIC = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3"
FAULTS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.3"
NS = {"s": SOAP, "t": TYPES, "b": BASIC, "f": FAULTS, "lk": ESIA_LOOKUP_NS}
SENDER = "EDUGW01"
KNOWN = "000-000-600 06"  # below 001-001-998: no control number, like ЕСИА's test accounts
OTHER = format_snils(random_snils(random.Random(5)))

PERSON = {
    "oid": 1000404446,
    "firstName": "Имя006",
    "lastName": "Фамилия006",
    "middleName": "Отчество006",
    "birthDate": "26.05.2000",
    "gender": "F",
    "trusted": True,
    "snils": KNOWN,
    "updatedOn": 1523386683,
    "status": "REGISTERED",
    "kidAccCreatedByParent": False,
}


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    emulator: SmevEmulator
    client: httpx.AsyncClient
    clock: Clock

    async def post(self, body: str, action: str) -> tuple[int, etree._Element]:
        answer = await self.client.post(ENDPOINT, content=body.encode(), headers={"SOAPAction": f'"urn:{action}"'})
        assert answer.headers["content-type"].startswith("text/xml")
        return answer.status_code, etree.fromstring(answer.content)


@pytest.fixture
async def smev() -> AsyncIterator[Harness]:
    clock = Clock()
    world = SmevWorld(persons=[dict(PERSON)], settings=SmevSettings(quota_requests=3, quota_interval_s=60))
    emulator = create_app(world, response_delay_s=30, clock=clock)
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Harness(emulator, client, clock)


def envelope(inner: str) -> str:
    return f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>{inner}</soap:Body></soap:Envelope>'


def send_request(*snils: str, message_id: str | None = None, node: str | None = SENDER) -> str:
    numbers = "".join(f"<lk:snils>{s}</lk:snils>" for s in snils)
    node_xml = f"<t:NodeID>{node}</t:NodeID>" if node else ""
    return envelope(
        f'<t:SendRequestRequest xmlns:t="{TYPES}" xmlns:b="{BASIC}"><t:SenderProvidedRequestData Id="SIGNED">'
        f"<t:MessageID>{message_id or uuid.uuid1()}</t:MessageID>{node_xml}"
        f'<b:MessagePrimaryContent><lk:PersonLookupRequest xmlns:lk="{ESIA_LOOKUP_NS}">{numbers}'
        "</lk:PersonLookupRequest></b:MessagePrimaryContent></t:SenderProvidedRequestData></t:SendRequestRequest>"
    )


def get_response(node: str = SENDER, namespace: str = ESIA_LOOKUP_NS) -> str:
    return envelope(
        f'<t:GetResponseRequest xmlns:t="{TYPES}" xmlns:b="{BASIC}"><b:MessageTypeSelector Id="SIGNED">'
        f"<b:NamespaceURI>{namespace}</b:NamespaceURI><b:RootElementLocalName>PersonLookupResponse"
        "</b:RootElementLocalName><b:Timestamp>2026-11-01T10:00:00+03:00</b:Timestamp>"
        f"<b:NodeID>{node}</b:NodeID></b:MessageTypeSelector></t:GetResponseRequest>"
    )


def ack(message_id: str, accepted: str = "true") -> str:
    return envelope(
        f'<t:AckRequest xmlns:t="{TYPES}" xmlns:b="{BASIC}">'
        f'<b:AckTargetMessage Id="SIGNED" accepted="{accepted}">{message_id}</b:AckTargetMessage></t:AckRequest>'
    )


def fault_detail(status: int, answer: etree._Element) -> etree._Element:
    assert status == 500
    assert answer.findtext("s:Body/s:Fault/faultcode", namespaces=NS) in ("soap:Client", "soap:Server")
    detail = answer.find("s:Body/s:Fault/detail", namespaces=NS)
    assert detail is not None
    assert len(detail) == 1
    return detail[0]


async def test_send_request_queues_and_answers_with_metadata(smev: Harness) -> None:
    message_id = str(uuid.uuid1())
    status, answer = await smev.post(send_request(KNOWN, message_id=message_id), "SendRequest")
    assert status == 200
    metadata = answer.find("s:Body/t:SendRequestResponse/t:MessageMetadata", namespaces=NS)
    assert metadata is not None
    assert metadata.findtext("t:MessageId", namespaces=NS) == message_id
    assert metadata.findtext("t:MessageType", namespaces=NS) == "REQUEST"
    assert metadata.findtext("t:Sender/t:Mnemonic", namespaces=NS) == SENDER
    assert metadata.findtext("t:Status", namespaces=NS) == "requestIsQueued"
    assert _valid(SMEV_TYPES_XSD, answer.find("s:Body/t:SendRequestResponse", namespaces=NS))


# Made when the test runs, not at collection: a fresh uuid1, and ids that are the same in every pytest-xdist worker.
MESSAGE_IDS = {
    "uuid4": lambda: str(uuid.uuid4()),
    "uuid1-upper-case": lambda: str(uuid.uuid1()).upper(),
    "not-a-uuid": lambda: "not-a-uuid",
}


@pytest.mark.parametrize("kind", MESSAGE_IDS)
async def test_a_message_id_other_than_a_uuid1_is_refused(smev: Harness, kind: str) -> None:
    message_id = MESSAGE_IDS[kind]()
    detail = fault_detail(*await smev.post(send_request(KNOWN, message_id=message_id), "SendRequest"))
    assert detail.tag == f"{{{FAULTS}}}InvalidMessageIdFormat"


async def test_a_stale_uuid1_is_refused(smev: Harness) -> None:
    stale = uuid.uuid1()
    smev.clock.now += 3 * 24 * 3600
    detail = fault_detail(*await smev.post(send_request(KNOWN, message_id=str(stale)), "SendRequest"))
    assert detail.tag == f"{{{FAULTS}}}StaleMessageId"


@pytest.mark.parametrize(
    ("numbers", "why"),
    [
        (("12345678901",), "pattern"),  # not the canonical form: fails the schema
        (("123-456-789 00",), "control number"),  # canonical form, wrong control number
        ((), "snils"),  # at least one is required
        ((KNOWN,) * 101, "snils"),  # at most a hundred
    ],
)
async def test_invalid_business_content_is_an_invalid_content_fault(
    smev: Harness, numbers: tuple[str, ...], why: str
) -> None:
    detail = fault_detail(*await smev.post(send_request(*numbers), "SendRequest"))
    assert detail.tag == f"{{{FAULTS}}}InvalidContent"
    errors = detail.findall("f:ValidationError", namespaces=NS)
    assert errors
    assert all(int(e.get("errorPosition", "-1")) >= 0 for e in errors)
    assert why in " ".join(e.text or "" for e in errors)
    assert smev.emulator.exchange.queue_sizes() == {"waiting": 0, "available": 0}


async def test_a_broken_envelope_is_invalid_content(smev: Harness) -> None:
    body = send_request(KNOWN).replace("<t:NodeID>", "<t:Unexpected/><t:NodeID>")
    assert fault_detail(*await smev.post(body, "SendRequest")).tag == f"{{{FAULTS}}}InvalidContent"


async def test_unknown_business_type_is_not_supported(smev: Harness) -> None:
    body = send_request(KNOWN).replace(ESIA_LOOKUP_NS, "urn://example/other/1.0")
    detail = fault_detail(*await smev.post(body, "SendRequest"))
    assert detail.tag == f"{{{FAULTS}}}BusinessDataTypeIsNotSupported"
    assert detail.findtext("f:RootElementNamespaceURI", namespaces=NS) == "urn://example/other/1.0"


async def test_senders_are_checked(smev: Harness) -> None:
    unknown = fault_detail(*await smev.post(send_request(KNOWN, node="STRANGER"), "SendRequest"))
    assert unknown.tag == f"{{{FAULTS}}}AccessDenied"
    anonymous = fault_detail(*await smev.post(send_request(KNOWN, node=None), "SendRequest"))
    assert anonymous.tag == f"{{{FAULTS}}}SenderIsNotRegistered"
    polling = fault_detail(*await smev.post(get_response(node="STRANGER"), "GetResponse"))
    assert polling.tag == f"{{{FAULTS}}}SenderIsNotRegistered"


async def test_the_same_message_id_twice_is_already_sent(smev: Harness) -> None:
    message_id = str(uuid.uuid1())
    assert (await smev.post(send_request(KNOWN, message_id=message_id), "SendRequest"))[0] == 200
    detail = fault_detail(*await smev.post(send_request(KNOWN, message_id=message_id), "SendRequest"))
    assert detail.tag == f"{{{FAULTS}}}MessageIsAlreadySent"


async def test_quota_counts_requests_per_sender_per_interval(smev: Harness) -> None:
    for _ in range(3):
        assert (await smev.post(send_request(KNOWN), "SendRequest"))[0] == 200
    detail = fault_detail(*await smev.post(send_request(KNOWN), "SendRequest"))
    assert detail.tag == f"{{{FAULTS}}}QuoteLimitExceeded"
    assert detail.findtext("f:RemainedTotalQuoteSize", namespaces=NS) == "0"
    smev.clock.now += 61
    assert (await smev.post(send_request(KNOWN), "SendRequest"))[0] == 200


async def test_the_answer_waits_for_the_delay_repeats_until_ack_and_is_gone_after(smev: Harness) -> None:
    request_id = str(uuid.uuid1())
    await smev.post(send_request(KNOWN, OTHER, message_id=request_id), "SendRequest")

    smev.clock.now += 29
    status, empty = await smev.post(get_response(), "GetResponse")
    assert status == 200
    reply = empty.find("s:Body/t:GetResponseResponse", namespaces=NS)
    assert reply is not None
    assert len(reply) == 0

    smev.clock.now += 2
    first = await _response_of(smev)
    again = await _response_of(smev)
    answer_id = first.findtext("t:MessageMetadata/t:MessageId", namespaces=NS)
    assert answer_id
    assert answer_id == again.findtext("t:MessageMetadata/t:MessageId", namespaces=NS)
    assert first.findtext("t:OriginalMessageId", namespaces=NS) == request_id
    assert first.findtext("t:SenderProvidedResponseData/t:MessageID", namespaces=NS) == answer_id

    content = first.find("t:SenderProvidedResponseData/b:MessagePrimaryContent/lk:PersonLookupResponse", NS)
    assert content is not None
    assert _valid(ESIA_LOOKUP_XSD, content)
    found, missing = content.findall("lk:result", NS)
    assert found.findtext("lk:snils", namespaces=NS) == KNOWN
    person = found.find("lk:person", NS)
    assert person is not None
    assert {etree.QName(child).localname: child.text for child in person} == {
        key: ("true" if value is True else "false" if value is False else str(value)) for key, value in PERSON.items()
    }
    assert missing.findtext("lk:snils", namespaces=NS) == OTHER
    assert missing.find("lk:notFound", NS) is not None

    assert (await smev.post(ack(answer_id), "Ack"))[1].find("s:Body/t:AckResponse", NS) is not None
    after = (await smev.post(get_response(), "GetResponse"))[1].find("s:Body/t:GetResponseResponse", namespaces=NS)
    assert after is not None
    assert len(after) == 0
    detail = fault_detail(*await smev.post(ack(answer_id), "Ack"))
    assert detail.tag == f"{{{FAULTS}}}TargetMessageIsNotFound"


async def test_get_response_answers_the_oldest_first_and_only_its_sender(smev: Harness) -> None:
    smev.emulator.world.settings = SmevSettings(senders={SENDER: "Шлюз", "OTHER01": "Другая ИС"})
    first_id, second_id = str(uuid.uuid1()), str(uuid.uuid1())
    await smev.post(send_request(KNOWN, message_id=first_id), "SendRequest")
    await smev.post(send_request(KNOWN, message_id=second_id), "SendRequest")
    smev.clock.now += 31
    other = (await smev.post(get_response(node="OTHER01"), "GetResponse"))[1]
    assert len(other.find("s:Body/t:GetResponseResponse", NS)) == 0  # type: ignore[arg-type]
    oldest = await _response_of(smev)
    assert oldest.findtext("t:OriginalMessageId", namespaces=NS) == first_id
    await smev.post(ack(oldest.findtext("t:MessageMetadata/t:MessageId", namespaces=NS) or ""), "Ack")
    assert (await _response_of(smev)).findtext("t:OriginalMessageId", namespaces=NS) == second_id


async def test_an_unregistered_selector_is_an_unknown_message_type(smev: Harness) -> None:
    detail = fault_detail(*await smev.post(get_response(namespace="urn://example/other/1.0"), "GetResponse"))
    assert detail.tag == f"{{{FAULTS}}}UnknownMessageType"


async def test_ack_before_delivery_finds_nothing(smev: Harness) -> None:
    detail = fault_detail(*await smev.post(ack(str(uuid.uuid1())), "Ack"))
    assert detail.tag == f"{{{FAULTS}}}TargetMessageIsNotFound"


@pytest.mark.parametrize(
    ("body", "action", "why"),
    [
        ("<<<", "SendRequest", "XML"),
        ('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "SendRequest", "DOCTYPE"),
        ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', "Ack", "SOAP 1.1"),
        (get_response(), "SendRequest", "SOAPAction"),
    ],
)
async def test_what_is_not_a_soap_11_call_is_a_client_fault(smev: Harness, body: str, action: str, why: str) -> None:
    status, answer = await smev.post(body, action)
    assert status == 500
    assert answer.findtext("s:Body/s:Fault/faultcode", namespaces=NS) == "soap:Client"
    assert why in (answer.findtext("s:Body/s:Fault/faultstring", namespaces=NS) or "")


async def test_the_wsdl_is_served_with_this_emulator_as_the_address(smev: Harness) -> None:
    answer = await smev.client.get(f"{ENDPOINT}?wsdl")
    assert answer.status_code == 200
    wsdl = etree.fromstring(answer.content)
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == f"http://testserver{ENDPOINT}"
    assert (await smev.client.get(ENDPOINT.rsplit("/", 1)[0] + "/smev3-types-1.3.xsd")).content == (
        schema_path(SMEV_TYPES_XSD).read_bytes()
    )
    assert (await smev.client.get(ENDPOINT.rsplit("/", 1)[0] + "/../../etc/passwd")).status_code == 404


async def test_injected_faults_come_back_as_soap_faults(smev: Harness) -> None:
    smev.emulator.set_faults(FaultConfig(maintenance=True))
    status, answer = await smev.post(send_request(KNOWN), "SendRequest")
    assert status == 550
    assert answer.findtext("s:Body/s:Fault/faultcode", namespaces=NS) == "soap:Server"
    assert answer.find("s:Body/s:Fault/detail/f:SMEVFailure", NS) is not None
    assert smev.emulator.stats.by_route[f"POST {ENDPOINT} SendRequest"] == 1


async def test_control_endpoints_change_the_delay_and_quota(smev: Harness) -> None:
    answer = await smev.client.put("/_emulator/settings", json={"response_delay_s": 0, "no_quota": True})
    assert answer.status_code == 200
    assert answer.json()["response_delay_s"] == 0
    assert answer.json()["quota_requests"] is None
    for _ in range(4):
        assert (await smev.post(send_request(KNOWN), "SendRequest"))[0] == 200
    stats = (await smev.client.get("/_emulator/stats")).json()
    assert stats["queue"] == {"waiting": 0, "available": 4}
    assert stats["by_route"] == {f"POST {ENDPOINT} SendRequest": 4}
    assert (await smev.client.put("/_emulator/settings", json={"response_delay_s": -1})).status_code == 400
    assert (await smev.client.put("/_emulator/faults", json={"fail_rate": 2})).status_code == 400


async def _response_of(smev: Harness) -> etree._Element:
    status, answer = await smev.post(get_response(), "GetResponse")
    assert status == 200
    reply = answer.find("s:Body/t:GetResponseResponse", NS)
    assert reply is not None
    assert _valid(SMEV_TYPES_XSD, reply)
    response = reply.find("t:ResponseMessage/t:Response", NS)
    assert response is not None
    return response


def _valid(name: str, element: etree._Element | None) -> bool:
    assert element is not None
    schema = etree.XMLSchema(etree.parse(str(schema_path(name))))
    return bool(schema.validate(etree.fromstring(etree.tostring(element))))
