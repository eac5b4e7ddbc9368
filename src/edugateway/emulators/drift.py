"""Realistic drift between a school's local records and what each platform holds.

The world generator copies the local school to every platform and then plants, with a seed, the
differences real schools live with. Every planted difference is listed, so tests of identity checks
and reconciliation know exactly what they must find (and that nothing else is there).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from edugateway.domain.marks import SPECIAL_MARKS
from edugateway.domain.models import (
    AttendanceCode,
    Enrollment,
    EnrollmentRole,
    Mark,
    MarkKind,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.domain.snils import SnilsProblem, check_snils, format_snils, one_slip_away
from edugateway.domain.transliteration import ICAO_9303, MVD_310, transliterate
from edugateway.emulators.synthetic import random_snils
from edugateway.identity.account_rule import is_under_child_account_age

# Cyrillic letters and the Latin letters that look the same: typed on the wrong keyboard layout.
LOOKALIKES = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "х": "x",
    "у": "y",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
}


class DriftKind(StrEnum):
    MISSING_ON_PLATFORM = "missing_on_platform"  # a local person the platform does not have
    EXTRA_ON_PLATFORM = "extra_on_platform"  # a platform person the school does not have
    NAME_YO = "name_yo"  # ё written as е
    NAME_TYPO = "name_typo"  # two letters swapped or one dropped
    NAME_LATIN = "name_latin"  # a Latin look-alike letter inside a Cyrillic name
    BIRTH_DATE_SWAPPED = "birth_date_swapped"  # day and month swapped
    BIRTH_DATE_CHANGED = "birth_date_changed"  # another date altogether
    ESIA_SNILS_UNKNOWN = "esia_snils_unknown"  # a valid SNILS that ЕСИА has no account for
    ESIA_UNTRUSTED = "esia_untrusted"  # a 14+ person's account is not confirmed (trusted=false)
    ESIA_DELETED = "esia_deleted"  # the account was deleted (status DELETED)
    ESIA_NO_KID_ACCOUNT = "esia_no_kid_account"  # a child under 14 whose parent made no child account
    # The account of a person whose local SNILS is mistyped: under the real number, one typing slip away.
    ESIA_TYPO_ACCOUNT = "esia_typo_account"
    MARK_LATE = "mark_late"  # a lesson mark entered more than a week after the lesson
    FINAL_CHANGED_AFTER_CLOSE = "final_changed_after_close"  # a period final mark changed after the period ended
    LESSON_WITHOUT_TOPIC = "lesson_without_topic"  # a lesson whose topic was never entered
    WORK_MARK_LATE = "work_mark_late"  # a written work's mark entered more than a week after the work
    FINAL_MISSING = "final_missing"  # a period final never set
    STUDENT_NO_MARKS = "student_no_marks"  # a student's marks in a subject and quarter all missing
    STUDENT_ONE_MARK = "student_one_mark"  # all but the first of them missing
    MARK_GAP = "mark_gap"  # all but the first and last of them missing: a long run of lessons without a mark
    # Identity drift a region's linkage meets (IdentityDriftProfile; bench_linkage plants it).
    LATIN_TRANSLITERATION = "latin_transliteration"  # the whole name in Latin letters, from a foreign passport
    DOUBLE_SURNAME = "double_surname"  # a second surname taken (Петрова-Соколова), or one of two dropped
    MISSING_PATRONYMIC = "missing_patronymic"  # a patronymic left out, or a placeholder («-», «нет») in its place
    MISSING_SNILS = "missing_snils"  # the platform holds no SNILS for a person the school has one for


class DriftProfile(BaseModel):
    """Shares of persons affected, per platform copy. 'realistic' is what a typical school shows."""

    model_config = ConfigDict(extra="forbid")

    missing_on_platform: float = Field(default=0.02, ge=0, le=1)
    extra_on_platform: float = Field(default=0.01, ge=0, le=1)
    name_yo: float = Field(default=0.01, ge=0, le=1)
    name_typo: float = Field(default=0.005, ge=0, le=1)
    name_latin: float = Field(default=0.003, ge=0, le=1)
    birth_date_swapped: float = Field(default=0.003, ge=0, le=1)
    birth_date_changed: float = Field(default=0.003, ge=0, le=1)
    esia_snils_unknown: float = Field(default=0.01, ge=0, le=1)
    esia_untrusted: float = Field(default=0.02, ge=0, le=1)
    esia_deleted: float = Field(default=0.002, ge=0, le=1)
    esia_no_kid_account: float = Field(default=0.01, ge=0, le=1)
    mark_late: float = Field(default=0.01, ge=0, le=1, description="share of lesson marks")
    final_changed_after_close: float = Field(default=0.005, ge=0, le=1, description="share of period finals")
    lesson_without_topic: float = Field(default=0.002, ge=0, le=1, description="share of lessons")
    work_mark_late: float = Field(default=0.01, ge=0, le=1, description="share of work marks")
    final_missing: float = Field(default=0.002, ge=0, le=1, description="share of period finals")
    student_no_marks: float = Field(default=0.001, ge=0, le=1, description="share of student × subject × quarter")
    student_one_mark: float = Field(default=0.001, ge=0, le=1, description="share of student × subject × quarter")
    mark_gap: float = Field(default=0.002, ge=0, le=1, description="share of student × subject × quarter")

    @classmethod
    def named(cls, name: str) -> DriftProfile:
        if name == "none":
            return cls(**dict.fromkeys(cls.model_fields, 0.0))
        if name == "realistic":
            return cls()
        if name == "heavy":
            return cls(**{f: min(1.0, v * 5) for f, v in cls().model_dump().items()})
        raise ValueError(f"unknown drift profile {name!r}; use none, realistic or heavy")


class IdentityDriftProfile(BaseModel):
    """Shares of persons whose platform record differs in how it names or numbers them, as a region shows them.

    What record linkage across a region meets (bench/bench_linkage.py plants these). The world generator's
    `drift_roster` keeps to DriftProfile: the ЕСИА checks and reconciliation its worlds test have no expected
    finding yet for a transliterated or double surname. Siblings and twins are no drift of a record but of the
    population: `twins` is the share of pupils who are one of twins (about 1 birth in 80 in Russia is of twins,
    so ~2.5% of children), `siblings` the share with a brother or sister in the region's schools."""

    model_config = ConfigDict(extra="forbid")

    name_yo: float = Field(default=0.01, ge=0, le=1)
    name_typo: float = Field(default=0.005, ge=0, le=1)
    name_latin: float = Field(default=0.003, ge=0, le=1)  # one look-alike letter
    birth_date_swapped: float = Field(default=0.003, ge=0, le=1)
    birth_date_changed: float = Field(default=0.003, ge=0, le=1)
    class_moved: float = Field(default=0.01, ge=0, le=1)
    # Pupils who came from abroad: a platform fed from a foreign passport or a migration card writes them in Latin.
    latin_transliteration: float = Field(default=0.005, ge=0, le=1)
    double_surname: float = Field(default=0.005, ge=0, le=1)
    missing_patronymic: float = Field(default=0.01, ge=0, le=1)
    missing_snils: float = Field(default=0.03, ge=0, le=1)
    siblings: float = Field(default=0.25, ge=0, le=1)
    twins: float = Field(default=0.025, ge=0, le=1)


