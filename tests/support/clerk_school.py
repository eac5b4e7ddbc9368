"""A small school for the clerk's pages, shared by tests/integration/web and tests/e2e: persons with the usual
SNILS problems, ЕСИА's side of them for the СМЭВ emulator, web accounts, and cases inserted as rows (for page
tests that must not depend on the verifier)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher

from edugateway.config.settings import EsiaSettings, IdentitySettings
from edugateway.connectors.esia import EsiaLookup, UnsignedSigner, build_esia_lookup
from edugateway.domain.snils import control_number, format_snils, mask_snils
from edugateway.emulators.smev import SmevWorld
from edugateway.identity.verify import Verifier
from edugateway.store.db import Database
from edugateway.store.schools import find_school
from edugateway.store.tables import (
    ClassRow,
    EnrollmentRow,
    IdentityCaseEventRow,
    IdentityCaseRow,
    IdentityCheckRow,
    IdentityLinkRow,
    ParentLinkRow,
    PersonRow,
    RemoteRecordRow,
    SchoolRow,
)
from edugateway.web.accounts import add_user
from edugateway.web.passwords import Passwords

CODE = "sch7"
SCHOOL_NAME = "МАОУ СОШ № 7"
TODAY = dt.date(2026, 11, 23)
PASSWORD = "верный-пароль-1"  # every test account's password


def snils(first_nine: str) -> str:
    """A valid SNILS (11 digits) from nine digits."""
    return f"{first_nine}{control_number(first_nine):02d}"


def mistyped(digits: str) -> str:
    """The same number with its last digit changed: the checksum fails, one slip away from the real one."""
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


# key: (last, first, middle, birth date, class, SNILS as the school holds it, SNILS typed but rejected)
PERSONS: dict[str, tuple[str, str, str | None, dt.date | None, str, str | None, str | None]] = {
    "typo": ("Сминова", "Алёна", "Игоревна", dt.date(2014, 3, 2), "5А", snils("112233445"), None),
    "swapped": ("Петров", "Иван", "Сергеевич", dt.date(2014, 5, 7), "5А", snils("223344556"), None),
    "checksum": ("Кузнецов", "Пётр", "Андреевич", dt.date(2012, 9, 14), "7Б", None, mistyped(snils("334455667"))),
    "missing": ("Волкова", "Мария", "Дмитриевна", dt.date(2012, 1, 30), "7Б", None, None),
    "fine": ("Орлов", "Денис", "Павлович", dt.date(2012, 6, 11), "7Б", snils("445566778"), None),
}


@dataclass
class ClerkSchool:
    school_id: int
    persons: dict[str, int] = field(default_factory=dict)  # key of PERSONS -> person id
    cases: dict[str, int] = field(default_factory=dict)  # key -> case id (when inserted as rows)


def cheap_passwords() -> Passwords:
    """argon2id at the lowest cost: the tests check behaviour, not hardness."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def add_accounts(db: Database, passwords: Passwords) -> None:
    """admin reads every school; clerk ivanova and viewer petrov read this school (CODE), added bare if a test
    needs only the accounts."""
    if find_school(db, CODE) is None:
        with db.session() as session:
            session.add(SchoolRow(code=CODE, name=SCHOOL_NAME))
    add_user(db, passwords, "admin", PASSWORD, "admin", all_schools=True, full_name="Администратор", actor="test")
    add_user(db, passwords, "ivanova", PASSWORD, "clerk", schools=[CODE], full_name="Иванова М. П.", actor="test")
    add_user(db, passwords, "petrov", PASSWORD, "viewer", schools=[CODE], full_name="Петров А. А.", actor="test")


def add_school(db: Database) -> ClerkSchool:
    """The school, its classes and the persons of PERSONS, enrolled; no checks or cases yet."""
    with db.session() as session:
        school = SchoolRow(code=CODE, name=SCHOOL_NAME)
        session.add(school)
        session.flush()
        classes: dict[str, ClassRow] = {}
        for name in ("5А", "7Б"):
            classes[name] = ClassRow(
                school_id=school.id, source_id=f"class-{name}", name=name, grade=int(name[:-1]), academic_year=2027
            )
            session.add(classes[name])
        session.flush()
        built = ClerkSchool(school.id)
        for key, (last, first, middle, born, class_name, number, rejected) in PERSONS.items():
            person = PersonRow(
                school_id=school.id,
                source_id=f"p-{key}",
                roles="student",
                last_name=last,
                first_name=first,
                middle_name=middle,
                birth_date=born,
                gender="m" if middle and middle.endswith("ич") else "f",
                snils=number,
                snils_rejected=rejected,
            )
            session.add(person)
            session.flush()
            session.add(
                EnrollmentRow(
                    school_id=school.id,
                    source_id=f"e-{key}",
                    person_id=person.id,
                    class_id=classes[class_name].id,
                    role="student",
                )
            )
            built.persons[key] = person.id
        return built


