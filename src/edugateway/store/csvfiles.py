"""Reading CSV files the way schools send them: UTF-8 with or without BOM, or Windows-1251 from Excel;
every malformed row reported with its line instead of stopping the whole file.

A file is streamed, never read whole: one pass checks its size, encoding and that it is text (ImportLimits),
then its rows are read one at a time, so memory holds the records built from them, not the file. A file over a
limit, in no encoding we read, or holding a NUL character is refused whole (ValidationError) with one line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from edugateway.errors import ValidationError
from edugateway.store.import_limits import ImportLimits, megabytes
from edugateway.store.roster import RowProblem

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

UTF8_BOM = b"\xef\xbb\xbf"
_CHUNK = 1024 * 1024
_RESAVE = "save it again from Excel as «CSV UTF-8» or «CSV (разделители — запятые)»"


def detect_encoding(path: Path, limits: ImportLimits | None = None) -> str:
    """The encoding `path` is read with: UTF-16 or UTF-8 by their BOM, UTF-8 when it decodes, else cp1251
    (Excel's "CSV" on Russian Windows). Refuses a file over `limits`, one that decodes in none of them, and one
    holding a NUL character (a spreadsheet or a binary file named .csv)."""
    limits = limits or ImportLimits()
    size = path.stat().st_size
    if size > limits.csv_bytes:
        raise ValidationError(
            f"{path.name} is {megabytes(size)}, over the {megabytes(limits.csv_bytes)} a CSV file may have "
            "([imports] max_csv_mb); check it is the right file, or split it into delta files"
        )
    with path.open("rb") as fh:
        head = fh.read(3)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        candidates = ["utf-16"]
    elif head.startswith(UTF8_BOM):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "cp1251"]
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    raise ValidationError(f"{path.name} is not text in UTF-8, UTF-16 or Windows-1251; {_RESAVE}")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_CHUNK):
                if "\x00" in decoder.decode(chunk):
                    raise ValidationError(
                        f"{path.name} holds a NUL character, so it is not a CSV text file (a spreadsheet saved "
                        f"under a .csv name?); {_RESAVE}"
                    )
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


@dataclass
class CsvTable:
    """A CSV file whose header was read and checked; `rows()` streams its data rows."""

    path: Path
    encoding: str
    header: list[str]
    limits: ImportLimits
    rejected: list[RowProblem] = field(repr=False)

    @property
    def file(self) -> str:
        return self.path.name

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, column -> stripped value) per data row, read once; a row with the wrong number of fields is
        rejected on its own, a row that is not CSV rejects the rest of the file."""
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh)
            _next_record(reader, self.file, self.limits)  # the header, read and checked before
            while True:
                try:
                    fields = _next_record(reader, self.file, self.limits)
                except StopIteration:
                    return
                except csv.Error as exc:
                    self.rejected.append(
                        RowProblem(
                            self.file,
                            reader.line_num,
                            f"not valid CSV ({exc}); this row and the rest of the file were skipped",
                        )
                    )
                    return
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(self.header):
                    self.rejected.append(
                        RowProblem(
                            self.file,
                            reader.line_num,
                            f"the row has {len(fields)} fields but the header has {len(self.header)}; "
                            "check the commas and quotes",
                        )
                    )
                    continue
                yield reader.line_num, dict(zip(self.header, (f.strip() for f in fields), strict=True))

    def column(self, name: str) -> Iterator[str]:
        """The values of one column, read again and silently (the problems are reported by `rows`)."""
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh)
            _next_record(reader, self.file, self.limits)
            at = self.header.index(name)
            while True:
                try:
                    fields = _next_record(reader, self.file, self.limits)
                except (StopIteration, csv.Error):
                    return
                if len(fields) == len(self.header):
                    yield fields[at].strip()


