"""Running the compliance rules on a planted journal (compliance_rows.py): the sections by key, and the figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from compliance_rows import PLATFORM, Journal

from edugateway.config.settings import DnevnikSettings, EcpSettings
from edugateway.reconciliation.compliance import compliance_sections
from edugateway.reconciliation.report import Section
from edugateway.store.db import Database

DNEVNIK = DnevnikSettings(base_url="http://x/")
AS_OF = dt.date(2026, 11, 2)  # after the first quarter


def build(db: Database, fill: Callable[[Journal], Any]) -> int:
    with db.session() as session:
        journal = Journal.start(session)
        fill(journal)
        return journal.school_id


def run(
    db: Database,
    school_id: int,
    settings: DnevnikSettings | EcpSettings = DNEVNIK,
    as_of: dt.date = AS_OF,
    span: tuple[dt.date, dt.date] | None = None,
) -> tuple[dict[str, Section], dict[str, float]]:
    with db.session() as session:
        found, figures = compliance_sections(
            session, school_id=school_id, platform=PLATFORM, settings=settings, as_of=as_of, span=span
        )
    return {s.key: s for s in found}, figures
