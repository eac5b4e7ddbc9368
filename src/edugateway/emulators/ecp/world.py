"""The emulator's data: ЕЦП records as JSON objects, loaded from and saved to JSON Lines files.

Each line is in the platform's own JSON shape (camelCase, GUID ids, the field names the diary's clients read),
with documented storage rules: where a reply embeds another record, the line holds its id (`classId`,
`subjectId`, `lessonId`); and keys the API never returns (`localId`, `snils`, `birthDate`, `password`,
`doneBy`) are kept for the world builder, tests and drift checks. Replies are built by `shapes.py` from
explicit field lists, so storage-only keys never leak.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from edugateway.emulators.ecp.errors import EcpError
from edugateway.emulators.ecp.upload_tables import TABLES
from edugateway.emulators.jsonl import Row as Row
from edugateway.emulators.jsonl import read_table, write_jsonl
from edugateway.errors import ConfigError

SUBDIR = "ecp"


def _by(key: str) -> Callable[[Row], Any]:
    return lambda row: row[key]


# attribute -> (file name, key of the in-memory dict or None for a plain list)
FILES: dict[str, tuple[str, Callable[[Row], Any] | None]] = {
    "schools": ("schools.jsonl", _by("id")),
    "classes": ("classes.jsonl", _by("id")),
    "students": ("students.jsonl", _by("id")),
    "memberships": ("class-students.jsonl", None),
    "subjects": ("subjects.jsonl", _by("id")),
    "periods": ("periods.jsonl", _by("id")),
    "lessons": ("lessons.jsonl", _by("id")),
    "estimates": ("estimates.jsonl", _by("id")),
    "presence": ("presence.jsonl", None),
    "homework": ("homework.jsonl", _by("id")),
    "accounts": ("accounts.jsonl", lambda row: str(row["login"]).lower()),
    "tokens": ("tokens.jsonl", _by("accessToken")),
}


def upload_file_name(table: str) -> str:
    return f"edu-upload-{table}.jsonl"


def upload_key(table: str, row: Row) -> tuple[str, ...]:
    return tuple(str(row.get(k, "")) for k in TABLES[table].key)


@dataclass
class EcpWorld:
    schools: dict[str, Row] = field(default_factory=dict)
    classes: dict[str, Row] = field(default_factory=dict)  # classes and their subgroups (parentId set)
    students: dict[str, Row] = field(default_factory=dict)
    memberships: list[Row] = field(default_factory=list)  # {classId, studentId}: class and subgroups
    subjects: dict[str, Row] = field(default_factory=dict)
    periods: dict[str, Row] = field(default_factory=dict)
    lessons: dict[str, Row] = field(default_factory=dict)
    estimates: dict[str, Row] = field(default_factory=dict)  # marks: lesson, work and final
    presence: list[Row] = field(default_factory=list)  # {studentId, lessonId, presence: Н/У/Б/ОП}
    homework: dict[str, Row] = field(default_factory=dict)
    accounts: dict[str, Row] = field(default_factory=dict)
    tokens: dict[str, Row] = field(default_factory=dict)
    # edu-upload tables received: table -> row key -> the CSV row as column -> value
    uploads: dict[str, dict[tuple[str, ...], Row]] = field(default_factory=dict)
    # How many times each row was received in an accepted file: a count above 1 is a record sent twice.
    received: Counter[tuple[str, tuple[str, ...]]] = field(default_factory=Counter, compare=False)

    def __post_init__(self) -> None:
        for table in TABLES:
            self.uploads.setdefault(table, {})
        self.reindex()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EcpWorld):
            return NotImplemented
        return all(getattr(self, a) == getattr(other, a) for a in (*FILES, "uploads"))

    __hash__ = None  # type: ignore[assignment]  # mutable tables

    # ---- files -------------------------------------------------------------------------------------
    @classmethod
    def load(cls, world_dir: Path | str) -> EcpWorld:
        """Reads `<world_dir>/ecp/*.jsonl`; a missing file is an empty table."""
        root = Path(world_dir) / SUBDIR
        if not root.is_dir():
            raise ConfigError(f"no ЕЦП world at {root}; write one with `edugateway emulators world` or EcpWorld.save()")
        world = cls()
        for attr, (name, key) in FILES.items():
            rows = read_table(root / name)
            setattr(world, attr, rows if key is None else {key(row): row for row in rows})
        for table in TABLES:
            world.uploads[table] = {upload_key(table, r): r for r in read_table(root / upload_file_name(table))}
        world.reindex()
        return world

    def save(self, world_dir: Path | str) -> Path:
        """Writes every table to `<world_dir>/ecp/`, one JSON object a line; returns that directory."""
        root = Path(world_dir) / SUBDIR
        root.mkdir(parents=True, exist_ok=True)
        for attr, (name, key) in FILES.items():
            table = getattr(self, attr)
            write_jsonl(root / name, table if key is None else table.values())
        for upload, rows in self.uploads.items():
            write_jsonl(root / upload_file_name(upload), rows.values())
        return root

    # ---- indexes -----------------------------------------------------------------------------------
    def reindex(self) -> None:
        self.groups_of_student: defaultdict[str, list[str]] = defaultdict(list)
        self.students_of_class: defaultdict[str, list[str]] = defaultdict(list)
        for m in self.memberships:
            self.groups_of_student[m["studentId"]].append(m["classId"])
            self.students_of_class[m["classId"]].append(m["studentId"])
        self.lessons_by_class_day: defaultdict[tuple[str, str], list[Row]] = defaultdict(list)
        self.lessons_by_class: defaultdict[str, list[Row]] = defaultdict(list)
        for lesson in sorted(self.lessons.values(), key=lambda r: (r["date"], r["number"])):
            self.lessons_by_class_day[(lesson["classId"], lesson["date"])].append(lesson)
            self.lessons_by_class[lesson["classId"]].append(lesson)
        self.estimates_by_student: defaultdict[str, list[Row]] = defaultdict(list)
        self.estimates_by_student_lesson: defaultdict[tuple[str, str], list[Row]] = defaultdict(list)
        for est in self.estimates.values():
            self.estimates_by_student[est["studentId"]].append(est)
            if est.get("lessonId"):
                self.estimates_by_student_lesson[(est["studentId"], est["lessonId"])].append(est)
        self.presence_of: dict[tuple[str, str], str] = {
            (p["studentId"], p["lessonId"]): p["presence"] for p in self.presence
        }
        self.homework_by_lesson: dict[str, Row] = {h["lessonId"]: h for h in self.homework.values()}

    # ---- lookups -----------------------------------------------------------------------------------
    def student(self, student_id: str) -> Row:
        row = self.students.get(student_id)
        if row is None:
            raise EcpError(404, f"Ученик {student_id} не найден")
        return row

    def school(self) -> Row:
        if not self.schools:
            raise EcpError(500, "В мире ЕЦП нет организации")
        return next(iter(self.schools.values()))

    def timezone(self) -> ZoneInfo:
        return ZoneInfo(str(self.school().get("timezone") or "Asia/Yekaterinburg"))

    def homeroom_of(self, student_id: str) -> Row:
        return self.classes[self.student(student_id)["classId"]]

    def lessons_of_student(self, student_id: str, day: str) -> list[Row]:
        """The student's lessons on one day (`YYYY-MM-DD`): the class's and their subgroups', by number."""
        lessons = [
            les
            for group in self.groups_of_student.get(student_id, [])
            for les in self.lessons_by_class_day.get((group, day), [])
        ]
        return sorted(lessons, key=lambda r: r["number"])

    def lesson_days_of_student(self, student_id: str) -> list[str]:
        return sorted(
            {les["date"] for g in self.groups_of_student.get(student_id, []) for les in self.lessons_by_class[g]}
        )

    def periods_of_year(self, year: str) -> list[Row]:
        return sorted((p for p in self.periods.values() if p["schoolYear"] == year), key=lambda p: p["order"])


def load_world(world_dir: Path) -> EcpWorld:
    """The world under `<world_dir>/ecp`; ConfigError when there is none."""
    return EcpWorld.load(world_dir)
