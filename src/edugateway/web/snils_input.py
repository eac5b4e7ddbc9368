"""A SNILS typed by the clerk, judged in Russian: the same rule `domain.snils` applies, the clerk's words."""

from __future__ import annotations

from dataclasses import dataclass

from edugateway.domain.snils import SnilsProblem, check_snils

PROBLEM_TEXT: dict[SnilsProblem, str] = {
    SnilsProblem.EMPTY: "СНИЛС не введён",
    SnilsProblem.NON_DIGITS: "в СНИЛС могут быть только цифры, пробелы и дефисы",
    SnilsProblem.LENGTH: "в СНИЛС должно быть 11 цифр",
    SnilsProblem.CHECKSUM: "не сходится контрольное число — сверьте номер с карточкой СНИЛС",
}


@dataclass(frozen=True, slots=True)
class SnilsInput:
    valid: bool
    message: str  # Russian, for the clerk
    canonical: str | None  # XXX-XXX-XXX YY when the shape is right


def judge_snils(value: str) -> SnilsInput:
    verdict = check_snils(value)
    if verdict.problem is None:
        return SnilsInput(True, "СНИЛС верный", verdict.canonical)
    message = PROBLEM_TEXT[verdict.problem]
    if verdict.problem is SnilsProblem.LENGTH:
        digits = sum(c.isdigit() for c in value)
        message = f"{message}, введено {digits}"
    return SnilsInput(False, message, verdict.canonical)