def _next_record(reader: _CsvReader, file: str, limits: ImportLimits) -> list[str]:
    """The next record, with no field longer than `limits` allow: a longer one (often a quote left open, which
    makes the rest of the file one field) refuses the file. The csv module's own limit is process-wide, so it
    is set for this call only."""
    previous = csv.field_size_limit(limits.field_chars + 1)
    try:
        fields = next(reader)
    except csv.Error as exc:
        if "field limit" in str(exc):  # the csv module's "field larger than field limit (N)"
            raise _too_long(file, reader.line_num, limits) from None
        raise
    finally:
        csv.field_size_limit(previous)
    if any(len(f) > limits.field_chars for f in fields):
        raise _too_long(file, reader.line_num, limits)
    return fields


def _too_long(file: str, line: int, limits: ImportLimits) -> ValidationError:
    return ValidationError(
        f"{file}:{line}: a field is longer than {limits.field_chars} characters ([imports] max_field_chars); "
        "a roster's fields are short, so a quote is probably left open: check that line"
    )


def read_table(
    path: Path,
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    rejected: list[RowProblem],
    warnings: list[RowProblem],
    limits: ImportLimits | None = None,
    edition: str = "1.2",
) -> CsvTable | None:
    """Opens one CSV file with a header row (see `detect_encoding` for what is refused). A wrong header rejects
    the file (reported once, with the number of data rows it held). Columns outside `known` are allowed when
    they are `metadata.*` extensions, else reported and ignored, naming the OneRoster `edition` the set was read
    as. The rows are read by `CsvTable.rows`."""
    name = path.name
    limits = limits or ImportLimits()
    try:
        encoding = detect_encoding(path, limits)
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = [h.strip() for h in _next_record(reader, name, limits)]
            except StopIteration:
                rejected.append(RowProblem(name, 1, "the file is empty; it needs a header row with the column names"))
                return None
            except csv.Error as exc:
                rejected.append(RowProblem(name, 1, f"the header row is not valid CSV ({exc}); fix the file"))
                return None
            missing = [c for c in required if c not in header]
            if missing:
                _refuse_other_separator(name, header)
            doubled = sorted({h for h in header if header.count(h) > 1})
            if missing or doubled:
                rows = _count_rows(reader, name, limits)
                rejected.append(RowProblem(name, 1, _header_problem(header, missing, doubled, rows)))
                return None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}; check it exists and may be read") from None
    unknown = [h for h in header if h not in known and not h.startswith("metadata.")]
    if unknown:
        warnings.append(
            RowProblem(
                name,
                1,
                f"column(s) {', '.join(unknown)} are not OneRoster {edition} columns of {name} (extensions are named "
                "metadata.*); they were ignored",
            )
        )
    return CsvTable(path, encoding, header, limits, rejected)


# Separators Excel writes instead of a comma: «;» where the decimal mark is a comma (Russian Windows), a tab in
# «Текст Юникод». Their rows would read as one column each.
_OTHER_SEPARATORS = {";": "«;» (a CSV saved by Russian Excel)", "\t": "tabs (Excel's «Текст Юникод»)"}


def _refuse_other_separator(name: str, header: list[str]) -> None:
    """A header lacking its columns because they are separated by something other than commas refuses the file,
    before its rows are read as broken records (and a bulk file of none is taken for a roster that emptied)."""
    line = ",".join(header)
    for separator, what in _OTHER_SEPARATORS.items():
        if len(line.split(separator)) > len(header):
            raise ValidationError(
                f"{name} cannot be read: its columns are separated by {what}, not by commas; {_RESAVE}"
            )


def _header_problem(header: list[str], missing: list[str], doubled: list[str], rows: int) -> str:
    lower = {h.lower(): h for h in header}
    hints = [
        f"{c} (found {lower[c.lower()]!r}: column names are case-sensitive)" for c in missing if c.lower() in lower
    ]
    what = []
    if missing:
        what.append("lacks the required column(s) " + ", ".join(missing) + (f"; {'; '.join(hints)}" if hints else ""))
    if doubled:
        what.append("repeats the column(s) " + ", ".join(doubled))
    return f"the header {' and '.join(what)}; none of its {rows} data rows were imported"


def _count_rows(reader: _CsvReader, file: str, limits: ImportLimits) -> int:
    count = 0
    try:
        with contextlib.suppress(StopIteration):  # the end of the file
            while True:
                count += any(f.strip() for f in _next_record(reader, file, limits))
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
