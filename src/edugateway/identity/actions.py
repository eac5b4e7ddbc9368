"""What a clerk does to a case. Every action needs a reason, writes the audit table (who, when, what, why) and
the case history, and a change to the person is verified against ЕСИА at once, so the clerk sees whether it
fixed the problem.

Each action takes the acting account's school scope: a case or person of a school outside it is "not found"
(StoreError), exactly as if it did not exist, and nothing is changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from edugateway.domain.entities import Entity, RecordKind
from edugateway.domain.snils import check_snils, format_snils
from edugateway.errors import StoreError, ValidationError
from edugateway.identity.case_types import CASE_TITLES, CaseStatus, CaseType
from edugateway.identity.link_cases import PERSONS_JOURNAL
from edugateway.identity.verify import Verifier
from edugateway.store.cases import MATCH, NON_MATCH, NOT_AN_ERROR, CasePerson, Cases, StoredCase
from edugateway.store.cursors import restart_cursors
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.school_scope import SchoolScope

CASE = "identity_case"  # the audit rows' entity for a case; a person's rows name RecordKind.PERSON
# Case history events and the audit table's verbs for them.
CLERK_LINK = "clerk"  # the id-link method of a platform record the clerk linked (as sync/linking.py names it)
AUDIT_ACTIONS = {"dismissed": "dismiss", "reassigned": "reassign", "candidate_rejected": "reject_candidate"}


@dataclass(frozen=True)
class ActionResult:
    case_id: int
    status: str  # the case status after the immediate re-verification: open, closed, dismissed
    message: str  # Russian, for the page


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ValidationError("say why (the reason is kept in the audit log)", field="reason")
    return text


def _open_case(cases: Cases, case_id: int, scope: SchoolScope) -> StoredCase:
    case = cases.get_within(case_id, scope)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(f"case {case_id} is {case.status}, not open; reopen it by fixing the data", field="case")
    return case


def _person(cases: Cases, case: StoredCase) -> CasePerson:
    person = cases.person(case.person_id)
    if person is None:
        raise StoreError(f"case {case.id}: its person no longer exists")
    return person


def _case_change(
    cases: Cases, case: StoredCase, actor: str, action: str, changes: dict[str, list[Any]], reason: str
) -> None:
    """A change to the case itself: in its history ("dismissed") and in the audit table ("dismiss")."""
    cases.add_event(case.id, actor, action, changes, reason)
    cases.audit(
        actor=actor,
        action=AUDIT_ACTIONS[action],
        school_id=case.school_id,
        entity=CASE,
        entity_id=str(case.id),
        changes=changes,
        reason=reason,
    )


def _update_person(
    cases: Cases, case: StoredCase, values: dict[str, Any], *, actor: str, action: str, reason: str
) -> dict[str, list[Any]]:
    """Writes the changed fields of the case's person with one audit row and one case event."""
    person = _person(cases, case)
    changes = {
        name: [_plain(getattr(person, name)), _plain(value)]
        for name, value in values.items()
        if getattr(person, name) != value
    }
    if not changes:
        raise ValidationError("nothing to change: the values are the ones already recorded")
    cases.update_person(person.id, values)
    cases.audit(
        actor=actor,
        action="update",
        school_id=case.school_id,
        entity=RecordKind.PERSON,
        entity_id=person.source_id,
        changes=changes,
        reason=reason,
    )
    cases.add_event(case.id, actor, action, {"fields": sorted(changes)}, reason)
    return changes


def _text(value: Any) -> str | None:
    """A value from a case's JSON (a candidate's source, an evidence digest) as a label column holds it."""
    return None if value is None else str(value)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _reverified(db: Database, case_id: int, person_id: int, verifier: Verifier, actor: str) -> ActionResult:
    report = verifier.verify_persons(db, [person_id], actor=actor)
    with db.session() as session:
        cases = Cases(session)
        status = cases.get(case_id).status
        open_now = [(case.id, case.case_type) for case in cases.of_person(person_id, status=CaseStatus.OPEN)]
    if report.failed:
        return ActionResult(case_id, status, "Изменение сохранено, но ЕСИА не ответила: проверка повторится позже.")
    if status == CaseStatus.CLOSED and not open_now:
        return ActionResult(case_id, status, "Исправлено: повторная проверка в ЕСИА прошла без замечаний.")
    if status == CaseStatus.CLOSED:
        # By number, so the clerk finds the case the fix opened (the case page lists it with a link).
        remaining = ", ".join(f"№ {n} «{CASE_TITLES.get(t, t)}»" for n, t in open_now)
        return ActionResult(case_id, status, f"Этот случай закрыт, но остались другие замечания: {remaining}.")
    return ActionResult(case_id, status, "Изменение сохранено, но проверка в ЕСИА снова нашла это расхождение.")


