"""A changed final for the justification page: a pupil's 1st-quarter final pulled from Дневник.ру, now «3», and a
stored report whose «изменены после закрытия периода» section lists its change from «4»."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from edugateway.reconciliation.report import Column, Section, SectionGroup
from edugateway.store.db import Database
from edugateway.store.tables import IdentityLinkRow, MarkRow, PersonRow, ReportingPeriodRow, SubjectRow
from support.report_factory import make_report, store_report

KEY = "fm-77"
CHANGED = "compliance.final_changed_after_close"


def plant_final(db: Database, school_id: int) -> None:
    """A 1st-quarter final of one of the school's pupils, pulled from Дневник.ру, now «3»."""
    with db.session() as session:
        pupil = session.scalars(select(PersonRow.id).where(PersonRow.school_id == school_id)).first()
        period = ReportingPeriodRow(
            school_id=school_id,
            source_id="q1",
            name="1 четверть",
            kind="quarter",
            academic_year=2026,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2026, 10, 26),
        )
        subject = SubjectRow(school_id=school_id, source_id="alg", name="Алгебра")
        session.add_all([period, subject])
        session.flush()
        session.add(
            MarkRow(
                school_id=school_id,
                source_id=KEY,
                person_id=pupil,
                value="3",
                kind="period_final",
                subject_id=subject.id,
                period_id=period.id,
                date=dt.date(2026, 10, 26),
            )
        )
        session.add(
            IdentityLinkRow(
                school_id=school_id,
                platform="dnevnik",
                entity="final_marks",
                remote_id="r",
                local_key=KEY,
                method="pulled",
            )
        )


def report_with_change(db: Database, school_id: int) -> int:
    row = {
        "class": "7Б",
        "subject": "Алгебра",
        "teacher": "Смирнова О. П.",
        "student": "Орлов О.",
        "period": "1 четверть",
    }
    section = Section(
        key=CHANGED,
        group=SectionGroup.COMPLIANCE,
        title="Итоговые отметки изменены после закрытия периода",
        columns=[Column(key="mark", title="Код отметки")],
        rows=[{**row, "old_value": "4", "value": "3", "reason": "без зафиксированного основания", "mark": KEY}],
    )
    report = make_report()
    return store_report(db, school_id, report.model_copy(update={"sections": [*report.sections, section]}))
