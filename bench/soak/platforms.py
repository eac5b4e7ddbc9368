"""The ЕЦП and Дневник.ру emulators served on loopback in the bench's own process, so the bench can switch their
faults between nights and read what they hold; and the gateway.toml that points the CLI at them."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect

from edugateway.emulators import dnevnik, ecp
from edugateway.emulators.ecp.upload_csv import parse_file
from edugateway.emulators.ecp.upload_tables import TABLES
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.server import BackgroundServer

UPLOAD = "/api/edu-upload/"
# The environment variables the bench's gateway.toml reads the emulators' credentials from.
CREDENTIAL_VARS = {"ecp": "SOAK_ECP_PASSWORD", "dnevnik": "SOAK_DNEVNIK_TOKEN"}


@dataclass(frozen=True)
class Receipt:
    """One row of an edu-upload file the emulator accepted (answered 200), as the emulator parsed it."""

    at: dt.datetime  # UTC, the clock the run log's times are written by
    table: str
    key: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # the row, column -> value, sorted; empty for a delete
    deleting: bool


@dataclass
class UploadLog:
    """Every accepted edu-upload row in order, and how many upload requests arrived (before any fault)."""

    receipts: list[Receipt] = field(default_factory=list)
    arrived: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class RecordUploads:
    """ASGI middleware in front of the ЕЦП emulator (faults included): reads each edu-upload body as the emulator
    does and logs its rows once the answer is 200. The emulator's own `received` counts rows per key only; telling
    a resend of the same payload from an update needs the values too."""

    def __init__(self, inner: Any, log: UploadLog) -> None:
        self.inner = inner
        self.log = log

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = str(scope.get("path", "")) if scope["type"] == "http" else ""
        if not path.startswith(UPLOAD):
            await self.inner(scope, receive, send)
            return
        with self.log.lock:
            self.log.arrived += 1
        body: list[bytes] = []
        status: list[int] = []

        async def receiving() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                body.append(message.get("body", b""))
            return message

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        try:
            await self.inner(scope, receiving, sending)
        except ClientDisconnect:
            return  # the bench killed the sender mid-body: nothing was stored and there is no one to answer
        if status[:1] == [200]:
            self._log(path, str(scope.get("method")) == "DELETE", b"".join(body))

    def _log(self, path: str, deleting: bool, raw: bytes) -> None:
        table = path.rstrip("/").rsplit("/", 1)[-1]  # …/csv/{table}; the connector sends one file a request
        if table not in TABLES:
            return
        parsed = parse_file(TABLES[table], raw, f"{table}.csv", deleting=deleting)
        now = dt.datetime.now(dt.UTC)
        with self.log.lock:
            for key, row in parsed.rows.items():
                values = () if deleting else tuple(sorted((k, str(v)) for k, v in row.items()))
                self.log.receipts.append(Receipt(now, table, key, values, deleting))


@dataclass
class Platforms:
    ecp: ecp.EcpEmulator
    dnevnik: dnevnik.DnevnikEmulator
    uploads: UploadLog
    config: Path  # gateway.toml for the CLI
    env: dict[str, str]  # the secrets the config names, for the CLI's environment

    def set_faults(self, ecp_faults: FaultConfig, dnevnik_faults: FaultConfig) -> None:
        self.ecp.set_faults(ecp_faults)
        self.dnevnik.set_faults(dnevnik_faults)


@contextmanager
def serve_platforms(world_dir: Path, code: str, database_url: str, config: Path) -> Iterator[Platforms]:
    """Both emulators on loopback for as long as the block runs, and a gateway.toml at `config` that reaches them."""
    with ExitStack() as stack:
        dn = dnevnik.create_app(dnevnik.load_world(world_dir))
        ec = ecp.create_app(ecp.load_world(world_dir))
        uploads = UploadLog()
        dn_url = stack.enter_context(BackgroundServer(dn.app)).base_url
        ec_url = stack.enter_context(BackgroundServer(RecordUploads(ec.app, uploads))).base_url
        config.write_text(_config_text(code, database_url, dn_url, ec_url), encoding="utf-8")
        env = {CREDENTIAL_VARS["ecp"]: ecp.ADMIN_PASSWORD, CREDENTIAL_VARS["dnevnik"]: dn.admin_token}
        yield Platforms(ec, dn, uploads, config, env)


def _config_text(code: str, database_url: str, dnevnik_url: str, ecp_url: str) -> str:
    # The client's retries and back-off are cut from the production defaults so a stormy night takes seconds, not
    # minutes; they still retry, so a run fails only on a streak of errors. Its own rate limit is above a stormy
    # night's (weather.py), so storms answer 429s.
    ecp_var, dnevnik_var = CREDENTIAL_VARS["ecp"], CREDENTIAL_VARS["dnevnik"]
    return f"""
database_url = "{database_url}"
log_level = "WARNING"

[[schools]]
code = "{code}"
platform_ids = {{ dnevnik = "{dnevnik.platform_id("school", code)}" }}

[platforms.ecp]
kind = "ecp"
base_url = "{ecp_url}/api/"
login = "{ecp.admin_login(code)}"
password = {{ env = "{ecp_var}" }}
rate_limit_rps = 40
retries = 3
backoff_max_s = 1.0
timeout_s = 20

[platforms.dnevnik]
kind = "dnevnik"
base_url = "{dnevnik_url}/v2.0/"
token = {{ env = "{dnevnik_var}" }}
rate_limit_rps = 40
retries = 3
backoff_max_s = 1.0
timeout_s = 20
"""