def _set_snils(cases: Cases, case: StoredCase, snils: str, *, actor: str, action: str, reason: str) -> None:
    verdict = check_snils(snils)
    if not verdict.valid or verdict.digits is None:
        raise ValidationError(verdict.message, field="snils")
    holder = cases.snils_holder(case.school_id, verdict.digits, other_than=case.person_id)
    if holder is not None:
        raise ValidationError(
            f"person {holder} of this school already has SNILS {format_snils(verdict.digits)}; "
            "correct that person first if the number is theirs by mistake",
            field="snils",
        )
    _update_person(
        cases, case, {"snils": verdict.digits, "snils_rejected": None}, actor=actor, action=action, reason=reason
    )


def _candidate(case: StoredCase, index: int) -> dict[str, Any]:
    shown = case.candidates or []
    if not 0 <= index < len(shown):
        raise ValidationError(f"case {case.id} has no candidate {index}", field="candidate")
    return dict(shown[index])


def correct_snils(
    db: Database, case_id: int, snils: str, *, actor: str, reason: str, verifier: Verifier, scope: SchoolScope
) -> ActionResult:
    """Sets the person's SNILS to a valid number no other person of the school holds."""
    why = _reason(reason)
    with db.session() as session:
        cases = Cases(session)
        case = _open_case(cases, case_id, scope)
        _set_snils(cases, case, snils, actor=actor, action="snils_corrected", reason=why)
        person_id = case.person_id
    return _reverified(db, case_id, person_id, verifier, actor)


def correct_person(
    db: Database,
    case_id: int,
    *,
    last_name: str,
    first_name: str,
    middle_name: str | None,
    birth_date: dt.date | None,
    actor: str,
    reason: str,
    verifier: Verifier,
    scope: SchoolScope,
) -> ActionResult:
    """Corrects the person's name or birth date (as the documents say, usually as ЕСИА has it)."""
    why = _reason(reason)
    last, first = last_name.strip(), first_name.strip()
    if not last or not first:
        raise ValidationError("last and first name are required", field="last_name" if not last else "first_name")
    if birth_date is not None and not dt.date(1900, 1, 1) <= birth_date <= dt.date.today():
        raise ValidationError(f"birth date {birth_date.isoformat()} is not a plausible date", field="birth_date")
    values = {
        "last_name": last,
        "first_name": first,
        "middle_name": (middle_name or "").strip() or None,
        "birth_date": birth_date,
    }
    with db.session() as session:
        cases = Cases(session)
        case = _open_case(cases, case_id, scope)
        _update_person(cases, case, values, actor=actor, action="person_corrected", reason=why)
        person_id = case.person_id
    return _reverified(db, case_id, person_id, verifier, actor)


def link_candidate(
    db: Database,
    case_id: int,
    candidate: int,
    *,
    actor: str,
    reason: str,
    verifier: Callable[[], Verifier],
    scope: SchoolScope,
) -> ActionResult:
    """Takes a ranked candidate as the person's: an ЕСИА account's SNILS becomes the person's (re-verified with the
    verifier `verifier()` gives), a platform record is linked to the person (`link_platform_record`, no ЕСИА
    involved); the decision is kept as a label."""
    why = _reason(reason)
    with db.session() as session:
        cases = Cases(session)
        case = _open_case(cases, case_id, scope)
        chosen = _candidate(case, candidate)
        if case.case_type == CaseType.LINK_CANDIDATE:
            return link_platform_record(session, cases, case, chosen, actor=actor, reason=why)
        number = chosen.get("snils")
        if not number:
            raise ValidationError("this candidate carries no SNILS to take over", field="candidate")
        cases.add_label(
            case,
            MATCH,
            actor=actor,
            reason=why,
            source=_text(chosen.get("source")),
            remote_id=_text(chosen.get("remote_id")),
        )
        _set_snils(cases, case, str(number), actor=actor, action="candidate_linked", reason=why)
        person_id = case.person_id
    return _reverified(db, case_id, person_id, verifier(), actor)


def reject_candidate(
    db: Database, case_id: int, candidate: int, *, actor: str, reason: str, scope: SchoolScope
) -> ActionResult:
    """ "Not this person": the candidate leaves the case and is never proposed for the person again."""
    why = _reason(reason)
    with db.session() as session:
        cases = Cases(session)
        case = _open_case(cases, case_id, scope)
        chosen = _candidate(case, candidate)
        cases.add_label(
            case,
            NON_MATCH,
            actor=actor,
            reason=why,
            source=_text(chosen.get("source")),
            remote_id=_text(chosen.get("remote_id")),
        )
        left = [c for i, c in enumerate(case.candidates or []) if i != candidate]
        cases.set_candidates(case.id, left or None)
        rejected = f"{chosen.get('source')}:{chosen.get('remote_id')}"
        _case_change(cases, case, actor, "candidate_rejected", {"candidates": [rejected, None]}, why)
        if case.case_type == CaseType.LINK_CANDIDATE and not left:
            # A link case is its candidates: with the last one rejected there is nothing left to decide.
            cases.dismiss(case.id, status=CaseStatus.DISMISSED, actor=actor, reason=why, now=_now())
            return ActionResult(case_id, CaseStatus.DISMISSED, "Кандидат отклонён; других нет — случай закрыт.")
    return ActionResult(case_id, CaseStatus.OPEN, "Кандидат отклонён и больше не будет предложен.")


