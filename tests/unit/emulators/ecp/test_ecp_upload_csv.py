"""edu-upload CSV checks: what a good file gives, and every way a file or row is refused."""

from __future__ import annotations

import pytest

from edugateway.emulators.ecp.upload_csv import FileRejected, parse_file
from edugateway.emulators.ecp.upload_tables import REPRESENTATIVES, STUDENTS

HEADER = "student_id;org_ogrn;last_name;first_name;middle_name;birth_date;gender;snils;class_name"
GOOD = "s1;1026600000001;Иванов;Пётр;Сергеевич;01.09.2015;M;112-233-445 95;5А"


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_good_file_gives_its_rows_by_key_with_the_snils_as_digits() -> None:
    parsed = parse_file(
        STUDENTS, _csv(HEADER, GOOD, "s2;1026600000001;Ким;Ли;;31.12.2014;F;;11Б"), "f.csv", deleting=False
    )
    assert parsed.errors == []
    assert parsed.rows[("s1",)]["snils"] == "11223344595"
    assert parsed.rows[("s2",)] == {
        "student_id": "s2",
        "org_ogrn": "1026600000001",
        "last_name": "Ким",
        "first_name": "Ли",
        "birth_date": "31.12.2014",
        "gender": "F",
        "class_name": "11Б",
    }


def test_excel_bom_and_quoted_fields_are_read() -> None:
    raw = b"\xef\xbb\xbf" + _csv(HEADER, 's1;1026600000001;"Салтыков-Щедрин";Пётр;;01.09.2015;M;;5А')
    parsed = parse_file(STUDENTS, raw, "f.csv", deleting=False)
    assert parsed.rows[("s1",)]["last_name"] == "Салтыков-Щедрин"


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("s1;1026600000001;Иванов;Пётр;;01.09.2015;M;112-233-445 96;5А", "snils", "СНИЛС неверен: checksum"),
        ("s1;1026600000001;Иванов;Пётр;;2015-09-01;M;;5А", "birth_date", "ДД.ММ.ГГГГ"),
        ("s1;1026600000001;Иванов;Пётр;;31.02.2015;M;;5А", "birth_date", "такой даты нет"),
        ("s1;1026600000001;;Пётр;;01.09.2015;M;;5А", "last_name", "не заполнено"),
        ("s1;1026600000001;Ivanov;Пётр;;01.09.2015;M;;5А", "last_name", "кириллица"),
        ("s1;102660;Иванов;Пётр;;01.09.2015;M;;5А", "org_ogrn", "13 цифр"),
        ("s1;1026600000001;Иванов;Пётр;;01.09.2015;М;;5А", "gender", "M или F"),  # Cyrillic М
        ("s1;1026600000001;Иванов;Пётр;;01.09.2015;M;;12А", "class_name", "номер 1–11"),
        ("s1;1026600000001;Иванов;Пётр;01.09.2015;M;;5А", None, "в строке 8 полей, в заголовке 9"),
    ],
)
def test_a_bad_row_is_refused_with_its_line_and_column(line: str, column: str | None, reason: str) -> None:
    parsed = parse_file(STUDENTS, _csv(HEADER, GOOD.replace("s1", "s0"), line), "students.csv", deleting=False)
    assert list(parsed.rows) == [("s0",)]
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.file, error.line, error.column) == ("students.csv", 3, column)
    assert reason in error.message
    assert "Иванов" not in error.message  # values are personal data: never echoed


def test_a_key_twice_in_one_file_is_refused_the_second_time() -> None:
    parsed = parse_file(STUDENTS, _csv(HEADER, GOOD, GOOD), "f.csv", deleting=False)
    assert [e.line for e in parsed.errors] == [3]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (HEADER.encode("cp1251") + b"\n" + GOOD.encode("cp1251"), "UTF-8"),
        (_csv(HEADER.replace(";", ","), GOOD.replace(";", ",")), "точка с запятой ';' (найден ',')"),
        (_csv(HEADER + ";shoe_size", GOOD + ";42"), "неизвестные столбцы shoe_size"),
        (_csv(HEADER.replace(";class_name", ""), GOOD.rsplit(";", 1)[0]), "нет обязательных столбцов: class_name"),
        (_csv(HEADER + ";gender", GOOD + ";M"), "столбцы повторяются: gender"),
        (b"", "файл пуст"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(raw: bytes, reason: str) -> None:
    with pytest.raises(FileRejected) as caught:
        parse_file(STUDENTS, raw, "students.csv", deleting=False)
    assert reason in caught.value.error.message
    assert caught.value.error.line in (0, 1)


def test_a_delete_file_needs_only_the_key_columns() -> None:
    parsed = parse_file(REPRESENTATIVES, _csv("representative_id;student_id", "p1;s1"), "r.csv", deleting=True)
    assert parsed.errors == []
    assert list(parsed.rows) == [("p1", "s1")]
    with pytest.raises(FileRejected, match="нет обязательных столбцов: student_id"):
        parse_file(REPRESENTATIVES, _csv("representative_id", "p1"), "r.csv", deleting=True)
    assert list(parse_file(STUDENTS, _csv("student_id", "s1", "s2"), "s.csv", deleting=True).rows) == [("s1",), ("s2",)]
