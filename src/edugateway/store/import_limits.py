"""How large a file a school sends may be before it is read: the roster importers refuse what exceeds these
with one line naming the file, the limit and the setting that raises it ([imports] in gateway.toml).

The defaults are far above a real school's files (a few thousand pupils: users.csv under 1 MB, the XLSX
template's largest part a few MB) and far below what exhausts the memory of the machine that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    xlsx_part_bytes: int = 32 * MB  # one part of an XLSX (a sheet, the shared strings), uncompressed
    xlsx_total_bytes: int = 128 * MB  # all parts together, uncompressed
    xlsx_ratio: float = 100.0  # uncompressed/compressed of a part over RATIO_FLOOR: a zip bomb's mark
    csv_bytes: int = 64 * MB  # one CSV file
    field_chars: int = 4096  # one CSV field

    @classmethod
    def from_megabytes(
        cls, *, xlsx_part_mb: float, xlsx_total_mb: float, xlsx_ratio: float, csv_mb: float, field_chars: int
    ) -> ImportLimits:
        return cls(
            xlsx_part_bytes=int(xlsx_part_mb * MB),
            xlsx_total_bytes=int(xlsx_total_mb * MB),
            xlsx_ratio=xlsx_ratio,
            csv_bytes=int(csv_mb * MB),
            field_chars=field_chars,
        )


# A part smaller than this is never refused for its compression ratio: a small part of repeated markup compresses
# far, and is harmless whatever its ratio.
RATIO_FLOOR = 1 * MB


def megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"
