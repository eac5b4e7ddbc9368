"""Read a OneRoster 1.2 or 1.1 CSV set (a directory with manifest.csv) into a ParsedRoster.

Nothing here touches the database: references between files are checked by `apply_roster`, which knows the
stored records too (a delta file may name a class imported last week). Every row that cannot become a
record is reported with file, line and reason; the other rows still become records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pydantic

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import (
    Enrollment,
    EnrollmentRole,
    Gender,
    ParentLink,
    Person,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snils import check_snils
from edugateway.errors import ValidationError
from edugateway.spreadsheet_text import formula_refusal, looks_like_formula
from edugateway.store.csvfiles import CsvTable, parse_date, parse_datetime, read_table
from edugateway.store.import_limits import ImportLimits
from edugateway.store.oneroster import _v11
from edugateway.store.oneroster._spec import (
    COLUMNS,
    EXT,
    EXTENSIONS,
    MANIFEST_FILES,
    REQUIRED,
    ROLE_MAP,
    ROSTER_FILES,
    SESSION_TYPES,
    SEX_IN,
    TOLERATED,
    parse_grade,
    split_list,
)
from edugateway.store.roster import Deletion, Incoming, Mode, ParsedRoster, RowProblem

_USER_ID = re.compile(r"\{\s*([^:{}]+?)\s*:\s*([^{}]*?)\s*\}")
_PERSON_COLUMNS = {
    "first_name": "givenName",
    "last_name": "familyName",
    "middle_name": "middleName",
    "email": "email",
    "phone": "phone",
    "id": "sourcedId",
}
_NAME_COLUMNS = ("familyName", "givenName", "middleName")
# Files the rows of other files name (enrollments, roles, demographics): the set cannot be read without them.
_NAMED_BY_OTHERS = ("users", "classes")
# The kinds of record each file holds (their mode is the file's mode).
_KINDS: dict[str, tuple[RecordKind, ...]] = {
    "orgs": (RecordKind.SCHOOL,),
    "academicSessions": (RecordKind.PERIOD,),
    "courses": (RecordKind.SUBJECT,),
    "classes": (RecordKind.CLASS,),
    "users": (RecordKind.PERSON, RecordKind.PARENT_LINK),
    "enrollments": (RecordKind.ENROLLMENT,),
}


def read_oneroster(directory: Path, *, school: str | None = None, limits: ImportLimits | None = None) -> ParsedRoster:
    """Parses the set in `directory`. `school` picks the school org when orgs.csv lists several. A file over
    `limits`, or not CSV text at all, refuses the whole set (ValidationError, see csvfiles.py)."""
    if not directory.is_dir():
        raise ValidationError(f"{directory} is not a directory; give the folder that holds manifest.csv")
    return _Reader(directory, school, limits or ImportLimits()).read()


def _why(exc: pydantic.ValidationError, columns: Mapping[str, str]) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "row"
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{columns.get(loc, loc)}: {msg}")
    return "; ".join(parts)


@dataclass
class _UserRow:
    line: int
    person: Person
    agents: list[tuple[str, str | None]]


class _Reader:
    def __init__(self, directory: Path, school: str | None, limits: ImportLimits) -> None:
        self.dir = directory
        self.school_code = school
        self.limits = limits
        self.roster = ParsedRoster(source="oneroster", location=str(directory))
        self.file_modes: dict[str, Mode] = {}
        self.declared: str | None = None  # the manifest's oneroster.version when it is one edugateway reads
        self.version = _v11.V12

    # --- plumbing -----------------------------------------------------------------------------------

    def reject(self, file: str, line: int, reason: str) -> None:
        self.roster.rejected.append(RowProblem(file, line, reason))

    def warn(self, file: str, line: int, reason: str) -> None:
        self.roster.warnings.append(RowProblem(file, line, reason))

    def refuse_formulas(
        self, file: str, line: int, row: Mapping[str, str], columns: tuple[str, ...], what: str
    ) -> bool:
        """Rejects the row when one of its names would run as a formula in a spreadsheet (every report and export
        shows them); True then."""
        for column in columns:
            value = (row.get(column) or "").strip()
            if looks_like_formula(value):
                self.reject(file, line, what + formula_refusal(column, value))
                return True
        return False

    def table(self, name: str) -> CsvTable | None:
        if self.file_modes.get(name, Mode.ABSENT) is Mode.ABSENT:
            return None
        columns, required = COLUMNS[name], REQUIRED[name]
        if name == "users" and self.version == _v11.V11:
            columns, required = _v11.USERS_COLUMNS, _v11.USERS_REQUIRED
        known = columns + EXTENSIONS.get(name, ()) + TOLERATED.get(name, ())
        table = read_table(
            self.dir / f"{name}.csv",
            known=known,
            required=required,
            rejected=self.roster.rejected,
            warnings=self.roster.warnings,
            limits=self.limits,
            edition=self.version,
        )
        if table is not None:
            self.roster.encodings[table.file] = table.encoding
        return table

    def rows(self, name: str, table: CsvTable | None) -> Iterator[tuple[int, dict[str, str], bool]]:
        """The rows of a file, streamed, with their line and whether they are `tobedeleted`; rows with a bad
        status or a sourcedId seen before in the file are rejected here."""
        if table is None:
            return
        delta = self.file_modes[name] is Mode.DELTA
        first_line: dict[str, int] = {}
        for line, row in table.rows():
            sid = row.get("sourcedId", "")
            status = row.get("status", "")
            if status not in ("", "active", "tobedeleted"):
                self.reject(table.file, line, f"status {status!r} is not active or tobedeleted")
                continue
            if delta and (not status or not row.get("dateLastModified")):
                self.warn(
                    table.file,
                    line,
                    "a delta file fills status and dateLastModified on every row; this row was read as "
                    f"status={status or 'active'}",
                )
            if row.get("dateLastModified"):
                try:
                    parse_datetime(row["dateLastModified"], "dateLastModified")
                except ValueError as exc:
                    self.warn(table.file, line, f"{exc}; the row was read anyway")
            if "sourcedId" in table.header:
                if not sid:
                    self.reject(table.file, line, "sourcedId is empty; every row needs its own id")
                    continue
                if sid in first_line:
                    self.reject(
                        table.file,
                        line,
                        f"sourcedId {sid!r} already appears on line {first_line[sid]}; the first row was used, "
                        "give each record its own id",
                    )
                    continue
                first_line[sid] = line
            yield line, row, status == "tobedeleted"

    # --- driver -------------------------------------------------------------------------------------

    def read(self) -> ParsedRoster:
        self.read_manifest()
        self.read_edition()
        for name, kinds in _KINDS.items():
            for kind in kinds:
                self.roster.modes[kind] = self.file_modes.get(name, Mode.ABSENT)
        session_years = self.read_sessions()
        self.read_orgs()
        courses = list(self.rows("courses", self.table("courses")))  # small; read before classes, as before
        homeroom_courses = self.read_classes(session_years)
        self.read_courses(courses, homeroom_courses)
        self.read_users()
        self.read_enrollments()
        return self.roster

    def read_manifest(self) -> None:
        path = self.dir / "manifest.csv"
        if not path.exists():
            present = [name for name in ROSTER_FILES if (self.dir / f"{name}.csv").exists()]
            if not present:
                raise ValidationError(
                    f"{self.dir} holds neither manifest.csv nor any OneRoster file (orgs.csv, users.csv, …); "
                    "check the folder"
                )
            self.warn(
                "manifest.csv", 0, "manifest.csv is missing; the files present were read as bulk: " + ", ".join(present)
            )
            self.file_modes = dict.fromkeys(present, Mode.BULK)
            return
        table = read_table(
            path,
            known=("propertyName", "value"),
            required=("propertyName", "value"),
            rejected=self.roster.rejected,
            warnings=self.roster.warnings,
            limits=self.limits,
        )
        if table is None:  # its one problem is said here: the refusal stops the import before any row is listed
            reason = self.roster.rejected[-1].reason if self.roster.rejected else "it has no header row"
            raise ValidationError(f"{path} cannot be read: {reason}")
        self.roster.encodings[table.file] = table.encoding
        props = {row["propertyName"]: (line, row["value"]) for line, row in table.rows()}
        version = props.get("oneroster.version", (0, ""))[1].strip()
        if version in (_v11.V11, _v11.V12):
            self.declared = version
        elif version:
            self.warn(
                "manifest.csv",
                props["oneroster.version"][0],
                f"oneroster.version is {version}; edugateway reads 1.1 and 1.2, the set was read as the one its "
                "users.csv columns show",
            )
        for name in MANIFEST_FILES:
            line, value = props.get(f"file.{name}", (0, "absent"))
            try:
                mode = Mode(value.strip().lower())
            except ValueError:
                self.reject("manifest.csv", line, f"file.{name} is {value!r}; use bulk, delta or absent")
                continue
            exists = (self.dir / f"{name}.csv").exists()
            if name not in ROSTER_FILES:
                if mode is not Mode.ABSENT:
                    self.warn("manifest.csv", line, f"{name}.csv is not a roster file; edugateway did not read it")
                continue
            if mode is not Mode.ABSENT and not exists:
                if name in _NAMED_BY_OTHERS:  # each row naming it would be rejected on its own: one refusal instead
                    raise ValidationError(
                        f"manifest.csv says file.{name} is {mode.value} but {name}.csv is not in {self.dir}; "
                        f"add {name}.csv, or set file.{name} to absent if the set leaves it out on purpose"
                    )
                self.reject("manifest.csv", line, f"file.{name} is {mode.value} but {name}.csv is not in the folder")
                continue
            if mode is Mode.ABSENT and exists:
                self.warn("manifest.csv", line, f"{name}.csv is present but the manifest says absent; it was not read")
            self.file_modes[name] = mode

    def read_edition(self) -> None:
        """1.1 or 1.2, from the manifest or else the columns of users.csv; a 1.1 set is noted in the report."""
        read = {name for name, mode in self.file_modes.items() if mode is not Mode.ABSENT}
        header = _v11.users_header(self.dir / "users.csv", self.limits) if "users" in read else []
        self.version = _v11.edition(self.declared, header, "roles" in read)
        if self.version == _v11.V11:
            self.roster.notes.append(_v11.NOTE)

    # --- files --------------------------------------------------------------------------------------

    def read_orgs(self) -> None:
        table = self.table("orgs")
        schools = [
            (line, row) for line, row, deleted in self.rows("orgs", table) if row["type"] == "school" and not deleted
        ]
        if not schools:
            if table is not None:
                self.warn(table.file, 1, "no active org of type school; the school's name and codes were not updated")
            return
        if len(schools) > 1:
            chosen = [s for s in schools if s[1]["sourcedId"] == self.school_code]
            if not chosen:
                raise ValidationError(
                    f"orgs.csv lists {len(schools)} schools ({', '.join(r['sourcedId'] for _, r in schools)}); "
                    "pass the sourcedId of the one to import as --school"
                )
            schools = chosen
        line, row = schools[0]
        if self.refuse_formulas("orgs.csv", line, row, ("name",), "the school was not updated: "):
            return
        try:
            self.roster.school = School(
                code=row["sourcedId"],
                name=row["name"],
                inn=row.get("identifier") or None,
                ogrn=row.get(EXT + "ogrn") or None,
                timezone=row.get(EXT + "timezone") or "Europe/Moscow",
            )
        except pydantic.ValidationError as exc:
            self.reject(
                "orgs.csv", line, _why(exc, {"inn": "identifier (ИНН, 10 digits)", "ogrn": EXT + "ogrn (13 digits)"})
            )

    def read_sessions(self) -> dict[str, int]:
        """Adds the reporting periods; returns the academic year (start year) of every session by id."""
        years: dict[str, int] = {}
        for line, row, deleted in self.rows("academicSessions", self.table("academicSessions")):
            sid = row["sourcedId"]
            self.roster.seen(RecordKind.PERIOD, sid)
            if deleted:
                self.roster.deletions.append(Deletion(RecordKind.PERIOD, sid, "academicSessions.csv", line))
                continue
            school_year = row["schoolYear"]
            if not (school_year.isdigit() and len(school_year) == 4):
                self.reject("academicSessions.csv", line, f"schoolYear {school_year!r} is not a year such as 2027")
                continue
            years[sid] = int(school_year) - 1  # OneRoster names the year a school year ends in
            if row.get(EXT + "generated", "").lower() == "true":
                continue
            kind = SESSION_TYPES.get(row["type"])
            if kind is None:
                self.reject(
                    "academicSessions.csv",
                    line,
                    f"type {row['type']!r} is not one of {', '.join(SESSION_TYPES)}; edugateway keeps those as "
                    "четверть, полугодие, триместр and учебный год",
                )
                continue
            if self.refuse_formulas("academicSessions.csv", line, row, ("title",), f"session {sid!r}: "):
                continue
            try:
                period = ReportingPeriod(
                    id=sid,
                    name=row["title"],
                    kind=kind,
                    academic_year=years[sid],
                    start_date=parse_date(row["startDate"], "startDate"),
                    end_date=parse_date(row["endDate"], "endDate"),
                )
            except (ValueError, pydantic.ValidationError) as exc:
                self.reject("academicSessions.csv", line, _message(exc, {"name": "title"}))
                continue
            self.roster.periods.append(Incoming(period, "academicSessions.csv", line))
        return years

    def read_classes(self, session_years: dict[str, int]) -> set[str]:
        """Adds the classes and subgroups; returns the ids of homeroom courses (which are not subjects)."""
        rows = list(self.rows("classes", self.table("classes")))  # read twice, and small
        homeroom_courses = {row["courseSourcedId"] for _, row, _ in rows if row["classType"] == "homeroom"}
        for line, row, deleted in rows:
            sid = row["sourcedId"]
            self.roster.seen(RecordKind.CLASS, sid)
            if deleted:
                self.roster.deletions.append(Deletion(RecordKind.CLASS, sid, "classes.csv", line))
                continue
            parent = row.get(EXT + "parentClass") or None
            course = row["courseSourcedId"]
            subject = None if course in homeroom_courses else course
            if parent is None and subject is not None:
                self.warn(
                    "classes.csv",
                    line,
                    f"class {sid!r} is a {row['classType']} class without {EXT}parentClass: imported as a class, "
                    f"without its course {course!r}; a subgroup names the class it splits in {EXT}parentClass",
                )
                subject = None
            terms = split_list(row["termSourcedIds"])
            year = next((session_years[t] for t in terms if t in session_years), None)
            if year is None:
                self.reject(
                    "classes.csv",
                    line,
                    f"termSourcedIds {row['termSourcedIds']!r} names no session of academicSessions.csv, so the "
                    "school year is unknown; add the school year session to academicSessions.csv",
                )
                continue
            grades = split_list(row.get("grades", ""))
            if not grades:
                self.reject("classes.csv", line, "grades is empty; give the parallel, e.g. 05 for «5А»")
                continue
            if self.refuse_formulas("classes.csv", line, row, ("title",), f"class {sid!r}: "):
                continue
            try:
                record = SchoolClass(
                    id=sid,
                    name=row["title"],
                    grade=parse_grade(grades[0]),
                    academic_year=year,
                    parent_id=parent,
                    subject_id=subject,
                )
            except (ValueError, pydantic.ValidationError) as exc:
                self.reject("classes.csv", line, _message(exc, {"name": "title"}))
                continue
            self.roster.classes.append(Incoming(record, "classes.csv", line))
        return homeroom_courses

    def read_courses(self, rows: list[tuple[int, dict[str, str], bool]], homeroom_courses: set[str]) -> None:
        for line, row, deleted in rows:
            sid = row["sourcedId"]
            self.roster.seen(RecordKind.SUBJECT, sid)
            if sid in homeroom_courses:
                continue  # the course of homeroom classes, not a subject taught
            if deleted:
                self.roster.deletions.append(Deletion(RecordKind.SUBJECT, sid, "courses.csv", line))
                continue
            if self.refuse_formulas("courses.csv", line, row, ("title",), f"course {sid!r}: "):
                continue
            try:
                subject = Subject(id=sid, name=row["title"], code=row.get("courseCode") or None)
            except pydantic.ValidationError as exc:
                self.reject("courses.csv", line, _why(exc, {"name": "title", "code": "courseCode"}))
                continue
            self.roster.subjects.append(Incoming(subject, "courses.csv", line))

    def read_roles(self) -> dict[str, list[tuple[str, int]]]:
        """OneRoster role names per user id, primary role first."""
        roles: dict[str, list[tuple[str, int, bool]]] = {}
        for line, row, deleted in self.rows("roles", self.table("roles")):
            if deleted:
                continue  # the user's other rows say what they are now
            if row["role"] not in ROLE_MAP:
                self.warn(
                    "roles.csv",
                    line,
                    f"role {row['role']!r} is not a OneRoster 1.2 role ({', '.join(ROLE_MAP)}); ignored",
                )
                continue
            roles.setdefault(row["userSourcedId"], []).append((row["role"], line, row.get("roleType") == "primary"))
        return {uid: [(r, ln) for r, ln, _ in sorted(v, key=lambda x: not x[2])] for uid, v in roles.items()}

    def read_demographics(self, user_ids: set[str]) -> dict[str, tuple[dt.date | None, Gender | None]]:
        out: dict[str, tuple[dt.date | None, Gender | None]] = {}
        for line, row, deleted in self.rows("demographics", self.table("demographics")):
            sid = row["sourcedId"]
            if sid not in user_ids:
                self.reject(
                    "demographics.csv",
                    line,
                    f"user {sid!r} is not in users.csv; demographics are applied together with the user row, "
                    "add the user to users.csv",
                )
                continue
            if deleted:
                out[sid] = (None, None)
                continue
            try:
                birth = parse_date(row["birthDate"], "birthDate") if row.get("birthDate") else None
            except ValueError as exc:
                self.reject("demographics.csv", line, f"{exc}; the person was imported without this row")
                continue
            sex = row.get("sex", "")
            if sex and sex not in SEX_IN and sex not in ("unspecified", "other"):
                self.warn(
                    "demographics.csv", line, f"sex {sex!r} is not male, female, unspecified or other; left empty"
                )
            out[sid] = (birth, Gender(SEX_IN[sex]) if sex in SEX_IN else None)
        return out

    def read_users(self) -> None:
        table = self.table("users")
        # users.csv is the largest file: its ids are read in a pass of their own, then its rows are streamed.
        user_ids = set(table.column("sourcedId")) if table is not None and "sourcedId" in table.header else set()
        v11 = self.version == _v11.V11
        roles = {} if v11 else self.read_roles()  # 1.1: filled row by row from the role column
        demographics = self.read_demographics(user_ids)
        user_rows = self.rows("users", table)
        demo_bulk = self.file_modes.get("demographics") is Mode.BULK
        roles_bulk = self.file_modes.get("roles" if not v11 else "users") is Mode.BULK
        parsed: dict[str, _UserRow] = {}
        for line, row, deleted in user_rows:
            sid = row["sourcedId"]
            self.roster.seen(RecordKind.PERSON, sid)
            if deleted:
                self.roster.deletions.append(Deletion(RecordKind.PERSON, sid, "users.csv", line))
                continue
            keep: set[str] = set()
            if v11:
                role = row.get("role", "")
                if role not in _v11.ROLE_MAP_11:
                    self.reject("users.csv", line, _v11.role_problem(sid, role))
                    continue
                roles[sid] = [(role, line)]
            names = [r for r, _ in roles.get(sid, [])]
            person_roles = frozenset((_v11.ROLE_MAP_11 if v11 else ROLE_MAP)[r] for r in names)
            if not person_roles:
                if roles_bulk:
                    self.reject("users.csv", line, f"user {sid!r} has no row in roles.csv; give each user a role")
                    continue
                keep.add("roles")  # roles.csv is delta or absent: the stored roles stay
                person_roles = frozenset({Role.STAFF})
            if sid in demographics:
                birth, gender = demographics[sid]
            else:
                birth, gender = None, None
                if not demo_bulk:
                    keep.update({"birth_date", "gender"})
            if self.refuse_formulas("users.csv", line, row, _NAME_COLUMNS, f"user {sid!r}: "):
                continue
            snils, rejected, raw = self.user_snils(row, line)
            try:
                person = Person(
                    id=sid,
                    roles=person_roles,
                    last_name=row["familyName"],
                    first_name=row["givenName"],
                    middle_name=row.get("middleName") or None,
                    birth_date=birth,
                    gender=gender,
                    snils=snils,
                    snils_rejected=rejected,
                    email=row.get("email") or None,
                    phone=row.get("phone") or None,
                )
            except pydantic.ValidationError as exc:
                self.reject("users.csv", line, f"user {sid!r}: {_why(exc, _PERSON_COLUMNS)}")
                continue
            self.roster.persons.append(Incoming(person, "users.csv", line, raw_snils=raw, keep=frozenset(keep)))
            agents = split_list(row.get("agentSourcedIds", ""))
            relations = split_list(row.get(EXT + "agentRelations", ""))
            if relations and len(relations) != len(agents):
                self.warn(
                    "users.csv",
                    line,
                    f"{EXT}agentRelations has {len(relations)} values for {len(agents)} agentSourcedIds; "
                    "the relations were ignored",
                )
                relations = []
            parsed[sid] = _UserRow(
                line, person, [(a, relations[i] if relations else None) for i, a in enumerate(agents)]
            )
        self.links(parsed, roles)

    def user_snils(self, row: dict[str, str], line: int) -> tuple[str | None, str | None, str | None]:
        """(valid SNILS digits, the value as entered when invalid, the value as entered when valid)."""
        text = row.get("userIds", "")
        if not text:
            return None, None, None
        ids = _USER_ID.findall(text)
        if not ids or _USER_ID.sub("", text).replace(",", "").strip():
            self.warn("users.csv", line, f"userIds {text!r} is not a list of {{type:identifier}}; it was ignored")
        values = [value for kind, value in ids if kind.strip().upper() in ("SNILS", "СНИЛС")]
        if not values:
            return None, None, None
        if len(values) > 1:
            self.warn("users.csv", line, "userIds holds more than one SNILS; the first one was used")
        verdict = check_snils(values[0])
        if verdict.valid and verdict.digits:
            return verdict.digits, None, values[0]
        self.warn(
            "users.csv",
            line,
            f"user {row['sourcedId']!r}: СНИЛС is invalid ({verdict.message}); imported without СНИЛС, "
            "the value is kept for the records clerk",
        )
        return None, values[0], None

    def links(self, users: dict[str, _UserRow], roles: dict[str, list[tuple[str, int]]]) -> None:
        """Parent links from agentSourcedIds on either side; the roles say which side is the parent."""
        seen: dict[tuple[str, str], str] = {}
        for sid, user in users.items():
            for agent, relation in user.agents:
                me = user.person.roles
                other = users[agent].person.roles if agent in users else frozenset()
                side = _parent_side(me) if _parent_side(me) is not None else _child_side(other)
                if side is None:
                    self.warn(
                        "users.csv",
                        user.line,
                        f"agent {agent!r} of user {sid!r}: the roles do not say which one is the parent; "
                        "the link was not imported",
                    )
                    continue
                parent, child = (sid, agent) if side else (agent, sid)
                if relation is None:
                    parent_roles = [r for r, _ in roles.get(parent, [])]
                    relation = "guardian" if "guardian" in parent_roles else "parent"
                key = (parent, child)
                if key in seen:
                    if seen[key] != relation:
                        self.warn(
                            "users.csv",
                            user.line,
                            f"link {parent}>{child}: relation {relation!r} differs from {seen[key]!r} given on the "
                            "other user's row; the first one was kept",
                        )
                    continue
                seen[key] = relation
                try:
                    link = ParentLink(parent_id=parent, child_id=child, relation=relation)
                except pydantic.ValidationError as exc:
                    self.reject("users.csv", user.line, f"link {parent}>{child}: {_why(exc, {})}")
                    continue
                self.roster.parent_links.append(Incoming(link, "users.csv", user.line))

    def read_enrollments(self) -> None:
        for line, row, deleted in self.rows("enrollments", self.table("enrollments")):
            sid = row["sourcedId"]
            self.roster.seen(RecordKind.ENROLLMENT, sid)
            if deleted:
                self.roster.deletions.append(Deletion(RecordKind.ENROLLMENT, sid, "enrollments.csv", line))
                continue
            if row["role"] not in ("student", "teacher"):
                self.warn(
                    "enrollments.csv",
                    line,
                    f"role {row['role']!r}: edugateway keeps student and teacher enrollments; this one was skipped",
                )
                continue
            try:
                record = Enrollment(
                    id=sid,
                    person_id=row["userSourcedId"],
                    class_id=row["classSourcedId"],
                    role=EnrollmentRole(row["role"]),
                    start_date=parse_date(row["beginDate"], "beginDate") if row.get("beginDate") else None,
                    end_date=parse_date(row["endDate"], "endDate") if row.get("endDate") else None,
                )
            except (ValueError, pydantic.ValidationError) as exc:
                columns = {"person_id": "userSourcedId", "class_id": "classSourcedId", "start_date": "beginDate"}
                self.reject("enrollments.csv", line, _message(exc, columns | {"end_date": "endDate"}))
                continue
            self.roster.enrollments.append(Incoming(record, "enrollments.csv", line))


def _parent_side(roles: frozenset[Role]) -> bool | None:
    """True when these roles make a person the parent of a link, False when the child, None when unclear."""
    if Role.PARENT in roles and Role.STUDENT not in roles:
        return True
    if Role.STUDENT in roles and Role.PARENT not in roles:
        return False
    return None


def _child_side(agent_roles: frozenset[Role]) -> bool | None:
    side = _parent_side(agent_roles)
    return None if side is None else not side


def _message(exc: Exception, columns: Mapping[str, str]) -> str:
    return _why(exc, columns) if isinstance(exc, pydantic.ValidationError) else str(exc)
