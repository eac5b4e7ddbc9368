"""One field list per entity: sync's roster compare and the nightly reconciliation read the same list, and a
canonical record carries every field of it that is not a reference to another record. The kinds of record an
import counts and the audit trail names keep their stored values and say which entity each one is synced as."""

from __future__ import annotations

import json

import pytest

from edugateway.domain.entities import COMPARED_FIELDS, REFERENCES, Entity, RecordKind, record_fields
from edugateway.domain.models import Person, SchoolClass
from edugateway.reconciliation.entities import SPECS
from edugateway.sync.compare import CLASS_FIELDS, PERSON_FIELDS


def test_reconciliation_compares_the_one_list_of_every_entity_and_translates_its_references() -> None:
    assert set(SPECS) == set(COMPARED_FIELDS)
    for entity, spec in SPECS.items():
        assert spec.fields == COMPARED_FIELDS[entity]
        for name in (*spec.fields, *spec.natural_key):
            assert spec.refs.get(name) == REFERENCES.get(name), (entity, name)


def test_sync_compares_the_same_list_less_the_references() -> None:
    assert PERSON_FIELDS == ("last_name", "first_name", "middle_name", "birth_date", "gender")
    assert CLASS_FIELDS == ("name", "grade")
    assert tuple(f for f in COMPARED_FIELDS[Entity.PERSONS] if f != "class_key") == PERSON_FIELDS
    assert tuple(f for f in COMPARED_FIELDS[Entity.CLASSES] if f != "parent_key") == CLASS_FIELDS


@pytest.mark.parametrize(("entity", "record"), [(Entity.PERSONS, Person), (Entity.CLASSES, SchoolClass)])
def test_a_canonical_record_holds_every_field_that_is_not_a_reference(entity: Entity, record: type) -> None:
    assert set(record_fields(entity)) <= set(record.model_fields)


def test_record_kinds_keep_the_singular_names_stored_rows_and_reports_carry_in_the_import_order() -> None:
    assert [str(kind) for kind in RecordKind] == [
        "school",
        "subject",
        "class",
        "person",
        "parent_link",
        "enrollment",
        "period",
    ]
    assert RecordKind.PERSON == "person"
    assert f"{RecordKind.PARENT_LINK}_created" == "parent_link_created"
    counts = {kind: {"created": 1} for kind in RecordKind}
    assert json.dumps(counts) == json.dumps({str(kind): {"created": 1} for kind in RecordKind})


def test_a_record_kind_is_never_taken_for_an_entity() -> None:
    # The two vocabularies never share a value: a plural entity is never taken for a singular kind of record.
    assert not {str(e) for e in Entity} & {str(k) for k in RecordKind}
