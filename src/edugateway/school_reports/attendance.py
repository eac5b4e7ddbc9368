"""Attendance of 004 §5.3 («Отчеты по успеваемости и посещаемости создаются в конце учебного периода и года»),
with the codes of 004 §4.2.5 (Н — без уважительной причины, У — по уважительной причине, Б — по болезни):
lessons missed per pupil and per class, by code; «ОП» (опоздание) is not a missed lesson and is counted apart.

A pupil's lessons of a subgroup count for the class the subgroup belongs to.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from edugateway.domain.models import AttendanceCode
from edugateway.store.school_report_reads import AttendanceCount

MISSED = (AttendanceCode.ABSENT.value, AttendanceCode.EXCUSED.value, AttendanceCode.ILL.value)
LATE = AttendanceCode.LATE.value


@dataclass(frozen=True)
class Missed:
    """Counts of lessons by attendance code."""

    codes: Counter[str]

    @property
    def missed(self) -> int:
        return sum(self.codes[c] for c in MISSED)

    @property
    def late(self) -> int:
        return self.codes[LATE]

    def row(self) -> dict[str, int]:
        return {"absent": self.codes[MISSED[0]], "excused": self.codes[MISSED[1]], "ill": self.codes[MISSED[2]]} | {
            "missed": self.missed,
            "late": self.late,
        }


@dataclass(frozen=True)
class AttendanceTally:
    by_pupil: dict[tuple[int, int], Missed]  # (class, pupil) -> codes
    by_class: dict[int, Missed]
    other_codes: Counter[str]  # codes none of Н, У, Б, ОП: listed in a note, never dropped silently


def tally(counts: Iterable[AttendanceCount], homeroom_of: Mapping[int, int]) -> AttendanceTally:
    """Sums the counts per homeroom class (a subgroup's through `homeroom_of`) and pupil."""
    pupils: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    classes: dict[int, Counter[str]] = defaultdict(Counter)
    other: Counter[str] = Counter()
    for c in counts:
        if c.code not in (*MISSED, LATE):
            other[c.code] += c.lessons
            continue
        homeroom = homeroom_of.get(c.class_id, c.class_id)
        pupils[(homeroom, c.person_id)][c.code] += c.lessons
        classes[homeroom][c.code] += c.lessons
    return AttendanceTally(
        {key: Missed(codes) for key, codes in pupils.items()},
        {key: Missed(codes) for key, codes in classes.items()},
        other,
    )


NONE = Missed(Counter())
