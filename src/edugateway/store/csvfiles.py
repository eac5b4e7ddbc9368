"""Reading CSV files the way schools send them: UTF-8 with or without BOM, or Windows-1251 from Excel;
every malformed row reported with its line instead of stopping the whole file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edugateway.store.roster import RowProblem

UTF8_BOM = b"\xef\xbb\xbf"


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-16 or UTF-8 by their BOM, UTF-8 when it decodes, else
    cp1251 (Excel's "CSV" on Russian Windows), which decodes any byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(UTF8_BOM):
        return raw[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1251"), "cp1251"


@dataclass
class CsvTable:
    file: str
    encoding: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, column -> stripped value)


def read_table(
    path: Path,
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    rejected: list[RowProblem],
    warnings: list[RowProblem],
) -> CsvTable | None:
    """Reads one CSV file with a header row. A wrong header rejects the file (reported once, with the
    number of data rows it held); a row with the wrong number of fields is rejected on its own.
    Columns outside `known` are allowed when they are `metadata.*` extensions, else reported and ignored."""
    name = path.name
    text, encoding = decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        rejected.append(RowProblem(name, 1, "the file is empty; it needs a header row with the column names"))
        return None
    except csv.Error as exc:
        rejected.append(RowProblem(name, 1, f"the header row is not valid CSV ({exc}); fix the file"))
        return None
    missing = [c for c in required if c not in header]
    doubled = sorted({h for h in header if header.count(h) > 1})
    if missing or doubled:
        lower = {h.lower(): h for h in header}
        hints = [
            f"{c} (found {lower[c.lower()]!r}: column names are case-sensitive)" for c in missing if c.lower() in lower
        ]
        what = []
        if missing:
            what.append(
                "lacks the required column(s) " + ", ".join(missing) + (f"; {'; '.join(hints)}" if hints else "")
            )
        if doubled:
            what.append("repeats the column(s) " + ", ".join(doubled))
        rows = _count_rows(reader)
        rejected.append(
            RowProblem(name, 1, f"the header {' and '.join(what)}; none of its {rows} data rows were imported")
        )
        return None
    unknown = [h for h in header if h not in known and not h.startswith("metadata.")]
    if unknown:
        warnings.append(
            RowProblem(
                name,
                1,
                f"column(s) {', '.join(unknown)} are not OneRoster 1.2 columns of {name} (extensions are named "
                "metadata.*); they were ignored",
            )
        )
    table = CsvTable(name, encoding, header)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejected.append(
                RowProblem(
                    name, reader.line_num, f"not valid CSV ({exc}); this row and the rest of the file were skipped"
                )
            )
            break
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            rejected.append(
                RowProblem(
                    name,
                    reader.line_num,
                    f"the row has {len(fields)} fields but the header has {len(header)}; check the commas and quotes",
                )
            )
            continue
        table.rows.append((reader.line_num, dict(zip(header, (f.strip() for f in fields), strict=True))))
    return table


def _count_rows(reader: Iterator[list[str]]) -> int:
    count = 0
    try:
        for fields in reader:
            count += any(f.strip() for f in fields)
    except csv.Error:
        count += 1
    return count


def parse_date(value: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date in the form YYYY-MM-DD") from None


def parse_datetime(value: str, column: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not an ISO 8601 date and time, e.g. 2026-09-01T08:00:00Z") from None
