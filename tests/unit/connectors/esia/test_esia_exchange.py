"""The lookup against the СМЭВ emulator in-process: what goes on the wire (UUID v1 ids, batches of at most 100,
business XML valid against the project's XSD), what comes back, and that every answer read is acknowledged."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from typing import Any

import pytest
from lxml import etree
from structlog.testing import capture_logs

from edugateway.connectors.esia import OpenSslGostSigner, gost_engine_available
from edugateway.connectors.esia.document import lookup_request
from edugateway.domain.esia_account import AccountStatus
from edugateway.domain.models import Gender
from edugateway.domain.snils import format_snils
from edugateway.emulators.smev.validation import compiled, schema_errors
from edugateway.errors import PlatformUnavailable, ValidationError
from edugateway.schemas import ESIA_LOOKUP_NS, ESIA_LOOKUP_XSD, SMEV_TYPES_XSD

TYPES = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.3"


def sent_requests(bodies: list[bytes]) -> list[etree._Element]:
    """The SendRequestRequest elements of the bodies sent, in order."""
    found = []
    for body in bodies:
        request = etree.fromstring(body).find(f".//{{{TYPES}}}SendRequestRequest")
        if request is not None:
            found.append(request)
    return found


async def test_250_snils_go_in_batches_of_100_with_fresh_uuid1_ids_and_valid_business_xml(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    numbers = snils_numbers(250)
    lookup, emulator, adapter = in_process([esia_account(n, 1_000_000_000 + i) for i, n in enumerate(numbers) if i % 3])
    result = await lookup.find_accounts(numbers)

    requests = sent_requests(adapter.bodies)
    assert len(requests) == 3
    business = [r.find(f".//{{{ESIA_LOOKUP_NS}}}PersonLookupRequest") for r in requests]
    assert [len(b.findall(f"{{{ESIA_LOOKUP_NS}}}snils")) for b in business if b is not None] == [100, 100, 50]
    for request, document in zip(requests, business, strict=True):
        assert schema_errors(compiled(SMEV_TYPES_XSD), request) == []
        assert document is not None
        assert schema_errors(compiled(ESIA_LOOKUP_XSD), document) == []
    ids = [r.findtext(f".//{{{TYPES}}}MessageID") or "" for r in requests]
    assert len(set(ids)) == 3
    for message_id in ids:
        assert message_id == message_id.lower()
        assert uuid.UUID(message_id).version == 1
    assert {r.findtext(f".//{{{TYPES}}}NodeID") for r in requests} == {"EDUGW01"}

    assert set(result.accounts) == set(numbers)
    assert {n for n, a in result.accounts.items() if a is None} == set(numbers[::3])
    assert result.errors == {}
    assert emulator.exchange.counters["acknowledged"] == 3
    assert emulator.exchange.queue_sizes() == {"waiting": 0, "available": 0}


async def test_an_account_comes_back_with_every_field_read(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    (number,) = snils_numbers(1)
    lookup, _, _ = in_process(
        [esia_account(number, 1000404446, gender="M", trusted=False, kidAccCreatedByParent=False)]
    )
    found = (await lookup.find_accounts([f"{number[:3]}-{number[3:6]}-{number[6:9]} {number[9:]}"])).accounts[number]
    assert found is not None
    assert (found.oid, found.last_name, found.first_name, found.middle_name) == (
        1000404446,
        "Соколова",
        "Мария",
        "Игоревна",
    )
    assert found.birth_date is not None
    assert found.birth_date.isoformat() == "2012-04-01"
    assert (found.gender, found.snils, found.trusted, found.status) == (
        Gender.MALE,
        number,
        False,
        AccountStatus.REGISTERED,
    )
    assert int(found.updated_on.timestamp()) == 1_700_000_000
    assert found.kid_acc_created_by_parent is False


async def test_invalid_snils_are_never_sent_and_come_back_as_record_errors(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    good = snils_numbers(2)
    lookup, _, adapter = in_process([esia_account(good[0], 1_000_000_001)])
    bad_checksum = good[1][:9] + f"{(int(good[1][9:]) + 1) % 100:02d}"
    result = await lookup.find_accounts([good[0], "12345", bad_checksum, good[1], "абв"])

    assert set(result.errors) == {"12345", bad_checksum, "абв"}
    assert all(isinstance(error, ValidationError) for error in result.errors.values())
    assert result.errors[bad_checksum].field == "snils"
    sent = b"".join(adapter.bodies)
    assert format_snils(good[1]).encode() in sent
    assert format_snils(bad_checksum).encode() not in sent
    assert set(result.accounts) == set(good)


async def test_only_invalid_snils_send_nothing(in_process: Any, snils_numbers: Any, esia_account: Any) -> None:
    lookup, _, adapter = in_process([])
    result = await lookup.find_accounts(["", "1"])
    assert adapter.bodies == []
    assert set(result.errors) == {"", "1"}


async def test_an_answer_nobody_waits_for_is_acknowledged_and_logged(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    numbers = snils_numbers(2)
    lookup, emulator, _ = in_process([esia_account(numbers[0], 1_000_000_001)])
    # An answer left in the queue by an earlier run that gave up waiting.
    await asyncio.to_thread(lookup.service.send_request, str(uuid.uuid1()), "EDUGW01", lookup_request([numbers[1]]))

    with capture_logs() as logs:
        result = await lookup.find_accounts([numbers[0]])

    assert result.accounts[numbers[0]] is not None
    assert [e["event"] for e in logs].count("esia.lookup.unexpected_answer_acknowledged") == 1
    assert emulator.exchange.counters["acknowledged"] == 2
    assert emulator.exchange.queue_sizes() == {"waiting": 0, "available": 0}


async def test_no_answer_before_the_deadline_is_platform_unavailable_saying_what_to_check(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    numbers = snils_numbers(1)
    lookup, _, _ = in_process([], delay_s=3600, polling={"response_deadline_s": 0.2})
    with pytest.raises(PlatformUnavailable) as caught:
        await lookup.find_accounts(numbers)
    message = str(caught.value)
    assert "[esia]" in message
    assert "response deadline 0.2 s" in message
    assert "sender EDUGW01" in message
    assert "http://smev.test/smev/v1.3/ws" in message


async def test_unsigned_use_against_a_remote_url_warns_once(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    numbers = snils_numbers(1)
    lookup, _, _ = in_process([])
    with capture_logs() as logs:
        await lookup.find_accounts(numbers)
        await lookup.find_accounts(numbers)
    assert [e["event"] for e in logs].count("esia.unsigned_messages") == 1


@pytest.mark.skipif(not gost_engine_available(), reason="no GOST engine: install libengine-gost-openssl")
async def test_gost_signed_requests_are_accepted(
    in_process: Any, snils_numbers: Any, esia_account: Any, tmp_path: Any
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "genpkey",
            "-engine",
            "gost",
            "-algorithm",
            "gost2012_256",
            "-pkeyopt",
            "paramset:A",
            "-out",
            str(key),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "openssl",
            "req",
            "-engine",
            "gost",
            "-new",
            "-x509",
            "-key",
            str(key),
            "-md_gost12_256",
            "-days",
            "1",
            "-subj",
            "/CN=test",
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    numbers = snils_numbers(1)
    lookup, _, adapter = in_process([esia_account(numbers[0], 1_000_000_001)], signer=OpenSslGostSigner(key, cert))
    with capture_logs() as logs:
        result = await lookup.find_accounts(numbers)
    assert result.accounts[numbers[0]] is not None
    assert b"CallerInformationSystemSignature" in adapter.bodies[0]
    assert "esia.unsigned_messages" not in [e["event"] for e in logs]
