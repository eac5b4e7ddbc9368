"""Columns of each entity as both sides are laid out for the comparison, and a buffer that turns rows into
Arrow batches as they stream in, so a million marks are never a million Python dicts at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

STR = pa.string()
DATE = pa.date32()
INT = pa.int64()

# The compared columns per entity; ref columns hold ids (local keys on the local side, the platform's ids on the
# platform's side until the comparison translates them).
FIELD_TYPES: dict[str, dict[str, pa.DataType]] = {
    "persons": {
        "last_name": STR,
        "first_name": STR,
        "middle_name": STR,
        "birth_date": DATE,
        "gender": STR,
        "class_key": STR,
    },
    "classes": {"name": STR, "grade": INT, "parent_key": STR},
    "subjects": {"name": STR},
    "lessons": {
        "date": DATE,
        "number": INT,
        "class_key": STR,
        "subject_key": STR,
        "teacher_key": STR,
        "topic": STR,
        "homework": STR,
    },
    "marks": {
        "person_key": STR,
        "lesson_key": STR,
        "value": STR,
        "kind": STR,
        "work_type": STR,
        "date": DATE,
    },
    "final_marks": {"person_key": STR, "subject_key": STR, "period_key": STR, "value": STR, "kind": STR},
    "attendance": {"person_key": STR, "lesson_key": STR, "code": STR, "minutes_late": INT},
}


# The platform's active links of the entities others point at (persons, classes …), for translating references.
LINKS_SCHEMA = pa.schema([("entity", STR), ("remote_id", STR), ("local_key", STR)])


def local_schema(entity: str) -> pa.Schema:
    """local_key and the linked platform id (null when unlinked), then the fields."""
    return pa.schema([("local_key", STR), ("remote_id", STR), *FIELD_TYPES[entity].items()])


def remote_schema(entity: str) -> pa.Schema:
    return pa.schema([("remote_id", STR), *FIELD_TYPES[entity].items()])


class ColumnBuffer:
    """Rows in, Arrow record batches out, `batch_rows` at a time."""

    def __init__(self, schema: pa.Schema, batch_rows: int = 50_000) -> None:
        self.schema = schema
        self.batch_rows = batch_rows
        self._rows: list[Sequence[Any]] = []
        self._batches: list[pa.RecordBatch] = []

    def add(self, row: Sequence[Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch_rows:
            self._flush()

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.add(row)

    def _flush(self) -> None:
        if not self._rows:
            return
        columns = list(zip(*self._rows, strict=True))
        arrays = [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)]
        self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self._rows = []

    def table(self) -> pa.Table:
        self._flush()
        return pa.Table.from_batches(self._batches, schema=self.schema)
