"""The deputy director's justifications of finals changed after their period closed (regulation 000 §3.3.11).

A justification names the final by the local key the report shows («Код отметки») and the value it permits: it
covers the change to that value only, so a later different change is unjustified again. Recording and
withdrawing each leave an audit row (who, when, what); a withdrawn justification stays, marked withdrawn.
The CLI (`edugateway finals …`) and the web page (web/finals_routes.py) share these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from edugateway.domain.person_names import short_name
from edugateway.errors import ValidationError
from edugateway.store.compliance_reads import FINAL_KINDS
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import (
    AuditRow,
    FinalChangeJustificationRow,
    IdentityLinkRow,
    MarkRow,
    PersonRow,
    ReconciliationReportRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)

AUDIT_ENTITY = "final_justification"


@dataclass(frozen=True, slots=True)
class Justification:
    id: int
    school_id: int
    platform: str
    mark_key: str
    value: str
    permitted_by: str
    reason: str
    document: str
    recorded_by: str
    recorded_at: dt.datetime
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None

    @property
    def basis(self) -> str:
        """How the report's «Основание» column states it."""
        return f"разрешено: {self.permitted_by}, {self.document}, {self.reason}"


@dataclass(frozen=True, slots=True)
class JustifiedFinal:
    """A platform's final mark as the justification form shows it."""

    school_id: int
    school_code: str
    platform: str
    mark_key: str
    value: str
    student: str  # the short name the report shows
    subject: str
    period: str


@dataclass(frozen=True, slots=True)
class NewJustification:
    permitted_by: str
    reason: str
    document: str

    def checked(self) -> NewJustification:
        """Trimmed, each part required: the regulation asks for the deputy, the reason and the document."""
        parts = {"permitted_by": self.permitted_by.strip(), "reason": self.reason.strip()}
        parts["document"] = self.document.strip()
        missing = [name for name, text in parts.items() if not text]
        if missing:
            raise ValidationError("say who permitted it, why, and by which document", field=missing[0])
        if len(parts["permitted_by"]) > 200 or len(parts["document"]) > 300 or len(parts["reason"]) > 4000:
            raise ValidationError("too long: a name up to 200, a document up to 300, a reason up to 4000 characters")
        return NewJustification(**parts)


def _justification(row: FinalChangeJustificationRow) -> Justification:
    return Justification(
        row.id,
        row.school_id,
        row.platform,
        row.mark_key,
        row.value,
        row.permitted_by,
        row.reason,
        row.document,
        row.recorded_by,
        row.recorded_at,
        row.withdrawn_by,
        row.withdrawn_at,
    )


def active_justifications(session: Session, school_id: int, platform: str) -> dict[tuple[str, str], Justification]:
    """The platform's justifications in force, by (mark key, value)."""
    rows = session.scalars(
        select(FinalChangeJustificationRow).where(
            FinalChangeJustificationRow.school_id == school_id,
            FinalChangeJustificationRow.platform == platform,
            FinalChangeJustificationRow.withdrawn_at.is_(None),
        )
    )
    return {(r.mark_key, r.value): _justification(r) for r in rows}


def find_final(
    session: Session, scope: SchoolScope, school_id: int, platform: str, mark_key: str
) -> JustifiedFinal | None:
    """The school's final mark the platform delivered under this key, within the scope; None otherwise."""
    link = select(IdentityLinkRow.id).where(
        IdentityLinkRow.school_id == school_id,
        IdentityLinkRow.platform == platform,
        IdentityLinkRow.entity == "final_marks",
        IdentityLinkRow.local_key == MarkRow.source_id,
        IdentityLinkRow.unlinked_at.is_(None),
    )
    row = session.execute(
        select(
            SchoolRow.code,
            MarkRow.value,
            PersonRow.last_name,
            PersonRow.first_name,
            PersonRow.middle_name,
            SubjectRow.name,
            ReportingPeriodRow.name,
        )
        .join(SchoolRow, SchoolRow.id == MarkRow.school_id)
        .join(PersonRow, PersonRow.id == MarkRow.person_id)
        .join(ReportingPeriodRow, ReportingPeriodRow.id == MarkRow.period_id)
        .outerjoin(SubjectRow, SubjectRow.id == MarkRow.subject_id)
        .where(
            scope.where(MarkRow.school_id),
            MarkRow.school_id == school_id,
            MarkRow.source_id == mark_key,
            MarkRow.kind.in_(FINAL_KINDS),
            link.exists(),
        )
    ).one_or_none()
    if row is None:
        return None
    code, value, last, first, middle, subject, period = row
    return JustifiedFinal(
        school_id, code, platform, mark_key, value, short_name(last, first, middle), subject or "", period
    )


