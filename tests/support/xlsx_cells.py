"""What a spreadsheet program would see in a written XLSX: formulas in the sheet XML, and how data text is stored.

openpyxl reads a formula cell back as a string beginning with "=", so a read-back alone cannot tell a formula
from text: the sheet XML can (`<f>` is a formula; `t="inlineStr"` or `t="s"` is text).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class TextCell:
    sheet: str
    ref: str
    value: str
    xml_type: str  # the <c t="…"> attribute
    quote_prefix: bool


def _content(xlsx: bytes | Path) -> bytes:
    return xlsx.read_bytes() if isinstance(xlsx, Path) else xlsx


def formula_cells(xlsx: bytes | Path) -> list[str]:
    """`part!A1` of every cell of every worksheet that holds a formula."""
    found = []
    with zipfile.ZipFile(io.BytesIO(_content(xlsx))) as archive:
        for part in sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            root = etree.fromstring(archive.read(part))
            found += [f"{part}!{c.get('r')}" for c in root.iter(f"{MAIN}c") if c.find(f"{MAIN}f") is not None]
    return found


def cells_starting_with(xlsx: bytes | Path, prefixes: tuple[str, ...]) -> list[TextCell]:
    """Every cell whose value (read back with openpyxl) is a string beginning with one of `prefixes`."""
    content = _content(xlsx)
    types: dict[tuple[str, str], str] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        book = etree.fromstring(archive.read("xl/workbook.xml"))
        names = [s.get("name") or "" for s in book.iter(f"{MAIN}sheet")]
        for index, name in enumerate(names, start=1):
            root = etree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))
            types.update({(name, c.get("r") or ""): c.get("t") or "n" for c in root.iter(f"{MAIN}c")})
    workbook = load_workbook(io.BytesIO(content))
    found = []
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(prefixes):
                    ref = cell.coordinate
                    found.append(TextCell(ws.title, ref, cell.value, types[(ws.title, ref)], bool(cell.quotePrefix)))
    return found
