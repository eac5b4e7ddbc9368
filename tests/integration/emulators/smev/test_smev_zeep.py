"""Done when: zeep, built from the public СМЭВ 3 1.3 WSDL (and from the project's own), sends SendRequest to the
emulator on loopback, gets the ЕСИА answer through GetResponse and acknowledges it with Ack; the faults arrive
as SOAP faults zeep raises with the СМЭВ fault element in the detail.

The public WSDL and its XSDs are third-party files the project does not carry: the only files a test reads from
../shared, the team's reference folder beside the project. Without it the tests with the public WSDL skip with
a note (the project's own WSDL, edugateway/schemas, is tested either way); with EDUGATEWAY_REQUIRE_SHARED set,
as in CI, they fail instead."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zeep
from lxml import etree
from zeep.exceptions import Fault

from edugateway.emulators.smev import ENDPOINT, SmevEmulator, SmevSettings, SmevWorld, create_app
from edugateway.schemas import ESIA_LOOKUP_NS, SMEV_WSDL, schema_path
from support.fake_clock import FakeClock

SHARED = Path(__file__).resolve().parents[4].parent / "shared"  # ../shared beside the project
PUBLIC_WSDL = SHARED / "platforms/smev3/smev-message-exchange-service-1.3.wsdl"  # imports the 1.3 XSDs beside it
BINDING = "{urn://x-artefacts-smev-gov-ru/services/message-exchange/1.3}SMEVMessageExchangeSoap11Binding"
FAULTS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.3"
SENDER = "EDUGW01"
KNOWN = "000-000-600 06"
UNKNOWN = "112-233-445 95"
DELAY_S = 30  # seconds of the fake clock: nothing waits for them

ACCOUNT = {
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


@pytest.fixture
def clock() -> FakeClock:
    """The exchange's clock: an answer becomes available when the test moves it past the delay."""
    return FakeClock()


@pytest.fixture
def served(clock: FakeClock) -> Iterator[tuple[SmevEmulator, str]]:
    from edugateway.emulators.server import BackgroundServer

    world = SmevWorld(persons=[dict(ACCOUNT)], settings=SmevSettings(quota_requests=2, quota_interval_s=600))
    emulator = create_app(world, response_delay_s=DELAY_S, clock=clock)
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.base_url


def public_wsdl() -> str:
    """The public СМЭВ 3 1.3 WSDL from ../shared; skips (or fails under EDUGATEWAY_REQUIRE_SHARED) without it."""
    if PUBLIC_WSDL.is_file():
        return str(PUBLIC_WSDL)
    if os.environ.get("EDUGATEWAY_REQUIRE_SHARED"):
        pytest.fail(f"EDUGATEWAY_REQUIRE_SHARED is set but the public СМЭВ 3 WSDL is not at {PUBLIC_WSDL}")
    pytest.skip(
        f"no public СМЭВ 3 1.3 WSDL at {PUBLIC_WSDL}: a third-party file the project does not carry; put the "
        "reference folder beside the project as ../shared to compare with it (the project's own WSDL was tested)"
    )


@pytest.fixture(params=["public", "own"])
def wsdl(request: pytest.FixtureRequest) -> str:
    """Each test below runs with zeep built from the public WSDL and from the project's own."""
    return public_wsdl() if request.param == "public" else str(schema_path(SMEV_WSDL))


def service(wsdl: str, address: str) -> Any:
    return zeep.Client(wsdl).create_service(BINDING, address)


def lookup_request(*snils: str) -> etree._Element:
    root = etree.Element(f"{{{ESIA_LOOKUP_NS}}}PersonLookupRequest", nsmap={"lk": ESIA_LOOKUP_NS})
    for number in snils:
        etree.SubElement(root, f"{{{ESIA_LOOKUP_NS}}}snils").text = number
    return root


def send(smev: Any, *snils: str, node: str = SENDER, message_id: str | None = None) -> Any:
    return smev.SendRequest(
        SenderProvidedRequestData={
            "Id": "SIGNED_BY_CONSUMER",
            "MessageID": message_id or str(uuid.uuid1()),
            "NodeID": node,
            "MessagePrimaryContent": {"_value_1": lookup_request(*snils)},
        }
    )


def poll(smev: Any) -> Any:
    return smev.GetResponse(
        MessageTypeSelector={
            "Id": "SIGNED_BY_CALLER",
            "NamespaceURI": ESIA_LOOKUP_NS,
            "RootElementLocalName": "PersonLookupResponse",
            "Timestamp": dt.datetime.now(dt.UTC),
            "NodeID": SENDER,
        }
    )


