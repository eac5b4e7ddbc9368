"""The contract every connector keeps, run against each platform's emulator over a real socket.

Streaming reads end; a range read in windows covers every day exactly once; 429, 5xx and hangs are retried
and then surface as the right error class; a refused token leads to exactly one re-authentication; one
rejected record does not fail its batch; and no request leaves loopback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from edugateway.config.settings import DnevnikSettings, EcpSettings, SecretRef
from edugateway.connectors.base import Connector, DateRange, Op, Remote
from edugateway.connectors.dnevnik import build_dnevnik_connector
from edugateway.connectors.ecp import Pupil, build_ecp_connector, contingent
from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, AttendanceCode, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik, ecp
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import FaultConfig, RequestStats
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import PlatformUnavailable, RateLimited

UNTIL = dt.date(2026, 11, 20)
SPAN = DateRange(dt.date(2026, 9, 1), UNTIL)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class LoopbackOnly(httpx.AsyncBaseTransport):
    """The real transport, refusing (and remembering) any request to a host that is not loopback."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.hosts: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.add(request.url.host)
        if request.url.host not in LOOPBACK:
            raise AssertionError(f"a connector request left loopback: {request.url}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Harness:
    """One platform's emulator, served, and how to build its connector and a batch with one bad record."""

    name: str
    stats: RequestStats
    set_faults: Callable[[FaultConfig], None]
    connect: Callable[..., Connector]
    reads: dict[Entity, Callable[[Connector], AsyncIterator[Remote[Any]]]]
    windowed: Callable[[Connector, DateRange], AsyncIterator[Remote[Any]]]
    batch_with_one_bad: tuple[Entity, Op, list[Any]]
    token_routes: tuple[str, ...]  # route names of the token endpoint(s), to count re-authentications
    expire_tokens: Callable[[], None]  # every access token issued so far runs out (refresh tokens still work)


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_journal(generate_school(students=60, classes=4, seed=8).snapshot, until=UNTIL, seed=8)


def _settings(base_url: str, **over: Any) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "rate_limit_rps": 500,
        "max_concurrency": 4,
        "retries": 2,
        "backoff_max_s": 0.05,
        "timeout_s": 1.5,
        "connect_timeout_s": 1,
        **over,
    }


@pytest.fixture
def dnevnik_harness(
    school: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch, transport: LoopbackOnly
) -> Iterator[Harness]:
    emulator = dnevnik.create_app(dnevnik.world_from_snapshot(school, admin_password="pw", client_secret="s3cret"))
    with BackgroundServer(emulator.app) as server:
        form = {"client_id": "edugateway", "client_secret": "s3cret", "username": "admin@sch125", "password": "pw"}
        pair = httpx.post(f"{server.base_url}/v2.0/authorizations/bycredentials", data=form).json()
        monkeypatch.setenv("CONTRACT_TOKEN", pair["accessToken"])
        monkeypatch.setenv("CONTRACT_REFRESH", pair["refreshToken"])
        monkeypatch.setenv("CONTRACT_SECRET", "s3cret")

        def connect(**over: Any) -> Connector:
            settings = DnevnikSettings.model_validate(
                {
                    "kind": "dnevnik",
                    "token": SecretRef(env="CONTRACT_TOKEN"),
                    "refresh_token": SecretRef(env="CONTRACT_REFRESH"),
                    "client_id": "edugateway",
                    "client_secret": SecretRef(env="CONTRACT_SECRET"),
                    **_settings(f"{server.base_url}/v2.0/", **over),
                }
            )
            return build_dnevnik_connector(
                "dnevnik", settings, str(platform_id("school", "sch125")), transport=transport
            )

        lesson = next(les for les in school.lessons if les.date == dt.date(2026, 11, 18))
        student = next(
            e.person_id
            for e in school.enrollments
            if e.class_id == lesson.class_id
            and not any(a.person_id == e.person_id and a.lesson_id == lesson.id for a in school.attendance)
            and any(p.id == e.person_id and Role.STUDENT in p.roles for p in school.persons)
        )
        remote_lesson = str(platform_id("lesson", "sch125", lesson.id))
        good = Attendance(
            person_id=str(platform_id("person", "sch125", student)), lesson_id=remote_lesson, code=AttendanceCode.ILL
        )
        bad = Attendance(person_id="4242", lesson_id=remote_lesson, code=AttendanceCode.ABSENT)
        yield Harness(
            name="dnevnik",
            stats=emulator.stats,
            set_faults=emulator.set_faults,
            connect=connect,
            reads={
                Entity.PERSONS: lambda c: c.persons(),
                Entity.CLASSES: lambda c: c.classes(),
                Entity.ENROLLMENTS: lambda c: c.enrollments(),
                Entity.SUBJECTS: lambda c: c.subjects(),
                Entity.PERIODS: lambda c: c.periods(),
                Entity.FINAL_MARKS: lambda c: c.final_marks(),
            },
            windowed=lambda c, span: c.lessons(span),
            batch_with_one_bad=(Entity.ATTENDANCE, Op.CREATE, [bad, good]),
            token_routes=("POST /v2.0/authorizations",),
            expire_tokens=lambda: _expire(emulator.world.tokens),
        )