# Passports since 2014 follow ICAO Doc 9303; many pupils still carry one issued under the 1997 rules.
_LATIN_SCHEMES = ((ICAO_9303, 0.75), (MVD_310, 0.25))
# What platforms write where a person has no patronymic.
NO_PATRONYMIC = (None, "", "-", "нет", "отсутствует")


def latin_passport_name(rng: random.Random, name: str) -> str:
    """A name as a foreign passport writes it: «Юлия» is «Iuliia» by ICAO Doc 9303, «Yuliya» by the 1997 rules."""
    [table] = rng.choices([t for t, _ in _LATIN_SCHEMES], weights=[w for _, w in _LATIN_SCHEMES])
    return transliterate(name, table)


def with_second_surname(rng: random.Random, surname: str, second: str) -> str:
    """A double surname, or what is left of one: «Петрова» + «Соколова» -> «Петрова-Соколова» (or the other way
    round); a double surname given loses one of its parts."""
    if "-" in surname:
        return rng.choice(surname.split("-"))
    return f"{surname}-{second}" if rng.random() < 0.7 else f"{second}-{surname}"


class PlantedDrift(BaseModel):
    platform: str
    kind: DriftKind
    person_id: str
    field: str | None = None
    local: Any = None
    remote: Any = None
    record_id: str | None = None  # the mark (or other record) the difference is in, when not the person itself
    subject_id: str | None = None  # journal drift of a student's marks in a subject and period
    period_id: str | None = None


