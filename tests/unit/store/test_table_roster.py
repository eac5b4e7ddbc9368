"""`import table` reading (issue 18: «encoding and delimiter detected or set, columns mapped to our fields, date
and SNILS formats normalised, unknown columns listed»): detection reported, derived ids stable, a missing mapped
column refused in one line naming it and the file's columns, XLSX read from the first or the named sheet."""

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import Role
from edugateway.errors import ValidationError
from edugateway.store.roster import Mode
from edugateway.store.table_files import detect_delimiter
from edugateway.store.table_mapping import Mapping, load_mapping
from edugateway.store.table_roster import derived_person_id, read_table_roster, school_year

TODAY = dt.date(2026, 12, 1)
HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Класс"]
IVANOV = ["Иванов", "Пётр", "Сергеевич", "01.02.2015", "М", "112-233-445 95", "5 а"]
PETROVA = ["Петрова", "Анна", "", "04.03.2015", "Ж", "", "5А"]


def _csv(tmp_path: Path, rows: list[list[str]], *, sep: str = ";", encoding: str = "cp1251") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes("".join(sep.join(r) + "\r\n" for r in rows).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding", "described"),
    [
        (";", "cp1251", "read as cp1251, columns separated by «;»"),
        (",", "utf-8", "read as utf-8, columns separated by «,»"),
        ("\t", "utf-8-sig", "read as utf-8-sig, columns separated by tab"),
    ],
)
def test_encoding_and_delimiter_are_detected_and_reported(
    tmp_path: Path, sep: str, encoding: str, described: str
) -> None:
    path = _csv(tmp_path, [HEADER, IVANOV, PETROVA], sep=sep, encoding=encoding)
    roster = read_table_roster(path, load_mapping("avers-pupils"), today=TODAY)
    assert roster.notes == [f"export.csv {described} (detected: encoding, delimiter)"]
    assert roster.encodings == {"export.csv": encoding}
    assert [p.record.last_name for p in roster.persons] == ["Иванов", "Петрова"]
    assert roster.rejected == []


def test_a_set_encoding_and_delimiter_are_used_as_set(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER, IVANOV], sep=",", encoding="cp1251")
    mapping = load_mapping("avers-pupils").model_copy(update={"source": _source(encoding="cp1251", delimiter=",")})
    roster = read_table_roster(path, mapping, today=TODAY)
    assert roster.notes == ["export.csv read as cp1251, columns separated by «,»"]


def _source(**kw: object) -> object:
    from edugateway.store.table_mapping import SourceSection

    return SourceSection.model_validate(kw)


def test_the_delimiter_of_a_header_line() -> None:
    assert detect_delimiter("Фамилия;Имя;Отчество") == ";"
    assert detect_delimiter("a,b;c,d") == ","
    assert detect_delimiter("Фамилия\tИмя") == "\t"
    with pytest.raises(ValueError, match="none of «;», «,» or tab"):
        detect_delimiter("Фамилия")


def test_a_pupil_row_becomes_a_person_a_class_and_an_enrollment(tmp_path: Path) -> None:
    roster = read_table_roster(_csv(tmp_path, [HEADER, IVANOV]), load_mapping("avers-pupils"), today=TODAY)
    (person,) = roster.persons
    assert person.record.id == derived_person_id("11223344595", "", "", None, None)
    assert person.record.roles == {Role.STUDENT}
    assert person.record.birth_date == dt.date(2015, 2, 1)
    assert person.record.snils == "11223344595"
    assert person.keep == {"email", "phone"}  # not in the file: the stored values stay
    (cls,) = roster.classes
    assert (cls.record.id, cls.record.name, cls.record.grade, cls.record.academic_year) == (
        "tbl-2026-5А",
        "5А",
        5,
        2026,
    )
    (enr,) = roster.enrollments
    assert (enr.record.person_id, enr.record.class_id) == (person.record.id, "tbl-2026-5А")
    assert roster.modes == {RecordKind.PERSON: Mode.BULK, RecordKind.CLASS: Mode.BULK, RecordKind.ENROLLMENT: Mode.BULK}


def test_derived_ids_are_stable_and_do_not_show_the_snils() -> None:
    by_snils = derived_person_id("11223344595", "Иванов", "Пётр", None, None)
    assert by_snils == derived_person_id("11223344595", "Другой", "Человек", "Х", dt.date(2000, 1, 1))
    assert "11223344595" not in by_snils
    by_name = derived_person_id(None, "Ёлкина", "Анна", None, dt.date(2015, 3, 4))
    assert by_name == derived_person_id(None, " елкина", "АННА", "", dt.date(2015, 3, 4))
    assert by_name != derived_person_id(None, "Ёлкина", "Анна", None, dt.date(2015, 3, 5))


