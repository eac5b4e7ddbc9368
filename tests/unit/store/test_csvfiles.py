from pathlib import Path

from edugateway.store.csvfiles import decode, read_table
from edugateway.store.roster import RowProblem


def test_decode_reads_utf8_with_and_without_bom_and_falls_back_to_cp1251() -> None:
    text = "Иванова,Мария\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("cp1251")) == (text, "cp1251")


def test_decode_reads_utf16_that_excel_writes_as_unicode_text() -> None:
    text = "sourcedId\tИванова\n"
    assert decode(text.encode("utf-16")) == (text, "utf-16")


def _read(path: Path, content: bytes) -> tuple[object, list[RowProblem], list[RowProblem]]:
    path.write_bytes(content)
    rejected: list[RowProblem] = []
    warnings: list[RowProblem] = []
    table = read_table(
        path, known=("sourcedId", "title"), required=("sourcedId",), rejected=rejected, warnings=warnings
    )
    return table, rejected, warnings


def test_a_row_with_the_wrong_number_of_fields_is_rejected_alone(tmp_path: Path) -> None:
    table, rejected, warnings = _read(
        tmp_path / "courses.csv", b'sourcedId,title\nc1,Math\nc2,Art,extra\n\nc3,"History, local"\n'
    )
    assert table is not None
    assert [(line, row["sourcedId"]) for line, row in table.rows] == [(2, "c1"), (5, "c3")]
    assert rejected == [
        RowProblem("courses.csv", 3, "the row has 3 fields but the header has 2; check the commas and quotes")
    ]
    assert warnings == []


def test_a_header_without_a_required_column_rejects_the_file_and_says_why(tmp_path: Path) -> None:
    table, rejected, _ = _read(tmp_path / "courses.csv", b"sourcedid,title\nc1,Math\nc2,Art\n")
    assert table is None
    assert len(rejected) == 1
    assert rejected[0].line == 1
    assert "sourcedId" in rejected[0].reason
    assert "case-sensitive" in rejected[0].reason
    assert "none of its 2 data rows" in rejected[0].reason


def test_unknown_columns_warn_but_metadata_extensions_do_not(tmp_path: Path) -> None:
    table, rejected, warnings = _read(tmp_path / "courses.csv", b"sourcedId,title,colour,metadata.x.y\nc1,Math,red,1\n")
    assert table is not None
    assert rejected == []
    assert len(warnings) == 1
    assert "colour" in warnings[0].reason
    assert "metadata.x.y" not in warnings[0].reason


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    table, rejected, _ = _read(tmp_path / "courses.csv", b"")
    assert table is None
    assert "empty" in rejected[0].reason