def esia_world() -> SmevWorld:
    """ЕСИА's accounts for PERSONS: Алёна is «Смирнова» there (the school typed «Сминова»), Иван's birth date
    has day and month the other way round, Пётр's account is under his real number (the school mistyped it)."""
    rows: list[dict[str, Any]] = []
    for oid, (key, (last, first, middle, born, _class, number, _rejected)) in enumerate(PERSONS.items(), 1_000_000_001):
        if key == "missing":
            continue
        if key == "typo":
            last = "Смирнова"
        if key == "swapped" and born:
            born = dt.date(born.year, born.day, born.month)
        if key == "checksum":
            number = snils("334455667")
        assert number is not None
        rows.append(
            {
                "oid": oid,
                "lastName": last,
                "firstName": first,
                "middleName": middle,
                "birthDate": born.strftime("%d.%m.%Y") if born else None,
                "gender": "M" if middle and middle.endswith("ич") else "F",
                "snils": format_snils(number),
                "trusted": True,
                "status": "REGISTERED",
                "updatedOn": 1_700_000_000,
                "kidAccCreatedByParent": True,
            }
        )
    return SmevWorld(persons=rows)


def quick_lookup(url: str) -> EsiaLookup:
    """The ЕСИА lookup at the СМЭВ emulator at `url`: unsigned (loopback only), quick to poll, and not held back
    by the production rate limit (throttling is tested on its own)."""
    platform = EsiaSettings(base_url=url, retries=2, backoff_max_s=0.1, timeout_s=10, rate_limit_rps=500)
    return build_esia_lookup(
        "esia",
        platform,
        signer=UnsignedSigner(),
        sender="EDUGW01",
        poll_first_s=0.05,
        poll_max_s=0.2,
        response_deadline_s=60,
    )


def verifier_for(url: str) -> Verifier:
    """A verifier asking the СМЭВ emulator at `url`."""
    return Verifier(lambda: quick_lookup(url), IdentitySettings(), today=lambda: TODAY)


def insert_cases(db: Database, school: ClerkSchool) -> None:
    """Cases as a verification would leave them, written as rows: one per problem person and one closed case, so
    filters have something to tell apart; and Алёна's platform record."""
    now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    typo_account = {
        "oid": 1_000_000_001,
        "last_name": "Смирнова",
        "first_name": "Алёна",
        "middle_name": "Игоревна",
        "birth_date": "2014-03-02",
        "gender": "F",
        "trusted": True,
        "status": "REGISTERED",
        "kid_acc_created_by_parent": True,
    }
    specs: list[dict[str, Any]] = [
        {
            "key": "typo",
            "case_type": "name_differs",
            "detail": "typo",
            "class_name": "5А",
            "evidence": {"fields": {"last_name": ["Сминова", "Смирнова"]}, "digest": "d1"},
            "account": typo_account,
        },
        {
            "key": "swapped",
            "case_type": "birth_date_differs",
            "detail": "swapped",
            "class_name": "5А",
            "evidence": {"fields": {"birth_date": ["2014-05-07", "2014-07-05"]}, "digest": "d2"},
            "account": typo_account
            | {
                "oid": 1_000_000_002,
                "last_name": "Петров",
                "first_name": "Иван",
                "middle_name": "Сергеевич",
                "birth_date": "2014-07-05",
                "gender": "M",
            },
        },
        {
            "key": "checksum",
            "case_type": "invalid_snils",
            "detail": "checksum",
            "class_name": "7Б",
            "evidence": {"entered": mask_snils(mistyped(snils("334455667"))), "digest": "d3"},
            "account": None,
            "candidates": [
                {
                    "source": "esia",
                    "remote_id": "1000000003",
                    "probability": 0.97,
                    "last_name": "Кузнецов",
                    "first_name": "Пётр",
                    "middle_name": "Андреевич",
                    "birth_date": "2012-09-14",
                    "class_name": None,
                    "snils": snils("334455667"),
                    "snils_masked": mask_snils(snils("334455667")),
                    "agreement": {"last_name": "exact", "first_name": "exact", "birth_date": "exact"},
                },
                {
                    "source": "esia",
                    "remote_id": "1000000999",
                    "probability": 0.61,
                    "last_name": "Кузнецова",
                    "first_name": "Полина",
                    "middle_name": None,
                    "birth_date": "2012-09-14",
                    "class_name": None,
                    "snils": snils("334455676"),
                    "snils_masked": mask_snils(snils("334455676")),
                    "agreement": {"last_name": "close", "first_name": "different", "birth_date": "exact"},
                },
            ],
        },
        {
            "key": "missing",
            "case_type": "missing_snils",
            "detail": None,
            "class_name": "7Б",
            "evidence": {"digest": "d4"},
            "account": None,
        },
        {
            "key": "fine",
            "case_type": "account_untrusted",
            "detail": None,
            "class_name": "7Б",
            "evidence": {"oid": 1_000_000_005, "digest": "d5"},
            "account": None,
            "status": "closed",
        },
    ]
    with db.session() as session:
        for n, spec in enumerate(specs):
            person_id = school.persons[spec["key"]]
            status = spec.get("status", "open")
            case = IdentityCaseRow(
                school_id=school.school_id,
                person_id=person_id,
                case_type=spec["case_type"],
                detail=spec["detail"],
                class_name=spec["class_name"],
                status=status,
                evidence=spec["evidence"],
                candidates=spec.get("candidates"),
                opened_at=now + dt.timedelta(minutes=n),
                updated_at=now,
                closed_at=now if status != "open" else None,
                closed_by="verify" if status != "open" else None,
            )
            session.add(case)
            session.flush()
            session.add(IdentityCaseEventRow(case_id=case.id, at=now, actor="verify", action="opened", detail=None))
            session.add(
                IdentityCheckRow(
                    school_id=school.school_id,
                    person_id=person_id,
                    checked_at=now,
                    outcome=spec["case_type"],
                    detail=spec["detail"],
                    person_digest="x",
                    asked_at=now,
                    account=spec["account"],
                    evidence={"findings": []},
                )
            )
            school.cases[spec["key"]] = case.id
    add_platform_record(db, school)


