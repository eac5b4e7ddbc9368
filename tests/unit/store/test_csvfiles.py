from pathlib import Path

from edugateway.store.csvfiles import detect_encoding, read_table
from edugateway.store.roster import RowProblem


def test_utf8_with_and_without_bom_is_detected_and_cp1251_is_the_fallback(tmp_path: Path) -> None:
    text = "Иванова,Мария\n"
    for raw, encoding in [
        (text.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"),
        (text.encode("cp1251"), "cp1251"),
    ]:
        (tmp_path / "f.csv").write_bytes(raw)
        assert detect_encoding(tmp_path / "f.csv") == encoding
        assert (tmp_path / "f.csv").read_text(encoding=encoding) == text


def test_utf16_that_excel_writes_as_unicode_text_is_detected(tmp_path: Path) -> None:
    text = "sourcedId\tИванова\n"
    (tmp_path / "f.csv").write_bytes(text.encode("utf-16"))
    assert detect_encoding(tmp_path / "f.csv") == "utf-16"


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
    assert [(line, row["sourcedId"]) for line, row in table.rows()] == [(2, "c1"), (5, "c3")]
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
