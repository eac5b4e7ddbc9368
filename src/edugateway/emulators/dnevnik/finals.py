"""Finals are marks on a group's PeriodMark/YearMark works; the final-marks reads serve `world.final_marks`, so
a mark written on such a work (POST/PUT/DELETE) is kept in step there."""

from __future__ import annotations

from edugateway.emulators.dnevnik.ids import with_str
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

FINAL_KINDS = ("PeriodMark", "YearMark")


def work_period(world: DnevnikWorld, work: Row) -> Row | None:
    """The reporting period of a PeriodMark work: the group's period with the work's number and type."""
    if work.get("type") != "PeriodMark":
        return None
    return next(
        (p for p in group_periods(world, int(work["eduGroup"]))
         if p["number"] == work.get("periodNumber") and p["type"] == work.get("periodType")),
        None,
    )  # fmt: skip


def group_periods(world: DnevnikWorld, group_id: int) -> list[Row]:
    """The school's periods of the group's study year (what edu-groups/{g}/reporting-periods serves)."""
    group = world.group(group_id)
    return [
        p
        for p in world.reporting_periods.values()
        if p.get("school") == group["school"] and p.get("year") == group.get("studyyear")
    ]


def add_final(world: DnevnikWorld, work: Row, mark: Row) -> None:
    """A mark just given on a final work becomes the person's final for the work's subject and period."""
    if work.get("type") not in FINAL_KINDS:
        return
    period = work_period(world, work)
    final: Row = {}
    with_str(final, "person", int(mark["person"]))
    with_str(final, "group", int(work["eduGroup"]))
    with_str(final, "reportingPeriod", int(period["id"]) if period else None)
    with_str(final, "subject", int(work["subjectId"]))
    final["final-mark"] = mark
    world.final_marks.append(final)


def _same_mark(final: Row, mark_id: int) -> bool:
    return int(final["final-mark"]["id"]) == mark_id


def update_final(world: DnevnikWorld, mark: Row) -> None:
    """A changed mark: the final row (a copy once the world was saved and loaded) shows the new value."""
    for final in world.final_marks:
        if _same_mark(final, int(mark["id"])):
            final["final-mark"] = mark


def remove_final(world: DnevnikWorld, mark_id: int) -> None:
    world.final_marks[:] = [f for f in world.final_marks if not _same_mark(f, mark_id)]
