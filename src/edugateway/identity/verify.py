"""ЕСИА verification of a school's persons: ask about every SNILS (batched through СМЭВ 3), classify, store
each result with its evidence, and open or close the clerk's cases.

Re-verification asks ЕСИА only about persons whose checked fields changed, who turned 14 since (the account they
need changed, see account_rule), or whose last answer is older than `identity.reverify_after_days`; the others
keep their last result. Persons claiming one SNILS are always
asked about together, since which of them owns the number depends on all of them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from edugateway.config.settings import EsiaSettings, IdentitySettings, Settings
from edugateway.connectors.esia import EsiaLookup, LookupResult
from edugateway.connectors.factory import open_esia_lookup
from edugateway.domain.esia_account import EsiaAccount
from edugateway.domain.snils import one_slip_away
from edugateway.errors import ConfigError
from edugateway.identity.account_rule import turned_child_account_age
from edugateway.identity.candidates import rank_account_candidates
from edugateway.identity.case_types import CONFIRMED, CaseType
from edugateway.identity.cases import CaseChanges, apply_findings
from edugateway.identity.findings import (
    Finding,
    LocalPerson,
    account_findings,
    account_summary,
    duplicate_findings,
    snils_findings,
    snils_holders,
)
from edugateway.logs import get_logger, run_context
from edugateway.store.cases import Cases
from edugateway.store.db import Database
from edugateway.store.identity_checks import (
    NewCheck,
    PersonToCheck,
    StoredCheck,
    active_persons,
    homeroom_classes,
    last_checks,
    record_check,
    school_id_of,
    school_timezone,
    schools_of_persons,
)

log = get_logger(__name__)


@dataclass
class VerifyReport:
    """What one verification did. `failed`: person id -> why no result (their last result and cases stay)."""

    school: str
    persons: int = 0
    asked: int = 0  # persons whose SNILS went to ЕСИА this time
    reused: int = 0  # unchanged persons with a fresh enough answer: not asked again
    numbers_asked: int = 0  # SNILS sent to ЕСИА, corrections of mistyped numbers included
    outcomes: Counter[str] = field(default_factory=Counter)  # confirmed / case type -> persons
    cases: CaseChanges = field(default_factory=CaseChanges)
    failed: dict[int, str] = field(default_factory=dict)


@dataclass
class _Asked:
    """The persons a run checks and what ЕСИА said about the numbers they claim."""

    persons: list[LocalPerson]
    answers: LookupResult


class Verifier:
    """Re-verifies persons against ЕСИА. A new lookup is built for each run (its asyncio state is per loop)."""

    def __init__(
        self,
        lookup_factory: Callable[[], EsiaLookup],
        settings: IdentitySettings,
        *,
        today: Callable[[], dt.date] | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """`today` fixes the date ages are counted on; without it, it is the date `now` is at the school."""
        self._lookup_factory = lookup_factory
        self.settings = settings
        self._today = today
        self._now = now

    @classmethod
    def from_settings(cls, settings: Settings) -> Verifier:
        name = settings.identity.esia_platform
        platform = settings.platforms.get(name)
        if not isinstance(platform, EsiaSettings):
            raise ConfigError(
                f"identity.esia_platform is {name!r}, but platforms.{name} is not an entry of kind 'esia'; "
                "add it (base_url of the СМЭВ adapter, sender_mnemonic, signing key) or name another"
            )
        return cls(
            lambda: open_esia_lookup(settings, name, platform=platform),
            settings.identity,
        )

    def verify_school(self, db: Database, school_code: str, *, actor: str, force: bool = False) -> VerifyReport:
        """Verify every active person of the school (only the changed or stale ones unless `force`)."""
        with db.session() as session:
            school_id = school_id_of(session, school_code)
        return self._run(db, school_id, school_code, only=None, force=force, actor=actor)

    def verify_persons(self, db: Database, person_ids: Sequence[int], *, actor: str) -> VerifyReport:
        """Ask ЕСИА again about these persons now (a clerk just changed them), whatever their last answer."""
        with db.session() as session:
            codes = schools_of_persons(session, person_ids)
        report: VerifyReport | None = None
        for school_id, code in codes.items():
            part = self._run(db, school_id, code or "", only=set(person_ids), force=True, actor=actor)
            report = part if report is None else _merge(report, part)
        return report or VerifyReport(school="")

    # ---- one run ---------------------------------------------------------------------------------------
    def _run(
        self, db: Database, school_id: int, code: str, *, only: set[int] | None, force: bool, actor: str
    ) -> VerifyReport:
        with run_context(school=code, platform=self.settings.esia_platform):
            return self._verify(db, school_id, code, only=only, force=force, actor=actor)

    def _verify(
        self, db: Database, school_id: int, code: str, *, only: set[int] | None, force: bool, actor: str
    ) -> VerifyReport:
        report = VerifyReport(school=code)
        with db.session() as session:
            persons = [_local(p) for p in active_persons(session, school_id)]
            last = last_checks(session, [p.id for p in persons])
            zone = ZoneInfo(school_timezone(session, school_id))
        report.persons = len(persons) if only is None else len(only)
        started = self._now()
        # Ages are counted on the date at the school: a pupil turns 14 at its midnight, not the server's.
        today = self._today() if self._today else _aware(started).astimezone(zone).date()
        due = _due(
            persons,
            last,
            only=only,
            force=force,
            stale_before=started - self._stale_after(),
            on=(today, zone),
        )
        report.reused = report.persons - len([p for p in due if only is None or p.id in only])
        if not due:
            return report
        asked = asyncio.run(self._ask(due))
        report.asked = len(due)
        report.numbers_asked = len(asked.answers.accounts) + len(asked.answers.errors)
        now = self._now()
        results = _classify(due, asked.answers, persons, today)
        with db.session() as session:
            cases = Cases(session)
            classes = homeroom_classes(session, school_id)
            dismissed = cases.dismissed_evidence([p.id for p in due])
            candidates = rank_account_candidates(
                [(p, results[p.id][0]) for p in due if p.id in results],
                asked.answers,
                classes,
                cases.rejected_candidates([p.id for p in due]),
                min_probability=self.settings.review_probability,
            )
            for person in due:
                outcome = results.get(person.id)
                if outcome is None:
                    report.failed[person.id] = _failure(person, asked.answers)
                    continue
                findings, account = outcome
                record_check(session, _check(school_id, person, findings, account, now))
                report.outcomes.update([f.case_type.value for f in findings] or [CONFIRMED])
                report.cases.add(
                    apply_findings(
                        cases,
                        school_id=school_id,
                        person_id=person.id,
                        class_name=classes.get(person.id),
                        findings=findings,
                        candidates=candidates.get(person.id, {}),
                        dismissed=dismissed.get(person.id, {}),
                        actor=actor,
                        now=now,
                    )
                )
        log.info(
            "identity.verify.done",
            school=code,
            persons=report.persons,
            asked=report.asked,
            reused=report.reused,
            opened=report.cases.opened,
            closed=report.cases.closed,
            failed=len(report.failed),
        )
        return report

    def _stale_after(self) -> dt.timedelta:
        return dt.timedelta(days=self.settings.reverify_after_days)

    async def _ask(self, due: Sequence[LocalPerson]) -> _Asked:
        numbers: list[str] = []
        for person in due:
            if person.claimed_snils:
                numbers.append(person.claimed_snils)
            elif person.snils_rejected:
                numbers += one_slip_away(person.snils_rejected)
        lookup = self._lookup_factory()
        try:
            answers = await lookup.find_accounts(sorted(set(numbers))) if numbers else LookupResult()
        finally:
            lookup.close()
        return _Asked(list(due), answers)


def _merge(a: VerifyReport, b: VerifyReport) -> VerifyReport:
    a.persons += b.persons
    a.asked += b.asked
    a.reused += b.reused
    a.numbers_asked += b.numbers_asked
    a.outcomes.update(b.outcomes)
    a.cases.add(b.cases)
    a.failed.update(b.failed)
    return a


def _local(person: PersonToCheck) -> LocalPerson:
    return LocalPerson(
        id=person.id,
        roles=person.roles,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        snils=person.snils,
        snils_rejected=person.snils_rejected,
    )


def _due(
    persons: Sequence[LocalPerson],
    last: dict[int, StoredCheck],
    *,
    only: set[int] | None,
    force: bool,
    stale_before: dt.datetime,
    on: tuple[dt.date, ZoneInfo],
) -> list[LocalPerson]:
    """The persons to check now (`on`: the school's date and zone), with everyone who claims the same SNILS as
    one of them. A pupil who turned 14 since the last check is judged again: the rule for their account changed."""
    today, zone = on

    def needs(person: LocalPerson) -> bool:
        if only is not None and person.id not in only:
            return False
        check = last.get(person.id)
        if force or check is None or check.person_digest != person.digest():
            return True
        if turned_child_account_age(person.birth_date, _aware(check.checked_at).astimezone(zone).date(), today):
            return True
        asked_at = check.asked_at or check.checked_at
        return _aware(asked_at) < stale_before

    chosen = {p.id for p in persons if needs(p)}
    holders = snils_holders(persons)
    for group in holders.values():
        if len(group) > 1 and any(p.id in chosen for p in group):
            chosen.update(p.id for p in group)
    return [p for p in persons if p.id in chosen]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC


def _classify(
    due: Iterable[LocalPerson], answers: LookupResult, everyone: Sequence[LocalPerson], today: dt.date
) -> dict[int, tuple[list[Finding], EsiaAccount | None]]:
    """person id -> (findings, the account they rest on) for every person ЕСИА answered about."""
    holders = snils_holders(everyone)
    results: dict[int, tuple[list[Finding], EsiaAccount | None]] = {}
    for person in due:
        findings = snils_findings(person)
        number = person.claimed_snils
        if number is None:
            results[person.id] = (findings, None)
            continue
        if number not in answers.accounts:
            continue  # no answer for this number: recorded as failed with its reason
        account = answers.accounts[number]
        group = holders.get(number, [person])
        if len(group) > 1:
            owner, duplicates = duplicate_findings(group, account)
            if person is not owner:
                results[person.id] = ([*findings, duplicates[person.id]], account)
                continue
        results[person.id] = ([*findings, *account_findings(person, account, today)], account)
    return results


def _failure(person: LocalPerson, answers: LookupResult) -> str:
    number = person.claimed_snils or ""
    for value, error in answers.errors.items():
        if "".join(c for c in value if c.isdigit()) == number:
            return str(error)
    return "ЕСИА gave no answer for this SNILS"


def _check(
    school_id: int, person: LocalPerson, findings: Sequence[Finding], account: EsiaAccount | None, now: dt.datetime
) -> NewCheck:
    first = findings[0] if findings else None
    evidence: dict[str, Any] = {
        "findings": [{"case_type": f.case_type.value, "detail": f.detail, **f.evidence} for f in findings]
    }
    return NewCheck(
        school_id=school_id,
        person_id=person.id,
        checked_at=now,
        outcome=first.case_type.value if first else CONFIRMED,
        detail=first.detail if first else None,
        person_digest=person.digest(),
        asked_at=now if person.claimed_snils or person.snils_rejected else None,
        account=account_summary(account) if account else None,
        evidence=evidence,
    )


__all__ = ["CaseType", "Verifier", "VerifyReport"]
