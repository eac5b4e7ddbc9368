"""The per-teacher rollup of the compliance sections, and the report's «кому исправлять» block (issue 16)."""

from __future__ import annotations

import datetime as dt
import io

from compliance_rows import Q1, Journal
from compliance_run import build, run
from openpyxl import load_workbook

from edugateway.config.settings import DnevnikSettings
from edugateway.reconciliation.compliance_teachers import NO_TEACHER, ROLLUP_KEY, teacher_rollup
from edugateway.reconciliation.render_html import render_html
from edugateway.reconciliation.render_xlsx import render_xlsx
from edugateway.reconciliation.report import SectionGroup
from edugateway.store.db import Database
from support.report_factory import make_report

WEEK = DnevnikSettings(base_url="http://x/", compliance={"work_mark_deadline_days": 7})


def _two_teachers(j: Journal) -> None:
    cls, math, art = j.klass("5А", 5), j.subject("Математика"), j.subject("ИЗО")
    ivanova = j.person("Иванова", "Мария", "Петровна", roles="teacher")
    petrov = j.person("Петров", "Пётр", "Ильич", roles="teacher")
    pupil = j.person("Белов", "Антон")
    j.enroll(pupil, cls)
    day = Q1[0]
    j.lesson(day, cls, math, ivanova, topic=None)
    j.lesson(day, cls, math, ivanova, topic=None, number=2)
    marked = j.lesson(day, cls, math, ivanova, number=3)
    j.mark(pupil, marked, day + dt.timedelta(days=1))  # a lesson mark a day late
    j.mark(pupil, marked, day, kind="work")  # in time
    j.lesson(day, cls, art, petrov, topic=None, number=4)
    j.lesson(day, cls, art, None, topic=None, number=5)  # the platform names no teacher


def test_findings_are_counted_per_teacher_and_section_first_among_compliance(database: Database) -> None:
    """The deputy director «осуществляет периодический контроль за ведением электронного журнала» (000 §3.4.7–3.4.9)
    and «своевременно информирует директора … о выявленных … нарушениях»; the teacher «устраняет замечания в
    электронном журнале, отмеченные заместителем директора» (004 §4.2.4): findings are rolled up per teacher."""
    found, _ = run(database, build(database, _two_teachers), WEEK)
    keys = [k for k, s in found.items() if s.group is SectionGroup.COMPLIANCE]
    assert keys[0] == ROLLUP_KEY
    rollup = found[ROLLUP_KEY]
    assert rollup.rollup
    counted = ("compliance.lesson_without_topic", "compliance.mark_late", "compliance.final_missing")
    assert [(r["teacher"], r["total"], *(r[k] for k in counted)) for r in rollup.rows] == [
        ("Иванова М. П.", 4, 2, 1, 1),
        ("Петров П. И.", 2, 1, 0, 1),
        (NO_TEACHER, 1, 1, 0, 0),
    ]
    # Every judged section has a column, with a row total that adds up to the findings of the sections.
    judged = [s for s in found.values() if s.group is SectionGroup.COMPLIANCE and not s.rollup]
    assert [c.key for c in rollup.columns[2:]] == [s.key for s in judged]
    assert sum(r["total"] for r in rollup.rows) == sum(s.total for s in judged)


def test_a_rule_not_applied_has_no_column_in_the_rollup(database: Database) -> None:
    found, _ = run(database, build(database, _two_teachers))  # plain Дневник.ру: no week for written works
    assert "compliance.work_mark_late" not in {c.key for c in found[ROLLUP_KEY].columns}


def _report_with_rollup() -> tuple[str, bytes, int, str]:
    report = make_report()
    compliance = [s for s in report.sections if s.group is SectionGroup.COMPLIANCE]
    rollup = teacher_rollup(compliance)
    first = report.sections.index(compliance[0])
    with_rollup = report.model_copy(update={"sections": [*report.sections[:first], rollup, *report.sections[first:]]})
    top = str(rollup.rows[0]["teacher"])
    return render_html(with_rollup, None), render_xlsx(with_rollup, None), report.findings(), top


def test_the_first_screen_says_who_must_fix_it() -> None:
    html, workbook, findings, top = _report_with_rollup()
    block = html.split('id="top-teachers"')[1].split("</table>")[0]
    assert top in block
    assert html.index('id="top-teachers"') < html.index('id="summary"')  # before the summary: on the first screen
    assert f'id="report-total">{findings}<' in html  # the rollup does not count its findings again
    summary = load_workbook(io.BytesIO(workbook))["Сводка"]
    values = [row[0] for row in summary.iter_rows(values_only=True)]
    assert "Кому исправлять: учитель" in values
    assert top in values