def round_trip(smev: Any, clock: FakeClock) -> None:
    request_id = str(uuid.uuid1())
    metadata = send(smev, KNOWN, UNKNOWN, message_id=request_id).MessageMetadata
    assert metadata.MessageId == request_id
    assert metadata.Status == "requestIsQueued"
    clock.advance(DELAY_S - 1)
    assert poll(smev) is None  # not before the delay

    clock.advance(1)  # the delay is over
    answer = poll(smev)
    assert answer is not None
    response = answer.Response
    assert response.OriginalMessageId == request_id
    assert poll(smev).Response.MessageMetadata.MessageId == response.MessageMetadata.MessageId  # again until Ack
    document = response.SenderProvidedResponseData.MessagePrimaryContent._value_1
    ns = {"lk": ESIA_LOOKUP_NS}
    found, missing = document.findall("lk:result", ns)
    assert found.findtext("lk:person/lk:oid", namespaces=ns) == str(ACCOUNT["oid"])
    assert found.findtext("lk:person/lk:lastName", namespaces=ns) == ACCOUNT["lastName"]
    assert found.findtext("lk:person/lk:trusted", namespaces=ns) == "true"
    assert missing.findtext("lk:snils", namespaces=ns) == UNKNOWN
    assert missing.find("lk:notFound", ns) is not None

    smev.Ack(AckTargetMessage={"_value_1": response.MessageMetadata.MessageId, "Id": "ACK", "accepted": True})
    assert poll(smev) is None


def test_zeep_from_the_public_wsdl_gets_the_esia_answer(served: tuple[SmevEmulator, str], clock: FakeClock) -> None:
    emulator, base_url = served
    round_trip(service(public_wsdl(), base_url + ENDPOINT), clock)
    assert emulator.stats.by_route[f"POST {ENDPOINT} SendRequest"] == 1
    assert emulator.stats.by_route[f"POST {ENDPOINT} Ack"] == 1


def test_zeep_from_the_projects_own_wsdl_gets_the_esia_answer(
    served: tuple[SmevEmulator, str], clock: FakeClock
) -> None:
    _, base_url = served
    round_trip(service(str(schema_path(SMEV_WSDL)), base_url + ENDPOINT), clock)


def test_zeep_loads_the_served_wsdl_which_points_at_the_emulator(
    served: tuple[SmevEmulator, str], clock: FakeClock
) -> None:
    _, base_url = served
    round_trip(zeep.Client(f"{base_url}{ENDPOINT}?wsdl").service, clock)


def fault_of(call: Any) -> Fault:
    with pytest.raises(Fault) as caught:
        call()
    return caught.value


def detail_tag(fault: Fault) -> str:
    assert fault.detail is not None
    return str(fault.detail[0].tag)


def test_quota_limit_exceeded(served: tuple[SmevEmulator, str], wsdl: str) -> None:
    _, base_url = served
    smev = service(wsdl, base_url + ENDPOINT)
    send(smev, KNOWN)
    send(smev, KNOWN)
    fault = fault_of(lambda: send(smev, KNOWN))
    assert fault.code == "soap:Client"
    assert detail_tag(fault) == f"{{{FAULTS}}}QuoteLimitExceeded"
    assert "Квота" in fault.message


def test_access_denied_for_an_unknown_sender(served: tuple[SmevEmulator, str], wsdl: str) -> None:
    _, base_url = served
    fault = fault_of(lambda: send(service(wsdl, base_url + ENDPOINT), KNOWN, node="STRANGER"))
    assert fault.code == "soap:Client"
    assert detail_tag(fault) == f"{{{FAULTS}}}AccessDenied"


def test_invalid_content_for_a_bad_snils(served: tuple[SmevEmulator, str], wsdl: str) -> None:
    _, base_url = served
    fault = fault_of(lambda: send(service(wsdl, base_url + ENDPOINT), "112-233-445 96"))
    assert fault.code == "soap:Client"
    assert detail_tag(fault) == f"{{{FAULTS}}}InvalidContent"
    assert fault.detail is not None
    errors = fault.detail[0].findall(f"{{{FAULTS}}}ValidationError")
    assert len(errors) == 1
    assert "control number" in (errors[0].text or "")


def test_a_uuid4_message_id_is_refused(served: tuple[SmevEmulator, str], wsdl: str) -> None:
    _, base_url = served
    smev = service(wsdl, base_url + ENDPOINT)
    fault = fault_of(lambda: send(smev, KNOWN, message_id=str(uuid.uuid4())))
    assert detail_tag(fault) == f"{{{FAULTS}}}InvalidMessageIdFormat"
