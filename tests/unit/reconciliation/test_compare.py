"""The DuckDB comparison of one entity on hand-made Arrow tables: pairing through links or by natural key,
references translated to local keys, fields a platform does not keep, and duplicates on either side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from edugateway.reconciliation.columns import LINKS_SCHEMA, ColumnBuffer, local_schema, remote_schema
from edugateway.reconciliation.compare import UNLINKED, EntityFindings, compare_entity, comparison_engine
from edugateway.reconciliation.entities import SPECS

BORN = dt.date(2012, 3, 4)


def _table(schema: pa.Schema, rows: Sequence[Sequence[Any]]) -> pa.Table:
    buffer = ColumnBuffer(schema, batch_rows=2)  # several batches, as a real stream gives
    buffer.extend(rows)
    return buffer.table()


def _compare(
    entity: str, local: list[tuple[Any, ...]], remote: list[tuple[Any, ...]], links: list[tuple[str, str, str]]
) -> EntityFindings:
    with comparison_engine() as con:
        return compare_entity(
            con,
            SPECS[entity],
            _table(local_schema(entity), local),
            _table(remote_schema(entity), remote),
            _table(LINKS_SCHEMA, links),
        )


def test_persons_are_paired_by_link_and_every_record_lands_in_one_category() -> None:
    found = _compare(
        "persons",
        local=[
            ("p1", "r1", "Иванов", "Иван", "Петрович", BORN, "M", "5a"),
            ("p2", "r2", "Семёнова", "Анна", None, BORN, "F", "5a"),
            ("p3", None, "Орлов", "Олег", None, BORN, "M", "5a"),  # never linked: only local
            ("p4", "r4", "Гусев", "Егор", None, BORN, "M", "5a"),  # linked, gone from the platform
        ],
        remote=[
            ("r1", "Иванов", "Иван", "Петрович", BORN, "M", "g5a"),
            ("r2", "Семенова", "Анна", None, dt.date(2012, 4, 3), "F", "g5b"),
            ("r9", "Новикова", "Злата", None, BORN, "F", "g5a"),
        ],
        links=[("classes", "g5a", "5a"), ("classes", "g5b", "5b")],
    )
    c = found.counts
    assert (c.local, c.remote, c.equal, c.different, c.only_local, c.only_remote) == (4, 3, 1, 1, 2, 1)
    (diff,) = found.different
    assert diff["local_key"] == "p2"
    assert diff["fields"] == {
        "last_name": ["Семёнова", "Семенова"],
        "birth_date": [BORN, dt.date(2012, 4, 3)],
        "class_key": ["5a", "5b"],  # the platform's group translated to the local class
    }
    assert [r["local_key"] for r in found.only_local] == ["p3", "p4"]
    assert found.only_local[1]["remote_id"] == "r4"
    assert [r["remote_id"] for r in found.only_remote] == ["r9"]


def test_a_reference_nobody_is_linked_to_stays_the_platforms_id_and_differs() -> None:
    found = _compare(
        "marks",
        local=[("m1", "x1", "p1", "l1", "5", "lesson", None, BORN)],
        remote=[("x1", "rp-unknown", "rl1", "5", "lesson", None, BORN)],
        links=[("lessons", "rl1", "l1")],
    )
    (diff,) = found.different
    assert diff["fields"] == {"person_key": ["p1", f"{UNLINKED}rp-unknown"]}


def test_a_field_the_platform_leaves_empty_everywhere_is_not_compared() -> None:
    found = _compare(
        "persons",
        local=[("p1", "r1", "Иванов", "Иван", None, BORN, "M", None)],
        remote=[("r1", "Иванов", "Иван", None, None, None, None)],
        links=[],
    )
    assert found.counts.equal == 1
    assert found.not_kept == ["birth_date", "gender"]  # empty on both sides (middle name, class): not noted


def test_a_field_emptied_on_one_record_only_is_a_difference() -> None:
    lesson = (dt.date(2026, 10, 1), 2, "5a", "math", "t1")
    remote = (dt.date(2026, 10, 1), 2, "g5a", "rmath", "rt1")
    found = _compare(
        "lessons",
        local=[("l1", "x1", *lesson, "Дроби", None), ("l2", "x2", *lesson, "Степени", None)],
        remote=[("x1", *remote, None, None), ("x2", *remote, "Степени", None)],
        links=[("classes", "g5a", "5a"), ("subjects", "rmath", "math"), ("persons", "rt1", "t1")],
    )
    assert found.not_kept == []
    (diff,) = found.different
    assert diff["local_key"] == "l1"
    assert diff["fields"] == {"topic": ["Дроби", None]}  # the teacher deleted it on the platform


def test_attendance_is_paired_by_pupil_and_lesson() -> None:
    found = _compare(
        "attendance",
        local=[(None, None, "p1", "l1", "Н", None), (None, None, "p2", "l1", "Б", None)],
        remote=[("a1", "rp1", "rl1", "У", None), ("a3", "rp3", "rl1", "Н", None)],
        links=[("persons", "rp1", "p1"), ("lessons", "rl1", "l1")],
    )
    c = found.counts
    assert (c.different, c.only_local, c.only_remote) == (1, 1, 1)
    assert found.different[0]["fields"] == {"code": ["Н", "У"]}
    assert found.only_local[0]["person_key"] == "p2"
    assert found.only_remote[0]["person_key"] == f"{UNLINKED}rp3"


def test_duplicates_are_listed_per_side_by_natural_key() -> None:
    found = _compare(
        "persons",
        local=[
            ("p1", "r1", "Ёлкина", "Анна", None, BORN, "F", None),
            ("p2", "r2", "Елкина", "анна", None, BORN, "F", None),  # the same person entered twice
        ],
        remote=[
            ("r1", "Ёлкина", "Анна", None, BORN, "F", None),
            ("r2", "Елкина", "анна", None, BORN, "F", None),
            ("r3", "Петров", "Пётр", None, None, None, None),  # no birth date: not a key to judge by
            ("r4", "Петров", "Пётр", None, None, None, None),
        ],
        links=[],
    )
    assert found.counts.duplicated == 2
    assert [(d["side"], d["ids"]) for d in found.duplicated] == [("local", ["p1", "p2"]), ("platform", ["r1", "r2"])]
