"""`edugateway import table`: one export of another system (pupils or staff, CSV or XLSX) read through a mapping
into a ParsedRoster, written by the roster's own `apply_roster`.

Ids, when the file has no id column, are derived so a re-import of the next export updates rather than
duplicates: a person's is "tbl-" and 32 hex digits of SHA-256 over «snils:» and the 11 digits of a valid SNILS,
else over «name:» and the lower-cased last, first and middle names and the birth date (ё read as е). A row with
neither a valid SNILS nor a birth date cannot be told from a namesake and is rejected. A SNILS found on several
rows (a typing slip copied to a sibling) identifies none of them: they get name ids, and `apply_roster` gives the
number to one of them as it does for any file. A class's id is
"tbl-<academic year>-<name>" («tbl-2026-5А»); an enrollment's is the XLSX template's derived id (person@class).
So a person who gets a SNILS later gets a new id: the old record is deactivated by the next bulk import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pydantic

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import Enrollment, EnrollmentRole, Person, Role, SchoolClass
from edugateway.errors import ValidationError
from edugateway.store.cell_text import cell_text as text
from edugateway.store.import_limits import ImportLimits
from edugateway.store.roster import Incoming, Mode, ParsedRoster, RowProblem
from edugateway.store.table_files import Table, read_rows
from edugateway.store.table_mapping import Mapping, TableKind
from edugateway.store.table_values import check_snils_cell, class_name, parse_date, parse_gender
from edugateway.store.xlsx_roster import derived_enrollment_id

SOURCE = "table"
# Person fields a mapping may leave out: the stored values are kept then (Incoming.keep).
_OPTIONAL_PERSON_FIELDS = {
    "middle_name": "middle_name",
    "birth_date": "birth_date",
    "gender": "gender",
    "snils": "snils",
    "email": "email",
    "phone": "phone",
}


def school_year(today: dt.date) -> int:
    """The school year a day belongs to, by the year it starts in (1 September)."""
    return today.year if today.month >= 9 else today.year - 1


def derived_person_id(
    snils_digits: str | None, last: str, first: str, middle: str | None, birth: dt.date | None
) -> str:
    if snils_digits:
        key = f"snils:{snils_digits}"
    else:
        names = "|".join(p.strip().lower().replace("ё", "е") for p in (last, first, middle or ""))
        key = f"name:{names}|{birth.isoformat() if birth else ''}"
    return "tbl-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def read_table_roster(
    path: Path, mapping: Mapping, *, today: dt.date, limits: ImportLimits | None = None
) -> ParsedRoster:
    """Reads `path` through `mapping`. A mapped column the file lacks refuses the file (ValidationError naming
    it and the columns the file has); a row that cannot be read is rejected with its line and column."""
    table = read_rows(path, mapping.source, limits)
    missing = [title for title in mapping.columns.values() if title not in table.header]
    if missing:
        raise ValidationError(
            f"{table.file} has no column {', '.join(f'«{t}»' for t in missing)} (mapping {mapping.name}); "
            f"its columns are: {', '.join(h for h in table.header if h) or 'none'}"
        )
    return _Reader(table, mapping, mapping.record.academic_year or school_year(today)).read(str(path))


class _RowError(Exception):
    """A row that cannot become a record; the message says which column and what to fix."""


class _Reader:
    def __init__(self, table: Table, mapping: Mapping, year: int) -> None:
        self.table = table
        self.mapping = mapping
        self.year = year
        self.pupils = mapping.record.kind is TableKind.PUPILS
        self.first_line: dict[str, int] = {}
        self.classes: dict[str, SchoolClass] = {}
        self.shared_snils: set[str | None] = set()  # valid SNILS on more than one row

    def read(self, location: str) -> ParsedRoster:
        roster = ParsedRoster(source=SOURCE, location=location, derived_enrollment_ids=True)
        # A file without a class column says nothing about classes: their stored places are left alone.
        places = Mode.BULK if "class" in self.mapping.columns else Mode.ABSENT
        roster.modes = {RecordKind.PERSON: Mode.BULK, RecordKind.CLASS: places, RecordKind.ENROLLMENT: places}
        roster.rejected.extend(self.table.rejected)
        if self.table.encoding:
            roster.encodings[self.table.file] = self.table.encoding
        roster.notes.append(self.table.describe())
        mapped = set(self.mapping.columns.values())
        unknown = [h for h in self.table.header if h and h not in mapped]
        if unknown:
            roster.notes.append(f"columns not in the mapping, ignored: {', '.join(unknown)}")
        if "subject" in self.mapping.columns:
            roster.notes.append(
                f"column «{self.mapping.columns['subject']}» (subject) is checked but not stored: the roster links "
                "teachers to subjects through the subgroups they teach"
            )
        if "snils" in self.mapping.columns:
            title = self.mapping.columns["snils"]
            numbers = [
                v.digits for _, cells in self.table.rows if (v := check_snils_cell(cells.get(title))) and v.valid
            ]
            self.shared_snils = {n for n, count in Counter(numbers).items() if count > 1}
        for line, cells in self.table.rows:
            values = {field: cells.get(title) for field, title in self.mapping.columns.items()}
            try:
                self.row(roster, values, line)
            except _RowError as exc:
                roster.rejected.append(RowProblem(self.table.file, line, str(exc)))
        roster.classes = [Incoming(c, self.table.file, 0) for c in self.classes.values()]
        return roster

    def column(self, field: str) -> str:
        return f"column «{self.mapping.columns[field]}»"

    def cell(self, field: str, parse: Any, value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            raise _RowError(f"{self.column(field)}: {exc}") from None

    def row(self, roster: ParsedRoster, v: dict[str, Any], line: int) -> None:
        fmt = self.mapping.formats
        last, first = text(v["last_name"]), text(v["first_name"])
        for field, value in (("last_name", last), ("first_name", first)):
            if not value:
                raise _RowError(f"{self.column(field)} is empty")
        middle = text(v.get("middle_name")) or None
        birth = self.cell("birth_date", lambda x: parse_date(x, fmt.dates), v.get("birth_date"))
        gender = self.cell("gender", lambda x: parse_gender(x, fmt.gender), v.get("gender"))
        verdict = check_snils_cell(v.get("snils"))
        snils = verdict.digits if verdict and verdict.valid else None
        if verdict and not verdict.valid:
            roster.warnings.append(
                RowProblem(
                    self.table.file,
                    line,
                    f"{self.column('snils')}: {verdict.message}; imported without СНИЛС, the value is kept for the "
                    "records clerk",
                )
            )
        sid = text(v.get("id"))
        if not sid:
            if not snils and birth is None:
                raise _RowError(
                    f"the row has no id, no valid СНИЛС and no birth date, so it cannot be told from a namesake; "
                    f"fill {self.column('birth_date') if 'birth_date' in self.mapping.columns else 'a birth date'}"
                )
            sid = derived_person_id(None if snils in self.shared_snils else snils, last, first, middle, birth)
        if sid in self.first_line:
            raise _RowError(
                f"the same person as on line {self.first_line[sid]} (same id, SNILS or names and birth date)"
            )
        # The class is read before anything of the row is kept: a rejected row leaves nothing behind.
        place: tuple[str, int] | None = None
        if "class" in self.mapping.columns and text(v.get("class")):
            place = self.cell("class", class_name, v["class"])
        elif self.pupils:
            raise _RowError(f"{self.column('class')} is empty; a pupil is enrolled in a class")
        roles = frozenset({Role.STUDENT} if self.pupils else {self.staff_role(v.get("role"))})
        try:
            person = Person(
                id=sid,
                roles=roles,
                last_name=last,
                first_name=first,
                middle_name=middle,
                birth_date=birth,
                gender=gender,
                snils=snils,
                snils_rejected=verdict.raw.strip() if verdict and not verdict.valid else None,
                email=text(v.get("email")) or None,
                phone=text(v.get("phone")) or None,
            )
        except pydantic.ValidationError as exc:
            error = exc.errors()[0]
            raise _RowError(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}") from None
        keep = frozenset(f for f in _OPTIONAL_PERSON_FIELDS if f not in self.mapping.columns)
        roster.persons.append(
            Incoming(person, self.table.file, line, raw_snils=text(v.get("snils")) if snils else None, keep=keep)
        )
        roster.seen(RecordKind.PERSON, sid)
        self.first_line[sid] = line
        if place is not None:
            self.enroll(roster, sid, place[0], place[1], line)

    def staff_role(self, value: Any) -> Role:
        position = text(value).lower()
        return Role.TEACHER if any(w in position for w in self.mapping.formats.teacher_positions) else Role.STAFF

    def enroll(self, roster: ParsedRoster, person_id: str, name: str, grade: int, line: int) -> None:
        class_id = f"tbl-{self.year}-{name}"
        if class_id not in self.classes:
            self.classes[class_id] = SchoolClass(id=class_id, name=name, grade=grade, academic_year=self.year)
        role = EnrollmentRole.STUDENT if self.pupils else EnrollmentRole.TEACHER
        eid = derived_enrollment_id(person_id, class_id, role)
        roster.enrollments.append(
            Incoming(Enrollment(id=eid, person_id=person_id, class_id=class_id, role=role), self.table.file, line)
        )
        roster.seen(RecordKind.ENROLLMENT, eid)
