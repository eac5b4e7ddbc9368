import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from edugateway.domain.models import Gender, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ValidationError
from edugateway.store.roster import Mode
from edugateway.store.xlsx_roster import PEOPLE, SCHOOL, SHEETS, read_xlsx, write_template


def _fill(path: Path, sheet: str, rows: list[list[Any]]) -> None:
    wb = load_workbook(path)
    for row in rows:
        wb[sheet].append(row)
    wb.save(path)


def test_the_empty_template_has_russian_headers_hints_and_drop_downs(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    assert write_template(path) == dict.fromkeys(SHEETS, 0)
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Инструкция", SCHOOL, "Предметы"]
    people = wb[PEOPLE]
    assert [c.value for c in people[1]][:4] == ["ID *", "Роли *", "Фамилия *", "Имя *"]
    assert people["C1"].comment is not None
    assert "Иванова" in people["C1"].comment.text
    lists = [dv.formula1 for dv in people.data_validations.dataValidation]
    assert '"М,Ж"' in lists
    assert people.column_dimensions["H"].number_format == "@"  # СНИЛС stays text, leading zeros and all


def test_a_filled_template_reads_back_the_same_records(tmp_path: Path, tiny_school: SchoolSnapshot) -> None:
    path = tmp_path / "school.xlsx"
    counts = write_template(path, tiny_school)
    assert counts[PEOPLE] == 4
    roster = read_xlsx(path)
    assert roster.school == tiny_school.school
    assert [i.record for i in roster.persons] == tiny_school.persons
    assert [i.record for i in roster.classes] == tiny_school.classes
    assert [i.record for i in roster.periods] == tiny_school.periods
    assert [i.record for i in roster.enrollments] == tiny_school.enrollments
    assert [i.record for i in roster.parent_links] == tiny_school.parent_links
    assert roster.mode("person") is Mode.BULK
    assert roster.rejected == []
    assert [(w.file, w.line) for w in roster.warnings] == [("school.xlsx:Люди", 3)]  # s2's invalid SNILS


def test_bad_rows_are_rejected_with_sheet_row_and_column_and_good_rows_stay(tmp_path: Path) -> None:
    path = tmp_path / "clerk.xlsx"
    write_template(path)
    _fill(path, SCHOOL, [])
    wb = load_workbook(path)
    wb[SCHOOL]["B2"] = "МБОУ СОШ № 7"
    wb.save(path)
    _fill(
        path,
        PEOPLE,
        [
            ["s1", "ученик", "Петрова", "Анна", "Ивановна", dt.datetime(2015, 5, 1), "ж", "112-233-445 95"],
            ["s2", "ученик", "Сидоров", None, None, "31.02.2015"],
            ["s3", "директор", "Кузнецов", "Иван"],
            ["s1", "ученик", "Двойник", "Анна"],
            ["s4", "ученик, родитель", "Орлова", "Вера", None, "01.04.2014", "Ж", 2233445505],
        ],
    )
    roster = read_xlsx(path)
    problems = {p.line: p for p in roster.rejected}
    assert problems[3].file == "clerk.xlsx:Люди"
    assert "«Имя»" in problems[3].reason
    assert "«Роли»" in problems[4].reason
    assert "row 2" in problems[5].reason
    assert set(problems) == {3, 4, 5}
    people = {i.record.id: i.record for i in roster.persons}
    assert people["s1"].gender is Gender.FEMALE
    assert people["s1"].birth_date == dt.date(2015, 5, 1)
    assert people["s1"].snils == "11223344595"
    assert people["s4"].roles == frozenset({Role.STUDENT, Role.PARENT})
    assert people["s4"].snils == "02233445505"  # Excel kept the number as a number and lost the zero
    assert roster.school is not None
    assert roster.school.name == "МБОУ СОШ № 7"
    # Empty sheets leave the stored records alone.
    assert roster.mode("class") is Mode.ABSENT


def test_a_wrong_header_rejects_the_sheet_and_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "clerk.xlsx"
    write_template(path)
    wb = load_workbook(path)
    wb[PEOPLE]["C1"] = "Фамилия и имя"
    wb[PEOPLE].append(["s1", "ученик", "Петрова Анна", "Анна"])
    wb.save(path)
    roster = read_xlsx(path)
    assert roster.rejected[0].file == "clerk.xlsx:Люди"
    assert "«Фамилия»" in roster.rejected[0].reason
    assert roster.persons == []


def test_a_file_that_is_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_text("sourcedId,givenName\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"not an \.xlsx workbook"):
        read_xlsx(path)
    with pytest.raises(ValidationError, match="does not exist"):
        read_xlsx(tmp_path / "missing.xlsx")
