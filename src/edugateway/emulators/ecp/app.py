"""The app factory: the family API under /api, the edu-upload service, control endpoints, FaultInjector in front."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from edugateway.emulators.control import fault_controls
from edugateway.emulators.ecp import (
    auth,
    control,
    routes_estimate,
    routes_homework,
    routes_people,
    routes_schedule,
    routes_upload,
)
from edugateway.emulators.ecp.errors import (
    EcpError,
    UploadError,
    on_ecp_error,
    on_http_error,
    on_unexpected,
    on_upload_error,
    on_validation_error,
    render_fault,
)
from edugateway.emulators.ecp.state import EmulatorState
from edugateway.emulators.ecp.upload_tables import SUPPORTED_VERSIONS
from edugateway.emulators.ecp.world import EcpWorld
from edugateway.emulators.faults import FaultConfig, FaultInjector, RequestStats, route_templates

ADMIN_ROLE = "admin"
API_ROUTERS = tuple(
    m.router for m in (auth, routes_people, routes_schedule, routes_estimate, routes_homework, routes_upload)
)


@dataclass
class EcpEmulator:
    """`app` is what to serve (ASGI, faults in front); `api` the bare FastAPI app behind it."""

    app: FaultInjector
    api: FastAPI
    world: EcpWorld
    stats: RequestStats
    state: EmulatorState
    admin_login: str
    admin_token: str

    @property
    def faults(self) -> FaultConfig:
        return self.state.faults

    def set_faults(self, config: FaultConfig) -> None:
        """Switches faults at run time; token expiry reads the new TTL on the next request."""
        self.state.faults = config
        self.app.configure(config)

    def issue_token(self, login: str | None = None) -> str:
        """A fresh access token for an account (default: the administrator)."""
        account = self.world.accounts[(login or self.admin_login).lower()]
        return str(auth.issue_token(self.state, account)["accessToken"])

    def credentials(self, base_url: str) -> list[str]:
        """Lines to print for a person who wants to call the emulator by hand."""
        base = base_url.rstrip("/")
        account = self.world.accounts[self.admin_login.lower()]
        version = sorted(SUPPORTED_VERSIONS)[0]
        return [
            f"ecp api: {base}/api",
            f"ecp login: {account['login']} / password {account['password']}",
            f"ecp token: {self.admin_token}",
            f"ecp edu-upload: {base}/api/edu-upload/{version}/csv/{{table}}",
        ]


def create_app(
    world: EcpWorld,
    faults: FaultConfig | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> EcpEmulator:
    """Serves `world` (edited in place by writes). The world must hold an administrator account."""
    config = faults or FaultConfig()
    admin = next((a for a in world.accounts.values() if a.get("role") == ADMIN_ROLE), None)
    if admin is None:
        raise ValueError(f"the ЕЦП world has no account with role {ADMIN_ROLE!r}; add one to accounts.jsonl")
    state = EmulatorState(world=world, faults=config, clock=clock)
    api = FastAPI(title="ГИС ЕЦП emulator", docs_url=None, redoc_url=None, openapi_url=None)
    api.state.ecp = state
    api.add_exception_handler(EcpError, on_ecp_error)
    api.add_exception_handler(UploadError, on_upload_error)
    api.add_exception_handler(StarletteHTTPException, on_http_error)
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(Exception, on_unexpected)
    for router in (*API_ROUTERS, control.router, fault_controls()):
        api.include_router(router)
    stats = RequestStats()
    injector = FaultInjector(
        api,
        config=config,
        render_error=render_fault,
        stats=stats,
        route_name=route_templates(API_ROUTERS),
        clock=clock,  # one clock per emulator: a test that holds it holds token expiry and the rate limit alike
    )
    token = auth.issue_token(state, admin)
    emulator = EcpEmulator(injector, api, world, stats, state, str(admin["login"]), str(token["accessToken"]))
    api.state.emulator = emulator
    return emulator
