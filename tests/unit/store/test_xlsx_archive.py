"""A part whose declared size lies passes the checks of declared sizes; inflating it in small steps finds the lie
and refuses the workbook without ever holding what it hides (zipfile alone inflates all of it in one step)."""

from __future__ import annotations

import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from edugateway.errors import ValidationError
from edugateway.store.xlsx_roster import read_xlsx, write_template

MB = 1024 * 1024


def _lying(path: Path, part: str, hidden: int, declared: int) -> None:
    """The blank template whose `part` holds `hidden` bytes while the central directory says `declared`."""
    write_template(path.with_name("blank.xlsx"))
    with zipfile.ZipFile(path.with_name("blank.xlsx")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != part:
                out.writestr(info.filename, src.read(info.filename))
        with out.open(part, "w") as stream:
            for _ in range(hidden // MB):
                stream.write(b"<" * MB)
    raw = bytearray(path.read_bytes())
    entry = raw.index(b"PK\x01\x02")
    while True:  # the central directory entry of `part`: its uncompressed size is at offset 24
        name_length = struct.unpack_from("<H", raw, entry + 28)[0]
        if raw[entry + 46 : entry + 46 + name_length].decode() == part:
            struct.pack_into("<I", raw, entry + 24, declared)
            break
        extra, comment = struct.unpack_from("<HH", raw, entry + 30)
        entry = entry + 46 + name_length + extra + comment
    path.write_bytes(bytes(raw))


def test_a_part_that_hides_more_than_it_declares_is_refused_reading_only_what_it_declares(tmp_path: Path) -> None:
    book = tmp_path / "lying.xlsx"
    _lying(book, "xl/workbook.xml", hidden=64 * MB, declared=2048)
    assert zipfile.ZipFile(book).getinfo("xl/workbook.xml").file_size == 2048
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match=r"workbook\.xml holds more than the 2048 bytes it declares"):
            read_xlsx(book)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB  # the 64 MB hidden in the part were never inflated
