"""The tables the edu-upload service accepts, with their columns and formats.

The OpenAPI document fixes only the transport (`;`-separated UTF-8 CSV, the table as a path segment or a
file name, 200/400/500). It names no tables and no columns; the two below are inferred from its tag
("сведения по ученикам и их представителей") and from what the federal platform needs to find a Госуслуги
account: full name, birth date, SNILS, the school (ОГРН) and the class. Column names are kept in one place so
a real column list, once known, replaces this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Format(StrEnum):
    TEXT = "text"
    NAME = "name"  # Cyrillic letters, spaces, hyphens, apostrophes
    DATE = "date"  # DD.MM.YYYY
    SNILS = "snils"  # 11 digits or XXX-XXX-XXX YY, checksum checked
    GENDER = "gender"  # M or F, as ЕСИА writes it
    OGRN = "ogrn"  # 13 digits
    CLASS = "class"  # 1..11 and a letter: 5А
    RELATION = "relation"
    PHONE = "phone"  # +7XXXXXXXXXX
    EMAIL = "email"


RELATIONS = frozenset({"mother", "father", "guardian", "trustee", "other"})


@dataclass(frozen=True)
class Column:
    name: str
    format: Format = Format.TEXT
    required: bool = False
    max_length: int = 100


@dataclass(frozen=True)
class UploadTable:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # identifies a row for upsert and delete

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def required_for(self, deleting: bool) -> tuple[str, ...]:
        """A delete file needs the key columns only; an upload file every required column."""
        return self.key if deleting else tuple(c.name for c in self.columns if c.required)


STUDENTS = UploadTable(
    name="students",
    columns=(
        Column("student_id", required=True, max_length=64),
        Column("org_ogrn", Format.OGRN, required=True),
        Column("last_name", Format.NAME, required=True),
        Column("first_name", Format.NAME, required=True),
        Column("middle_name", Format.NAME),
        Column("birth_date", Format.DATE, required=True),
        Column("gender", Format.GENDER),
        Column("snils", Format.SNILS),
        Column("class_name", Format.CLASS, required=True),
        Column("admission_date", Format.DATE),
    ),
    key=("student_id",),
)

REPRESENTATIVES = UploadTable(
    name="representatives",
    columns=(
        Column("representative_id", required=True, max_length=64),
        Column("student_id", required=True, max_length=64),
        Column("relation", Format.RELATION, required=True),
        Column("last_name", Format.NAME, required=True),
        Column("first_name", Format.NAME, required=True),
        Column("middle_name", Format.NAME),
        Column("birth_date", Format.DATE),
        Column("gender", Format.GENDER),
        Column("snils", Format.SNILS),
        Column("phone", Format.PHONE),
        Column("email", Format.EMAIL),
    ),
    key=("representative_id", "student_id"),
)

# Upload order matters: a representative refers to a student received before or in the same request.
TABLES: dict[str, UploadTable] = {t.name: t for t in (STUDENTS, REPRESENTATIVES)}
SUPPORTED_VERSIONS = frozenset({"v1"})
