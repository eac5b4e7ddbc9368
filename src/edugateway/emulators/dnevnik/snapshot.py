"""A Дневник.ру world from a canonical school: what the platform would hold if the school kept its journal there.

Every record gets a deterministic int64 id (`platform_id(kind, school, local id)`), so regenerating a world
gives the same ids. Storage-only keys (`snils`, `schoolIds`, `school`, `SchoolId`) are documented in
world.py. The school's administrator account (role EduSchoolAdministrator) is the first staff person of the
school, or — as the synthetic school has none — a service account «Интеграция Шлюз» made for the gateway,
as a real school makes one for a partner application.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from zoneinfo import ZoneInfo

from edugateway.domain.models import (
    EnrollmentRole,
    Gender,
    Lesson,
    Mark,
    MarkKind,
    Person,
    ReportingPeriodKind,
    Role,
    SchoolClass,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.dnevnik.auth import ADMIN_SCOPE
from edugateway.emulators.dnevnik.dates import fmt, fmt_ms
from edugateway.emulators.dnevnik.entry_times import LESSON_MINUTES, attendance_entered, homework_sent
from edugateway.emulators.dnevnik.ids import platform_id, with_str
from edugateway.emulators.dnevnik.vocab import (
    ATTENDANCE_STATUS,
    LESSON_WORK,
    PERIOD_TYPES,
    SPECIAL_MARKS,
    TEXT_VALUES,
    counts_in_average,
    mood_of,
)
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

ROLE_NAMES = {Role.STUDENT: "EduStudent", Role.TEACHER: "EduStaff", Role.PARENT: "EduParent", Role.STAFF: "EduStaff"}
SEX = {Gender.MALE: "Male", Gender.FEMALE: "Female"}
PARTNER_CLIENT_ID = "edugateway"
ADMIN_LOGIN = "admin"
# Bell schedule of a typical Russian school: 45-minute lessons, breaks of 10–20 minutes.
BELLS = ("08:00", "08:55", "09:55", "10:55", "11:50", "12:45", "13:40", "14:35")
# Work-type catalogue of a school: (kind, title, abbr, weight); kinds are the Work.type strings.
BASE_WORK_TYPES = (
    (LESSON_WORK, "Работа на уроке", "РУ", 1),
    ("Homework", "Домашнее задание", "ДЗ", 1),
    ("PeriodMark", "Итоговая оценка за период", "ИТ", 1),
    ("YearMark", "Годовая оценка", "ГО", 1),
)


class _Builder:
    def __init__(self, snapshot: SchoolSnapshot, password: str, client_secret: str) -> None:
        self.snap = snapshot
        self.code = snapshot.school.code
        self.world = DnevnikWorld()
        self.password = password
        self.client_secret = client_secret
        self.school_id = platform_id("school", self.code)
        self.classes = {c.id: c for c in snapshot.classes}
        self.periods = {p.id: p for p in snapshot.periods}
        self.lessons = {les.id: les for les in snapshot.lessons}
        self.homeroom: dict[str, str] = {}  # student -> class (not subgroup)
        self.work_type_ids: dict[str, int] = {}  # title or kind -> id
        self.day_ends = _day_ends(snapshot)

    def pid(self, kind: str, *local: str) -> int:
        return platform_id(kind, self.code, *local)

    # ---- school, persons, groups ------------------------------------------------------------------
    def school(self) -> None:
        school = self.snap.school
        offset = ZoneInfo(school.timezone).utcoffset(dt.datetime(2026, 1, 15))
        hours = int(offset.total_seconds() // 3600) if offset else 3
        row: Row = {}
        with_str(row, "id", self.school_id)
        row.update(
            name=school.name,
            fullName=school.name,
            avatarSmall=None,
            city=None,
            municipality=None,
            regionId=None,
            markType="mark5",
            timeZone=hours,
            uses_avg=True,
            uses_weighted_avg=True,
            educationType="Regular",
            tsoCityId=None,
            tsoRegionTreePath=None,
            timezoneName=school.timezone,
        )
        self.world.schools[self.school_id] = row
        self.tz_label = f"{'+' if hours >= 0 else '-'}{abs(hours)}:00"

    def person(self, person: Person, extra_roles: tuple[str, ...] = ()) -> Row:
        row: Row = {}
        with_str(row, "id", self.pid("person", person.id))
        with_str(row, "userId", self.pid("user", person.id))
        initials = " ".join(f"{n[0]}." for n in (person.first_name, person.middle_name) if n)
        roles = [ROLE_NAMES[r] for r in sorted(person.roles) if r in ROLE_NAMES]
        row.update(
            firstName=person.first_name,
            lastName=person.last_name,
            middleName=person.middle_name,
            shortName=f"{person.last_name} {initials}".strip(),
            fullName=" ".join(n for n in (person.last_name, person.first_name, person.middle_name) if n),
            sex=SEX.get(person.gender) if person.gender else None,
            birthday=fmt(person.birth_date) if person.birth_date else None,
            roles=list(dict.fromkeys([*roles, *extra_roles])),
            locale="ru-RU",
            timezone=self.tz_label,
            email=person.email,
            phone=person.phone or "",
            schoolIds=[self.school_id],
            snils=person.snils,  # storage only: a search filter, never in a response
            localId=person.id,  # storage only: which local person the world was made from
        )
        self.world.persons[int(row["id"])] = row
        return row

    def persons(self) -> None:
        staff = [p for p in self.snap.persons if Role.STAFF in p.roles]
        for p in self.snap.persons:
            is_admin = bool(staff) and p.id == staff[0].id
            self.person(p, ("EduSchoolAdministrator",) if is_admin else ())
        if not staff:
            service = Person(
                id=f"{self.code}-gateway-admin",
                roles=frozenset({Role.STAFF}),
                last_name="Интеграция",
                first_name="Шлюз",
            )
            admin = self.person(service, ("EduSchoolAdministrator",))
        else:
            admin = self.world.persons[self.pid("person", staff[0].id)]
        admin["login"] = f"{ADMIN_LOGIN}@{self.code}"
        self.world.accounts[admin["login"].lower()] = {
            "username": admin["login"],
            "password": self.password,
            "user": admin["userId"],
        }
        self.world.apps[PARTNER_CLIENT_ID] = {
            "client_id": PARTNER_CLIENT_ID,
            "client_secret": self.client_secret,
            "scope": ADMIN_SCOPE,
            "passwordGrant": True,
        }
        self.admin_person = int(admin["id"])

    def subjects(self) -> None:
        for s in self.snap.subjects:
            row: Row = {}
            with_str(row, "id", self.pid("subject", s.id))
            row.update(
                name=s.name,
                knowledgeArea=s.name,
                fgosSubjectId=None,
                espSubjectName=None,
                halfYear=False,
                school=self.school_id,
            )
            self.world.subjects[int(row["id"])] = row

    def groups(self) -> None:
        self.timetable_id = self.pid("timetable", "main")
        for cls in self.snap.classes:
            self.world.edu_groups[self.pid("group", cls.id)] = self.group(cls)
        teachers_of: defaultdict[str, list[str]] = defaultdict(list)
        today = dt.date.today()
        for e in self.snap.enrollments:
            if e.class_id not in self.classes:
                continue
            if e.role is EnrollmentRole.TEACHER:
                teachers_of[e.class_id].append(e.person_id)
                continue
            if self.classes[e.class_id].parent_id is None:
                self.homeroom[e.person_id] = e.class_id
            ended = e.end_date is not None and e.end_date < today
            membership: Row = {}
            with_str(membership, "eduGroup", self.pid("group", e.class_id))
            with_str(membership, "person", self.pid("person", e.person_id))
            membership["membershipstatus"] = "Archive" if ended else "Active"
            self.world.memberships.append(membership)
        self.teachers_of = teachers_of

    def group(self, cls: SchoolClass) -> Row:
        row: Row = {}
        with_str(row, "id", self.pid("group", cls.id))
        parents = [self.pid("group", cls.parent_id)] if cls.parent_id else None
        row["parentIds"] = parents
        row["parentIds_str"] = [str(p) for p in parents] if parents else None
        row.update(type="Subgroup" if cls.parent_id else "Group", name=cls.name, fullName=cls.name)
        row["parallel"] = cls.grade
        with_str(row, "timetable", self.timetable_id)
        row.update(status="Active", studyyear=cls.academic_year, educationType="Regular", journaltype="Regular")
        row["subjects"] = [self.pid("subject", cls.subject_id)] if cls.subject_id else []
        row["school"] = self.school_id
        return row

    def teachers(self) -> None:
        subjects_of: defaultdict[str, set[str]] = defaultdict(set)
        names = {s.id: s.name for s in self.snap.subjects}
        for lesson in self.snap.lessons:
            if lesson.teacher_id:
                subjects_of[lesson.teacher_id].add(names.get(lesson.subject_id, lesson.subject_id))
        homeroom_teachers = {
            e.person_id
            for e in self.snap.enrollments
            if e.role is EnrollmentRole.TEACHER
            and e.class_id in self.classes
            and not self.classes[e.class_id].parent_id
        }
        for p in self.snap.persons:
            if Role.TEACHER not in p.roles:
                continue
            person = self.world.persons[self.pid("person", p.id)]
            self.world.teachers.append(
                {
                    "Id": person["id"],
                    "IdStr": person["id_str"],
                    "UserId": person["userId"],
                    "UserIdStr": person["userId_str"],
                    "FirstName": p.first_name,
                    "LastName": p.last_name,
                    "MiddleName": p.middle_name,
                    "ShortName": person["shortName"],
                    "Sex": person["sex"],
                    "DateBirth": person["birthday"],
                    "Email": p.email,
                    "Subjects": ", ".join(sorted(subjects_of.get(p.id, ()))),
                    "HouseMaster": p.id in homeroom_teachers,
                    "Education": "Высшее",
                    "ScientificDegree": None,
                    "StartDate": None,
                    "PedagogicalActivityDate": None,
                    "ManagingEmployee": False,
                    "NameManagingPosition": None,
                    "TeachingStaff": True,
                    "NameTeacherPosition": "Учитель",
                    "TrainingAndSupportStaff": False,
                    "ServicePersonnel": False,
                    "MedicalWorker": False,
                    "NameMedicalPosition": None,
                    "ExternalPartTime": False,
                    "SchoolId": self.school_id,
                }
            )

    def timetable(self) -> None:
        year = min((c.academic_year for c in self.snap.classes), default=dt.date.today().year)
        items = []
        for number, start in enumerate(BELLS, start=1):
            begin = dt.datetime.combine(dt.date(year, 9, 1), dt.time.fromisoformat(start))
            items.append(
                {
                    "Id": self.pid("bell", str(number)),
                    "Start": fmt(begin),
                    "Finish": fmt(begin + dt.timedelta(minutes=LESSON_MINUTES)),
                    "Name": f"{number} урок",
                    "Type": "Lesson",
                    "DaysOfWeek": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                    "LessonNumber": number,
                }
            )
        self.world.timetables[self.timetable_id] = {
            "Id": self.timetable_id,
            "Name": "Основное расписание",
            "Start": fmt(dt.date(year, 9, 1)),
            "FirstLessonNumber": 1,
            "Items": items,
            "SchoolId": self.school_id,
        }

    def reporting_periods(self) -> None:
        numbers: defaultdict[ReportingPeriodKind, int] = defaultdict(int)
        for p in sorted(self.snap.periods, key=lambda p: p.start_date):
            if p.kind not in PERIOD_TYPES:
                continue  # the year is not a reporting period on the platform: year marks have none
            row: Row = {}
            with_str(row, "id", self.pid("period", p.id))
            row.update(
                start=fmt(p.start_date),
                finish=fmt(p.end_date),
                number=numbers[p.kind],  # 0-based within its type
                type=PERIOD_TYPES[p.kind],
                name=p.name,
                year=p.academic_year,
                school=self.school_id,
            )
            numbers[p.kind] += 1
            self.world.reporting_periods[int(row["id"])] = row

    def work_types(self) -> None:
        titles = [(kind, title, abbr, weight) for kind, title, abbr, weight in BASE_WORK_TYPES]
        seen = {t for _, t, _, _ in titles}
        for m in self.snap.marks:
            if m.kind is MarkKind.WORK and m.work_type and m.work_type not in seen:
                seen.add(m.work_type)
                titles.append(("CommonWork", m.work_type, m.work_type[:2].upper(), m.weight))
        for kind, title, abbr, weight in titles:
            type_id = self.pid("work-type", title)
            row: Row = {}
            with_str(row, "id", type_id)
            row.update(schoolId=self.school_id, kindId=None, kind=kind, title=title, abbr=abbr, weight=weight)
            self.world.work_types[type_id] = row
            self.work_type_ids.setdefault(kind, type_id)
            self.work_type_ids[title] = type_id

    # ---- journal ----------------------------------------------------------------------------------
    def lesson(self, lesson: Lesson) -> None:
        row: Row = {}
        with_str(row, "id", self.pid("lesson", lesson.id))
        start = _bell(lesson.date, lesson.number)
        row.update(
            title=lesson.topic or "",
            date=fmt(start),
            number=lesson.number,
            group=self.pid("group", lesson.class_id),
            status="Conducted",
            resultPlaceId=None,
            subject=self.pid("subject", lesson.subject_id),
            teachers=[self.pid("person", lesson.teacher_id)] if lesson.teacher_id else [],
        )
        self.world.lessons[int(row["id"])] = row
        if lesson.homework:
            sent = homework_sent(lesson.id, start, self.day_ends[(self.homeroom_of(lesson.class_id), lesson.date)])
            self.work(f"hw:{lesson.id}", "Homework", row, text=lesson.homework, mark_count=0, sent=fmt(sent))

    def homeroom_of(self, class_id: str) -> str:
        cls = self.classes.get(class_id)
        return cls.parent_id if cls is not None and cls.parent_id else class_id

    def work(
        self, key: str, kind: str, lesson: Row | None, *, group: int | None = None, subject: int | None = None,
        text: str = "", mark_count: int = 1, type_title: str | None = None, period: Row | None = None,
        sent: str | None = None,
    ) -> Row:  # fmt: skip
        """The work `key` (created on first use): a lesson's default work, its homework, a test, or a final."""
        work_id = self.pid("work", key)
        existing = self.world.works.get(work_id)
        if existing is not None:
            return existing
        row: Row = {}
        with_str(row, "id", work_id)
        row.update(type=kind, workType=self.work_type_ids[type_title or kind], markType="mark5")
        row["markCount"] = mark_count
        with_str(row, "lesson", int(lesson["id"]) if lesson else None)
        row.update(displayInJournal=True, status="Sent")
        with_str(row, "eduGroup", int(lesson["group"]) if lesson else group)
        row.update(
            tasks=[],
            text=text,
            periodNumber=period["number"] if period else None,
            periodType=period["type"] if period else None,
            subjectId=int(lesson["subject"]) if lesson else subject,
            isImportant=kind != LESSON_WORK and kind != "Homework",
            targetDate=lesson["date"] if lesson else (period["finish"] if period else None),
            sentDate=sent,
            createdBy=lesson["teachers"][0] if lesson and lesson["teachers"] else self.admin_person,
            files=[],
            oneDriveLinks=[],
        )
        self.world.add_work(row)
        return row

    def mark_row(self, mark: Mark, work: Row, lesson: Row | None) -> Row:
        value, text = SPECIAL_MARKS.get(mark.value, (mark.value, None))
        row: Row = {}
        with_str(row, "id", self.pid("mark", mark.id))
        row.update(type="mark5", value=value)
        if text or value in TEXT_VALUES:
            row["textValue"] = text or TEXT_VALUES[value]
        with_str(row, "person", self.pid("person", mark.person_id))
        with_str(row, "work", int(work["id"]))
        with_str(row, "lesson", int(lesson["id"]) if lesson else None)
        # `date` is when the mark was entered: the lesson day, or later for a late mark.
        row.update(number=0, date=fmt(mark.date) if mark.date else (lesson["date"] if lesson else None))
        row.update(workType=work["workType"], mood=mood_of(value), use_avg_calc=counts_in_average(value))
        return row

    def marks(self) -> None:
        for mark in self.snap.marks:
            if mark.kind in (MarkKind.PERIOD_FINAL, MarkKind.YEAR_FINAL):
                self.final_mark(mark)
                continue
            local_lesson = self.lessons.get(mark.lesson_id or "")
            if local_lesson is None:
                continue  # a mark without a lesson has no work to hang on in the journal
            lesson = self.world.lessons[self.pid("lesson", local_lesson.id)]
            if mark.kind is MarkKind.WORK:
                title = mark.work_type or "Контрольная работа"
                work = self.work(f"work:{local_lesson.id}:{title}", "CommonWork", lesson, type_title=title)
            else:
                work = self.work(f"lesson:{local_lesson.id}", LESSON_WORK, lesson)
            self.world.add_mark(self.mark_row(mark, work, lesson))

    def final_mark(self, mark: Mark) -> None:
        cls = self.homeroom.get(mark.person_id)
        if cls is None or not mark.subject_id:
            return  # a final of a student with no class here is not shown in any group's journal
        group = self.pid("group", cls)
        subject = self.pid("subject", mark.subject_id)
        period = None
        if mark.kind is MarkKind.PERIOD_FINAL and mark.period_id:
            period = self.world.reporting_periods.get(self.pid("period", mark.period_id))
        kind = "PeriodMark" if period else "YearMark"
        key = f"final:{cls}:{mark.subject_id}:{mark.period_id if period else 'year'}"
        work = self.work(key, kind, None, group=group, subject=subject, period=period)
        row = self.mark_row(mark, work, None)
        self.world.add_mark(row)
        final: Row = {}
        with_str(final, "person", int(row["person"]))
        with_str(final, "group", group)
        with_str(final, "reportingPeriod", int(period["id"]) if period else None)
        with_str(final, "subject", subject)
        final["final-mark"] = row
        self.world.final_marks.append(final)

    def attendance(self) -> None:
        for a in self.snap.attendance:
            lesson = self.world.lessons.get(self.pid("lesson", a.lesson_id))
            if lesson is None:
                continue
            entry: Row = {}
            with_str(entry, "person", self.pid("person", a.person_id))
            with_str(entry, "lesson", int(lesson["id"]))
            comment = f"опоздание {a.minutes_late} мин" if a.minutes_late else None
            entered = attendance_entered(f"{a.lesson_id}:{a.person_id}", dt.datetime.fromisoformat(lesson["date"]))
            entry.update(comment=comment, status=ATTENDANCE_STATUS[a.code], createdDate=fmt_ms(entered))
            self.world.put_log_entry(entry)


