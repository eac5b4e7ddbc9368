"""СНИЛС: parse the forms people type, check the control number, format canonically.

The control number is the weighted sum of the first nine digits (weights 9..1), taken mod 101,
then mod 100, as two digits. Numbers up to 001-001-998 were issued before the checksum rule and
are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")  # spaces and every dash people paste from Word
_LAST_UNCHECKED = 1_001_998


class SnilsProblem(StrEnum):
    EMPTY = "empty"
    NON_DIGITS = "non_digits"
    LENGTH = "length"
    CHECKSUM = "checksum"


@dataclass(frozen=True, slots=True)
class SnilsVerdict:
    """The result of checking one input value."""

    raw: str
    digits: str | None  # the 11 digits when the input had the right shape, else None
    problem: SnilsProblem | None
    message: str

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def canonical(self) -> str | None:
        return format_snils(self.digits) if self.digits else None


def control_number(first_nine: str) -> int:
    """The two-digit check value for the first nine digits."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(9, 0, -1), strict=True))
    return (total % 101) % 100


def format_snils(digits: str) -> str:
    """`XXX-XXX-XXX YY` from 11 digits."""
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def mask_snils(digits_or_formatted: str) -> str:
    """Shows only the last two digits of the number, as a clerk's screen or a log may."""
    digits = re.sub(r"\D", "", digits_or_formatted)
    return f"***-***-*{digits[7:9]} **" if len(digits) == 11 else "***"


def check_snils(value: str) -> SnilsVerdict:
    """Checks one value and says why it is invalid."""
    stripped = _SEPARATORS.sub("", value.strip())
    if not stripped:
        return SnilsVerdict(value, None, SnilsProblem.EMPTY, "СНИЛС is empty")
    if not stripped.isascii() or not stripped.isdigit():
        bad = sorted({c for c in stripped if not (c.isascii() and c.isdigit())})
        return SnilsVerdict(
            value,
            None,
            SnilsProblem.NON_DIGITS,
            f"СНИЛС may hold only digits, spaces and hyphens; found {''.join(bad)!r}",
        )
    if len(stripped) != 11:
        return SnilsVerdict(value, None, SnilsProblem.LENGTH, f"СНИЛС has 11 digits; this value has {len(stripped)}")
    if int(stripped[:9]) > _LAST_UNCHECKED:
        expected = control_number(stripped[:9])
        if int(stripped[9:]) != expected:
            return SnilsVerdict(
                value,
                stripped,
                SnilsProblem.CHECKSUM,
                f"control number is {stripped[9:]}, but the first nine digits give {expected:02d}; "
                "check the number against the СНИЛС card",
            )
    return SnilsVerdict(value, stripped, None, "valid")


def normalize_snils(value: str) -> str:
    """The 11 digits of a valid СНИЛС; raises ValueError with the reason otherwise."""
    verdict = check_snils(value)
    if verdict.digits is None or not verdict.valid:
        raise ValueError(verdict.message)
    return verdict.digits


def is_valid_snils(value: str) -> bool:
    return check_snils(value).valid


def one_slip_away(entered: str) -> list[str]:
    """The valid SNILS one typing slip away from `entered` (one digit changed, or two neighbours swapped), for a
    value of 11 digits whose checksum fails: the number the person really has is usually one of these."""
    digits = re.sub(r"\D", "", entered)
    if len(digits) != 11:
        return []
    found = {digits[:i] + d + digits[i + 1 :] for i in range(11) for d in "0123456789"}
    found |= {digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :] for i in range(10)}
    found.discard(digits)
    return sorted(c for c in found if check_snils(c).valid)