def test_a_snils_on_two_rows_identifies_neither(tmp_path: Path) -> None:
    sibling = ["Иванова", "Мария", "Сергеевна", "02.03.2017", "Ж", "112-233-445 95", "3Б"]
    roster = read_table_roster(_csv(tmp_path, [HEADER, IVANOV, sibling]), load_mapping("avers-pupils"), today=TODAY)
    assert roster.rejected == []
    ids = [p.record.id for p in roster.persons]
    assert ids == [
        derived_person_id(None, "Иванов", "Пётр", "Сергеевич", dt.date(2015, 2, 1)),
        derived_person_id(None, "Иванова", "Мария", "Сергеевна", dt.date(2017, 3, 2)),
    ]


def test_bad_rows_are_rejected_with_line_and_column_and_the_rest_read(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["Сидоров", "Илья", "", "31.02.2015", "М", "", "5Б"],
        ["Сидоров", "Илья", "", "", "М", "", "5Б"],
        ["Ким", "Ли", "", "01.01.2015", "?", "", "5Б"],
        ["Ким", "Ли", "", "01.01.2015", "М", "", "Б5"],
        ["", "Ли", "", "01.01.2015", "М", "", "5Б"],
        ["Ким", "Ли", "", "01.01.2015", "М", "", ""],
        ["Ким", "Ли", "", "01.01.2015", "М", "112-233-445 96"],
        PETROVA,
    ]
    roster = read_table_roster(_csv(tmp_path, rows), load_mapping("avers-pupils"), today=TODAY)
    assert [(p.line, p.reason.split(";")[0].split(":")[0]) for p in roster.rejected] == [
        (8, "the row has 6 fields but the header has 7"),
        (2, "column «Дата рождения»"),
        (3, "the row has no id, no valid СНИЛС and no birth date, so it cannot be told from a namesake"),
        (4, "column «Пол»"),
        (5, "column «Класс»"),
        (6, "column «Фамилия» is empty"),
        (7, "column «Класс» is empty"),
    ]
    assert [p.record.last_name for p in roster.persons] == ["Петрова"]


def test_a_mapped_column_the_file_lacks_is_refused_naming_it_and_the_files_columns(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER[:-1], IVANOV[:-1]])
    with pytest.raises(ValidationError) as caught:
        read_table_roster(path, load_mapping("avers-pupils"), today=TODAY)
    assert str(caught.value) == (
        "export.csv has no column «Класс» (mapping avers-pupils); its columns are: Фамилия, Имя, Отчество, "
        "Дата рождения, Пол, СНИЛС"
    )


def test_unknown_columns_are_listed_and_staff_positions_give_roles(tmp_path: Path) -> None:
    header = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Должность", "Предмет", "Стаж"]
    rows = [
        header,
        ["Орлова", "Анна", "", "01.01.1980", "Ж", "", "Учитель математики", "Математика", "20"],
        ["Орлов", "Иван", "", "01.01.1970", "М", "", "Заместитель директора по АХЧ", "", "5"],
    ]
    roster = read_table_roster(_csv(tmp_path, rows), load_mapping("avers-staff"), today=TODAY)
    assert [p.record.roles for p in roster.persons] == [{Role.TEACHER}, {Role.STAFF}]
    assert roster.notes[1] == "columns not in the mapping, ignored: Стаж"
    assert "«Предмет» (subject) is checked but not stored" in roster.notes[2]
    # No class column: the stored classes and class places are none of this file's business.
    assert roster.modes[RecordKind.ENROLLMENT] is Mode.ABSENT
    assert roster.enrollments == []


def test_an_xlsx_export_is_read_from_the_named_sheet_under_its_header_row(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Сводка"
    ws = wb.create_sheet("Ученики")
    ws.append(["Список учащихся на 01.12.2026"])
    ws.append(HEADER)
    ws.append(["Иванов", "Пётр", "Сергеевич", dt.datetime(2015, 2, 1), "М", 11223344595, "5А"])
    ws.append(["Петрова", "Анна", None, 42067, "Ж", None, "5А"])
    wb.save(tmp_path / "export.xlsx")
    base: Mapping = load_mapping("avers-pupils")
    mapping = base.model_copy(update={"source": _source(sheet="Ученики", header_row=2)})
    roster = read_table_roster(tmp_path / "export.xlsx", mapping, today=TODAY)
    assert roster.rejected == []
    assert roster.notes == ["export.xlsx:Ученики read as an XLSX workbook"]
    assert [(p.record.birth_date, p.record.snils, p.line) for p in roster.persons] == [
        (dt.date(2015, 2, 1), "11223344595", 3),
        (dt.date(2015, 3, 4), None, 4),
    ]


def test_the_school_year_starts_on_1_september() -> None:
    assert school_year(dt.date(2026, 8, 31)) == 2025
    assert school_year(dt.date(2026, 9, 1)) == 2026
