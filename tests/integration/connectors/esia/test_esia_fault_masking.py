"""Issue 14, finding 8: a СМЭВ fault that quotes the person it refused (name and СНИЛС), answered over a real
socket, reaches the gateway's error and its log lines with both masked."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Response

from edugateway.config.settings import EsiaSettings
from edugateway.connectors.esia import SmevRejected, UnsignedSigner, build_esia_lookup
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT
from edugateway.emulators.smev.soap import CONTENT_TYPE, SoapFault, fault_envelope
from edugateway.logs import configure_logging

PERSON = "Петрова Анна Сергеевна"
SNILS = "112-233-445 95"


@pytest.fixture
def refusing_smev() -> Iterator[str]:
    """A СМЭВ endpoint refusing every message with an InvalidContent fault that names the person."""
    app = FastAPI()

    @app.post(ENDPOINT)
    def refuse() -> Response:
        fault = SoapFault.invalid_content([(3, f"{PERSON}, СНИЛС {SNILS}: сведения не соответствуют")])
        return Response(fault_envelope(fault), status_code=500, media_type=CONTENT_TYPE)

    with BackgroundServer(app) as server:
        yield server.base_url + ENDPOINT


async def test_the_fault_error_and_logs_carry_neither_name_nor_snils(
    refusing_smev: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "DEBUG")
    lookup = build_esia_lookup(
        "esia",
        EsiaSettings(base_url=refusing_smev, retries=0, timeout_s=5.0, connect_timeout_s=1.0),
        signer=UnsignedSigner(),
        sender="EDUGW01",
    )
    try:
        with pytest.raises(SmevRejected) as raised:
            await lookup.find_accounts([SNILS])
    finally:
        lookup.close()
    error = raised.value
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    shown = " ".join([str(error), repr(error.validation_errors), json.dumps(logged, ensure_ascii=False)])
    assert "сведения не соответствуют" in str(error)  # the fault's words are kept: only the person is masked
    for personal in ("Петрова", "Анна", "Сергеевна", "112-233-445", "11223344595"):
        assert personal not in shown
