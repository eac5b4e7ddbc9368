"""Which reader `import journal` uses for a path: the layout's workbook or CSV folder, or a OneRoster gradebook
folder (results.csv, lineItems.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edugateway.cli._journal import journal_reader
from edugateway.errors import ValidationError
from edugateway.store.import_limits import ImportLimits
from support.journal_school import write_csv


def test_a_gradebook_folder_goes_to_the_gradebook_reader(tmp_path: Path) -> None:
    write_csv(tmp_path / "results.csv", [["sourcedId", "score"]])
    with pytest.raises(ValidationError, match=r"lineItems\.csv") as refused:  # the gradebook reader's own refusal
        journal_reader(tmp_path, ImportLimits())()
    assert "\n" not in str(refused.value)


def test_the_layout_folder_and_workbook_are_told_apart_from_anything_else(tmp_path: Path) -> None:
    write_csv(tmp_path / "j" / "marks.csv", [["id", "person", "lesson", "value"], ["m1", "s1", "L1", "5"]])
    assert journal_reader(tmp_path / "j", ImportLimits())().source == "journal-csv"
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValidationError, match="neither a journal workbook"):
        journal_reader(tmp_path / "notes.txt", ImportLimits())
