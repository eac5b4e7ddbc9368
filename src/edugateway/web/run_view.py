"""The run journal as the sysadmin reads it: statuses and counts in Russian, times in each school's own zone
(named on the page), errors with personal data masked (an error may quote a name or a SNILS)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edugateway.config.settings import Settings
from edugateway.logs import mask_text
from edugateway.store.run_journal import JournalRun
from edugateway.web.shown_words import SOURCE_TITLES

DEFAULT_ZONE = "Europe/Moscow"
STATUS_WORDS: dict[str, str] = {
    "running": "идёт",
    "done": "готово",
    "failed": "ошибка",
    "refused": "отказано",
    "on_hold": "на удержании: нужно одобрение",
    "approved": "одобрено",
    "stopped": "остановлено, продолжится",
    "skipped": "пропущено: занято другим запуском",
    "interrupted": "прервано",
    "abandoned": "брошено: процесс завершился",
}
STATUS_CLASSES = {"done": "ok", "approved": "ok", "failed": "bad", "refused": "bad", "abandoned": "bad"}
COUNT_WORDS: dict[str, str] = {
    "read": "прочитано",
    "created": "создано",
    "updated": "изменено",
    "deleted": "удалено",
    "deactivated": "снято",
    "linked": "связано",
    "unchanged": "без изменений",
    "skipped": "пропущено",
    "failed": "ошибок",
    "rejected": "отклонено",
}
ENTITY_WORDS: dict[str, str] = {
    "persons": "люди",
    "person": "люди",
    "classes": "классы",
    "class": "классы",
    "enrollments": "зачисления",
    "enrollment": "зачисления",
    "subjects": "предметы",
    "subject": "предметы",
    "periods": "периоды",
    "timetable": "расписание",
    "lessons": "уроки",
    "marks": "оценки",
    "final_marks": "итоговые оценки",
    "attendance": "посещаемость",
    "homework": "домашние задания",
    "parent_link": "связи с родителями",
    "school": "школа",
    "contingent": "контингент",
}
KIND_WORDS = {"sync": "синхронизация", "job": "задание", "import": "импорт"}
TRIGGER_WORDS = {"schedule": "по расписанию", "manual": "вручную"}


@dataclass(frozen=True, slots=True)
class RunLine:
    run_id: int
    school_name: str
    what: str
    status: str
    status_class: str
    started: str
    finished: str
    took: str
    counts: str
    error: str | None


def school_zone(settings: Settings, code: str) -> ZoneInfo:
    """The school's configured zone; a school not in the configuration (or a bad name) gets Moscow time."""
    name = next((s.timezone for s in settings.schools if s.code == code), DEFAULT_ZONE)
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return ZoneInfo(DEFAULT_ZONE)


def _at(value: dt.datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return "—"
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zone)
    return f"{local:%d.%m.%Y %H:%M} ({local:%Z}, {zone.key})"


def _took(run: JournalRun) -> str:
    if run.finished_at is None:
        return "—"
    started = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=dt.UTC)
    finished = run.finished_at if run.finished_at.tzinfo else run.finished_at.replace(tzinfo=dt.UTC)
    seconds = max(0, int((finished - started).total_seconds()))
    return f"{seconds // 60} мин {seconds % 60} с" if seconds >= 60 else f"{seconds} с"


def shown_counts(counts: dict[str, Any] | None) -> str:
    """{"persons": {"read": 5, "created": 2}} as «люди: прочитано 5, создано 2»; zeros left out."""
    if not counts:
        return "—"
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict):
            inner = [f"{COUNT_WORDS.get(str(k), str(k))} {v}" for k, v in value.items() if v not in (0, None, "")]
            if inner:
                parts.append(f"{ENTITY_WORDS.get(key, key)}: {', '.join(inner)}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if value:
                parts.append(f"{_count_key(key)} {value}")
        elif isinstance(value, str) and value:
            parts.append(f"{_count_key(key)}: {mask_text(value)}")
    return "; ".join(parts) or "—"


def _count_key(key: str) -> str:
    """ "person_created" as «люди: создано»; other keys as they are."""
    entity, _, count = key.rpartition("_")
    if entity and count in COUNT_WORDS:
        return f"{ENTITY_WORDS.get(entity, entity)}: {COUNT_WORDS[count]}"
    return COUNT_WORDS.get(key, key.replace("_", " "))


def run_line(run: JournalRun, settings: Settings) -> RunLine:
    zone = school_zone(settings, run.school_code)
    what = SOURCE_TITLES.get(run.what, run.what)
    if run.dry_run:
        what += " (пробный прогон)"
    if run.trigger:
        what += f", {TRIGGER_WORDS.get(run.trigger, run.trigger)}"
    return RunLine(
        run.run_id,
        run.school_name,
        what,
        STATUS_WORDS.get(run.status, run.status),
        STATUS_CLASSES.get(run.status, "warn" if run.status != "running" else "running"),
        _at(run.started_at, zone),
        _at(run.finished_at, zone),
        _took(run),
        shown_counts(run.counts),
        mask_text(run.error) if run.error else None,
    )