def add_platform_record(db: Database, school: ClerkSchool) -> None:
    """Алёна is linked on ГИС ЕЦП, whose record (as last pushed) writes «Алена» with е."""
    with db.session() as session:
        session.add(
            IdentityLinkRow(
                school_id=school.school_id,
                platform="ecp",
                entity="persons",
                local_key="p-typo",
                remote_id="ecp-501",
                method="match",
                score=0.93,
            )
        )
        session.add(
            RemoteRecordRow(
                school_id=school.school_id,
                platform="ecp",
                entity="contingent",
                remote_id="p-typo",
                local_key="p-typo",
                digest="0" * 64,
                data={
                    "kind": "pupil",
                    "class_name": "5А",
                    "person": {
                        "last_name": "Сминова",
                        "first_name": "Алена",
                        "middle_name": "Игоревна",
                        "birth_date": "2014-03-02",
                        "snils": snils("112233445"),
                    },
                },
            )
        )


OTHER_CODE = "gym2"
OTHER_SCHOOL_NAME = "МБОУ Гимназия № 2"
OTHER_PUPIL = ("Зайцева", "Ксения", "Олеговна")
OTHER_SNILS = snils("556677889")


@dataclass
class OtherSchool:
    """A second school whose clerk is not ours: one pupil with a SNILS, one open case, one clerk (sidorova)."""

    school_id: int
    person_id: int
    case_id: int


def add_other_school(db: Database, passwords: Passwords) -> OtherSchool:
    """The second school (OTHER_CODE) with its pupil, an open "name differs" case with a candidate, and its clerk
    sidorova, who reads only it."""
    now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    last, first, middle = OTHER_PUPIL
    with db.session() as session:
        school = SchoolRow(code=OTHER_CODE, name=OTHER_SCHOOL_NAME)
        session.add(school)
        session.flush()
        person = PersonRow(
            school_id=school.id,
            source_id="g-1",
            roles="student",
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=dt.date(2013, 2, 17),
            gender="f",
            snils=OTHER_SNILS,
        )
        session.add(person)
        session.flush()
        candidate = {
            "source": "esia",
            "remote_id": "1000000777",
            "probability": 0.9,
            "last_name": "Зайцева",
            "first_name": "Ксения",
            "birth_date": "2013-02-17",
            "snils": snils("556677898"),
            "snils_masked": mask_snils(snils("556677898")),
        }
        case = IdentityCaseRow(
            school_id=school.id,
            person_id=person.id,
            case_type="name_differs",
            detail="typo",
            class_name="6В",
            status="open",
            evidence={"fields": {"last_name": ["Зайцева", "Заицева"]}, "digest": "g1"},
            candidates=[candidate],
            opened_at=now,
            updated_at=now,
        )
        session.add(case)
        session.flush()
        session.add(IdentityCaseEventRow(case_id=case.id, at=now, actor="verify", action="opened", detail=None))
        other = OtherSchool(school.id, person.id, case.id)
    add_user(
        db, passwords, "sidorova", PASSWORD, "clerk", schools=[OTHER_CODE], full_name="Сидорова Е. В.", actor="test"
    )
    return other


