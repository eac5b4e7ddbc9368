"""Issue 17, finding 1: the journal's stored words (actors, the gateway's own reasons, roles) as a clerk reads
them; a person's own words and anything unknown pass through unchanged."""

from __future__ import annotations

import pytest

from edugateway.web.shown_words import person_title, shown_actor, shown_reason, shown_roles, shown_value

NAMES = {"ivanova": "Иванова М. П."}


@pytest.mark.parametrize(
    ("actor", "shown"),
    [
        ("clerk:ivanova", "Иванова М. П."),
        ("clerk:noname", "noname"),  # an account without a display name: its login is all there is
        ("import:oneroster", "импорт (OneRoster)"),
        ("import:xlsx", "импорт (таблица Excel)"),
        ("sync:dnevnik", "синхронизация с Дневник.ру"),
        ("sync:ecp", "синхронизация с ГИС ЕЦП"),
        ("scheduler:nightly", "задание по расписанию «nightly»"),
        ("cli:identity-verify", "проверка в ЕСИА (командная строка)"),
        ("cli:root", "администратор (командная строка)"),
        ("verify", "проверка в ЕСИА"),
        (None, "—"),
    ],
)
def test_actors(actor: str | None, shown: str) -> None:
    assert shown_actor(actor, NAMES) == shown


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        (
            "the next verification no longer found the problem",
            "повторная проверка в ЕСИА больше не находит это замечание",
        ),
        ("shown on the case page at the clerk's request", "показан на странице случая по запросу сотрудника"),
        ("sync run 12: pulled persons 77 from dnevnik", "синхронизация № 12: запись получена с Дневник.ру"),
        ("sync run 3", "синхронизация № 3"),
        ("Сверено со свидетельством", "Сверено со свидетельством"),
        (None, None),
    ],
)
def test_reasons(reason: str | None, shown: str | None) -> None:
    assert shown_reason(reason) == shown


def test_roles_and_values() -> None:
    assert shown_roles("parent,teacher") == "родитель, учитель"
    assert person_title("student") == "Ученик"
    assert person_title("parent,student,teacher") == "Учитель"
    assert person_title("") == "Человек"
    assert shown_value("active", True, NAMES) == "да"
    assert shown_value("roles", "teacher", NAMES) == "учитель"
    assert shown_value("platform", "dnevnik", NAMES) == "Дневник.ру"
    assert shown_value("assignee", "ivanova", NAMES) == "Иванова М. П."
    assert shown_value("candidates", "esia:1000000003", NAMES) == "ЕСИА 1000000003"
    assert shown_value("last_name", "Иванова", NAMES) is None  # no special wording: shown as it is