def _expire(tokens: dict[str, dict[str, Any]]) -> None:
    for token in tokens.values():
        token["issuedAt"] = 0.0


@pytest.fixture
def ecp_harness(school: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch, transport: LoopbackOnly) -> Iterator[Harness]:
    emulator = ecp.create_app(ecp.world_from_snapshot(school))
    monkeypatch.setenv("CONTRACT_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(emulator.app) as server:

        def connect(**over: Any) -> Connector:
            settings = EcpSettings.model_validate(
                {
                    "kind": "ecp",
                    "login": ecp.admin_login(school.school.code),
                    "password": SecretRef(env="CONTRACT_ECP_PASSWORD"),
                    **_settings(f"{server.base_url}/api/", **over),
                }
            )
            return build_ecp_connector("ecp", settings, "org", transport=transport, org_ogrn=school.school.ogrn)

        pupils = [
            r
            for r in contingent(school.persons, school.classes, school.enrollments, school.parent_links)
            if isinstance(r, Pupil)
        ]
        good, bad = pupils[0], pupils[1]
        # a SNILS the gateway would never accept, built past validation: the platform must refuse it on its own
        bad_person = bad.person.model_construct(**{**bad.person.model_dump(), "snils": "11223344590"})
        yield Harness(
            name="ecp",
            stats=emulator.stats,
            set_faults=emulator.set_faults,
            connect=connect,
            reads={
                Entity.PERSONS: lambda c: c.persons(),
                Entity.CLASSES: lambda c: c.classes(),
                Entity.ENROLLMENTS: lambda c: c.enrollments(),
                Entity.SUBJECTS: lambda c: c.subjects(),
            },
            windowed=lambda c, span: c.lessons(span),
            batch_with_one_bad=(Entity.PERSONS, Op.CREATE, [Pupil(bad_person, bad.class_name), good]),
            token_routes=("POST /api/auth/Token/Refresh", "POST /api/auth/Auth/Login"),
            expire_tokens=lambda: _expire(emulator.world.tokens),
        )


@pytest.fixture
def transport() -> LoopbackOnly:
    return LoopbackOnly()


@pytest.fixture(params=["dnevnik", "ecp"])
def harness(request: pytest.FixtureRequest) -> Harness:
    value = request.getfixturevalue(f"{request.param}_harness")
    assert isinstance(value, Harness)
    return value


async def test_every_streaming_read_ends_and_no_request_leaves_loopback(
    harness: Harness, transport: LoopbackOnly
) -> None:
    conn = harness.connect()
    try:
        for entity, read in harness.reads.items():
            assert conn.capabilities.allows(entity, Op.READ)
            records = [r async for r in read(conn)]
            assert records, f"{harness.name}: {entity.value} read nothing"
            assert len({r.remote_id for r in records}) == len(records), f"{entity.value}: duplicate ids"
    finally:
        await conn.aclose()
    assert transport.hosts <= LOOPBACK
    assert transport.hosts


async def test_windows_cover_the_range_exactly_once(harness: Harness) -> None:
    conn = harness.connect()
    span = DateRange(dt.date(2026, 9, 1), dt.date(2026, 10, 14))  # longer than one 30-day window
    middle = dt.date(2026, 9, 17)  # a Thursday: the split falls inside a week and inside a window
    try:
        whole = [r.remote_id async for r in harness.windowed(conn, span)]
        first = [r.remote_id async for r in harness.windowed(conn, DateRange(span.start, middle))]
        rest = [r.remote_id async for r in harness.windowed(conn, DateRange(middle + dt.timedelta(days=1), span.end))]
    finally:
        await conn.aclose()
    assert whole
    assert len(set(whole)) == len(whole)
    assert set(first).isdisjoint(rest)
    assert set(first) | set(rest) == set(whole)


@pytest.mark.parametrize(
    ("faults", "error", "fault", "answered"),
    [
        (FaultConfig(fail_rate=1.0), PlatformUnavailable, "server_error", 3),
        (FaultConfig(maintenance=True), PlatformUnavailable, "maintenance", 3),
        # the hang outlasts the 0.3 s read timeout set below, whatever the machine's speed: no race to lose
        (FaultConfig(hang_rate=1.0, hang_s=1), PlatformUnavailable, "hang", 3),
        # a Retry-After (100 s) beyond what the policy waits is said at once, for the caller to come back later
        (FaultConfig(rate_limit_rps=0.01, rate_limit_burst=1), RateLimited, "rate_limited", 1),
    ],
    ids=["5xx", "550", "hang", "429"],
)
async def test_failures_are_retried_then_surface_as_the_right_error(
    harness: Harness, faults: FaultConfig, error: type[Exception], fault: str, answered: int
) -> None:
    # a hang is a real socket's read timeout, so that one case waits for real: briefly (0.3 s a try). One request
    # at a time: the answers counted are the tries of one request, not however many were in flight when it failed.
    timeout = {"timeout_s": 0.3} if faults.hang_rate else {}
    conn = harness.connect(backoff_max_s=0.05, max_concurrency=1, **timeout)
    read = next(iter(harness.reads.values()))
    harness.set_faults(faults)
    harness.stats.reset()
    try:
        with pytest.raises(error) as caught:
            [r async for r in read(conn)]
    finally:
        await conn.aclose()
    assert str(caught.value).startswith(f"[{harness.name}]")
    # the first try and the two retries the settings allow, each answered with the fault
    assert harness.stats.faults[fault] == answered


async def test_a_refused_token_leads_to_exactly_one_reauthentication(harness: Harness) -> None:
    conn = harness.connect()
    day = DateRange(dt.date(2026, 10, 14), dt.date(2026, 10, 14))
    try:
        first = [r.remote_id async for r in harness.windowed(conn, day)]
        harness.expire_tokens()
        harness.stats.reset()
        again = [r.remote_id async for r in harness.windowed(conn, day)]
    finally:
        await conn.aclose()
    assert first
    assert again == first
    assert sum(harness.stats.by_route[r] for r in harness.token_routes) == 1


async def test_one_rejected_record_does_not_fail_the_batch(harness: Harness) -> None:
    conn = harness.connect()
    entity, op, batch = harness.batch_with_one_bad
    try:
        results = await conn.write(entity, op, batch)
    finally:
        await conn.aclose()
    assert [r.ok for r in results] == [False, True]
    assert results[0].error
    assert not results[0].retryable
