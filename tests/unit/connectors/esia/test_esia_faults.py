"""СМЭВ faults and transport failures map to the gateway's errors through one table, and the lookup retries
exactly what is worth retrying."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from lxml import etree
from zeep.exceptions import Fault, TransportError

from edugateway.connectors.esia import FAULT_RULES, SmevRejected
from edugateway.connectors.esia.errors import FAULTS_NS, error_for_fault, error_for_transport
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.smev import SmevSettings
from edugateway.errors import AuthError, ConnectorError, PlatformRejected, PlatformUnavailable, RateLimited

URL = "http://smev.test/ws"
BASIC = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.3"


def fault(name: str, *, code: str = "soap:Client", children: str = "") -> Fault:
    detail = etree.fromstring(
        f'<detail><f:{name} xmlns:f="{FAULTS_NS}" xmlns:b="{BASIC}">{children}</f:{name}></detail>'
    )
    return Fault(f"СМЭВ refused: {name}", code=code, detail=detail)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AccessDenied", AuthError),
        ("SenderIsNotRegistered", AuthError),
        ("QuoteLimitExceeded", RateLimited),
        ("InvalidContent", SmevRejected),
        ("BusinessDataTypeIsNotSupported", SmevRejected),
        ("SMEVFailure", PlatformUnavailable),
    ],
)
def test_smev_faults_map_to_what_the_caller_must_do(name: str, expected: type[ConnectorError]) -> None:
    error = error_for_fault(fault(name), platform="esia", url=URL)
    assert type(error) is expected
    assert str(error).startswith("[esia] СМЭВ fault " + name)
    assert URL in str(error)
    assert FAULT_RULES[name].advice in str(error)


def test_invalid_content_carries_its_validation_errors_with_snils_masked() -> None:
    children = (
        "<b:Code>INVALID_CONTENT</b:Code><b:Description>bad</b:Description>"
        '<f:ValidationError errorPosition="7">value 112-233-445 95 is not accepted</f:ValidationError>'
        '<f:ValidationError errorPosition="9">snils[2]: control number</f:ValidationError>'
    )
    error = error_for_fault(fault("InvalidContent", children=children), platform="esia", url=URL)
    assert isinstance(error, SmevRejected)
    assert isinstance(error, PlatformRejected)
    assert error.fault == "InvalidContent"
    assert [position for position, _ in error.validation_errors] == [7, 9]
    assert "position 7" in str(error)
    assert "112-233-445" not in str(error)


def test_an_unknown_fault_is_an_outage_when_the_server_failed_and_a_refusal_otherwise() -> None:
    assert type(error_for_fault(fault("Mystery", code="soap:Server"), platform="esia", url=URL)) is PlatformUnavailable
    assert type(error_for_fault(fault("Mystery"), platform="esia", url=URL)) is PlatformRejected


@pytest.mark.parametrize(
    ("failure", "expected", "says"),
    [
        (requests.ConnectTimeout("slow"), PlatformUnavailable, "no answer within 3 s"),
        (requests.ConnectionError("refused"), PlatformUnavailable, "check base_url"),
        (TransportError("html", status_code=502), PlatformUnavailable, "HTTP 502"),
        (TransportError("html", status_code=550), PlatformUnavailable, "HTTP 550"),
        (TransportError("html", status_code=429), RateLimited, "HTTP 429"),
        (TransportError("html", status_code=404), PlatformRejected, "SOAP endpoint"),
    ],
)
def test_transport_failures_map_to_errors_naming_the_url(
    failure: Exception, expected: type[ConnectorError], says: str
) -> None:
    error = error_for_transport(failure, platform="esia", url=URL, timeout_s=3)
    assert type(error) is expected
    assert says in str(error)
    assert URL in str(error)


async def test_a_used_up_quota_is_retried_then_surfaces_as_rate_limited(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    numbers = snils_numbers(1)
    lookup, emulator, _ = in_process([], smev=SmevSettings(quota_requests=1, quota_interval_s=600), retries=2)
    await lookup.find_accounts(numbers)
    with pytest.raises(RateLimited, match="QuoteLimitExceeded"):
        await lookup.find_accounts(numbers)
    assert emulator.stats.by_route["POST /smev/v1.3/ws SendRequest"] == 1 + 3  # one accepted, then 1 + 2 retries


async def test_an_unknown_sender_is_an_auth_error_and_not_retried(
    in_process: Any, snils_numbers: Any, esia_account: Any
) -> None:
    lookup, emulator, _ = in_process([], sender="STRANGER")
    with pytest.raises(AuthError, match=r"AccessDenied.*sender mnemonic"):
        await lookup.find_accounts(snils_numbers(1))
    assert emulator.stats.by_route["POST /smev/v1.3/ws SendRequest"] == 1


@pytest.mark.parametrize("faults", [FaultConfig(maintenance=True), FaultConfig(html_error_rate=1.0, seed=1)])
async def test_an_outage_is_retried_then_surfaces_as_platform_unavailable(
    in_process: Any, snils_numbers: Any, esia_account: Any, faults: FaultConfig
) -> None:
    lookup, emulator, _ = in_process([esia_account(snils_numbers(1)[0], 1_000_000_001)], retries=1)
    emulator.set_faults(faults)
    with pytest.raises(PlatformUnavailable, match=r"\[esia\].*retry later"):
        await lookup.find_accounts(snils_numbers(1))
    assert emulator.stats.by_route["POST /smev/v1.3/ws SendRequest"] == 2


def test_a_full_name_in_a_fault_is_masked_as_snils_is() -> None:
    """Issue 14, finding 8: a fault quoting the person it refused carries neither the name nor the SNILS."""
    children = (
        "<b:Code>INVALID_CONTENT</b:Code><b:Description>bad</b:Description>"
        '<f:ValidationError errorPosition="3">Петрова Анна Сергеевна: 112-233-445 95 не прошёл проверку'
        "</f:ValidationError>"
    )
    raw = Fault(
        "Сведения о гражданине Петрова Анна Сергеевна не соответствуют СНИЛС 112-233-445 95",
        code="soap:Client",
        detail=etree.fromstring(
            f'<detail><f:InvalidContent xmlns:f="{FAULTS_NS}" xmlns:b="{BASIC}">{children}</f:InvalidContent></detail>'
        ),
    )
    error = error_for_fault(raw, platform="esia", url=URL)
    assert isinstance(error, SmevRejected)
    shown = str(error) + repr(error.validation_errors)
    for personal in ("Петрова", "Анна", "Сергеевна", "112-233-445"):
        assert personal not in shown
    assert "Сведения о гражданине ***" in str(error)
    assert error.validation_errors == ((3, "***: ***-***-*45 ** не прошёл проверку"),)
