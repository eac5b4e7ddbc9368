"""A person's short name as the school's papers write it."""

from __future__ import annotations

import pytest

from edugateway.domain.person_names import short_name


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Иванова", "Мария", "Петровна"), "Иванова М. П."),
        (("Ли", "Вэй", None), "Ли В."),
        (("Ли", "", None), "Ли"),  # no first name: no dangling space
    ],
)
def test_initials_follow_the_surname(parts: tuple[str, str, str | None], expected: str) -> None:
    assert short_name(*parts) == expected
