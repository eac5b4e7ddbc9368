"""The Дневник.ру connector's journal works (KeepsJournalWorks) and final/homework writes against the emulator
over a real socket (issue 18: the push of marks, homework and finals "finds or makes the work first").

API.md §4.5: works are read by lesson (`lessons/{l}/works`) or id (`works/{id}`, `POST works/many`) and made with
`POST works`; §4.6: `POST persons/{p}/works/{w}/mark`, `PUT/DELETE marks/{id}`, `persons/{p}/works/{w}/marks`,
finals through `edu-groups/{g}/final-marks`; §5: a refusal is `{type: parameterInvalid, description}`."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import pytest

from edugateway.config.settings import DnevnikSettings, SecretRef
from edugateway.connectors.base import DateRange, KeepsJournalWorks, Op, WorkOrder
from edugateway.connectors.dnevnik import DnevnikConnector, build_dnevnik_connector
from edugateway.domain.entities import Entity
from edugateway.domain.models import Lesson, Mark, MarkKind, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import ValidationError
from edugateway.sync.directions import Direction, resolve_directions
from support.fake_clock import FakeClock

CODE = "sch125"
UNTIL = dt.date(2026, 11, 20)
SECRET = "s3cret"


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


@pytest.fixture
async def conn(
    served: tuple[dnevnik.DnevnikEmulator, str], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DnevnikConnector]:
    emulator, base = served
    monkeypatch.setenv("TEST_DNEVNIK_TOKEN", emulator.admin_token)
    settings = DnevnikSettings.model_validate(
        {"kind": "dnevnik", "base_url": f"{base}/v2.0/", "token": SecretRef(env="TEST_DNEVNIK_TOKEN"),
         "rate_limit_rps": 500, "max_concurrency": 4, "retries": 2, "backoff_max_s": 0.2}
    )  # fmt: skip
    connector = build_dnevnik_connector("dnevnik", settings, str(platform_id("school", CODE)), timer=clock)
    yield connector
    await connector.aclose()


def pid(kind: str, local: str) -> str:
    return str(platform_id(kind, CODE, local))


def _lesson_and_student(school: SchoolSnapshot) -> tuple[Lesson, str]:
    homerooms = {c.id for c in school.classes if c.parent_id is None}
    students = {p.id for p in school.persons if Role.STUDENT in p.roles}
    lesson = next(les for les in school.lessons if les.date == dt.date(2026, 11, 18) and les.class_id in homerooms)
    student = next(e.person_id for e in school.enrollments if e.class_id == lesson.class_id and e.person_id in students)
    return lesson, pid("person", student)


async def _free_period(conn: DnevnikConnector, group: str, subject: str) -> str:
    """A reporting period of the group with no final of the subject yet (the world's finals cover past quarters)."""
    taken = {f.period_id for f in await conn.final_works(group) if f.subject_id == subject}
    periods = await conn.client.get_json(f"edu-groups/{group}/reporting-periods")
    assert isinstance(periods, list)
    return next(str(p["id_str"]) for p in periods if str(p["id_str"]) not in taken)


async def test_a_final_is_pushed_changed_and_deleted_on_the_groups_final_work(
    conn: DnevnikConnector, school: SchoolSnapshot
) -> None:
    assert isinstance(conn, KeepsJournalWorks)
    lesson, person = _lesson_and_student(school)
    group, subject = pid("group", lesson.class_id), pid("subject", lesson.subject_id)
    period = await _free_period(conn, group, subject)
    work = await conn.create_work(WorkOrder("PeriodMark", group, subject, period_id=period))
    assert (work.kind, work.group_id, work.subject_id, work.period_id, work.lesson_id) == (
        "PeriodMark", group, subject, period, None
    )  # fmt: skip

    final = Mark(id="local-1", person_id=person, value="4", kind=MarkKind.PERIOD_FINAL, subject_id=subject,
                 period_id=period, work_type=work.id)  # fmt: skip
    (made,) = await conn.write(Entity.FINAL_MARKS, Op.CREATE, [final])
    assert made.ok, made.error
    assert work in await conn.final_works(group)
    pulled = {r.remote_id: r.record async for r in conn.final_marks()}
    (on_work,) = await conn.work_marks(person, work.id)
    assert on_work.remote_id == made.remote_id
    assert on_work.record == pulled[str(made.remote_id)]  # mapped as the pull maps it
    assert (on_work.record.value, on_work.record.period_id, on_work.record.subject_id) == ("4", period, subject)

    changed = final.model_copy(update={"id": made.remote_id, "value": "5"})
    assert [r.ok for r in await conn.write(Entity.FINAL_MARKS, Op.UPDATE, [changed])] == [True]
    assert {r.remote_id: r.record.value async for r in conn.final_marks()}[str(made.remote_id)] == "5"
    assert [r.ok for r in await conn.write(Entity.FINAL_MARKS, Op.DELETE, [changed])] == [True]
    assert str(made.remote_id) not in {r.remote_id async for r in conn.final_marks()}
    assert await conn.work_marks(person, work.id) == []


async def test_a_refused_work_is_a_validation_error_with_the_platforms_reason(
    conn: DnevnikConnector, school: SchoolSnapshot
) -> None:
    lesson, _ = _lesson_and_student(school)
    group, subject = pid("group", lesson.class_id), pid("subject", lesson.subject_id)
    period = await _free_period(conn, group, subject)
    first = await conn.create_work(WorkOrder("PeriodMark", group, subject, period_id=period))
    with pytest.raises(ValidationError, match=f"PeriodMark.*{first.id}"):
        await conn.create_work(WorkOrder("PeriodMark", group, subject, period_id=period))
    with pytest.raises(ValidationError, match="текст"):
        await conn.create_work(WorkOrder("Homework", group, subject, lesson_id=pid("lesson", lesson.id), text=""))


async def test_a_work_mark_on_a_made_work_reads_back_as_the_pull_reads_it(
    conn: DnevnikConnector, school: SchoolSnapshot
) -> None:
    lesson, person = _lesson_and_student(school)
    remote_lesson, group, subject = (
        pid("lesson", lesson.id),
        pid("group", lesson.class_id),
        pid("subject", lesson.subject_id),
    )
    work = await conn.create_work(WorkOrder("CommonWork", group, subject, lesson_id=remote_lesson))
    assert (work.lesson_id, work.group_id, work.subject_id) == (remote_lesson, group, subject)
    assert work.work_type  # the school's default type for the kind
    assert work in await conn.lesson_works(remote_lesson)

    mark = Mark(id="local-2", person_id=person, value="3", kind=MarkKind.WORK, lesson_id=remote_lesson,
                subject_id=subject, work_type=work.id, date=lesson.date)  # fmt: skip
    (made,) = await conn.write(Entity.MARKS, Op.CREATE, [mark])
    assert made.ok, made.error
    (on_work,) = await conn.work_marks(person, work.id)
    pulled = {r.remote_id: r.record async for r in conn.marks(DateRange(lesson.date, lesson.date))}
    assert on_work.record == pulled[str(made.remote_id)]
    assert (on_work.record.kind, on_work.record.work_type) == (MarkKind.WORK, work.work_type)


async def test_homework_is_made_then_changed_and_the_pull_reads_the_new_text(
    conn: DnevnikConnector, school: SchoolSnapshot
) -> None:
    lesson, _ = _lesson_and_student(school)
    remote_lesson = pid("lesson", lesson.id)
    before = [x for x in await conn.lesson_works(remote_lesson) if x.kind == "Homework"]
    homework = Lesson(id=remote_lesson, date=lesson.date, number=lesson.number, class_id="x", subject_id="y",
                      homework="§ 12")  # fmt: skip
    if not before:
        assert [r.ok for r in await conn.write(Entity.HOMEWORK, Op.CREATE, [homework])] == [True]
    (changed,) = await conn.write(Entity.HOMEWORK, Op.UPDATE, [homework.model_copy(update={"homework": "§ 14"})])
    assert changed.ok, changed.error
    day = DateRange(lesson.date, lesson.date)
    assert "§ 14" in ({r.remote_id: r.record async for r in conn.lessons(day)}[remote_lesson].homework or "")


def test_finals_and_homework_can_be_set_to_push(conn: DnevnikConnector) -> None:
    pushed = {Entity.FINAL_MARKS: Direction.PUSH, Entity.HOMEWORK: Direction.PUSH, Entity.MARKS: Direction.PUSH}
    assert resolve_directions("dnevnik", conn.capabilities, pushed, pushed) == pushed
    assert conn.capabilities.allows(Entity.HOMEWORK, Op.UPDATE)
