"""The platform's works a journal push writes on (Дневник.ру gives every mark for a work): a lesson's own work,
a control work of a type on the lesson, a homework, or the class's PeriodMark / YearMark work of a subject and
period. Found among what the platform holds (read once per lesson or group per run) or made when `create`.

The platform lists a group's final works only through the finals given on them, so a final work the gateway made
is remembered (`remember`, an id link kept at once): a run that died before any final landed on it finds it there
rather than asking for a second one, which the platform refuses."""

from __future__ import annotations

from collections.abc import Callable

from edugateway.connectors.base import KeepsJournalWorks, PlatformWork, WorkOrder
from edugateway.errors import ValidationError

LESSON_WORK = "DefaultNewLessonWork"  # what Дневник.ру makes for a lesson's own marks
LESSON_WORK_KINDS = frozenset({LESSON_WORK, "LessonTestWork"})
CONTROL_WORK = "CommonWork"
HOMEWORK = "Homework"
FINAL_KINDS = {"period_final": "PeriodMark", "year_final": "YearMark"}


class Works:
    """One run's view of the platform's works; `type_ids` maps a work type's title (and id) to its platform id."""

    def __init__(
        self,
        platform: KeepsJournalWorks,
        type_ids: dict[str, str],
        *,
        made_finals: dict[str, str] | None = None,
        remember: Callable[[str, str], None] = lambda key, work_id: None,
    ) -> None:
        self.platform = platform
        self.type_ids = type_ids
        self.made_finals = made_finals or {}  # final work key -> the id of the work the gateway made
        self.remember = remember
        self._lessons: dict[str, list[PlatformWork]] = {}
        self._finals: dict[str, list[PlatformWork]] = {}

    async def of_lesson(self, lesson_id: str) -> list[PlatformWork]:
        if lesson_id not in self._lessons:
            self._lessons[lesson_id] = await self.platform.lesson_works(lesson_id)
        return self._lessons[lesson_id]

    async def _make(self, order: WorkOrder, into: list[PlatformWork]) -> PlatformWork:
        work = await self.platform.create_work(order)
        into.append(work)
        return work

    def type_id(self, work_type: str | None) -> str:
        """The platform's id of a local work type (its title, or already the platform's id)."""
        found = self.type_ids.get(work_type or "")
        if found is None:
            raise ValidationError(
                f"the platform has no work type {work_type!r}; add it to the school's work types on the platform"
            )
        return found

    async def for_mark(
        self, lesson: str, group: str, subject: str, work_type: str | None, *, create: bool
    ) -> PlatformWork | None:
        """The lesson's own work (`work_type` None) or its control work of that type."""
        works = await self.of_lesson(lesson)
        if work_type is None:
            found = next((w for w in works if w.kind in LESSON_WORK_KINDS), None)
            order = WorkOrder(LESSON_WORK, group, subject, lesson_id=lesson)
        else:
            type_id = self.type_id(work_type)
            found = next(
                (w for w in works if w.work_type == type_id and w.kind not in LESSON_WORK_KINDS | {HOMEWORK}), None
            )
            order = WorkOrder(CONTROL_WORK, group, subject, lesson_id=lesson, work_type=type_id)
        if found is not None or not create:
            return found
        return await self._make(order, works)

    async def homeworks(self, lesson: str) -> list[PlatformWork]:
        return [w for w in await self.of_lesson(lesson) if w.kind == HOMEWORK]

    async def final(
        self, kind: str, group: str, subject: str, period: str | None, *, key: str, create: bool
    ) -> PlatformWork | None:
        """The class's final work of the subject: PeriodMark of `period`, or YearMark. `key` names it locally
        (class, subject, period) for `made_finals`."""
        if group not in self._finals:
            self._finals[group] = await self.platform.final_works(group)
        works = self._finals[group]
        platform_kind = FINAL_KINDS[kind]
        period = period if platform_kind == "PeriodMark" else None
        found = next(
            (
                w
                for w in works
                if w.kind == platform_kind and w.subject_id == subject and (period is None or w.period_id == period)
            ),
            None,
        )
        if found is None and key in self.made_finals:  # made by an earlier run, no final on it yet
            found = PlatformWork(self.made_finals[key], platform_kind, group, subject, period_id=period)
            works.append(found)
        if found is not None or not create:
            return found
        work = await self._make(WorkOrder(platform_kind, group, subject, period_id=period), works)
        self.remember(key, work.id)
        self.made_finals[key] = work.id
        return work