def _bell(day: dt.date, number: int) -> dt.datetime:
    """When lesson `number` of `day` starts by the school's bells."""
    return dt.datetime.combine(day, dt.time.fromisoformat(BELLS[min(max(number, 1), len(BELLS)) - 1]))


def _day_ends(snapshot: SchoolSnapshot) -> dict[tuple[str, dt.date], dt.datetime]:
    """(class, day) -> when the class's last lesson that day ends, its subgroups' lessons included."""
    parent = {c.id: c.parent_id or c.id for c in snapshot.classes}
    ends: dict[tuple[str, dt.date], dt.datetime] = {}
    for les in snapshot.lessons:
        key = (parent.get(les.class_id, les.class_id), les.date)
        end = _bell(les.date, les.number) + dt.timedelta(minutes=LESSON_MINUTES)
        ends[key] = max(end, ends.get(key, end))
    return ends


def world_from_snapshot(
    snapshot: SchoolSnapshot, *, admin_password: str | None = None, client_secret: str | None = None
) -> DnevnikWorld:
    """The Дневник world of one school. The administrator's password and the partner app's secret are random
    unless given; `edugateway emulators serve` prints them with a ready token."""
    builder = _Builder(snapshot, admin_password or secrets.token_urlsafe(12), client_secret or secrets.token_hex(16))
    builder.school()
    builder.persons()
    builder.subjects()
    builder.groups()
    builder.teachers()
    builder.timetable()
    builder.reporting_periods()
    builder.work_types()
    for lesson in sorted(snapshot.lessons, key=lambda les: (les.date, les.number, les.id)):
        builder.lesson(lesson)
    builder.marks()
    builder.attendance()
    builder.world.reindex()
    return builder.world
