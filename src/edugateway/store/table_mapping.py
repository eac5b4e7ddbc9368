"""The mapping file of `edugateway import table`: how another system's export (CSV or XLSX) maps to our fields.

A TOML file read with tomllib and checked here; every problem is one line naming the key. The package ships
mappings for Аверс-style exports (src/edugateway/mappings/*.toml), loadable by name: `avers-pupils`,
`avers-staff`. The format is documented in README.md («Imports from other systems»).
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edugateway.domain.models import Gender
from edugateway.errors import ValidationError

# Our fields a column may map to. `subject` is read and checked but not stored: the roster has no link from a
# teacher to a subject (a teacher's subjects come from the subgroups they teach), so the report says so.
FIELDS = (
    "id",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "gender",
    "snils",
    "class",
    "email",
    "phone",
    "role",
    "subject",
)
REQUIRED = ("last_name", "first_name")
# A token of `[formats] dates`: the day count Excel stores when a date cell was exported as a number.
EXCEL_SERIAL = "excel"
DELIMITERS = {"auto": None, ";": ";", ",": ",", "\t": "\t", "tab": "\t"}
SHIPPED = {"avers-pupils": "avers_pupils.toml", "avers-staff": "avers_staff.toml"}


class TableKind(StrEnum):
    PUPILS = "pupils"
    STAFF = "staff"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSection(_Strict):
    encoding: str = "auto"
    delimiter: str = "auto"
    header_row: int = Field(default=1, ge=1)  # the line (CSV) or row (XLSX) holding the column titles
    skip_rows: int = Field(default=0, ge=0)  # rows right under the header that are not data (units, numbering)
    sheet: str | None = None  # XLSX: the sheet to read; the first one when unset

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value == "auto":
            return value
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"{value!r} is not an encoding Python knows; use auto, utf-8 or cp1251") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _known_delimiter(cls, value: str) -> str:
        if value not in DELIMITERS:
            raise ValueError(f"{value!r} is not one of auto, ';', ',', tab")
        return value

    @property
    def delimiter_char(self) -> str | None:
        return DELIMITERS[self.delimiter]


class RecordSection(_Strict):
    kind: TableKind
    academic_year: int | None = Field(default=None, ge=2000, le=2100)  # default: the school year of the day


class FormatsSection(_Strict):
    dates: tuple[str, ...] = ("%d.%m.%Y", "%Y-%m-%d", EXCEL_SERIAL)
    gender: dict[str, Gender] = Field(
        default_factory=lambda: {
            "м": Gender.MALE,
            "муж": Gender.MALE,
            "мужской": Gender.MALE,
            "ж": Gender.FEMALE,
            "жен": Gender.FEMALE,
            "женский": Gender.FEMALE,
        }
    )
    # Staff only: a `role` value (the position) holding one of these words makes a teacher, any other staff.
    teacher_positions: tuple[str, ...] = ("учитель", "педагог", "преподаватель", "воспитатель")

    @field_validator("dates")
    @classmethod
    def _some_dates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError('list at least one date format, e.g. ["%d.%m.%Y"]')
        for fmt in value:
            if fmt != EXCEL_SERIAL and "%" not in fmt:
                raise ValueError(f"{fmt!r} is neither a strptime format (%d.%m.%Y) nor {EXCEL_SERIAL!r}")
        return value

    @field_validator("gender")
    @classmethod
    def _lower_keys(cls, value: dict[str, Gender]) -> dict[str, Gender]:
        return {k.strip().lower(): v for k, v in value.items()}


class Mapping(_Strict):
    source: SourceSection = SourceSection()
    record: RecordSection
    columns: dict[str, str]
    formats: FormatsSection = FormatsSection()
    name: str = Field(default="", exclude=True)  # where it was loaded from, for messages

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not a field we know ({', '.join(FIELDS)})")
        missing = [f for f in REQUIRED if f not in value]
        if missing:
            raise ValueError(f"map {', '.join(missing)} to the file's column title(s)")
        titles = [t.strip() for t in value.values()]
        doubled = sorted({t for t in titles if titles.count(t) > 1})
        if doubled:
            raise ValueError(f"column {', '.join(doubled)} is mapped to two fields")
        return {k: v.strip() for k, v in value.items()}

    @model_validator(mode="after")
    def _pupils_have_a_class(self) -> Mapping:
        if self.record.kind is TableKind.PUPILS and "class" not in self.columns:
            raise ValueError("columns: a pupils mapping maps class to the column holding the class («5А»)")
        return self


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by name (`avers-pupils`) or a mapping file; ValidationError with one line otherwise."""
    text, where = _mapping_text(str(name_or_path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{where} is not valid TOML ({exc}); fix it") from None
    try:
        return Mapping.model_validate({**data, "name": where})
    except pydantic.ValidationError as exc:
        raise ValidationError(f"{where}: {_first_problem(exc)}") from None


def _mapping_text(name: str) -> tuple[str, str]:
    if name in SHIPPED:
        return resources.files("edugateway.mappings").joinpath(SHIPPED[name]).read_text(encoding="utf-8"), name
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8"), path.name
    except FileNotFoundError:
        raise ValidationError(
            f"mapping {name!r} is neither a file nor a shipped mapping ({', '.join(SHIPPED)})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read the mapping {path}: {exc}; save it as UTF-8 text") from None


def _first_problem(exc: pydantic.ValidationError) -> str:
    """`[section] key: what is wrong`, for the first problem (a user fixes one thing at a time)."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    msg = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        msg = "is not a key of the mapping format (see README «Imports from other systems»)"
    elif error["type"] == "missing":
        msg = "is missing"
    if not loc:
        return msg
    key = f"[{loc[0]}] {'.'.join(loc[1:])}".strip() if len(loc) > 1 else f"[{loc[0]}]"
    return f"{key}: {msg}"
