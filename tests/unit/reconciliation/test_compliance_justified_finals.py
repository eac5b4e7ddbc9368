"""A changed final justified by the deputy (store/final_justifications.py) on a planted journal, on SQLite and
PostgreSQL: listed with its basis and not counted; a later different change is unjustified again."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest
from compliance_rows import PLATFORM, Q1, Journal
from sqlalchemy import update

from edugateway.config.settings import DnevnikSettings
from edugateway.errors import ValidationError
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.reconciliation.report import Section
from edugateway.store.db import Database
from edugateway.store.final_justifications import NewJustification, record, withdraw
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import MarkRow

AS_OF = dt.date(2026, 11, 20)
SPAN = (dt.date(2026, 10, 17), AS_OF)
PERMISSION = NewJustification("Кузнецова Е. А.", "ошибка при выставлении", "приказ № 12 от 03.11.2026")


def changed(db: Database, school_id: int) -> Section:
    with db.session() as session:
        found, _ = compliance_sections(
            session,
            school_id=school_id,
            platform=PLATFORM,
            settings=DnevnikSettings(base_url="http://x/"),
            as_of=AS_OF,
            span=SPAN,
        )
    return next(s for s in found if s.key == "compliance.final_changed_after_close")


def test_a_justification_covers_the_change_to_its_value_only(database: Database) -> None:
    """000 §3.3.11: «замена ошибочно поставленной отметки за четверть (полугодие), год производится только
    заместителем директора, при предоставлении объяснительной на имя директора Учреждения»."""
    with database.session() as session:
        j = Journal.start(session)
        cls, subj = j.klass("8В", 8), j.subject("Физика")
        justified, unjustified = j.person("Павлов", "Пётр"), j.person("Рыбин", "Роман")
        for pupil in (justified, unjustified):
            j.enroll(pupil, cls)
        key = j.final(justified, subj, Q1[1], value="3")
        j.changed(key, "4", "3", dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC))
        j.changed(j.final(unjustified, subj, Q1[1], value="5"), "4", "5", dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC))
        school_id = j.school_id

    every = SchoolScope.all_schools()
    done = record(
        database, every, school_id=school_id, platform=PLATFORM, mark_key=key, given=PERMISSION, actor="clerk:zam"
    )
    section = changed(database, school_id)
    assert [(r["student"], r["reason"], r["justified"]) for r in section.rows] == [
        ("Павлов П.", "разрешено: Кузнецова Е. А., приказ № 12 от 03.11.2026, ошибка при выставлении", True),
        ("Рыбин Р.", "без зафиксированного основания", False),
    ]
    assert (section.total, section.justified) == (1, 1)

    # The final is changed again, 3 -> 2: the permission was for «3».
    with database.session() as session:
        session.execute(update(MarkRow).where(MarkRow.source_id == key).values(value="2"))
        Journal(session, school_id, count(500)).changed(key, "3", "2", dt.datetime(2026, 11, 12, 2, tzinfo=dt.UTC))
    section = changed(database, school_id)
    assert (section.rows[0]["old_value"], section.rows[0]["value"], section.rows[0]["justified"]) == ("4", "2", False)
    assert (section.total, section.justified) == (2, 0)

    # Withdrawn, a permission no longer counts even when the value is back to the one it permitted.
    with database.session() as session:
        session.execute(update(MarkRow).where(MarkRow.source_id == key).values(value="3"))
    assert changed(database, school_id).justified == 1
    withdraw(database, every, school_id=school_id, justification_id=done.id, actor="clerk:zam")
    assert changed(database, school_id).justified == 0


def test_a_justification_outside_the_accounts_schools_is_refused(database: Database) -> None:
    with database.session() as session:
        j = Journal.start(session)
        cls, subj = j.klass("8В", 8), j.subject("Физика")
        pupil = j.person("Павлов", "Пётр")
        j.enroll(pupil, cls)
        key = j.final(pupil, subj, Q1[1], value="3")
        school_id = j.school_id
    with pytest.raises(ValidationError, match="no final mark"):
        record(
            database,
            SchoolScope.only([school_id + 1]),
            school_id=school_id,
            platform=PLATFORM,
            mark_key=key,
            given=PERMISSION,
            actor="clerk:other",
        )
