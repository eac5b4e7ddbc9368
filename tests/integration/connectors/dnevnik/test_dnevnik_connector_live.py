"""The Дневник.ру connector against the emulator over a real socket: a full read returns the school the world
was made from, faults are ridden out, writes land, and an unreachable platform is named in the error.

The emulator and the connector share one fake clock: token lifetimes, the platform's rate limit and the
connector's waits (backoff, Retry-After, its own rate limit) all run on it, so nothing is waited for real
and nothing depends on how fast the machine is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from edugateway.config.settings import DnevnikSettings, SecretRef
from edugateway.connectors.base import DateRange, Op
from edugateway.connectors.dnevnik import DnevnikConnector, build_dnevnik_connector
from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, AttendanceCode, Lesson, MarkKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer, free_port
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import PlatformUnavailable
from support.fake_clock import FakeClock

UNTIL = dt.date(2026, 11, 20)
SPAN = DateRange(dt.date(2026, 9, 1), UNTIL)
SECRET = "s3cret"
TOKEN_TTL_S = 60  # with the clock ticking a second per request the emulator serves, a token dies mid-read


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_journal(generate_school(students=60, classes=4, seed=8).snapshot, until=UNTIL, seed=8)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def served(school: SchoolSnapshot, clock: FakeClock) -> Iterator[tuple[dnevnik.DnevnikEmulator, str]]:
    world = dnevnik.world_from_snapshot(school, admin_password="pw", client_secret=SECRET)
    emulator = dnevnik.create_app(world, clock=clock)
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.base_url


def connect(
    monkeypatch: pytest.MonkeyPatch,
    base_url: str,
    token: str,
    clock: FakeClock,
    *,
    refresh: str | None = None,
    **limits: float,
) -> DnevnikConnector:
    monkeypatch.setenv("TEST_DNEVNIK_TOKEN", token)
    if refresh:
        monkeypatch.setenv("TEST_DNEVNIK_REFRESH", refresh)
        monkeypatch.setenv("TEST_DNEVNIK_SECRET", SECRET)
    settings = DnevnikSettings.model_validate(
        {
            "kind": "dnevnik",
            "base_url": f"{base_url}/v2.0/",
            "token": SecretRef(env="TEST_DNEVNIK_TOKEN"),
            "refresh_token": SecretRef(env="TEST_DNEVNIK_REFRESH") if refresh else None,
            "client_id": "edugateway" if refresh else None,
            "client_secret": SecretRef(env="TEST_DNEVNIK_SECRET") if refresh else None,
            "rate_limit_rps": 500,
            "max_concurrency": 4,
            "retries": 6,
            "backoff_max_s": 0.2,
            **limits,
        }
    )
    return build_dnevnik_connector("dnevnik", settings, str(platform_id("school", "sch125")), timer=clock)


async def read_all(conn: DnevnikConnector) -> dict[str, set[str]]:
    return {
        "persons": {r.remote_id async for r in conn.persons()},
        "classes": {r.remote_id async for r in conn.classes()},
        "lessons": {r.remote_id async for r in conn.lessons(SPAN)},
        "marks": {r.remote_id async for r in conn.marks(SPAN)},
        "final_marks": {r.remote_id async for r in conn.final_marks()},
        "attendance": {r.remote_id async for r in conn.attendance(SPAN)},
    }


def expected(school: SchoolSnapshot) -> dict[str, set[str]]:
    def pid(kind: str, local: str) -> str:
        return str(platform_id(kind, "sch125", local))

    return {
        "persons": {pid("person", p.id) for p in school.persons if p.roles & {Role.STUDENT, Role.TEACHER}},
        "classes": {pid("group", c.id) for c in school.classes},
        "lessons": {pid("lesson", les.id) for les in school.lessons},
        "marks": {pid("mark", m.id) for m in school.marks if m.kind in (MarkKind.LESSON, MarkKind.WORK)},
        "final_marks": {pid("mark", m.id) for m in school.marks if m.kind is MarkKind.PERIOD_FINAL},
        "attendance": {f"{pid('lesson', a.lesson_id)}:{pid('person', a.person_id)}" for a in school.attendance},
    }


async def test_a_full_read_returns_every_record_of_the_world(
    served: tuple[dnevnik.DnevnikEmulator, str],
    school: SchoolSnapshot,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, base = served
    conn = connect(monkeypatch, base, emulator.admin_token, clock)
    try:
        got = await read_all(conn)
    finally:
        await conn.aclose()
    assert got == expected(school)
    assert conn.skipped == []
    assert emulator.stats.faults == {}


async def test_5xx_and_a_mid_run_token_expiry_are_ridden_out(
    served: tuple[dnevnik.DnevnikEmulator, str],
    school: SchoolSnapshot,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, base = served
    emulator.set_faults(FaultConfig(fail_rate=0.05, token_ttl_s=TOKEN_TTL_S, seed=3))
    # the administrator signs the gateway's app in once; its refresh token then renews the access token
    form = {"client_id": "edugateway", "client_secret": SECRET, "username": "admin@sch125", "password": "pw"}
    pair = httpx.post(f"{base}/v2.0/authorizations/bycredentials", data=form).json()
    conn = connect(monkeypatch, base, pair["accessToken"], clock, refresh=pair["refreshToken"])
    clock.tick = 1  # from now on every look at the emulator's clock is a second later
    try:
        got = await read_all(conn)
    finally:
        await conn.aclose()
    assert got == expected(school)
    assert emulator.stats.faults["server_error"] > 0
    assert emulator.stats.total > 2 * TOKEN_TTL_S  # the read outlived at least two tokens
    assert any(r.endswith("/authorizations") for r in emulator.stats.by_route), "the token was never refreshed"
    assert conn.client.auth.refreshes >= 2  # type: ignore[attr-defined]
    assert clock.sleeps  # 5xx were backed off ...
    assert max(clock.sleeps) <= 0.2  # ... within backoff_max_s


async def test_429_is_waited_out_as_retry_after_says(
    served: tuple[dnevnik.DnevnikEmulator, str],
    school: SchoolSnapshot,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, base = served
    emulator.set_faults(FaultConfig(rate_limit_rps=2, rate_limit_burst=1))
    conn = connect(monkeypatch, base, emulator.admin_token, clock, backoff_max_s=2)  # willing to wait Retry-After: 1
    try:
        classes = {r.remote_id async for r in conn.classes()}
        subjects = {r.remote_id async for r in conn.subjects()}
        periods = {r.remote_id async for r in conn.periods()}
    finally:
        await conn.aclose()
    assert classes == expected(school)["classes"]
    assert len(subjects) == len(school.subjects)
    assert periods
    assert emulator.stats.faults["rate_limited"] > 0
    # the platform said Retry-After: 1; the connector waited that long after each 429, and never beyond its limit
    assert clock.sleeps.count(1.0) >= emulator.stats.faults["rate_limited"], clock.sleeps
    assert max(clock.sleeps) <= 2


async def test_writes_answer_per_record_and_land_on_the_platform(
    served: tuple[dnevnik.DnevnikEmulator, str],
    school: SchoolSnapshot,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, base = served
    conn = connect(monkeypatch, base, emulator.admin_token, clock)
    lesson = next(les for les in school.lessons if les.date == dt.date(2026, 11, 18))
    students = [
        e.person_id
        for e in school.enrollments
        if e.class_id == lesson.class_id
        and any(p.id == e.person_id and Role.STUDENT in p.roles for p in school.persons)
    ]
    present = [s for s in students if not any(a.person_id == s and a.lesson_id == lesson.id for a in school.attendance)]
    remote_lesson = str(platform_id("lesson", "sch125", lesson.id))
    absent = Attendance(
        person_id=str(platform_id("person", "sch125", present[0])), lesson_id=remote_lesson, code=AttendanceCode.ILL
    )
    stranger = Attendance(person_id="4242", lesson_id=remote_lesson, code=AttendanceCode.ABSENT)
    homework = Lesson(
        id=remote_lesson, date=lesson.date, number=lesson.number, class_id="x", subject_id="y", homework="§ 12, № 3"
    )
    try:
        results = await conn.write(Entity.ATTENDANCE, Op.CREATE, [absent, stranger])
        assert [r.ok for r in results] == [True, False]
        assert "person" in (results[1].error or "")
        (hw,) = await conn.write(Entity.HOMEWORK, Op.CREATE, [homework])
        assert hw.ok
        day = DateRange(lesson.date, lesson.date)
        read = {r.remote_id: r.record async for r in conn.attendance(day)}
        assert read[f"{absent.lesson_id}:{absent.person_id}"].code is AttendanceCode.ILL
        lessons = {r.remote_id: r.record async for r in conn.lessons(day)}
        assert "§ 12, № 3" in (lessons[remote_lesson].homework or "")
    finally:
        await conn.aclose()


async def test_an_unreachable_platform_is_named_with_its_url_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    clock = FakeClock()
    conn = connect(monkeypatch, base, "a" * 32, clock, timeout_s=2, connect_timeout_s=1, retries=1)
    try:
        with pytest.raises(PlatformUnavailable) as caught:
            [r async for r in conn.classes()]
    finally:
        await conn.aclose()
    message = str(caught.value)
    assert message.startswith("[dnevnik]")
    assert base in message
    assert "check base_url" in message
    # bounded, not a hang: one try and the one retry configured, with one backoff within backoff_max_s
    assert conn.client.requests_sent == 2
    assert len(clock.sleeps) == 1
    assert clock.sleeps[0] <= 0.2
