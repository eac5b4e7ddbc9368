"""Sending one journal outbox row (issue 18): "a row left `sending` by a dead run is resolved by asking the
platform … and adopting what landed, resending only what did not" and "a mark a teacher changed on the platform
since is a conflict: reported …, never silently overwritten; the policy is a setting"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from edugateway.connectors.base import Op, PlatformWork, Remote, WorkOrder, WriteResult
from edugateway.domain.entities import Entity
from edugateway.domain.models import Mark
from edugateway.errors import PlatformRejected
from edugateway.store.outbox import ClaimedWrite
from edugateway.sync.journal_push import JournalMarks
from edugateway.sync.journal_send import JournalSender, Row
from edugateway.sync.journal_works import Works

LESSON_WORK = PlatformWork(id="w1", kind="DefaultNewLessonWork", group_id="g", subject_id="s", lesson_id="L")
PAYLOAD = {"mark": "mark-1", "person": "p1", "value": "4", "kind": "lesson", "lesson": "k", "class": "5a",
           "subject": "math", "work_type": None, "date": "2026-09-03", "where": "2026-09-03 №2"}  # fmt: skip
LINKED = {("persons", "p1"): "P", ("lessons", "k"): "L", ("classes", "5a"): "g", ("subjects", "math"): "s"}


class Platform:
    """A lesson with its own work and a pupil's marks on it; every write is recorded."""

    platform = "dnevnik"

    def __init__(self, *marks: tuple[str, str]) -> None:
        self.marks = dict(marks)  # mark id -> value
        self.writes: list[tuple[Entity, Op, Any]] = []

    async def lesson_works(self, lesson_id: str) -> list[PlatformWork]:
        return [LESSON_WORK]

    async def final_works(self, group_id: str) -> list[PlatformWork]:
        return []

    async def create_work(self, order: WorkOrder) -> PlatformWork:
        raise AssertionError("the lesson has its work")

    async def work_marks(self, person_id: str, work_id: str) -> list[Remote[Mark]]:
        return [Remote(i, Mark(id=i, person_id=person_id, value=v, lesson_id="L")) for i, v in self.marks.items()]

    async def write(self, entity: Entity, op: Op, records: Sequence[Any]) -> list[WriteResult]:
        self.writes += [(entity, op, r) for r in records]
        return [WriteResult(r.id, ok=True, remote_id="m-new" if op is Op.CREATE else r.id) for r in records]


def sender(platform: Platform, *, overwrite: bool = False) -> JournalSender:
    return JournalSender(JournalMarks(), platform, Works(platform, {}), LINKED, overwrite=overwrite)  # type: ignore[arg-type]


def row(op: str, value: str = "4", *, doubt: bool = False, pushed: str | None = None) -> Row:
    landed = "w1/m1" if op != "create" else None
    return Row(ClaimedWrite(1, op, "mark-1", {**PAYLOAD, "value": value}), doubt, landed, pushed and {"value": pushed})


async def test_a_create_in_doubt_that_landed_is_adopted_and_not_sent_again() -> None:
    platform = Platform(("m1", "4"))
    answer = await sender(platform).send(row("create", doubt=True))
    assert (answer.ok, answer.remote_id, platform.writes) == (True, "w1/m1", [])


async def test_a_create_in_doubt_that_did_not_land_is_sent_once() -> None:
    platform = Platform()
    answer = await sender(platform).send(row("create", doubt=True))
    assert (answer.ok, answer.remote_id) == (True, "w1/m-new")
    ((entity, op, mark),) = platform.writes
    assert (entity, op, mark.person_id, mark.work_type, mark.value) == (Entity.MARKS, Op.CREATE, "P", "w1", "4")


async def test_an_update_of_a_mark_unchanged_on_the_platform_is_sent() -> None:
    platform = Platform(("m1", "4"))
    answer = await sender(platform).send(row("update", "2", pushed="4"))
    assert answer.ok
    ((_, op, mark),) = platform.writes
    assert (op, mark.id, mark.value) == (Op.UPDATE, "m1", "2")


@pytest.mark.parametrize("op", ["update", "delete"])
async def test_a_mark_a_teacher_changed_on_the_platform_is_a_conflict_unless_overwrite_is_set(op: str) -> None:
    platform = Platform(("m1", "5"))  # the gateway pushed 4; a teacher made it 5

    answer = await sender(platform).send(row(op, "2", pushed="4"))

    assert not answer.ok
    assert not answer.retryable
    assert (answer.error or "").startswith("conflict: mark-1 was changed on the platform since the last push")
    assert "(4 pushed, 5 there now)" in (answer.error or "")
    assert platform.writes == []
    overwritten = await sender(platform, overwrite=True).send(row(op, "2", pushed="4"))
    assert overwritten.ok
    assert [w[1] for w in platform.writes] == [Op.UPDATE if op == "update" else Op.DELETE]


async def test_a_delete_of_a_mark_already_gone_is_done_without_a_request() -> None:
    platform = Platform()
    answer = await sender(platform).send(row("delete", pushed="4"))
    assert (answer.ok, platform.writes) == (True, [])


async def test_a_record_the_platform_refuses_to_read_is_refused_alone() -> None:
    """A lesson deleted on the platform (404 on its works) refuses that record; the run goes on."""

    class LessonGone(Platform):
        async def lesson_works(self, lesson_id: str) -> list[PlatformWork]:
            raise PlatformRejected("HTTP 404: apiResourceUnavailable", platform="dnevnik")

    answer = await sender(LessonGone()).send(row("create"))
    assert (answer.ok, answer.retryable, answer.error) == (False, False, "[dnevnik] HTTP 404: apiResourceUnavailable")
