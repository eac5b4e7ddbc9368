"""The emulator's data: Дневник records as JSON objects, loaded from and saved to JSON Lines files.

Every line is the platform's own JSON shape (camelCase, `_str` twins, PascalCase teachers) with two
documented storage rules: where the API embeds another entity, the line holds its id; and a few keys
the API never returns (`snils`, `schoolIds`, `school`) are kept for searching and scoping. Responses are
built by `shapes.py` from explicit field lists, so storage-only keys can never leak.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.ids import platform_id
from edugateway.emulators.jsonl import Row as Row
from edugateway.emulators.jsonl import read_table, write_jsonl

LogKey = tuple[int, int]  # (lesson, person)

SUBDIR = "dnevnik"


def _by(key: str) -> Callable[[Row], Any]:
    return lambda row: row[key]


def _log_key(row: Row) -> LogKey:
    return (int(row["lesson"]), int(row["person"]))


# attribute -> (file name, key of the in-memory dict or None for a plain list)
FILES: dict[str, tuple[str, Callable[[Row], Any] | None]] = {
    "schools": ("schools.jsonl", _by("id")),
    "persons": ("persons.jsonl", _by("id")),
    "edu_groups": ("edu-groups.jsonl", _by("id")),
    "memberships": ("edu-group-persons.jsonl", None),
    "subjects": ("subjects.jsonl", _by("id")),
    "teachers": ("teachers.jsonl", None),
    "timetables": ("timetables.jsonl", _by("Id")),
    "reporting_periods": ("reporting-periods.jsonl", _by("id")),
    "work_types": ("work-types.jsonl", _by("id")),
    "lessons": ("lessons.jsonl", _by("id")),
    "works": ("works.jsonl", _by("id")),
    "marks": ("marks.jsonl", _by("id")),
    "final_marks": ("final-marks.jsonl", None),
    "log_entries": ("lesson-log-entries.jsonl", _log_key),
    "apps": ("apps.jsonl", _by("client_id")),
    "accounts": ("accounts.jsonl", lambda row: str(row["username"]).lower()),
    "tokens": ("tokens.jsonl", _by("accessToken")),
    "auth_codes": ("auth-codes.jsonl", _by("code")),
}


@dataclass
class DnevnikWorld:
    schools: dict[int, Row] = field(default_factory=dict)
    persons: dict[int, Row] = field(default_factory=dict)
    edu_groups: dict[int, Row] = field(default_factory=dict)
    memberships: list[Row] = field(default_factory=list)
    subjects: dict[int, Row] = field(default_factory=dict)
    teachers: list[Row] = field(default_factory=list)
    timetables: dict[int, Row] = field(default_factory=dict)
    reporting_periods: dict[int, Row] = field(default_factory=dict)
    work_types: dict[int, Row] = field(default_factory=dict)
    lessons: dict[int, Row] = field(default_factory=dict)
    works: dict[int, Row] = field(default_factory=dict)
    marks: dict[int, Row] = field(default_factory=dict)
    final_marks: list[Row] = field(default_factory=list)
    log_entries: dict[LogKey, Row] = field(default_factory=dict)
    apps: dict[str, Row] = field(default_factory=dict)
    accounts: dict[str, Row] = field(default_factory=dict)
    tokens: dict[str, Row] = field(default_factory=dict)
    auth_codes: dict[str, Row] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._seq = itertools.count(1)
        self.reindex()

    # ---- files -------------------------------------------------------------------------------------
    @classmethod
    def load(cls, world_dir: Path | str) -> DnevnikWorld:
        """Reads `<world_dir>/dnevnik/*.jsonl`; a missing file is an empty table."""
        root = Path(world_dir) / SUBDIR
        if not root.is_dir():
            raise FileNotFoundError(f"no Дневник world at {root}; write one with DnevnikWorld.save()")
        world = cls()
        for attr, (name, key) in FILES.items():
            path = root / name
            rows = read_table(path)
            setattr(world, attr, rows if key is None else {key(row): row for row in rows})
        world.reindex()
        return world

    def save(self, world_dir: Path | str) -> Path:
        """Writes every table to `<world_dir>/dnevnik/`, one JSON object a line; returns that directory."""
        root = Path(world_dir) / SUBDIR
        root.mkdir(parents=True, exist_ok=True)
        for attr, (name, key) in FILES.items():
            table = getattr(self, attr)
            rows: Iterable[Row] = table if key is None else table.values()
            write_jsonl(root / name, rows)
        return root

    # ---- indexes -----------------------------------------------------------------------------------
    def reindex(self) -> None:
        self.person_by_user = {int(p["userId"]): pid for pid, p in self.persons.items() if p.get("userId")}
        self.members_by_group: defaultdict[int, list[Row]] = defaultdict(list)
        self.members_by_person: defaultdict[int, list[Row]] = defaultdict(list)
        for m in self.memberships:
            self.members_by_group[int(m["eduGroup"])].append(m)
            self.members_by_person[int(m["person"])].append(m)
        self.lessons_by_group: defaultdict[int, list[int]] = defaultdict(list)
        for lid, lesson in sorted(self.lessons.items(), key=lambda kv: (kv[1]["date"], kv[1]["number"])):
            self.lessons_by_group[int(lesson["group"])].append(lid)
        self.works_by_lesson: defaultdict[int, list[int]] = defaultdict(list)
        self.works_by_group: defaultdict[int, list[int]] = defaultdict(list)
        for wid, work in self.works.items():
            self._index_work(wid, work)
        self.marks_by_work: defaultdict[int, list[int]] = defaultdict(list)
        self.marks_by_person: defaultdict[int, list[int]] = defaultdict(list)
        for mid, mark in self.marks.items():
            self._index_mark(mid, mark)
        self.log_by_lesson: defaultdict[int, dict[int, Row]] = defaultdict(dict)
        for (lesson_id, person_id), entry in self.log_entries.items():
            self.log_by_lesson[lesson_id][person_id] = entry

    def _index_work(self, wid: int, work: Row) -> None:
        if work.get("lesson"):
            self.works_by_lesson[int(work["lesson"])].append(wid)
        self.works_by_group[int(work["eduGroup"])].append(wid)

    def _index_mark(self, mid: int, mark: Row) -> None:
        self.marks_by_work[int(mark["work"])].append(mid)
        self.marks_by_person[int(mark["person"])].append(mid)

    # ---- lookups -----------------------------------------------------------------------------------
    def school(self, school_id: int) -> Row:
        return _get(self.schools, school_id, "school")

    def person(self, person_id: int) -> Row:
        return _get(self.persons, person_id, "person")

    def person_of_user(self, user_id: int) -> Row:
        if user_id not in self.person_by_user:
            raise ApiError.not_found("user", user_id)
        return self.persons[self.person_by_user[user_id]]

    def group(self, group_id: int) -> Row:
        return _get(self.edu_groups, group_id, "eduGroup")

    def subject(self, subject_id: int) -> Row:
        return _get(self.subjects, subject_id, "subject")

    def lesson(self, lesson_id: int) -> Row:
        return _get(self.lessons, lesson_id, "lesson")

    def work(self, work_id: int) -> Row:
        return _get(self.works, work_id, "work")

    def mark(self, mark_id: int) -> Row:
        return _get(self.marks, mark_id, "mark")

    def groups_of_school(self, school_id: int) -> list[Row]:
        return [g for g in self.edu_groups.values() if g.get("school") == school_id]

    def group_members(self, group_id: int, *, include_archive: bool = False) -> list[Row]:
        return [
            m for m in self.members_by_group.get(group_id, []) if include_archive or m["membershipstatus"] == "Active"
        ]

    def is_active_member(self, group_id: int, person_id: int) -> bool:
        return any(int(m["person"]) == person_id for m in self.group_members(group_id))

    def school_of_group(self, group: Row) -> int:
        return int(group["school"])

    # ---- writes ------------------------------------------------------------------------------------
    def new_id(self, kind: str) -> int:
        """A fresh id for a record created through the API; never one already in use."""
        taken = {"work": self.works, "mark": self.marks}.get(kind, {})
        while True:
            candidate = platform_id(kind, "created", str(next(self._seq)))
            if candidate not in taken:
                return candidate

    def add_work(self, work: Row) -> None:
        self.works[int(work["id"])] = work
        self._index_work(int(work["id"]), work)

    def add_mark(self, mark: Row) -> None:
        self.marks[int(mark["id"])] = mark
        self._index_mark(int(mark["id"]), mark)

    def remove_mark(self, mark_id: int) -> Row:
        mark = self.marks.pop(mark_id)
        self.marks_by_work[int(mark["work"])].remove(mark_id)
        self.marks_by_person[int(mark["person"])].remove(mark_id)
        return mark

    def put_log_entry(self, entry: Row) -> None:
        key = _log_key(entry)
        self.log_entries[key] = entry
        self.log_by_lesson[key[0]][key[1]] = entry

    def delete_log_entry(self, lesson_id: int, person_id: int) -> Row:
        entry = self.log_entries.pop((lesson_id, person_id))
        del self.log_by_lesson[lesson_id][person_id]
        return entry


def _get(table: dict[int, Row], key: int, what: str) -> Row:
    row = table.get(key)
    if row is None:
        raise ApiError.not_found(what, key)
    return row
