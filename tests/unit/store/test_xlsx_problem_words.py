"""Issue 17, finding 1: the XLSX template's rejection reasons reached the clerk in English. Every problem a
badly filled template gets is read here in Russian; the stored reason stays English (import_runs)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpyxl import load_workbook

from edugateway.store.xlsx_problem_words import russian_reason
from edugateway.store.xlsx_roster import CLASSES, ENROLLMENTS, PEOPLE, PERIODS, SCHOOL, read_xlsx, write_template

# What may stay Latin once the values the clerk typed (in quotes) are set aside.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _bad_template(path: Path) -> None:
    write_template(path)
    wb = load_workbook(path)
    wb[SCHOOL]["B2"] = None  # the school's name left empty
    wb[SCHOOL].append(["Директор", "Иванов"])  # not a field of the school sheet
    wb[PEOPLE]["L1"] = "Примечание"  # not a template column
    for row in [
        ["s1", "ученик", "Петрова", "Анна", None, "31.02.2015", "ж", "112-233-445 96"],  # bad date, bad SNILS
        ["s2", "директор", "Кузнецов", "Иван"],  # unknown role
        ["s1", "ученик", "Двойник", "Анна"],  # the same ID twice
        ["s3", "ученик", "@Вера", "Вера"],  # what a spreadsheet runs as a formula
        ["s4", "ученик", "Орлова", None],  # empty first name
        ["s6", "ученик", "Орлова", "Вера", None, None, "X"],  # bad gender
        ["s5", "ученик", "Белова", "Ира", None, None, None, "12345"],  # a SNILS of 5 digits
    ]:
        wb[PEOPLE].append(row)
    wb[PERIODS].append(["rp1", "1 четверть", "сезон", 2026, dt.date(2026, 9, 1), dt.date(2026, 10, 26)])
    wb[PERIODS].append(["rp2", "2 четверть", "четверть", "две тысячи", dt.date(2026, 11, 5), dt.date(2026, 12, 28)])
    wb[ENROLLMENTS].append(["s1", "cls-5А", "директор"])
    wb[CLASSES].delete_rows(1)  # no header row at all
    wb[CLASSES].append(["cls-5А", "5А", 5, 2026])
    wb.create_sheet("Мои заметки")
    wb.save(path)


def test_every_problem_of_a_badly_filled_template_reads_in_russian(tmp_path: Path) -> None:
    path = tmp_path / "clerk.xlsx"
    _bad_template(path)
    roster = read_xlsx(path)
    reasons = [p.reason for p in [*roster.rejected, *roster.warnings]]
    assert len(reasons) >= 10, reasons
    assert any("is not" in r for r in reasons)  # the stored words are English, and stay so

    shown = [russian_reason(r) for r in reasons]

    for english, russian in zip(reasons, shown, strict=True):
        left = _LATIN_WORD.findall(_QUOTED.sub("", russian))
        assert not [w for w in left if w not in {"xlsx"}], (english, russian)
    joined = "\n".join(shown)
    for phrase in (
        "— не дата; пишите как 01.09.2026",
        "— не одно из: ученик, учитель, родитель, сотрудник",
        "уже есть в строке",
        "начинается с",
        "загружен без СНИЛС",
        "в СНИЛС 11 цифр, а здесь 5",
        "не из шаблона",
        "— не «М» и не «Ж»",
        "— не целое число",
        "— не «ученик» и не «учитель»",
    ):
        assert phrase in joined, phrase


def test_a_reason_it_does_not_know_is_left_as_it_is() -> None:
    assert russian_reason("something new went wrong") == "something new went wrong"
