"""A SNILS typed by the clerk: accepted in any common form, refused with the reason in Russian."""

from __future__ import annotations

import pytest

from edugateway.domain.snils import control_number
from edugateway.web.snils_input import judge_snils

VALID = f"112233445{control_number('112233445'):02d}"


@pytest.mark.parametrize("typed", [VALID, "112-233-445 " + VALID[-2:], " 112 233 445 " + VALID[-2:]])
def test_common_forms_of_a_valid_number_are_accepted(typed: str) -> None:
    judged = judge_snils(typed)
    assert judged.valid
    assert judged.canonical == "112-233-445 " + VALID[-2:]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "не введён"),
        ("   ", "не введён"),
        ("112-233-44O 95", "только цифры"),
        ("1122334459", "11 цифр, введено 10"),
        ("112233445" + f"{(control_number('112233445') + 1) % 100:02d}", "контрольное число"),
    ],
)
def test_a_wrong_number_is_refused_with_the_reason(typed: str, says: str) -> None:
    judged = judge_snils(typed)
    assert not judged.valid
    assert says in judged.message