def _pick(rng: random.Random, pool: list[Person], share: float, taken: set[str]) -> list[Person]:
    free = [p for p in pool if p.id not in taken]
    chosen = rng.sample(free, min(len(free), round(len(pool) * share)))
    taken.update(p.id for p in chosen)
    return chosen


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text + text[-1]
    i = rng.randrange(1, len(text) - 2)
    if text[i] != text[i + 1] and rng.random() < 0.6:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _latin(rng: random.Random, text: str) -> str:
    spots = [i for i, c in enumerate(text) if c in LOOKALIKES]
    i = rng.choice(spots)
    return text[:i] + LOOKALIKES[text[i]] + text[i + 1 :]


def _yo_field(person: Person) -> str | None:
    for field in ("last_name", "first_name", "middle_name"):
        value = getattr(person, field)
        if value and "ё" in value.lower():
            return field
    return None


def drift_roster(
    snapshot: SchoolSnapshot, platform: str, profile: DriftProfile, rng: random.Random
) -> tuple[SchoolSnapshot, list[PlantedDrift]]:
    """A copy of the school as `platform` holds it: persons missing, added, misspelt, with other dates."""
    planted: list[PlantedDrift] = []
    people = [p for p in snapshot.persons if p.roles & {Role.STUDENT, Role.TEACHER}]
    taken: set[str] = set()
    replaced: dict[str, Person] = {}

    # Only pupils go missing: a teacher missing from a platform would still be named by its lessons there.
    pupils = [p for p in people if Role.STUDENT in p.roles]
    missing = {p.id for p in _pick(rng, pupils, profile.missing_on_platform * len(people) / max(1, len(pupils)), taken)}
    planted += [PlantedDrift(platform=platform, kind=DriftKind.MISSING_ON_PLATFORM, person_id=pid) for pid in missing]

    yo_pool = [p for p in people if _yo_field(p)]
    for person in _pick(rng, yo_pool, profile.name_yo * len(people) / max(1, len(yo_pool)), taken):
        field = _yo_field(person) or "last_name"
        old = getattr(person, field)
        new = old.replace("ё", "е").replace("Ё", "Е")
        replaced[person.id] = person.model_copy(update={field: new})
        planted.append(
            PlantedDrift(
                platform=platform, kind=DriftKind.NAME_YO, person_id=person.id, field=field, local=old, remote=new
            )
        )
    for kind, share, change in (
        (DriftKind.NAME_TYPO, profile.name_typo, _typo),
        (DriftKind.NAME_LATIN, profile.name_latin, _latin),
    ):

        def changeable(person: Person, field: str, change: Callable[[random.Random, str], str] = change) -> bool:
            return change is _typo or bool(set(getattr(person, field)) & LOOKALIKES.keys())

        pool = [p for p in people if changeable(p, "last_name") or changeable(p, "first_name")]
        for person in _pick(rng, pool, share * len(people) / max(1, len(pool)), taken):
            field = rng.choice([f for f in ("last_name", "first_name") if changeable(person, f)])
            old = getattr(person, field)
            new = change(rng, old)
            replaced[person.id] = person.model_copy(update={field: new})
            planted.append(
                PlantedDrift(platform=platform, kind=kind, person_id=person.id, field=field, local=old, remote=new)
            )

    dated = [p for p in people if p.birth_date]
    swappable = [p for p in dated if p.birth_date and p.birth_date.day <= 12 and p.birth_date.day != p.birth_date.month]
    for person in _pick(rng, swappable, profile.birth_date_swapped * len(people) / max(1, len(swappable)), taken):
        assert person.birth_date is not None
        new_date = person.birth_date.replace(month=person.birth_date.day, day=person.birth_date.month)
        replaced[person.id] = person.model_copy(update={"birth_date": new_date})
        planted.append(
            PlantedDrift(
                platform=platform,
                kind=DriftKind.BIRTH_DATE_SWAPPED,
                person_id=person.id,
                field="birth_date",
                local=person.birth_date.isoformat(),
                remote=new_date.isoformat(),
            )
        )
    for person in _pick(rng, dated, profile.birth_date_changed, taken):
        assert person.birth_date is not None
        new_date = person.birth_date + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(20, 400))
        replaced[person.id] = person.model_copy(update={"birth_date": new_date})
        planted.append(
            PlantedDrift(
                platform=platform,
                kind=DriftKind.BIRTH_DATE_CHANGED,
                person_id=person.id,
                field="birth_date",
                local=person.birth_date.isoformat(),
                remote=new_date.isoformat(),
            )
        )

    persons = [replaced.get(p.id, p) for p in snapshot.persons if p.id not in missing]
    enrollments = [e for e in snapshot.enrollments if e.person_id not in missing]
    links = [lk for lk in snapshot.parent_links if lk.child_id not in missing and lk.parent_id not in missing]

    # Extra students on the platform: someone left the local roster, or was entered only there.
    homerooms = [c for c in snapshot.classes if c.parent_id is None]
    students = [p for p in people if Role.STUDENT in p.roles]
    for n in range(round(len(students) * profile.extra_on_platform)):
        template = rng.choice(students)
        extra = template.model_copy(
            update={
                "id": f"{platform}-extra-{n + 1}",
                "first_name": rng.choice(("Артемий", "Злата", "Мирон", "Есения", "Святослав", "Агата")),
                "snils": random_snils(rng),
                "snils_rejected": None,
            }
        )
        persons.append(extra)
        cls = rng.choice(homerooms)
        enrollments.append(Enrollment(id=f"enr-{extra.id}", person_id=extra.id, class_id=cls.id))
        planted.append(PlantedDrift(platform=platform, kind=DriftKind.EXTRA_ON_PLATFORM, person_id=extra.id))

    # Marks, lessons and attendance of missing students are not on the platform either.
    marks = [m for m in snapshot.marks if m.person_id not in missing]
    attendance = [a for a in snapshot.attendance if a.person_id not in missing]
    copy = snapshot.model_copy(
        update={
            "persons": persons,
            "enrollments": enrollments,
            "parent_links": links,
            "marks": marks,
            "attendance": attendance,
        }
    )
    return copy, planted


