"""The journal layout as CSV files in one folder: lessons.csv, marks.csv, finals.csv, attendance.csv (any of them),
read into a ParsedJournal.

UTF-8 (with or without BOM) or Windows-1251, detected as for the roster (csvfiles.detect_encoding, which also
refuses a file over the size limit or one that is not text); the separator is a comma or, as Russian Excel saves
«CSV (разделители — точка с запятой)», a semicolon, told from the header row. Headers are the layout's English
keys (id,class,subject,date,…) or the XLSX sheets' Russian headers. A file present holds every record of its kind
for the classes and dates it covers (bulk).
"""

from __future__ import annotations

import csv
from pathlib import Path

from edugateway.errors import ValidationError
from edugateway.store.csvfiles import detect_encoding
from edugateway.store.import_limits import ImportLimits
from edugateway.store.journal_layout import CSV_FILE_OF, LAYOUT, header_index
from edugateway.store.journal_rows import JournalRows
from edugateway.store.journal_set import JournalKind, ParsedJournal
from edugateway.store.roster import Mode, RowProblem

SEPARATORS = (",", ";", "\t")


def is_journal_folder(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in CSV_FILE_OF.values())


def read_journal_csv(folder: Path, limits: ImportLimits | None = None) -> ParsedJournal:
    """Reads the layout's CSV files in `folder`; a folder with none of them is refused in one line."""
    if not is_journal_folder(folder):
        raise ValidationError(
            f"{folder} holds none of the journal files {', '.join(CSV_FILE_OF.values())}; see README «Журнал школы»"
        )
    limits = limits or ImportLimits()
    journal = ParsedJournal(source="journal-csv", location=str(folder))
    for kind, name in CSV_FILE_OF.items():
        path = folder / name
        if path.is_file():
            _read_file(journal, kind, path, limits)
    return journal


def separator(header_line: str) -> str:
    """The separator of a header row: the one that splits it into the most columns (a comma on a tie)."""
    return max(SEPARATORS, key=lambda s: (len(header_line.split(s)), s == ","))


def _read_file(journal: ParsedJournal, kind: JournalKind, path: Path, limits: ImportLimits) -> None:
    name = path.name
    encoding = detect_encoding(path, limits)
    journal.encodings[name] = encoding
    try:
        with path.open(encoding=encoding, newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            reader = csv.reader(fh, delimiter=separator(first))
            header = next(reader, None)
            if header is None:
                journal.rejected.append(RowProblem(name, 1, "the file is empty; it needs a header row"))
                return
            index, unknown = header_index(kind, [h.strip() for h in header])
            missing = [c.key for c in LAYOUT[kind] if c.required and c.key not in index]
            if missing:
                journal.rejected.append(
                    RowProblem(
                        name,
                        1,
                        f"the header lacks the required column(s) {', '.join(missing)}; nothing in this file was "
                        "imported (see README «Журнал школы» for the columns)",
                    )
                )
                return
            if unknown:
                journal.warnings.append(
                    RowProblem(name, 1, f"column(s) {', '.join(unknown)} are not layout columns; ignored")
                )
            rows = JournalRows(journal, kind, name)
            count = 0
            try:
                for fields in reader:
                    if not any(f.strip() for f in fields):
                        continue
                    count += 1
                    if any(len(f) > limits.field_chars for f in fields):
                        journal.rejected.append(
                            RowProblem(name, reader.line_num, "a field is too long; a quote is probably left open")
                        )
                        continue
                    rows.add({key: fields[i] if i < len(fields) else "" for key, i in index.items()}, reader.line_num)
            except csv.Error as exc:
                journal.rejected.append(
                    RowProblem(name, reader.line_num, f"not valid CSV ({exc}); this row and the rest were skipped")
                )
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from None
    if count:
        journal.modes[kind] = Mode.BULK
