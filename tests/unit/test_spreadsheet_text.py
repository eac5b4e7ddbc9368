"""The one rule for data text in spreadsheets: what looks like a formula, how an XLSX cell and a CSV field
keep it text."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from edugateway.spreadsheet_text import as_text, csv_text, formula_refusal, looks_like_formula, text_cell


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+7", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_a_leading_formula_sign_looks_like_a_formula(value: str) -> None:
    assert looks_like_formula(value)
    assert csv_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Римский-Корсаков", "Салтыков-Щедрин", "Мария", "5А", "", "a=b", "O'Neil"])
def test_a_hyphen_or_sign_inside_is_an_ordinary_name(value: str) -> None:
    assert not looks_like_formula(value)
    assert csv_text(value) == value


def test_non_strings_pass_through_csv_and_cells_unchanged() -> None:
    ws = Workbook().active
    assert csv_text(-5) == -5
    assert text_cell(ws, -5) == -5  # a negative number in a numeric column is a number, not a name
    assert text_cell(ws, None) is None


def test_a_formula_looking_string_becomes_a_quoted_text_cell() -> None:
    ws = Workbook().active
    assert ws is not None
    cell = as_text(ws.cell(1, 1, value="=1+1"))
    assert (cell.data_type, cell.quotePrefix, cell.value) == ("s", True, "=1+1")
    error_code = text_cell(ws, "#N/A")  # openpyxl would store it as an error value
    assert (error_code.data_type, error_code.quotePrefix, error_code.value) == ("s", False, "#N/A")
    assert text_cell(ws, "Иванова") == "Иванова"  # openpyxl writes a plain string as an inline string itself


def test_the_refusal_names_the_sign_and_says_what_to_do() -> None:
    assert formula_refusal("familyName", "=1") == (
        'familyName begins with "=", which a spreadsheet runs as a formula; write it without that sign'
    )
    assert "begins with a tab" in formula_refusal("«Имя»", "\t=1")
