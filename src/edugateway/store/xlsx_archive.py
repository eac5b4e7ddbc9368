"""An XLSX is a ZIP of XML parts: each part's size is checked against ImportLimits before openpyxl parses any of
it, so a 4 MB file that unpacks to gigabytes (a zip bomb) is refused in milliseconds instead of filling memory.

The sizes the archive declares are checked first; then each part is inflated once, in small steps, counting
what it really holds, since a part may declare less than it holds: zipfile cuts such a part at its declared size,
but only after inflating all of it in one step (a 4 MB file can hide gigabytes there).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from edugateway.errors import ValidationError
from edugateway.store.import_limits import RATIO_FLOOR, ImportLimits, megabytes

_RESAVE = "save it from Excel as «Книга Excel (.xlsx)»"
_STEP = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra field length


def check_xlsx_archive(path: Path, limits: ImportLimits) -> None:
    """Raises ValidationError, one line naming the file and what to do, when `path` is not a ZIP archive or a
    part of it is larger, or packed denser, than `limits` allow."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            _check_declared(path, parts, limits)
            with path.open("rb") as raw:
                for part in parts:
                    _check_inflated(path, raw, part)
    except FileNotFoundError:
        raise ValidationError(
            f"{path} does not exist; give the filled template (edugateway template xlsx writes one)"
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValidationError(f"{path} is not an .xlsx workbook ({_why(exc)}); {_RESAVE}") from None


def _check_declared(path: Path, parts: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > limits.xlsx_part_bytes:
            raise ValidationError(
                f"{path}: part {part.filename} unpacks to {megabytes(part.file_size)}, over the "
                f"{megabytes(limits.xlsx_part_bytes)} one part may have ([imports] max_xlsx_part_mb); "
                f"a school's roster is far smaller: check the file, or {_RESAVE}"
            )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR and ratio > limits.xlsx_ratio:
            raise ValidationError(
                f"{path}: part {part.filename} unpacks {ratio:.0f} times larger than it is stored, over "
                f"{limits.xlsx_ratio:.0f} ([imports] max_xlsx_ratio); a file packed this densely is not a "
                f"workbook Excel wrote, {_RESAVE}"
            )
    if total > limits.xlsx_total_bytes:
        raise ValidationError(
            f"{path} unpacks to {megabytes(total)}, over the {megabytes(limits.xlsx_total_bytes)} a workbook may "
            f"have ([imports] max_xlsx_total_mb); a school's roster is far smaller: check the file, or {_RESAVE}"
        )


def _check_inflated(path: Path, raw: BinaryIO, part: zipfile.ZipInfo) -> None:
    """Inflates `part` from its bytes in the file, at most _STEP bytes out per step, and refuses it when it holds
    more than it declares. Excel deflates every part; a part stored as is cannot hold more than it declares."""
    if part.compress_type == zipfile.ZIP_STORED:
        return
    if part.compress_type != zipfile.ZIP_DEFLATED:
        raise ValidationError(f"{path}: part {part.filename} is packed in a way Excel never packs; {_RESAVE}")
    raw.seek(part.header_offset)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"part {part.filename} does not start where the archive says")
    raw.seek(name_length + extra_length, 1)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, out = part.compress_size, 0
    pending = b""
    while left or pending:
        if not pending:
            pending = raw.read(min(_STEP, left))
            left -= len(pending)
            if not pending:
                break
        out += len(inflater.decompress(pending, _STEP))
        pending = inflater.unconsumed_tail
        if out > part.file_size:
            raise ValidationError(
                f"{path}: part {part.filename} holds more than the {part.file_size} bytes it declares; a file that "
                f"lies about its contents is not a workbook Excel wrote, {_RESAVE}"
            )
        if inflater.eof:
            break


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]