# One person per case type a verification of PERSONS does not open, with long names and platform ids (the
# pages must wrap them, not clip them): type -> (last, first, middle, roles).
LONG_PERSONS: dict[str, tuple[str, str, str, str]] = {
    "esia_unknown": ("Абдурахмангаджиева", "Патимат-Зухра", "Магомедшапиевна", "student"),
    "duplicate_snils": ("Константинопольский", "Александр", "Вячеславович", "student"),
    "account_untrusted": ("Оболенская-Нелединская-Мелецкая", "Елизавета", "Константиновна", "teacher"),
    "account_deleted": ("Петрова", "Анна", "Сергеевна", "student"),
    "no_child_account": ("Смирнов", "Артём", "Ильич", "student"),
    "link_candidate": ("Орловский", "Денис", "Павлович", "student"),
}
LONG_ECP_ID = "ecp3f2a9c1e77b04c559d3e0a1b2c3d4e5f00112233"  # no hyphen: no place a line may break
PARENT = ("Смирнова", "Ольга", "Викторовна", "+7 (343) 123-45-67", "olga.smirnova.roditel@example-school-domain.ru")


def add_case_of_each_type(db: Database, school: ClerkSchool) -> dict[str, int]:
    """A person and an open case (as a row) for each type of LONG_PERSONS: type -> case id. The untrusted
    teacher is linked on ГИС ЕЦП under a long id; the pupil with no child account has a mother with a phone and
    an e-mail; the link case has two Дневник.ру candidates."""
    now = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
    found: dict[str, int] = {}
    with db.session() as session:
        for n, (case_type, (last, first, middle, roles)) in enumerate(LONG_PERSONS.items()):
            person = PersonRow(
                school_id=school.school_id,
                source_id=f"p-long-{n}",
                roles=roles,
                last_name=last,
                first_name=first,
                middle_name=middle,
                birth_date=dt.date(2015, 4, 1) if case_type == "no_child_account" else dt.date(1985 + n, 2, 3),
                gender="f" if middle.endswith("вна") else "m",
                snils=snils(f"7{n}1234567") if case_type != "esia_unknown" else snils("998877665"),
            )
            session.add(person)
            session.flush()
            school.persons[f"long:{case_type}"] = person.id
            candidates = None
            if case_type == "link_candidate":
                candidates = [
                    {
                        "source": "dnevnik",
                        "remote_id": "1000000000000123456789",
                        "probability": 0.88,
                        "last_name": "Орловский",
                        "first_name": "Денис",
                        "middle_name": None,
                        "birth_date": None,
                        "class_name": "7Б",
                        "agreement": {"last_name": "exact", "birth_date": "missing"},
                    },
                    {
                        "source": "dnevnik",
                        "remote_id": "1000000000000987654321",
                        "probability": 0.55,
                        "last_name": "Орлов",
                        "first_name": "Денис",
                        "middle_name": "Павлович",
                        "birth_date": "1990-02-03",
                        "class_name": "7А",
                        "agreement": {"last_name": "one_edit"},
                    },
                ]
            case = IdentityCaseRow(
                school_id=school.school_id,
                person_id=person.id,
                case_type=case_type,
                class_name="7Б" if roles == "student" else None,
                status="open",
                evidence={"digest": f"long-{n}"},
                candidates=candidates,
                opened_at=now + dt.timedelta(minutes=n),
                updated_at=now,
            )
            session.add(case)
            session.flush()
            session.add(
                IdentityCaseEventRow(
                    case_id=case.id,
                    at=now,
                    actor="sync:dnevnik" if case_type == "link_candidate" else "verify",
                    action="opened_by_sync" if case_type == "link_candidate" else "opened",
                    detail={"platform": "dnevnik"} if case_type == "link_candidate" else None,
                )
            )
            found[case_type] = case.id
            if case_type == "account_untrusted":
                session.add(
                    IdentityLinkRow(
                        school_id=school.school_id,
                        platform="ecp",
                        entity="persons",
                        local_key=person.source_id,
                        remote_id=LONG_ECP_ID,
                        method="match",
                        score=0.97,
                    )
                )
                session.add(
                    RemoteRecordRow(
                        school_id=school.school_id,
                        platform="ecp",
                        entity="persons",
                        remote_id=LONG_ECP_ID,
                        local_key=person.source_id,
                        digest="1" * 64,
                        data={"last_name": last, "first_name": first, "middle_name": middle, "gender": "f"},
                    )
                )
            if case_type == "no_child_account":
                p_last, p_first, p_middle, phone, email = PARENT
                parent = PersonRow(
                    school_id=school.school_id,
                    source_id="p-long-parent",
                    roles="parent",
                    last_name=p_last,
                    first_name=p_first,
                    middle_name=p_middle,
                    phone=phone,
                    email=email,
                )
                session.add(parent)
                session.flush()
                link = ParentLinkRow(school_id=school.school_id, parent_id=parent.id, child_id=person.id)
                link.relation = "mother"
                session.add(link)
    return found
