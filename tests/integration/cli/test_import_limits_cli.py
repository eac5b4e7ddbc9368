"""Issue 14, finding 6: `edugateway import` refuses a file that would exhaust memory or cannot be parsed, before
parsing it, with exit 2 and one line naming the file and what is wrong; never a traceback. Real processes
(`python -m edugateway`); the limits are set low through [imports] so the files stay small."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from edugateway.emulators.synthetic import generate_school
from edugateway.store.oneroster import write_oneroster
from edugateway.store.xlsx_roster import write_template
from support.cli_process import run_cli

MB = 1024 * 1024


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "gateway.toml").write_text(
        f'database_url = "sqlite:///{tmp_path}/gw.sqlite3"\n'
        "[imports]\nmax_xlsx_part_mb = 4\nmax_csv_mb = 1\nmax_field_chars = 200\n",
        encoding="utf-8",
    )
    assert run_cli("init-db", cwd=tmp_path).returncode == 0
    return tmp_path


def _refused(result: subprocess.CompletedProcess[str], *says: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for words in says:
        assert words in lines[0]
    return lines[0]


def _template_with(path: Path, part: str, write: object) -> Path:
    """The blank template with `part` replaced by what `write(stream)` writes, compressed."""
    blank = path.with_name("blank.xlsx")
    write_template(blank)
    with zipfile.ZipFile(blank) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != part:
                out.writestr(info.filename, src.read(info.filename))
        with out.open(part, "w") as stream:
            write(stream)  # type: ignore[operator]
    return path


def test_a_part_over_the_limit_is_refused_before_parsing(folder: Path) -> None:
    # 6 MB of shared strings that do not compress far (hex digits): over max_xlsx_part_mb = 4, under the ratio.
    def strings(stream: object) -> None:
        for _ in range(6):
            stream.write(os.urandom(MB // 2).hex().encode())  # type: ignore[attr-defined]

    book = _template_with(folder / "big.xlsx", "xl/sharedStrings.xml", strings)
    _refused(
        run_cli("import", "xlsx", str(book), "--school", "sch125", cwd=folder),
        "big.xlsx: part xl/sharedStrings.xml unpacks to 6.0 MB",
        "[imports] max_xlsx_part_mb",
    )


def test_a_zip_bomb_is_refused_by_its_compression_ratio(folder: Path) -> None:
    # 3 MB of one byte packs into a few KB: under the size limit, far over the ratio.
    book = _template_with(folder / "bomb.xlsx", "xl/sharedStrings.xml", lambda s: s.write(b"a" * (3 * MB)))
    _refused(
        run_cli("import", "xlsx", str(book), "--school", "sch125", cwd=folder),
        "bomb.xlsx: part xl/sharedStrings.xml unpacks",
        "[imports] max_xlsx_ratio",
    )


def _broken_xml(path: Path) -> None:
    _template_with(path, "xl/worksheets/sheet3.xml", lambda s: s.write(b"<worksheet><sheetData><row><c"))


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(os.urandom(4096)), "is not an .xlsx workbook"),
        (lambda p: (write_template(p), p.write_bytes(p.read_bytes()[:3000])), "is not an .xlsx workbook"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("hello.txt", "hi"), "a part is missing"),
        (_broken_xml, "broken XML"),
    ],
    ids=["random-bytes", "truncated-zip", "zip-without-workbook", "broken-xml"],
)
def test_a_malformed_workbook_is_refused_with_one_line(folder: Path, make: object, says: str) -> None:
    book = folder / "school.xlsx"
    make(book)  # type: ignore[operator]
    _refused(run_cli("import", "xlsx", str(book), "--school", "sch125", cwd=folder), str(book), says)


@pytest.fixture
def oneroster(folder: Path) -> Path:
    write_oneroster(generate_school(seed=3, students=20, classes=2).snapshot, folder / "or")
    return folder / "or"


def test_a_csv_over_the_size_limit_is_refused(folder: Path, oneroster: Path) -> None:
    with (oneroster / "users.csv").open("a", encoding="utf-8") as fh:
        fh.write(("#" * 1000 + "\r\n") * 1100)  # past max_csv_mb = 1
    _refused(
        run_cli("import", "oneroster", str(oneroster), "--school", "sch125", cwd=folder),
        "users.csv is 1.",
        "[imports] max_csv_mb",
    )


def test_a_field_over_the_limit_is_refused(folder: Path, oneroster: Path) -> None:
    with (oneroster / "courses.csv").open("a", encoding="utf-8") as fh:
        fh.write('c-long,,,,"' + "x" * 5000 + '"\r\n')  # a quote left open reads the rest as one field, the same
    line = _refused(
        run_cli("import", "oneroster", str(oneroster), "--school", "sch125", cwd=folder),
        "courses.csv:",
        "longer than 200 characters ([imports] max_field_chars)",
    )
    assert "x" * 20 not in line


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"sourcedId,status\r\nu1,\x00active\r\n", "holds a NUL character"),
        (b"sourcedId,status\r\n\x98\x98,active\r\n", "is not text in UTF-8, UTF-16 or Windows-1251"),
        (b"\xff\xfes\x00o\x00u", "is not text in UTF-8, UTF-16 or Windows-1251"),  # UTF-16 cut in a character
    ],
    ids=["nul-byte", "bad-encoding", "broken-utf16"],
)
def test_a_csv_that_is_not_text_is_refused(folder: Path, oneroster: Path, content: bytes, says: str) -> None:
    (oneroster / "roles.csv").write_bytes(content)
    _refused(run_cli("import", "oneroster", str(oneroster), "--school", "sch125", cwd=folder), "roles.csv", says)
