"""What one check found: a status, the finding, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    """`found` says what the check saw; `fix` what to do, set for every warning and failure. Neither ever holds
    a secret: checks name the setting or variable, never its value."""

    name: str
    status: Status
    found: str
    fix: str = ""

    @classmethod
    def ok(cls, name: str, found: str) -> CheckResult:
        return cls(name, Status.OK, found)

    @classmethod
    def warn(cls, name: str, found: str, fix: str) -> CheckResult:
        return cls(name, Status.WARN, found, fix)

    @classmethod
    def fail(cls, name: str, found: str, fix: str) -> CheckResult:
        return cls(name, Status.FAIL, found, fix)


def exit_code(results: list[CheckResult]) -> int:
    """0: everything works (warnings included: the gateway runs, a person should look); 1: something fails."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0