def reported_school(session: Session, scope: SchoolScope, report_id: int) -> tuple[int, str] | None:
    """(school id, platform) of a stored report within the scope; None when there is none."""
    found = session.execute(
        select(ReconciliationReportRow.school_id, ReconciliationReportRow.platform).where(
            ReconciliationReportRow.id == report_id, scope.where(ReconciliationReportRow.school_id)
        )
    ).first()
    return None if found is None else (found[0], found[1])


def school_id_of(session: Session, code: str) -> int:
    found = session.scalar(select(SchoolRow.id).where(SchoolRow.code == code.strip()))
    if found is None:
        raise ValidationError(f"school {code!r} is unknown; `edugateway doctor` lists the schools", field="school")
    return found


def record(
    db: Database,
    scope: SchoolScope,
    *,
    school_id: int,
    platform: str,
    mark_key: str,
    given: NewJustification,
    actor: str,
) -> Justification:
    """Records the permission for the final's current value; refuses an unknown key and a second one in force."""
    given = given.checked()
    with db.session() as session:
        final = find_final(session, scope, school_id, platform, mark_key.strip())
        if final is None:
            raise ValidationError(
                f"no final mark {mark_key!r} of {platform} in this school: copy «Код отметки» from the report",
                field="mark",
            )
        row = FinalChangeJustificationRow(
            school_id=school_id,
            platform=platform,
            mark_key=final.mark_key,
            value=final.value,
            permitted_by=given.permitted_by,
            reason=given.reason,
            document=given.document,
            recorded_by=actor,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # the partial unique index: one justification in force per final and value
            raise ValidationError(
                f"the change of {final.mark_key} to «{final.value}» is justified already; withdraw that one first",
                field="mark",
            ) from None
        _audit(session, row, "justify", actor)
        return _justification(row)


def withdraw(db: Database, scope: SchoolScope, *, school_id: int, justification_id: int, actor: str) -> Justification:
    """Withdraws a justification in force (the change it covered is listed unjustified again)."""
    with db.session() as session:
        row = session.scalars(
            select(FinalChangeJustificationRow).where(
                FinalChangeJustificationRow.id == justification_id,
                FinalChangeJustificationRow.school_id == school_id,
                scope.where(FinalChangeJustificationRow.school_id),
            )
        ).one_or_none()
        if row is None or row.withdrawn_at is not None:
            raise ValidationError(f"no justification #{justification_id} in force in this school", field="id")
        row.withdrawn_by = actor
        row.withdrawn_at = dt.datetime.now(dt.UTC)
        _audit(session, row, "withdraw", actor)
        return _justification(row)


def justifications_of(
    db: Database, scope: SchoolScope, school_id: int, *, mark_key: str | None = None
) -> list[Justification]:
    """The school's justifications, withdrawn ones too, newest first."""
    query = select(FinalChangeJustificationRow).where(
        FinalChangeJustificationRow.school_id == school_id, scope.where(FinalChangeJustificationRow.school_id)
    )
    if mark_key is not None:
        query = query.where(FinalChangeJustificationRow.mark_key == mark_key)
    with db.session() as session:
        rows = session.scalars(query.order_by(FinalChangeJustificationRow.id.desc()))
        return [_justification(r) for r in rows]


def _audit(session: Session, row: FinalChangeJustificationRow, action: str, actor: str) -> None:
    # Staff names and the document only: the student stays behind the mark key.
    changes = {
        "mark_key": [None, row.mark_key],
        "platform": [None, row.platform],
        "value": [None, row.value],
        "permitted_by": [None, row.permitted_by],
        "document": [None, row.document],
    }
    session.add(
        AuditRow(
            actor=actor,
            action=action,
            school_id=row.school_id,
            entity=AUDIT_ENTITY,
            entity_id=str(row.id),
            changes=changes,
            reason=row.reason,
        )
    )
