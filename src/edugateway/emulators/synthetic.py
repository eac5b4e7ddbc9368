"""A realistic synthetic school: ≈1000 students in 40 classes with Russian names and patronymics,
teachers, parents, subjects, subgroups, reporting periods, and the SNILS errors real rosters have.

Everything is derived from one seed, so a test can plant problems and know exactly where they are.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import StrEnum

from edugateway.domain.models import (
    Enrollment,
    EnrollmentRole,
    Gender,
    ParentLink,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.domain.snils import control_number, format_snils
from edugateway.emulators.russian_names import (
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAMES,
    female_surname,
    patronymic,
    pick,
)

LETTERS = "АБВГДЕ"

# Subject, grades it is taught in, split into subgroups?
SUBJECTS: tuple[tuple[str, str, range, bool], ...] = (
    ("rus", "Русский язык", range(1, 12), False),
    ("lit", "Литература", range(5, 12), False),
    ("read", "Литературное чтение", range(1, 5), False),
    ("math", "Математика", range(1, 10), False),
    ("alg", "Алгебра", range(7, 12), False),
    ("geom", "Геометрия", range(7, 12), False),
    ("eng", "Английский язык", range(2, 12), True),
    ("inf", "Информатика", range(7, 12), True),
    ("hist", "История", range(5, 12), False),
    ("soc", "Обществознание", range(6, 12), False),
    ("geo", "География", range(5, 12), False),
    ("bio", "Биология", range(5, 12), False),
    ("phys", "Физика", range(7, 12), False),
    ("chem", "Химия", range(8, 12), False),
    ("world", "Окружающий мир", range(1, 5), False),
    ("music", "Музыка", range(1, 9), False),
    ("art", "Изобразительное искусство", range(1, 8), False),
    ("tech", "Труд (технология)", range(1, 10), True),
    ("pe", "Физическая культура", range(1, 12), False),
    ("obzr", "Основы безопасности и защиты Родины", range(8, 12), False),
)


class PlantedProblem(StrEnum):
    SNILS_TYPO = "snils_typo"  # one digit mistyped: the checksum fails
    SNILS_MISSING = "snils_missing"
    SNILS_DUPLICATE = "snils_duplicate"  # a sibling's number copied onto this child
    SNILS_MALFORMED = "snils_malformed"  # a digit short, or a letter О for the zero


@dataclass
class GeneratedSchool:
    snapshot: SchoolSnapshot
    planted: dict[str, PlantedProblem] = field(default_factory=dict)  # person id -> problem


def random_snils(rng: random.Random) -> str:
    """11 digits with a correct control number, above the unchecked range."""
    first = f"{rng.randint(2_000_000, 999_999_999):09d}"
    return first + f"{control_number(first):02d}"


def _typo(snils: str, rng: random.Random) -> str:
    """Changes one of the first nine digits so the control number no longer fits."""
    while True:
        pos = rng.randrange(9)
        digit = str((int(snils[pos]) + rng.randint(1, 9)) % 10)
        candidate = snils[:pos] + digit + snils[pos + 1 :]
        if control_number(candidate[:9]) != int(candidate[9:]):
            return format_snils(candidate)


def _malformed(snils: str, rng: random.Random) -> str:
    text = format_snils(snils)
    if rng.random() < 0.5:
        return text[:-1]  # a digit lost
    zero = text.find("0")
    return text[:zero] + "О" + text[zero + 1 :] if zero >= 0 else text[:-1]


@dataclass
class _Ctx:
    rng: random.Random
    year: int
    snils_error_rate: float
    used_snils: set[str] = field(default_factory=set)
    persons: list[Person] = field(default_factory=list)
    planted: dict[str, PlantedProblem] = field(default_factory=dict)

    def new_snils(self) -> str:
        while True:
            value = random_snils(self.rng)
            if value not in self.used_snils:
                self.used_snils.add(value)
                return value


def _birth_date(rng: random.Random, school_year: int, grade: int) -> dt.date:
    """A first-grader starts school at 6½–8: born Sep (Y-8) .. Aug (Y-7) for grade 1, shifted by grade."""
    start = dt.date(school_year - 6 - grade, 9, 1) - dt.timedelta(days=365)
    return start + dt.timedelta(days=rng.randrange(366))


def _adult_birth_date(rng: random.Random, youngest: int, oldest: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randint(youngest * 365, oldest * 365))


def _person(
    ctx: _Ctx,
    pid: str,
    role: Role,
    gender: Gender,
    surname_male: str,
    birth: dt.date,
    father_name: str | None,
    *,
    snils_errors: bool,
) -> Person:
    female = gender is Gender.FEMALE
    first = pick(ctx.rng, FEMALE_NAMES if female else MALE_NAMES)
    middle = patronymic(father_name or pick(ctx.rng, MALE_NAMES), female=female)
    if ctx.rng.random() < 0.015:
        middle = ""  # some families have no patronymic tradition
    number = ctx.new_snils()
    snils: str | None = number
    rejected: str | None = None
    if snils_errors and ctx.rng.random() < ctx.snils_error_rate:
        problem = ctx.rng.choice(
            [PlantedProblem.SNILS_TYPO] * 3 + [PlantedProblem.SNILS_MISSING] * 2 + [PlantedProblem.SNILS_MALFORMED]
        )
        ctx.planted[pid] = problem
        if problem is PlantedProblem.SNILS_TYPO:
            rejected, snils = _typo(number, ctx.rng), None
        elif problem is PlantedProblem.SNILS_MALFORMED:
            rejected, snils = _malformed(number, ctx.rng), None
        else:
            snils = None
    person = Person(
        id=pid,
        roles=frozenset({role}),
        last_name=female_surname(surname_male) if female else surname_male,
        first_name=first,
        middle_name=middle or None,
        birth_date=birth,
        gender=gender,
        snils=snils,
        snils_rejected=rejected,
    )
    ctx.persons.append(person)
    return person


def generate_school(
    *,
    seed: int = 2026,
    code: str = "sch125",
    students: int = 1000,
    classes: int = 40,
    academic_year: int = 2026,
    snils_error_rate: float = 0.03,
) -> GeneratedSchool:
    """A whole school as a SchoolSnapshot, with the planted SNILS problems listed."""
    rng = random.Random(seed)
    ctx = _Ctx(rng=rng, year=academic_year, snils_error_rate=snils_error_rate)
    today = dt.date(academic_year, 11, 1)
    school = School(
        code=code,
        name="МАОУ «Средняя общеобразовательная школа № 125»",
        inn="6664" + f"{rng.randrange(10**6):06d}",
        ogrn="102660" + f"{rng.randrange(10**7):07d}",
        timezone="Asia/Yekaterinburg",
    )

    subjects = [Subject(id=f"subj-{key}", name=name, code=key) for key, name, _, _ in SUBJECTS]

    # Spread `classes` over grades 1..11, more parallels in the lower grades as real schools have.
    per_grade = [classes // 11] * 11
    for i in range(classes - sum(per_grade)):
        per_grade[i % 5] += 1
    school_classes: list[SchoolClass] = []
    for grade, count in enumerate(per_grade, start=1):
        for letter in LETTERS[:count]:
            school_classes.append(
                SchoolClass(
                    id=f"cls-{academic_year}-{grade}{letter}",
                    name=f"{grade}{letter}",
                    grade=grade,
                    academic_year=academic_year,
                )
            )
    subgroups: list[SchoolClass] = []
    for cls in school_classes:
        for key, name, grades, split in SUBJECTS:
            if split and cls.grade in grades:
                for n in (1, 2):
                    subgroups.append(
                        SchoolClass(
                            id=f"{cls.id}-{key}-{n}",
                            name=f"{cls.name} {name}, группа {n}",
                            grade=cls.grade,
                            academic_year=academic_year,
                            parent_id=cls.id,
                            subject_id=f"subj-{key}",
                        )
                    )

    enrollments: list[Enrollment] = []
    links: list[ParentLink] = []
    start = dt.date(academic_year, 9, 1)

    # Teachers: a homeroom teacher per class, plus subject teachers.
    teachers: list[Person] = []
    for n in range(max(30, classes * 7 // 4)):
        gender = Gender.FEMALE if rng.random() < 0.82 else Gender.MALE  # Russian schools: mostly women
        teachers.append(
            _person(
                ctx,
                f"t{n + 1:04d}",
                Role.TEACHER,
                gender,
                pick(rng, SURNAMES),
                _adult_birth_date(rng, 24, 66, today),
                None,
                snils_errors=True,
            )
        )
    for i, cls in enumerate(school_classes):
        enrollments.append(
            Enrollment(
                id=f"enr-{cls.id}-{teachers[i].id}",
                person_id=teachers[i].id,
                class_id=cls.id,
                role=EnrollmentRole.TEACHER,
                start_date=start,
            )
        )
    for sg in subgroups:
        teacher = teachers[rng.randrange(len(school_classes), len(teachers))]
        enrollments.append(
            Enrollment(
                id=f"enr-{sg.id}-{teacher.id}",
                person_id=teacher.id,
                class_id=sg.id,
                role=EnrollmentRole.TEACHER,
                start_date=start,
            )
        )

    # Families: most have one child here, some two (siblings share surname and parents).
    sub_by_class: dict[str, list[SchoolClass]] = {}
    for sg in subgroups:
        sub_by_class.setdefault(sg.parent_id or "", []).append(sg)
    seats = [cls for cls in school_classes for _ in range(students // classes + 1)]
    rng.shuffle(seats)
    seats = seats[:students]
    student_no = parent_no = 0
    while seats:
        family_name = pick(rng, SURNAMES)
        father_name = pick(rng, MALE_NAMES)
        n_children = 2 if rng.random() < 0.18 and len(seats) >= 2 else 1
        children: list[Person] = []
        for _ in range(n_children):
            cls = seats.pop()
            student_no += 1
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            child = _person(
                ctx,
                f"s{student_no:05d}",
                Role.STUDENT,
                gender,
                family_name,
                _birth_date(rng, academic_year, cls.grade),
                father_name,
                snils_errors=True,
            )
            children.append(child)
            enrollments.append(
                Enrollment(id=f"enr-{cls.id}-{child.id}", person_id=child.id, class_id=cls.id, start_date=start)
            )
            for sg in sub_by_class.get(cls.id, []):
                if sg.id.endswith(f"-{1 + student_no % 2}"):
                    enrollments.append(
                        Enrollment(id=f"enr-{sg.id}-{child.id}", person_id=child.id, class_id=sg.id, start_date=start)
                    )
        if len(children) == 2 and children[1].snils and rng.random() < 0.1 and children[0].snils:
            # A clerk copied the older sibling's SNILS onto the younger one.
            ctx.persons.remove(children[1])
            dup = children[1].model_copy(update={"snils": children[0].snils})
            ctx.persons.append(dup)
            ctx.planted[dup.id] = PlantedProblem.SNILS_DUPLICATE
        parents = [(Gender.FEMALE, "mother")] + ([(Gender.MALE, "father")] if rng.random() < 0.7 else [])
        for gender, relation in parents:
            parent_no += 1
            parent = _person(
                ctx,
                f"p{parent_no:05d}",
                Role.PARENT,
                gender,
                family_name,
                _adult_birth_date(rng, 26, 55, today),
                None,
                snils_errors=False,
            )
            if gender is Gender.MALE:
                # the father's own first name is the children's patronymic source
                ctx.persons[-1] = parent = parent.model_copy(update={"first_name": father_name})
            if rng.random() < 0.4:
                ctx.persons[-1] = parent = parent.model_copy(update={"phone": f"+79{rng.randrange(10**9):09d}"})
            for child in children:
                links.append(ParentLink(parent_id=parent.id, child_id=child.id, relation=relation))

    periods = _periods(academic_year)
    snapshot = SchoolSnapshot(
        school=school,
        persons=ctx.persons,
        classes=school_classes + subgroups,
        subjects=subjects,
        enrollments=enrollments,
        parent_links=links,
        periods=periods,
    )
    return GeneratedSchool(snapshot=snapshot, planted=ctx.planted)


def _periods(year: int) -> list[ReportingPeriod]:
    """Quarters for grades 1–9 and halves for 10–11, plus the year, as most Russian schools have."""
    q = [
        (dt.date(year, 9, 1), dt.date(year, 10, 26)),
        (dt.date(year, 11, 5), dt.date(year, 12, 28)),
        (dt.date(year + 1, 1, 9), dt.date(year + 1, 3, 21)),
        (dt.date(year + 1, 3, 31), dt.date(year + 1, 5, 26)),
    ]
    periods = [
        ReportingPeriod(
            id=f"rp-{year}-q{i}",
            name=f"{i} четверть",
            kind=ReportingPeriodKind.QUARTER,
            academic_year=year,
            start_date=s,
            end_date=e,
        )
        for i, (s, e) in enumerate(q, start=1)
    ]
    periods += [
        ReportingPeriod(
            id=f"rp-{year}-h1",
            name="1 полугодие",
            kind=ReportingPeriodKind.HALF,
            academic_year=year,
            start_date=q[0][0],
            end_date=q[1][1],
        ),
        ReportingPeriod(
            id=f"rp-{year}-h2",
            name="2 полугодие",
            kind=ReportingPeriodKind.HALF,
            academic_year=year,
            start_date=q[2][0],
            end_date=q[3][1],
        ),
        ReportingPeriod(
            id=f"rp-{year}-y",
            name=f"{year}/{year + 1} учебный год",
            kind=ReportingPeriodKind.YEAR,
            academic_year=year,
            start_date=q[0][0],
            end_date=q[3][1],
        ),
    ]
    return periods
