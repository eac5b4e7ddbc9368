"""The app factory: one SOAP endpoint, the project's WSDL and schemas beside it, FaultInjector in front."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from lxml import etree
from starlette.responses import PlainTextResponse, Response

from edugateway.emulators.control import fault_controls
from edugateway.emulators.faults import FaultConfig, FaultInjector, RequestStats, Scope
from edugateway.emulators.smev import control
from edugateway.emulators.smev.exchange import MessageExchange
from edugateway.emulators.smev.soap import (
    CONTENT_TYPE,
    SOAP_ENV,
    TYPES_NS,
    SoapFault,
    envelope,
    fault_envelope,
    parse_envelope,
    render_fault,
)
from edugateway.emulators.smev.world import SmevWorld
from edugateway.schemas import ALL, ESIA_LOOKUP_NS, SMEV_WSDL, schema_path

ENDPOINT = "/smev/v1.3/ws"  # as on СМЭВ 3's own hosts; the WSDL is at ENDPOINT?wsdl
SCHEMA_DIR = ENDPOINT.rsplit("/", 1)[0]  # the WSDL's relative schemaLocations resolve here
OPERATIONS = {"SendRequestRequest": "SendRequest", "GetResponseRequest": "GetResponse", "AckRequest": "Ack"}

log = logging.getLogger(__name__)


@dataclass
class SmevEmulator:
    """`app` is what to serve (ASGI, faults in front); `api` the bare FastAPI app behind it."""

    app: FaultInjector
    api: FastAPI
    world: SmevWorld
    stats: RequestStats
    exchange: MessageExchange

    @property
    def faults(self) -> FaultConfig:
        return self.app.config

    def set_faults(self, config: FaultConfig) -> None:
        self.app.configure(config)

    @property
    def response_delay_s(self) -> float:
        return self.exchange.response_delay_s

    def set_response_delay(self, seconds: float) -> None:
        """Applies to requests accepted from now on."""
        self.exchange.response_delay_s = seconds

    def credentials(self, base_url: str) -> list[str]:
        base = base_url.rstrip("/")
        return [
            f"SOAP endpoint (СМЭВ 3, message exchange 1.3): {base}{ENDPOINT}",
            f"WSDL: {base}{ENDPOINT}?wsdl",
            f"sender mnemonic, put in NodeID (messages may be unsigned): {self.world.default_sender}",
            f"ЕСИА lookup by СНИЛС, business namespace: {ESIA_LOOKUP_NS}",
        ]


def create_app(
    world: SmevWorld,
    faults: FaultConfig | None = None,
    *,
    response_delay_s: float = 0.5,
    clock: Callable[[], float] = time.time,
) -> SmevEmulator:
    """Serves `world`; answers become visible to GetResponse `response_delay_s` after their SendRequest."""
    config = faults or FaultConfig()
    exchange = MessageExchange(world, response_delay_s=response_delay_s, clock=clock)
    api = FastAPI(title="СМЭВ 3 emulator (ЕСИА lookup)", docs_url=None, redoc_url=None, openapi_url=None)
    handlers = {"SendRequest": exchange.send_request, "GetResponse": exchange.get_response, "Ack": exchange.ack}

    @api.post(ENDPOINT)
    async def soap(request: Request) -> Response:
        try:
            payload = parse_envelope(await request.body())
            operation = _operation(payload, request.headers.get("soapaction"))
            return _soap_response(200, envelope(handlers[operation](payload)))
        except SoapFault as fault:
            return _soap_response(500, fault_envelope(fault))
        except Exception as exc:  # a bug in the emulator must still look like СМЭВ to the client
            log.error("СМЭВ emulator failed: %s", type(exc).__name__)  # the message may hold personal data
            failure = SoapFault.smev("SMEVFailure", "Сообщение невозможно принять по причине сбоя в СМЭВ", server=True)
            return _soap_response(500, fault_envelope(failure))

    @api.get(ENDPOINT)
    async def wsdl(request: Request) -> Response:
        if "wsdl" not in {key.lower() for key in request.query_params}:
            return PlainTextResponse(f"СМЭВ 3 emulator: POST SOAP 1.1 here; WSDL at {ENDPOINT}?wsdl", 404)
        return Response(_wsdl_for(str(request.url.replace(query=""))), media_type=CONTENT_TYPE)

    @api.get(SCHEMA_DIR + "/{name}")
    async def schema(name: str) -> Response:
        if name not in ALL or not name.endswith(".xsd"):
            return PlainTextResponse(f"no schema {name}", 404)
        return Response(schema_path(name).read_bytes(), media_type=CONTENT_TYPE)

    api.include_router(control.router)
    api.include_router(fault_controls(exchange_stats))
    stats = RequestStats()
    injector = FaultInjector(
        api, config=config, render_error=render_fault, stats=stats, route_name=_route_name, clock=clock
    )
    emulator = SmevEmulator(injector, api, world, stats, exchange)
    api.state.emulator = emulator
    return emulator


def _operation(payload: etree._Element, soap_action: str | None) -> str:
    name = etree.QName(payload)
    operation = OPERATIONS.get(name.localname) if name.namespace == TYPES_NS else None
    if operation is None:
        raise SoapFault(f"Операция для элемента {{{name.namespace}}}{name.localname} не поддерживается эмулятором")
    action = (soap_action or "").strip().strip('"')
    if action and action != f"urn:{operation}":
        raise SoapFault(f"SOAPAction {action} не соответствует содержимому сообщения ({operation})")
    return operation


def _soap_response(status: int, body: bytes) -> Response:
    return Response(body, status_code=status, media_type=CONTENT_TYPE)


def _wsdl_for(address: str) -> bytes:
    """The project's WSDL with the service address pointing at this emulator."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(schema_path(SMEV_WSDL)), parser)
    for node in tree.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address"):
        node.set("location", address)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def _route_name(scope: Scope) -> str:
    """Counts SOAP calls by operation (`POST /smev/v1.3/ws SendRequest`), from the SOAPAction header."""
    name = f"{scope.get('method', '?')} {scope.get('path', '')}"
    for key, value in scope.get("headers", []):
        if key == b"soapaction":
            action = value.decode("latin-1").strip().strip('"').removeprefix("urn:")
            return f"{name} {action}" if action else name
    return name


__all__ = ["ENDPOINT", "SOAP_ENV", "SmevEmulator", "create_app"]


def exchange_stats(emulator: SmevEmulator) -> dict[str, Any]:
    """What /_emulator/stats adds for СМЭВ: the exchange's counters and the queue."""
    return {"exchange": dict(emulator.exchange.counters), "queue": emulator.exchange.queue_sizes()}
