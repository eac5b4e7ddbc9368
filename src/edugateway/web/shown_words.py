"""The stored words of the journal (actors, internal reasons, field names and values) as a clerk reads them.

The audit table and the case history keep stable machine values ("clerk:ivanova", "import:oneroster",
"the next verification no longer found the problem", roles "teacher"): scripts and reports read them, so
they are translated here, at the display layer, and never rewritten where they are stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

SOURCE_TITLES: dict[str, str] = {
    "esia": "ЕСИА",
    "ecp": "ГИС ЕЦП",
    "dnevnik": "Дневник.ру",
    "oneroster": "OneRoster",
    "xlsx": "таблица Excel",
}
ROLE_TITLES: dict[str, str] = {
    "student": "ученик",
    "teacher": "учитель",
    "parent": "родитель",
    "staff": "сотрудник",
}
RELATION_TITLES: dict[str, str] = {
    "parent": "родитель",
    "mother": "мать",
    "father": "отец",
    "guardian": "опекун",
    "trustee": "попечитель",
}
FIELD_WORDS: dict[str, str] = {
    "roles": "Роли",
    "active": "Действует",
    "email": "Эл. почта",
    "phone": "Телефон",
    "source_id": "Код в учётной системе",
    "school_id": "Школа",
    "relation": "Кем приходится",
    "full_name": "ФИО",
    "role": "Роль",
    "schools": "Школы",
    "all_schools": "Все школы",
}
_ACTOR_KINDS: dict[str, Callable[[str], str]] = {
    "import": lambda rest: f"импорт ({SOURCE_TITLES.get(rest, rest)})",
    "sync": lambda rest: f"синхронизация с {SOURCE_TITLES.get(rest, rest)}",
    "scheduler": lambda rest: f"задание по расписанию «{rest}»",
    "cli": lambda rest: (
        "проверка в ЕСИА (командная строка)" if rest == "identity-verify" else "администратор (командная строка)"
    ),
}
_PLAIN_ACTORS = {"verify": "проверка в ЕСИА", "demo": "демонстрация"}
_REASONS: dict[str, str] = {
    "the next verification no longer found the problem": "повторная проверка в ЕСИА больше не находит это замечание",
    "shown on the case page at the clerk's request": "показан на странице случая по запросу сотрудника",
    "the sync found no platform record left to ask about: linked, gone or rejected": (
        "синхронизации больше не о ком спрашивать: записи связаны, удалены или отклонены"
    ),
}
_PATTERNED_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^sync run (\d+): pulled \S+ \S+ from (\w+)$"),
        lambda m: f"синхронизация № {m[1]}: запись получена с {SOURCE_TITLES.get(m[2], m[2])}",
    ),
    (
        re.compile(r"^sync run (\d+): the lesson's teacher on (\w+) is linked now$"),
        lambda m: f"синхронизация № {m[1]}: учитель урока на {SOURCE_TITLES.get(m[2], m[2])} теперь связан",
    ),
    (re.compile(r"^sync run (\d+)$"), lambda m: f"синхронизация № {m[1]}"),
]


def clerk_login(actor: str) -> str | None:
    """The web account's login in a "clerk:LOGIN" actor, else None."""
    kind, _, rest = actor.partition(":")
    return rest if kind == "clerk" and rest else None


def shown_actor(actor: str | None, names: Mapping[str, str]) -> str:
    """Who did it, in Russian: a web account by its display name (`names`: login -> name), a machine step by
    what it is."""
    if not actor:
        return "—"
    login = clerk_login(actor)
    if login is not None:
        return names.get(login, login)
    kind, _, rest = actor.partition(":")
    if rest and kind in _ACTOR_KINDS:
        return _ACTOR_KINDS[kind](rest)
    return _PLAIN_ACTORS.get(actor, actor)


def shown_reason(reason: str | None) -> str | None:
    """A reason the gateway itself wrote, in Russian; a person's own words as they typed them."""
    if reason is None:
        return None
    if reason in _REASONS:
        return _REASONS[reason]
    for pattern, shown in _PATTERNED_REASONS:
        found = pattern.match(reason)
        if found:
            return shown(found)
    return reason


def shown_roles(value: str | None) -> str:
    """The stored "parent,teacher" as «родитель, учитель»."""
    if not value:
        return "—"
    return ", ".join(ROLE_TITLES.get(r.strip(), r.strip()) for r in value.split(",") if r.strip())


def person_title(roles: str | None) -> str:
    """What the page calls the case's person: «Учитель» for a teacher (the first role that is not a pupil's wins),
    «Ученик» for a pupil."""
    found = [r.strip() for r in (roles or "").split(",") if r.strip()]
    for role in ("teacher", "staff", "parent", "student"):
        if role in found:
            return ROLE_TITLES[role].capitalize()
    return "Человек"


def shown_value(name: str, value: Any, names: Mapping[str, str]) -> str | None:
    """A stored value of field `name` in Russian, or None when the field has no special wording."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if value is None or value == "":
        return "—"
    if name == "roles":
        return shown_roles(str(value))
    if name in ("platform", "source"):
        return SOURCE_TITLES.get(str(value), str(value))
    if name == "assignee":
        return names.get(str(value), str(value))
    if name == "relation":
        return RELATION_TITLES.get(str(value), str(value))
    if name == "candidates":  # "esia:1000000003", as a rejected or linked candidate is journaled
        source, _, remote_id = str(value).partition(":")
        return f"{SOURCE_TITLES.get(source, source)} {remote_id}".strip()
    return None
