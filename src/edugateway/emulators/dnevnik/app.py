"""The app factory: routes under both /v2 and /v2.0, the platform's error shapes, FaultInjector in front."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from edugateway.emulators.control import fault_controls
from edugateway.emulators.dnevnik import (
    auth,
    control,
    routes_attendance,
    routes_lessons,
    routes_marks,
    routes_people,
    routes_school,
    routes_works,
)
from edugateway.emulators.dnevnik.errors import (
    ApiError,
    on_api_error,
    on_http_error,
    on_unexpected,
    on_validation_error,
    render_fault,
)
from edugateway.emulators.dnevnik.state import EmulatorState
from edugateway.emulators.dnevnik.world import DnevnikWorld
from edugateway.emulators.faults import FaultConfig, FaultInjector, RequestStats, route_templates

PREFIXES = ("/v2", "/v2.0")
PARTNER_ROUTERS = tuple(
    m.router
    for m in (auth, routes_people, routes_school, routes_lessons, routes_marks, routes_attendance, routes_works)
)
ADMIN_ROLE = "EduSchoolAdministrator"


@dataclass
class DnevnikEmulator:
    """`app` is what to serve (ASGI, faults in front); `api` the bare FastAPI app behind it."""

    app: FaultInjector
    api: FastAPI
    world: DnevnikWorld
    stats: RequestStats
    state: EmulatorState
    admin_user: int
    admin_token: str

    @property
    def faults(self) -> FaultConfig:
        return self.state.faults

    def set_faults(self, config: FaultConfig) -> None:
        """Switches faults at run time; token expiry reads the new TTL on the next request."""
        self.state.faults = config
        self.app.configure(config)

    def issue_token(self, user_id: int | None = None, scope: str = auth.ADMIN_SCOPE) -> str:
        """A fresh access token for a user (default: the administrator)."""
        return str(auth.issue_token(self.state, user_id or self.admin_user, scope, None)["accessToken"])

    def issue_renewable_token(self) -> tuple[dict[str, str], str] | None:
        """An administrator's token issued to the world's first partner app, so that its refresh token renews it
        as a configured gateway does: (the app's client_id and client_secret, the token row's refresh token)."""
        app = next(iter(self.world.apps.values()), None)
        if app is None:
            return None
        row = auth.issue_token(self.state, self.admin_user, auth.ADMIN_SCOPE, str(app["client_id"]))
        return {"client_id": str(app["client_id"]), "client_secret": str(app["client_secret"])}, str(
            row["refreshToken"]
        )

    def issue_code(self, user_id: int, client_id: str, scope: str | None = None) -> str:
        return auth.issue_code(self.state, user_id, client_id, scope)

    def credentials(self, base_url: str) -> list[str]:
        """What a person needs to try the emulator with curl at once: base URL, a token, the school, the app."""
        admin = self.world.person_of_user(self.admin_user)
        lines = [
            f"dnevnik API: {base_url}/v2.0/ (also {base_url}/v2/); send the token in the Access-Token header",
            f"dnevnik token: {self.admin_token}",
        ]
        lines += [f"dnevnik school id: {sid}  {s.get('name', '')}" for sid, s in self.world.schools.items()]
        account = next((a for a in self.world.accounts.values() if int(a["user"]) == self.admin_user), None)
        if account is not None:
            lines.append(f"dnevnik admin login: {account['username']} / {account['password']}")
        for app in self.world.apps.values():
            lines.append(f"dnevnik partner app: client_id={app['client_id']} client_secret={app['client_secret']}")
        lines.append(f"dnevnik admin person id: {admin['id']}")
        return lines


def create_app(
    world: DnevnikWorld,
    faults: FaultConfig | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> DnevnikEmulator:
    """Serves `world` (edited in place by writes). The world must hold a user with the EduSchoolAdministrator
    role; `admin_token` is issued for the first such user."""
    config = faults or FaultConfig()
    admin = next(
        (p for p in world.persons.values() if ADMIN_ROLE in p.get("roles", []) and p.get("userId")),
        None,
    )
    if admin is None:
        raise ValueError(f"the Дневник world has no user with role {ADMIN_ROLE}; add one to persons.jsonl")
    state = EmulatorState(world=world, faults=config, clock=clock)
    api = FastAPI(title="Дневник.ру API v2 emulator", docs_url=None, redoc_url=None, openapi_url=None)
    api.state.dnevnik = state
    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(StarletteHTTPException, on_http_error)
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(Exception, on_unexpected)
    partner = APIRouter()
    for router in PARTNER_ROUTERS:
        partner.include_router(router)
    for prefix in PREFIXES:
        api.include_router(partner, prefix=prefix)
    api.include_router(control.router)
    api.include_router(fault_controls())
    stats = RequestStats()
    injector = FaultInjector(
        api,
        config=config,
        render_error=render_fault,
        stats=stats,
        route_name=route_templates(PARTNER_ROUTERS, PREFIXES),
        clock=clock,  # one clock per emulator: a test that holds it holds token expiry and the rate limit alike
    )
    user_id = int(admin["userId"])
    token = auth.issue_token(state, user_id, auth.ADMIN_SCOPE, None)
    emulator = DnevnikEmulator(injector, api, world, stats, state, user_id, str(token["accessToken"]))
    api.state.emulator = emulator
    return emulator
