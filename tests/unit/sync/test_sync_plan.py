"""The typed sync plan keeps the JSON shape `edugateway sync --plan-json` writes and `sync_runs.plan` stores:
the same keys in the same order, and only what the run got to."""

from __future__ import annotations

import json

from edugateway.domain.entities import Direction, Entity
from edugateway.store.needs_mapping import NeedsMapping, SubjectToMap, TeacherToMap
from edugateway.sync.compare import EntityComparison
from edugateway.sync.linking import Candidate
from edugateway.sync.plan import SyncPlan
from edugateway.sync.push import PushChange


def plan() -> SyncPlan:
    directions = {Entity.PERSONS: Direction.PUSH, Entity.CLASSES: Direction.COMPARE, Entity.MARKS: Direction.PULL}
    return SyncPlan(7, "sch1", "ecp", False, directions)


def test_a_plan_that_failed_before_linking_holds_its_header_and_no_entities() -> None:
    assert json.dumps(plan().as_json()) == json.dumps(
        {
            "run_id": 7,
            "school": "sch1",
            "platform": "ecp",
            "dry_run": False,
            "directions": {"persons": "push", "classes": "compare", "marks": "pull"},
            "entities": {},
        }
    )


def test_a_held_plan_has_comparisons_then_pushes_candidates_and_the_reason() -> None:
    held = plan()
    held.entity(Entity.PERSONS).comparison = EntityComparison(
        linked=2,
        equal=1,
        differences=[{"local_key": "p1", "remote_id": "r1", "fields": {"last_name": ["Ёлкина", "Елкина"]}}],
        only_local=["p3"],
        only_remote=["r9"],
    )
    held.entity(Entity.CLASSES).comparison = EntityComparison(linked=1, equal=1)
    held.entity(Entity.PERSONS).push = [
        PushChange("delete", "p4", {}),
        PushChange("create", "p3", {"x": 1}),
        PushChange("update", "p1", {"x": 2}, {"person.last_name": ["Ёлкина", "Елкина"]}),
    ]
    held.candidates = [Candidate("persons", "p3", "r9", 0.75, {"last_name": "one_edit", "class_name": "exact"})]
    held.hold = "the plan deletes more than 10% of persons"
    expected = {
        "run_id": 7,
        "school": "sch1",
        "platform": "ecp",
        "dry_run": False,
        "directions": {"persons": "push", "classes": "compare", "marks": "pull"},
        "entities": {
            "persons": {
                "linked": 2,
                "equal": 1,
                "differences": [{"local_key": "p1", "remote_id": "r1", "fields": {"last_name": ["Ёлкина", "Елкина"]}}],
                "only_local": ["p3"],
                "only_remote": ["r9"],
                "push": {
                    "create": [{"key": "p3"}],
                    "update": [{"key": "p1", "fields": {"person.last_name": ["Ёлкина", "Елкина"]}}],
                    "delete": [{"key": "p4"}],
                },
            },
            "classes": {"linked": 1, "equal": 1, "differences": [], "only_local": [], "only_remote": []},
        },
        "candidates": [
            {
                "entity": "persons",
                "local_key": "p3",
                "remote_id": "r9",
                "score": 0.75,
                "agreement": {"last_name": "one_edit", "class_name": "exact"},
            }
        ],
        "hold": "the plan deletes more than 10% of persons",
    }
    assert json.dumps(held.as_json(), ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_a_pushed_entity_that_is_not_compared_has_only_its_push_section() -> None:
    stopped = plan()
    stopped.entity(Entity.PERSONS).push = []
    stopped.candidates = []
    stopped.stopped = "stopped after a whole pull window; the next run goes on from its cursor"
    shown = stopped.as_json()
    assert shown["entities"] == {"persons": {"push": {"create": [], "update": [], "delete": []}}}
    assert list(shown)[-2:] == ["candidates", "stopped"]


def test_what_needs_mapping_comes_last_as_the_run_log_has_it() -> None:
    pulled = plan()
    pulled.candidates = []
    pulled.needs_mapping = NeedsMapping([SubjectToMap("41", "Математика", 472, 1033, 361)], [TeacherToMap("7", 12)])
    shown = pulled.as_json()
    assert list(shown)[-1] == "needs_mapping"
    assert shown["needs_mapping"] == {
        "subjects": [{"remote_id": "41", "name": "Математика", "lessons": 472, "marks": 1033, "attendance": 361}],
        "teachers": [{"remote_id": "7", "lessons": 12}],
    }
    assert NeedsMapping.from_json(shown["needs_mapping"]) == pulled.needs_mapping