def drift_esia(
    snapshot: SchoolSnapshot, profile: DriftProfile, rng: random.Random, today: dt.date
) -> tuple[SchoolSnapshot, dict[str, dict[str, Any]], list[PlantedDrift]]:
    """The persons as ЕСИА knows them (the names and dates of the accounts) plus account flags per person.

    ЕСИА has one account per SNILS. Persons whose SNILS the local records give to someone else too (a clerk
    copied a sibling's) get no drift here: the account is its owner's, so a difference planted on it would
    be planted on the other person as well, and the ground truth would be wrong for one of them."""
    holders = Counter(p.snils for p in snapshot.persons if p.snils)
    shared = [p for p in snapshot.persons if p.snils and holders[p.snils] > 1]
    eligible = snapshot.model_copy(update={"persons": [p for p in snapshot.persons if p not in shared]})
    copy, planted = drift_roster(
        eligible,
        "esia",
        profile.model_copy(update={"missing_on_platform": 0.0, "extra_on_platform": 0.0}),
        rng,
    )
    copy = copy.model_copy(update={"persons": [*copy.persons, *shared]})  # the first holder stays first
    extras: dict[str, dict[str, Any]] = {}
    taken = {d.person_id for d in planted} | {p.id for p in shared}
    with_snils = [p for p in copy.persons if p.snils and p.roles & {Role.STUDENT, Role.TEACHER}]
    for person in _pick(rng, with_snils, profile.esia_snils_unknown, taken):
        extras[person.id] = {"missing": True}
        planted.append(
            PlantedDrift(
                platform="esia",
                kind=DriftKind.ESIA_SNILS_UNKNOWN,
                person_id=person.id,
                field="snils",
                local=format_snils(person.snils or ""),
            )
        )
    # Ages by the school's birth dates, as the verification counts them (the ЕСИА copy may have drifted).
    born = {p.id: p.birth_date for p in snapshot.persons}
    young = [p for p in with_snils if Role.STUDENT in p.roles and is_under_child_account_age(born[p.id], today)]
    # An unconfirmed account is a problem only from 14 (identity.account_rule): planted on the others.
    confirmable = [p for p in with_snils if p not in young]
    for person in _pick(rng, confirmable, profile.esia_untrusted * len(with_snils) / max(1, len(confirmable)), taken):
        # a pupil of 14+ still on the child account a parent made, never confirmed; anyone else's own account
        extras[person.id] = {"trusted": False, "kidAccCreatedByParent": Role.STUDENT in person.roles}
        planted.append(PlantedDrift(platform="esia", kind=DriftKind.ESIA_UNTRUSTED, person_id=person.id))
    for person in _pick(rng, with_snils, profile.esia_deleted, taken):
        extras[person.id] = {"status": "DELETED"}
        planted.append(PlantedDrift(platform="esia", kind=DriftKind.ESIA_DELETED, person_id=person.id))
    for person in _pick(rng, young, profile.esia_no_kid_account * len(with_snils) / max(1, len(young)), taken):
        extras[person.id] = {"kidAccCreatedByParent": False}
        planted.append(PlantedDrift(platform="esia", kind=DriftKind.ESIA_NO_KID_ACCOUNT, person_id=person.id))
    extras = _usual_student_accounts(snapshot.persons, today, extras)
    typo_accounts, typo_planted = _accounts_of_mistyped(snapshot, rng, set(holders))
    copy = copy.model_copy(update={"persons": [*copy.persons, *typo_accounts]})
    return copy, extras, [*planted, *typo_planted]


