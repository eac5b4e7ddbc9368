import csv

import pytest

from edugateway.domain.snils import (
    SnilsProblem,
    check_snils,
    control_number,
    format_snils,
    mask_snils,
    normalize_snils,
)
from support.fixture_files import FIXTURES

VECTORS = FIXTURES / "snils" / "snils-test-vectors.csv"


def _rows() -> list[dict[str, str]]:
    with VECTORS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["input"])
def test_every_vector(row: dict[str, str]) -> None:
    verdict = check_snils(row["input"])
    assert verdict.canonical == row["canonical"]
    assert verdict.valid is (row["valid"] == "True")
    if int(verdict.digits[:9]) > 1_001_998:  # type: ignore[index]
        assert f"{control_number(verdict.digits[:9]):02d}" == row["expected_check"]  # type: ignore[index]


def test_vectors_file_has_rows() -> None:
    assert len(_rows()) >= 30


@pytest.mark.parametrize(
    "raw", ["112-233-445 95", "112-233-445-95", "11223344595", " 112 233 445 95 ", "112–233–445 95"]
)
def test_common_input_forms(raw: str) -> None:
    assert normalize_snils(raw) == "11223344595"


@pytest.mark.parametrize(
    ("raw", "problem", "words"),
    [
        ("", SnilsProblem.EMPTY, "empty"),
        ("112-233-445 9", SnilsProblem.LENGTH, "10"),
        ("112-233-44O 95", SnilsProblem.NON_DIGITS, "'O'"),
        ("112-233-445 96", SnilsProblem.CHECKSUM, "give 95"),
    ],
)
def test_reason_says_what_is_wrong(raw: str, problem: SnilsProblem, words: str) -> None:
    verdict = check_snils(raw)
    assert verdict.problem is problem
    assert words in verdict.message
    with pytest.raises(ValueError, match=r"СНИЛС|control"):
        normalize_snils(raw)


def test_format_and_mask() -> None:
    assert format_snils("11223344595") == "112-233-445 95"
    assert mask_snils("112-233-445 95") == "***-***-*45 **"
    assert mask_snils("123") == "***"