def link_platform_record(
    session: Session, cases: Cases, case: StoredCase, chosen: dict[str, Any], *, actor: str, reason: str
) -> ActionResult:
    """The clerk's "this is them" on a sync's candidate: the id link the next sync uses (method "clerk"), a match
    label, and the case drops that platform's candidates (closing when none of another platform is left)."""
    platform, remote_id = _text(chosen.get("source")), _text(chosen.get("remote_id"))
    person = _person(cases, case)
    if not platform or not remote_id:
        raise ValidationError("this candidate names no platform record", field="candidate")
    links = IdLinks(session, case.school_id, platform, actor=actor, entities=[Entity.PERSONS.value])
    links.link(Entity.PERSONS.value, Link(person.source_id, remote_id, CLERK_LINK), reason=reason)
    restart_cursors(session, case.school_id, platform, PERSONS_JOURNAL)  # what was skipped while unlinked
    cases.add_label(case, MATCH, actor=actor, reason=reason, source=platform, remote_id=remote_id)
    left = [c for c in case.candidates or [] if c.get("source") != platform]
    cases.set_candidates(case.id, left or None)
    cases.add_event(case.id, actor, "candidate_linked", {"candidates": [f"{platform}:{remote_id}", None]}, reason)
    if left:
        return ActionResult(case.id, CaseStatus.OPEN, "Связано. Остались кандидаты с другой платформы.")
    cases.close(case.id, status=CaseStatus.CLOSED, actor=actor, reason=reason, now=_now())
    return ActionResult(case.id, CaseStatus.CLOSED, "Связано: следующая синхронизация пойдёт через эту связь.")


def dismiss_case(db: Database, case_id: int, *, actor: str, reason: str, scope: SchoolScope) -> ActionResult:
    """ "Checked — not an error": the case is closed as dismissed and the same finding will not reopen it."""
    why = _reason(reason)
    with db.session() as session:
        cases = Cases(session)
        case = _open_case(cases, case_id, scope)
        if case.case_type == CaseType.LINK_CANDIDATE:
            # "None of them is this person": each candidate a non-match, so no sync proposes it again.
            for chosen in case.candidates or []:
                source, remote_id = _text(chosen.get("source")), _text(chosen.get("remote_id"))
                cases.add_label(case, NON_MATCH, actor=actor, reason=why, source=source, remote_id=remote_id)
        else:
            cases.add_label(
                case, NOT_AN_ERROR, actor=actor, reason=why, evidence_digest=_text((case.evidence or {}).get("digest"))
            )
        cases.dismiss(case.id, status=CaseStatus.DISMISSED, actor=actor, reason=why, now=_now())
        _case_change(
            cases, case, actor, "dismissed", {"status": [CaseStatus.OPEN.value, CaseStatus.DISMISSED.value]}, why
        )
    return ActionResult(case_id, CaseStatus.DISMISSED, "Отмечено: проверено, не ошибка.")


def reassign_case(
    db: Database, case_id: int, assignee: str | None, *, actor: str, reason: str, scope: SchoolScope
) -> ActionResult:
    why = _reason(reason)
    who = (assignee or "").strip() or None
    with db.session() as session:
        cases = Cases(session)
        case = _open_case(cases, case_id, scope)
        if case.assignee == who:
            raise ValidationError("the case is already assigned so", field="assignee")
        old = case.assignee
        cases.assign(case.id, who)
        _case_change(cases, case, actor, "reassigned", {"assignee": [old, who]}, why)
    message = f"Назначено: {who}." if who else "Исполнитель снят."
    return ActionResult(case_id, CaseStatus.OPEN, message)


def reveal_snils(db: Database, person_id: int, *, actor: str, scope: SchoolScope) -> str | None:
    """The person's SNILS in full (or the value as entered, if it was refused); the look is audited."""
    with db.session() as session:
        cases = Cases(session)
        person = cases.person_within(person_id, scope)
        if person is None:
            raise StoreError(f"no person {person_id}")
        cases.audit(
            actor=actor,
            action="view_snils",
            school_id=person.school_id,
            entity=RecordKind.PERSON,
            entity_id=person.source_id,
            changes=None,
            reason="shown on the case page at the clerk's request",
        )
        if person.snils:
            return format_snils(person.snils)
        return person.snils_rejected
