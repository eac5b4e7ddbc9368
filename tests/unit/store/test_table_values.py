"""Cell values of another system's export normalised to our fields (issue 18: «date and SNILS formats
normalised»): dates in the mapping's formats or as Excel day numbers, gender words, SNILS in any typed form,
class names."""

import datetime as dt

import pytest

from edugateway.domain.models import Gender
from edugateway.store.table_values import check_snils_cell, class_name, parse_date, parse_gender

FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "excel")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01.02.2015", dt.date(2015, 2, 1)),
        ("2015-02-01", dt.date(2015, 2, 1)),
        ("42036", dt.date(2015, 2, 1)),  # Excel's day number for 01.02.2015
        (42036, dt.date(2015, 2, 1)),
        (42036.0, dt.date(2015, 2, 1)),
        (dt.datetime(2015, 2, 1, 0, 0), dt.date(2015, 2, 1)),
        ("  ", None),
        (None, None),
    ],
)
def test_dates_in_the_mappings_formats(value: object, expected: dt.date | None) -> None:
    assert parse_date(value, FORMATS) == expected


def test_a_date_in_no_format_names_the_formats() -> None:
    with pytest.raises(ValueError, match=r"'31\.02\.2015' is not a date in the mapping's formats \(%d\.%m\.%Y, "):
        parse_date("31.02.2015", FORMATS)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("42036", ("%d.%m.%Y",))  # a day number is read only when the mapping says "excel"


def test_gender_words_of_the_mapping() -> None:
    words = {"м": Gender.MALE, "жен": Gender.FEMALE}
    assert parse_gender("М", words) is Gender.MALE
    assert parse_gender(" Жен ", words) is Gender.FEMALE
    assert parse_gender("", words) is None
    with pytest.raises(ValueError, match=r"'X' is not one of the mapping's gender values \(м, жен\)"):
        parse_gender("X", words)


@pytest.mark.parametrize("value", ["11223344595", "112-233-445 95", "112 233 445 95", "112-233-445-95", 11223344595])
def test_snils_in_any_typed_form_gives_the_same_digits(value: object) -> None:
    verdict = check_snils_cell(value)
    assert verdict is not None
    assert verdict.valid
    assert verdict.digits == "11223344595"


def test_a_snils_number_cell_gets_its_leading_zeros_back() -> None:
    verdict = check_snils_cell(1001999 * 100 + 65)  # 001-001-999 65 stored by Excel as a number
    assert verdict is not None
    assert verdict.valid
    assert verdict.digits == "00100199965"


def test_a_wrong_snils_is_a_verdict_not_an_exception() -> None:
    verdict = check_snils_cell("112-233-445 96")
    assert verdict is not None
    assert not verdict.valid
    assert check_snils_cell("") is None


@pytest.mark.parametrize(
    ("value", "expected"), [("5А", ("5А", 5)), ("5 а", ("5А", 5)), ("11-б", ("11Б", 11)), ("1", ("1", 1))]
)
def test_class_names_and_their_grade(value: str, expected: tuple[str, int]) -> None:
    assert class_name(value) == expected


@pytest.mark.parametrize("value", ["А5", "", "пятый", "15А"])
def test_a_class_without_a_school_grade_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"class name|school grade"):
        class_name(value)
