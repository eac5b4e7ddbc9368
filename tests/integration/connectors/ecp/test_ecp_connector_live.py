"""The ГИС ЕЦП connector against the emulator over a real socket: a full read returns the school the world was
made from, a contingent push lands in the edu-upload tables with a bad SNILS refused on its own, and an
unreachable platform is named in the error.

The emulator and the connector share one fake clock (token lifetimes, backoff): nothing is waited for real."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from edugateway.config.settings import EcpSettings, SecretRef
from edugateway.connectors.base import DateRange, Op
from edugateway.connectors.ecp import EcpConnector, Pupil, Representative, build_ecp_connector, contingent
from edugateway.domain.entities import Entity
from edugateway.domain.models import EnrollmentRole, MarkKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.ecp import ADMIN_PASSWORD, EcpEmulator, admin_login, create_app, world_from_snapshot
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer, free_port
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import AuthError, PlatformUnavailable
from support.fake_clock import FakeClock

UNTIL = dt.date(2026, 11, 20)
SPAN = DateRange(dt.date(2026, 9, 1), UNTIL)
BAD_SNILS = "11223344590"  # a checksum the platform refuses (the right control number is 95)
TOKEN_TTL_S = 20  # with the clock ticking a second per look the emulator takes, a token dies mid-read


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_journal(generate_school(students=40, classes=4, seed=8).snapshot, until=UNTIL, seed=8)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def served(school: SchoolSnapshot, clock: FakeClock) -> Iterator[tuple[EcpEmulator, str]]:
    emulator = create_app(world_from_snapshot(school), clock=clock)
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.base_url


def connect(
    monkeypatch: pytest.MonkeyPatch,
    base_url: str,
    school: SchoolSnapshot,
    clock: FakeClock,
    *,
    password: str = ADMIN_PASSWORD,
    **limits: Any,
) -> EcpConnector:
    monkeypatch.setenv("TEST_ECP_PASSWORD", password)
    settings = EcpSettings.model_validate(
        {
            "kind": "ecp",
            "base_url": f"{base_url}/api/",
            "login": admin_login(school.school.code),
            "password": SecretRef(env="TEST_ECP_PASSWORD"),
            "rate_limit_rps": 1000,
            "max_concurrency": 4,
            "retries": 6,
            "backoff_max_s": 0.2,
            **limits,
        }
    )
    return build_ecp_connector("ecp", settings, "org", org_ogrn=school.school.ogrn, timer=clock)


def homerooms(school: SchoolSnapshot) -> set[str]:
    return {c.id for c in school.classes if c.parent_id is None}


async def test_a_full_read_returns_every_record_of_the_world(
    served: tuple[EcpEmulator, str], school: SchoolSnapshot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, base = served
    world = emulator.world
    conn = connect(monkeypatch, base, school, clock)
    try:
        persons = {r.remote_id: r.record async for r in conn.persons()}
        classes = {r.remote_id: r.record async for r in conn.classes()}
        enrollments = [r.record async for r in conn.enrollments()]
        subjects = {r.remote_id async for r in conn.subjects()}
        periods = {r.remote_id: r.record async for r in conn.periods()}
        lessons = {r.remote_id: r.record async for r in conn.lessons(SPAN)}
        marks = {r.remote_id: r.record async for r in conn.marks(SPAN)}
        finals = {r.remote_id: r.record async for r in conn.final_marks()}
        absences = {r.remote_id async for r in conn.attendance(SPAN)}
    finally:
        await conn.aclose()

    in_a_homeroom = {
        e.person_id for e in school.enrollments if e.role is EnrollmentRole.STUDENT and e.class_id in homerooms(school)
    }
    students = [p for p in school.persons if Role.STUDENT in p.roles and p.id in in_a_homeroom]
    assert len(persons) == len(students)
    assert set(persons) == set(world.students)
    local_of = {sid: row["localId"] for sid, row in world.students.items()}
    assert {local_of[p.id]: (p.last_name, p.first_name, p.middle_name) for p in persons.values()} == {
        p.id: (p.last_name, p.first_name, p.middle_name) for p in students
    }
    assert len(classes) == len(homerooms(school))
    assert {c.name for c in classes.values()} == {c.name for c in school.classes if c.parent_id is None}
    assert {(e.person_id, e.class_id) for e in enrollments} == {(s, r["classId"]) for s, r in world.students.items()}

    taught = {les.subject_id for les in school.lessons}
    assert len(subjects) == len(taught)

    local_lessons = [les for les in school.lessons if SPAN.start <= les.date <= SPAN.end]
    assert len(lessons) == len(local_lessons)
    for lesson_id, lesson in lessons.items():
        row = world.lessons[lesson_id]
        group = world.classes[row["classId"]]
        expected_class = f"{group['parentId']}#{group['groupName']}" if group["parentId"] else group["id"]
        assert (lesson.date.isoformat(), lesson.number, lesson.class_id, lesson.subject_id) == (
            row["date"],
            row["number"],
            expected_class,
            row["subjectId"],
        )
    homework = {h["lessonId"]: h["description"] for h in world.homework.values()}
    assert {i: les.homework for i, les in lessons.items() if les.homework} == {
        i: text for i, text in homework.items() if i in lessons
    }

    lesson_marks = [mk for mk in school.marks if mk.kind in (MarkKind.LESSON, MarkKind.WORK)]
    assert len(marks) == len(lesson_marks)
    assert sorted(mk.value for mk in marks.values()) == sorted(mk.value for mk in lesson_marks)
    final_marks = [mk for mk in school.marks if mk.kind in (MarkKind.PERIOD_FINAL, MarkKind.YEAR_FINAL)]
    assert len(finals) == len(final_marks)
    assert len(absences) == len(school.attendance)

    quarters = {p.name for p in periods.values()}
    assert "1 четверть" in quarters
    assert conn.skipped == [] or all(s.entity is Entity.PERIODS for s in conn.skipped)


async def test_a_mid_run_token_expiry_and_5xx_are_ridden_out(
    served: tuple[EcpEmulator, str], school: SchoolSnapshot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, base = served
    emulator.set_faults(FaultConfig(fail_rate=0.05, token_ttl_s=TOKEN_TTL_S, seed=3))
    conn = connect(monkeypatch, base, school, clock)
    span = DateRange(dt.date(2026, 10, 5), dt.date(2026, 10, 24))
    clock.tick = 1  # from now on every look at the emulator's clock is a second later
    try:
        lessons = {r.remote_id async for r in conn.lessons(span)}
    finally:
        await conn.aclose()
    assert len(lessons) == len([les for les in school.lessons if span.start <= les.date <= span.end])
    assert emulator.stats.faults["server_error"] > 0
    assert conn.client.auth.refreshes >= 1, "the expired token was never renewed"  # type: ignore[attr-defined]
    assert clock.sleeps  # 5xx were backed off ...
    assert max(clock.sleeps) <= 0.2  # ... within backoff_max_s


async def test_a_contingent_push_lands_and_a_bad_snils_is_refused_alone(
    served: tuple[EcpEmulator, str], school: SchoolSnapshot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, base = served
    records = contingent(school.persons, school.classes, school.enrollments, school.parent_links)
    representatives = [r for r in records if isinstance(r, Representative)]
    parented = {r.link.child_id for r in representatives}
    pupils = [r for r in records if isinstance(r, Pupil) and r.person.birth_date][:6]
    bad = next(p for p in pupils if p.person.id in parented)
    child_ids = {p.person.id for p in pupils}
    # The bad pupil's representatives are refused too (their pupil is not on the platform); the rest land.
    parents = [r for r in representatives if r.link.child_id in child_ids]
    # A SNILS the gateway would never accept, built past validation: what the platform must refuse on its own.
    bad_person = bad.person.model_construct(**{**bad.person.model_dump(), "snils": BAD_SNILS})
    batch: list[Pupil | Representative] = [
        *(Pupil(bad_person, p.class_name) if p is bad else p for p in pupils),
        *parents,
    ]
    conn = connect(monkeypatch, base, school, clock)
    try:
        results = await conn.write(Entity.PERSONS, Op.CREATE, batch)
    finally:
        await conn.aclose()
    refused = {r.key: r.error or "" for r in results if not r.ok}
    bad_children = {bad.person.id}
    bad_links = {r.key for r in parents if r.link.child_id == bad.person.id}
    assert bad_links
    assert set(refused) == {bad.person.id} | bad_links
    assert "column snils" in refused[bad.person.id]
    assert BAD_SNILS not in refused[bad.person.id]
    assert all("column student_id" in refused[key] for key in bad_links)
    landed = {key[0] for key in emulator.world.uploads["students"]}
    assert landed == child_ids - bad_children
    reps = set(emulator.world.uploads["representatives"])
    assert reps == {(p.link.parent_id, p.link.child_id) for p in parents if p.link.child_id not in bad_children}
    assert [r.key for r in results] == [r.key for r in batch]

    conn = connect(monkeypatch, base, school, clock)
    try:
        deleted = await conn.write(Entity.PERSONS, Op.DELETE, [pupils[0]])
    finally:
        await conn.aclose()
    assert [r.ok for r in deleted] == [True]
    assert (pupils[0].person.id,) not in emulator.world.uploads["students"]


async def test_an_upload_service_of_its_own_gets_the_files_and_never_the_token(
    served: tuple[EcpEmulator, str], school: SchoolSnapshot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, base = served
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        seen.append(request)

    conn = connect(monkeypatch, base, school, clock, upload_url=f"{base}/api/edu-upload/v1/")
    conn.upload.client.http.event_hooks["request"] = [record]
    pupil = next(r for r in contingent(school.persons, school.classes, school.enrollments, []) if r.person.birth_date)
    try:
        (result,) = await conn.write(Entity.PERSONS, Op.CREATE, [pupil])
    finally:
        await conn.aclose()
    assert result.ok, result.error
    assert [str(r.url) for r in seen] == [f"{base}/api/edu-upload/v1/csv/students"]
    assert "authorization" not in seen[0].headers
    assert {key[0] for key in emulator.world.uploads["students"]} == {pupil.person.id}


async def test_a_refused_password_names_the_setting_to_fix(
    served: tuple[EcpEmulator, str], school: SchoolSnapshot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base = served
    conn = connect(monkeypatch, base, school, clock, password="wrong")
    try:
        with pytest.raises(AuthError, match=r"platforms\.ecp\.password"):
            [r async for r in conn.persons()]
    finally:
        await conn.aclose()


async def test_an_unreachable_platform_is_named_with_its_url(
    monkeypatch: pytest.MonkeyPatch, school: SchoolSnapshot
) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    conn = connect(monkeypatch, base, school, FakeClock(), timeout_s=2, connect_timeout_s=1, retries=1)
    try:
        with pytest.raises(PlatformUnavailable) as caught:
            [r async for r in conn.classes()]
    finally:
        await conn.aclose()
    message = str(caught.value)
    assert message.startswith("[ecp]")
    assert base in message
    assert "check base_url" in message
