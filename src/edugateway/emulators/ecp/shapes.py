"""Replies built from explicit field lists, so storage-only keys (`localId`, `snils`, `birthDate`, `classId`,
`password`, `doneBy`) can never reach a client."""

from __future__ import annotations

from typing import Any

from edugateway.emulators.ecp.world import Row

STUDENT_FIELDS = ("id", "firstName", "lastName", "surName", "className", "orgName", "avatarId")
PERSON_FIELDS = ("firstName", "lastName", "surName")
LESSON_TIME_FIELDS = ("beginHour", "beginMinute", "endHour", "endMinute")


def pick(row: Row, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: row.get(f) for f in fields}


def student(row: Row) -> dict[str, Any]:
    return pick(row, STUDENT_FIELDS)


def current_user(account: Row) -> dict[str, Any]:
    return pick(account, PERSON_FIELDS)


def class_item(row: Row) -> dict[str, Any]:
    """`{value, text}`, the select-box item /api/classes answers with; `value` is the classId."""
    return {"value": row["id"], "text": row["name"]}


def schedule_lesson(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "lessonid": row["id"],  # the reply repeats the id under this lowercase name
        "lessonName": row["lessonName"],
        "groupName": row.get("groupName"),
        "room": row.get("room"),
        "number": row["number"],
        **pick(row, LESSON_TIME_FIELDS),
    }


def id_name(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"]}


def clock_time(hour: int | None, minute: int | None) -> str | None:
    """A .NET TimeSpan as JSON writes it (`08:40:00`); inferred for homework start and end times."""
    return None if hour is None or minute is None else f"{hour:02d}:{minute:02d}:00"


def homework(row: Row, lesson: Row, student_id: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "isDone": student_id in row.get("doneBy", []),
        "lessonName": lesson["lessonName"],
        "lessonNumber": lesson["number"],
        "startTime": clock_time(lesson.get("beginHour"), lesson.get("beginMinute")),
        "endTime": clock_time(lesson.get("endHour"), lesson.get("endMinute")),
        "lessonId": lesson["id"],
        "description": row.get("description"),
        "isHomeworkElectronicForm": bool(row.get("isHomeworkElectronicForm")),
        "homeWorkFiles": [pick(f, ("id", "name", "size", "type")) for f in row.get("homeWorkFiles", [])],
        "individualHomeworkDescription": None,
        "isIndividualHomeworkElectronicForm": False,
        "individualHomeWorkFiles": [],
    }
