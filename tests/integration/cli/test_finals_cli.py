"""`edugateway finals justify|justifications|withdraw` as a subprocess of this tree (issue 16, finding 4): the
deputy's permission for a final changed after its period closed is recorded and audited, the nightly report then
lists the change as justified, and an unknown school or mark is refused in one line with exit 2."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

import edugateway
from edugateway.config.settings import DnevnikSettings
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.store.db import Database
from edugateway.store.tables import (
    AuditRow,
    IdentityLinkRow,
    JournalChangeRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)

TREE = Path(edugateway.__file__).resolve().parents[1]
KEY = "fm-7"
DOCUMENT = "приказ № 12 от 03.11.2026"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A school whose 1st-quarter algebra final of one pupil went from 4 to 3 after the quarter closed."""
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    db = Database(url)
    db.migrate()
    with db.session() as s:
        school = SchoolRow(code="sch1", name="Школа № 1")
        s.add(school)
        s.flush()
        period = ReportingPeriodRow(
            school_id=school.id,
            source_id="q1",
            name="1 четверть",
            kind="quarter",
            academic_year=2026,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2026, 10, 26),
        )
        pupil = PersonRow(school_id=school.id, source_id="p1", roles="student", last_name="Орлов", first_name="Олег")
        subject = SubjectRow(school_id=school.id, source_id="alg", name="Алгебра")
        s.add_all([period, pupil, subject])
        s.flush()
        s.add(
            MarkRow(
                school_id=school.id,
                source_id=KEY,
                person_id=pupil.id,
                value="3",
                kind="period_final",
                subject_id=subject.id,
                period_id=period.id,
                date=dt.date(2026, 10, 26),
            )
        )
        s.add(
            IdentityLinkRow(
                school_id=school.id,
                platform="dnevnik",
                entity="final_marks",
                remote_id="r-1",
                local_key=KEY,
                method="pulled",
            )
        )
        s.add(
            JournalChangeRow(
                school_id=school.id,
                platform="dnevnik",
                entity="final_marks",
                remote_id="r-1",
                local_key=KEY,
                changes={"value": ["4", "3"]},
                retroactive=True,
                period_end=period.end_date,
                seen_at=dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC),
            )
        )
    db.dispose()
    return url


def finals(url: str, *args: str) -> tuple[int, str]:
    env = os.environ | {"PYTHONPATH": str(TREE), "COLUMNS": "200"}  # tables whole, as at a wide terminal
    done = subprocess.run(
        [sys.executable, "-m", "edugateway", "--database-url", url, "finals", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


def justify(url: str, *, school: str = "sch1", mark: str = KEY) -> tuple[int, str]:
    return finals(
        url,
        "justify",
        "--school",
        school,
        "--platform",
        "dnevnik",
        "--mark",
        mark,
        "--permitted-by",
        "Кузнецова Е. А.",
        "--reason",
        "ошибка при выставлении",
        "--document",
        DOCUMENT,
    )


def changed_rows(url: str) -> tuple[list[dict[str, object]], int, int]:
    db = Database(url)
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id))
        assert school_id is not None
        found, _ = compliance_sections(
            session,
            school_id=school_id,
            platform="dnevnik",
            settings=DnevnikSettings(base_url="http://x/"),
            as_of=dt.date(2026, 11, 5),
            span=(dt.date(2026, 10, 2), dt.date(2026, 11, 5)),
        )
    db.dispose()
    section = next(s for s in found if s.key == "compliance.final_changed_after_close")
    return section.rows, section.total, section.justified


def test_justify_lists_the_change_as_justified_and_audits_it(url: str) -> None:
    rows, total, justified = changed_rows(url)
    assert (rows[0]["reason"], total, justified) == ("без зафиксированного основания", 1, 0)

    code, output = justify(url)
    assert code == 0, output
    assert output.startswith(f"justification #1 recorded: {KEY} on dnevnik = «3»")

    rows, total, justified = changed_rows(url)
    assert rows[0]["reason"] == f"разрешено: Кузнецова Е. А., {DOCUMENT}, ошибка при выставлении"
    assert (total, justified) == (0, 1)  # listed, not a finding
    code, listing = finals(url, "justifications", "--school", "sch1")
    assert code == 0
    assert listing.splitlines()[0].split()[:4] == ["#", "platform", "mark", "value"]  # the one table style
    row = next(line for line in listing.splitlines() if KEY in line)
    assert row.split()[:5] == ["1", "dnevnik", KEY, "3", "in"]
    assert DOCUMENT in listing
    code, shown = finals(url, "justifications", "--school", "sch1", "--format", "json")
    assert code == 0
    assert [(j["id"], j["mark"], j["value"], j["document"], j["withdrawn_at"]) for j in json.loads(shown)] == [
        (1, KEY, "3", DOCUMENT, None)
    ]

    code, output = finals(url, "withdraw", "--school", "sch1", "--id", "1")
    assert code == 0, output
    rows, total, justified = changed_rows(url)
    assert (rows[0]["reason"], total, justified) == ("без зафиксированного основания", 1, 0)
    db = Database(url)
    with db.session() as session:
        audit = session.execute(
            select(AuditRow.action, AuditRow.actor, AuditRow.entity_id).where(AuditRow.entity == "final_justification")
        ).all()
    db.dispose()
    assert [(a, e) for a, _, e in audit] == [("justify", "1"), ("withdraw", "1")]
    assert all(actor.startswith("cli") for _, actor, _ in audit)


def test_a_second_justification_of_the_same_value_is_refused(url: str) -> None:
    assert justify(url)[0] == 0
    code, output = justify(url)
    assert code == 2
    assert f"the change of {KEY} to «3» is justified already; withdraw that one first" in output
    assert len(output.splitlines()) == 1


@pytest.mark.parametrize(
    ("school", "mark", "says"),
    [
        ("sch9", KEY, "school 'sch9' is unknown"),
        ("sch1", "fm-nope", "no final mark 'fm-nope' of dnevnik in this school"),
    ],
)
def test_an_unknown_school_or_mark_is_refused_in_one_line(url: str, school: str, mark: str, says: str) -> None:
    code, output = justify(url, school=school, mark=mark)
    assert code == 2
    assert says in output
    assert len(output.splitlines()) == 1
    assert changed_rows(url)[2] == 0