def _usual_student_accounts(
    persons: list[Person], today: dt.date, planted: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Account flags with every student's normal state under the planted ones: under 14 the child account a
    parent made and confirmed by e-mail or phone only (`trusted: false`, as most are in the region: not a
    problem), from 14 the pupil's own confirmed account."""
    flags: dict[str, dict[str, Any]] = {}
    for person in persons:
        if Role.STUDENT in person.roles and person.snils:
            young = is_under_child_account_age(person.birth_date, today)
            flags[person.id] = {"trusted": not young, "kidAccCreatedByParent": young}
    for person_id, planted_flags in planted.items():
        flags[person_id] = flags.get(person_id, {}) | planted_flags
    return flags


def _accounts_of_mistyped(
    snapshot: SchoolSnapshot, rng: random.Random, used: set[str | None]
) -> tuple[list[Person], list[PlantedDrift]]:
    """A person whose SNILS the school mistyped still has a Госуслуги account: under a valid number one slip
    away from the typed one (which one is the seed's choice)."""
    accounts: list[Person] = []
    planted: list[PlantedDrift] = []
    for person in snapshot.persons:
        typed = person.snils_rejected
        if person.snils or not typed or check_snils(typed).problem is not SnilsProblem.CHECKSUM:
            continue
        choices = [n for n in one_slip_away(typed) if n not in used]
        if not choices:
            continue
        real = rng.choice(choices)
        used.add(real)
        accounts.append(person.model_copy(update={"snils": real, "snils_rejected": None}))
        planted.append(
            PlantedDrift(
                platform="esia",
                kind=DriftKind.ESIA_TYPO_ACCOUNT,
                person_id=person.id,
                field="snils",
                local=typed,
                remote=format_snils(real),
            )
        )
    return accounts, planted


# Regulations: marks go in on the lesson day, ЕЦП allows at most 7 days (DOMAIN.md); late means beyond that.
_LATE_DAYS = (8, 30)
# The накопляемость the compliance check applies by default (config: accumulation_lessons): planted gaps exceed it.
_ACCUMULATION = 4
_AWAY = frozenset({AttendanceCode.ABSENT, AttendanceCode.EXCUSED, AttendanceCode.ILL})

Combo = tuple[str, str, str]  # (student, subject, quarter)


def _attended_lessons(snapshot: SchoolSnapshot) -> dict[Combo, list[str]]:
    """Per student, subject and quarter: the lessons they attended, in order (what накопляемость counts)."""
    students_of: dict[str, list[str]] = {}
    for enr in snapshot.enrollments:
        if enr.role is EnrollmentRole.STUDENT:
            students_of.setdefault(enr.class_id, []).append(enr.person_id)
    away = {(a.person_id, a.lesson_id) for a in snapshot.attendance if a.code in _AWAY}
    quarters = [p for p in snapshot.periods if p.kind is ReportingPeriodKind.QUARTER]
    out: dict[Combo, list[str]] = {}
    for lesson in sorted(snapshot.lessons, key=lambda les: (les.date, les.number, les.id)):
        quarter = next((q.id for q in quarters if q.start_date <= lesson.date <= q.end_date), None)
        if quarter is None:
            continue
        for sid in students_of.get(lesson.class_id, ()):
            if (sid, lesson.id) not in away:
                out.setdefault((sid, lesson.subject_id, quarter), []).append(lesson.id)
    return out


def _plant_mark_runs(
    snapshot: SchoolSnapshot, profile: DriftProfile, rng: random.Random
) -> tuple[set[str], list[PlantedDrift]]:
    """Removes lesson and work marks so that a student has none, one, or a long gap in a subject and quarter.
    Returns the ids of the removed marks."""
    by_lesson: dict[tuple[str, str], list[Mark]] = {}
    for m in snapshot.marks:
        if m.kind in (MarkKind.LESSON, MarkKind.WORK) and m.lesson_id:
            by_lesson.setdefault((m.person_id, m.lesson_id), []).append(m)
    attended = _attended_lessons(snapshot)
    runs = {c: [les for les in lessons if (c[0], les) in by_lesson] for c, lessons in attended.items()}
    removed: set[str] = set()
    planted: list[PlantedDrift] = []
    taken: set[Combo] = set()

    def gap_ends(combo: Combo) -> tuple[int, int] | None:
        marked = [attended[combo].index(les) for les in runs[combo]]
        return (marked[0], marked[-1]) if len(marked) >= 3 and marked[-1] - marked[0] - 1 > _ACCUMULATION else None

    def eligible(kind: DriftKind, combo: Combo) -> bool:
        if kind is DriftKind.STUDENT_NO_MARKS:
            return len(attended[combo]) > _ACCUMULATION + 1
        if kind is DriftKind.STUDENT_ONE_MARK:
            return len(attended[combo]) > 2 * _ACCUMULATION + 1
        return gap_ends(combo) is not None

    for kind, share in (
        (DriftKind.STUDENT_NO_MARKS, profile.student_no_marks),
        (DriftKind.STUDENT_ONE_MARK, profile.student_one_mark),
        (DriftKind.MARK_GAP, profile.mark_gap),
    ):
        pool = sorted(c for c in attended if runs[c] and c not in taken and eligible(kind, c))
        for combo in rng.sample(pool, min(len(pool), round(len(attended) * share))):
            taken.add(combo)
            keep: set[str] = set()
            if kind is DriftKind.STUDENT_ONE_MARK:
                keep = {runs[combo][0]}
            elif kind is DriftKind.MARK_GAP:
                first, last = gap_ends(combo) or (0, 0)
                keep = {attended[combo][first], attended[combo][last]}
            gone = [m.id for les in runs[combo] if les not in keep for m in by_lesson[(combo[0], les)]]
            removed.update(gone)
            planted.append(
                PlantedDrift(
                    platform="journal",
                    kind=kind,
                    person_id=combo[0],
                    subject_id=combo[1],
                    period_id=combo[2],
                    field="marks",
                    local=sum(len(by_lesson[(combo[0], les)]) for les in runs[combo]),
                    remote=sum(len(by_lesson[(combo[0], les)]) for les in keep),
                )
            )
    return removed, planted


def _plant_late(
    marks: list[Mark], kind: DriftKind, share: float, rng: random.Random, last_day: dt.date
) -> tuple[dict[str, Mark], list[PlantedDrift]]:
    """Marks entered late, but by `last_day` (the journal's last day): a mark not entered yet is not on the
    platform at all, so it could not be found late."""
    changed: dict[str, Mark] = {}
    planted: list[PlantedDrift] = []
    early = [m for m in marks if m.date and m.date + dt.timedelta(days=_LATE_DAYS[0]) <= last_day]
    for mark in rng.sample(early, min(len(early), round(len(marks) * share))):
        assert mark.date is not None
        entered = min(last_day, mark.date + dt.timedelta(days=rng.randint(*_LATE_DAYS)))
        changed[mark.id] = mark.model_copy(update={"date": entered})
        planted.append(
            PlantedDrift(
                platform="journal",
                kind=kind,
                person_id=mark.person_id,
                record_id=mark.id,
                field="date",
                local=mark.date.isoformat(),
                remote=entered.isoformat(),
            )
        )
    return changed, planted


def drift_journal(
    snapshot: SchoolSnapshot, profile: DriftProfile, rng: random.Random
) -> tuple[SchoolSnapshot, list[PlantedDrift]]:
    """The journal as teachers really keep it: marks entered late (their entry date, the platform's mark `date`,
    falls weeks after the lesson), written works marked late, lessons without a topic, students left without
    marks or with long gaps between them, period finals missing or changed after the period closed (another
    value, dated after the period's end)."""
    removed, planted = _plant_mark_runs(snapshot, profile, rng)
    periods: dict[str, ReportingPeriod] = {p.id: p for p in snapshot.periods}
    kept = [m for m in snapshot.marks if m.id not in removed]
    lesson_marks = [m for m in kept if m.kind is MarkKind.LESSON and m.date]
    work_marks = [m for m in kept if m.kind is MarkKind.WORK and m.date]
    finals = [m for m in kept if m.kind is MarkKind.PERIOD_FINAL and m.period_id in periods]
    last_day = max((les.date for les in snapshot.lessons), default=dt.date.max)
    changed, late = _plant_late(lesson_marks, DriftKind.MARK_LATE, profile.mark_late, rng, last_day)
    changed_works, late_works = _plant_late(work_marks, DriftKind.WORK_MARK_LATE, profile.work_mark_late, rng, last_day)
    changed |= changed_works
    planted += late + late_works
    for mark in rng.sample(finals, min(len(finals), round(len(finals) * profile.final_missing))):
        removed.add(mark.id)
        planted.append(
            PlantedDrift(
                platform="journal",
                kind=DriftKind.FINAL_MISSING,
                person_id=mark.person_id,
                record_id=mark.id,
                subject_id=mark.subject_id,
                period_id=mark.period_id,
                field="value",
                local=str(mark.value),
            )
        )
    finals = [m for m in finals if m.id not in removed]
    for mark in rng.sample(finals, min(len(finals), round(len(finals) * profile.final_changed_after_close))):
        period = periods[mark.period_id or ""]
        choices = [v for v in ("5", "4", "3", "2") if v != str(mark.value) and str(mark.value) not in SPECIAL_MARKS]
        if not choices:
            continue
        value = rng.choice(choices)
        when = period.end_date + dt.timedelta(days=rng.randint(3, 20))
        changed[mark.id] = mark.model_copy(update={"value": value, "date": when})
        planted.append(
            PlantedDrift(
                platform="journal",
                kind=DriftKind.FINAL_CHANGED_AFTER_CLOSE,
                person_id=mark.person_id,
                record_id=mark.id,
                field="value",
                local=str(mark.value),
                remote=value,
            )
        )
    lessons = list(snapshot.lessons)
    for at in sorted(
        rng.sample(range(len(lessons)), min(len(lessons), round(len(lessons) * profile.lesson_without_topic)))
    ):
        lesson = lessons[at]
        lessons[at] = lesson.model_copy(update={"topic": None})
        planted.append(
            PlantedDrift(
                platform="journal",
                kind=DriftKind.LESSON_WITHOUT_TOPIC,
                person_id=lesson.teacher_id or "",
                record_id=lesson.id,
                subject_id=lesson.subject_id,
                field="topic",
                local=lesson.topic,
            )
        )
    marks = [changed.get(m.id, m) for m in snapshot.marks if m.id not in removed]
    return snapshot.model_copy(update={"marks": marks, "lessons": lessons}), planted
