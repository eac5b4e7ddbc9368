"""Files with personal data: who may read each kind, and a write that never lets anyone else read it.

| kind       | mode | files                                                                                  |
|------------|------|----------------------------------------------------------------------------------------|
| `OPERATOR` | 0600 | what an operator's command writes for that operator: `export xlsx`, `export oneroster` |
|            |      | (users.csv and the rest of the set), the import problems CSV, `sync --plan-json`       |
| `SHARED`   | 0640 | what the gateway keeps for its group (the clerk web app, backups): the nightly report  |
|            |      | HTML/XLSX/JSON and the archive's summary sheets and manifest                           |

The file is created under a temporary name beside the target with its final mode set on the open descriptor
before a byte is written (the umask can only narrow a mode, and a chmod after writing leaves a window), then
renamed over the target: a reader never sees half a file, and an older file with a wider mode is replaced,
not reused.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO, TextIO


class FileKind(IntEnum):
    OPERATOR = 0o600
    SHARED = 0o640


@contextmanager
def private_file(path: Path, kind: FileKind) -> Iterator[BinaryIO]:
    """Yields a binary stream; on a clean exit the content replaces `path` with `kind`'s mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp opens O_EXCL with mode 0600; the final mode is set on the descriptor while the file is empty.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(handle, kind.value)
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def private_text_file(path: Path, kind: FileKind, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """`private_file` as text (newline="" for the csv module, which writes its own line ends)."""
    with private_file(path, kind) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            yield text
        finally:
            text.detach()  # flushes; the binary stream is private_file's to close


def write_private(path: Path, content: bytes, kind: FileKind) -> None:
    with private_file(path, kind) as stream:
        stream.write(content)
