"""The СМЭВ emulator in-process for the ЕСИА connector: a requests adapter hands each HTTP call to the ASGI app
through httpx's ASGITransport, so zeep, the plugins and the emulator run for real without a socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from edugateway.config.settings import EsiaSettings
from edugateway.connectors.esia import EsiaLookup, Signer, UnsignedSigner, build_esia_lookup
from edugateway.domain.snils import control_number, format_snils
from edugateway.emulators.smev import ENDPOINT, SmevEmulator, SmevSettings, SmevWorld, create_app

SENDER = "EDUGW01"
URL = "http://smev.test" + ENDPOINT  # never resolved: the adapter answers every http:// URL


class AsgiAdapter(BaseAdapter):
    """requests -> an ASGI app, in-process; keeps every request body sent. zeep calls run in worker threads
    (`asyncio.to_thread`), so each call gets an event loop of its own."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self.bodies: list[bytes] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        self.bodies.append(body)
        answer = asyncio.run(self._call(str(request.method), str(request.url), body, dict(request.headers)))
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    async def _call(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app)) as client:
            return await client.request(method, url, content=body, headers=headers)

    def close(self) -> None:
        self.bodies.clear()


def _valid_snils(count: int, start: int = 200_000_000) -> list[str]:
    """`count` distinct valid СНИЛС (11 digits) above the unchecked range."""
    return [f"{n:09d}{control_number(f'{n:09d}'):02d}" for n in range(start, start + 7 * count, 7)]


def _account(snils_digits: str, oid: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "oid": oid,
        "firstName": "Мария",
        "lastName": "Соколова",
        "middleName": "Игоревна",
        "birthDate": "01.04.2012",
        "gender": "F",
        "trusted": True,
        "snils": format_snils(snils_digits),
        "updatedOn": 1_700_000_000,
        "status": "REGISTERED",
        "kidAccCreatedByParent": True,
    }
    return row | fields


Build = Callable[..., tuple[EsiaLookup, SmevEmulator, AsgiAdapter]]


@pytest.fixture
def snils_numbers() -> Callable[..., list[str]]:
    """snils_numbers(count): distinct valid СНИЛС, 11 digits each."""
    return _valid_snils


@pytest.fixture
def esia_account() -> Callable[..., dict[str, Any]]:
    """esia_account(snils_digits, oid, **overrides): a /rs/prns record for the emulator's world."""
    return _account


@pytest.fixture
def in_process() -> Iterator[Build]:
    """build(persons, *, smev=SmevSettings(), delay_s=0.0, signer=UnsignedSigner(), sender=SENDER, **settings)."""
    made: list[tuple[EsiaLookup, AsgiAdapter]] = []

    def build(
        persons: list[dict[str, Any]],
        *,
        smev: SmevSettings | None = None,
        delay_s: float = 0.0,
        signer: Signer | None = None,
        sender: str = SENDER,
        polling: Mapping[str, float] | None = None,
        **settings: Any,
    ) -> tuple[EsiaLookup, SmevEmulator, AsgiAdapter]:
        emulator = create_app(SmevWorld(persons=persons, settings=smev or SmevSettings()), response_delay_s=delay_s)
        adapter = AsgiAdapter(emulator.app)
        session = requests.Session()
        session.mount("http://", adapter)
        options = {"retries": 2, "backoff_max_s": 0.05, "timeout_s": 5.0} | settings
        platform = EsiaSettings(base_url=URL, **options)
        poll = {"poll_first_s": 0.01, "poll_max_s": 0.05, "response_deadline_s": 10.0} | dict(polling or {})
        lookup = build_esia_lookup(
            "esia", platform, signer=signer or UnsignedSigner(), sender=sender, session=session, **poll
        )
        made.append((lookup, adapter))
        return lookup, emulator, adapter

    yield build
    for lookup, adapter in made:
        lookup.close()
        adapter.close()
