"""Response DTOs, built from explicit field lists so storage-only keys (`snils`, `school`, …) never leak."""

from __future__ import annotations

from typing import Any

from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

PERSON = ("id", "id_str", "userId", "userId_str", "firstName", "lastName", "middleName", "shortName", "sex")
USER_OPTIONAL = ("name", "email", "login", "fullName", "firstName", "middleName", "lastName")
USER_REQUIRED = ("shortName", "locale", "timezone", "sex", "birthday", "roles", "phone")
SCHOOL = (
    "id", "id_str", "name", "fullName", "avatarSmall", "city", "municipality", "regionId", "markType",
    "timeZone", "uses_avg", "uses_weighted_avg", "educationType", "tsoCityId", "tsoRegionTreePath",
)  # fmt: skip
PERSON_SCHOOL = ("id", "id_str", "name", "educationType", "tsoCityId", "tsoRegionTreePath")
GROUP = (
    "id", "id_str", "parentIds", "parentIds_str", "type", "name", "fullName", "parallel", "timetable",
    "timetable_str", "status", "studyyear", "educationType",
)  # fmt: skip
SUBJECT = ("id", "id_str", "name", "knowledgeArea", "fgosSubjectId", "espSubjectName", "halfYear")
LESSON = ("id", "id_str", "title", "date", "number", "group", "status", "resultPlaceId")
WORK = (
    "id", "id_str", "type", "workType", "markType", "markCount", "lesson", "lesson_str", "displayInJournal",
    "status", "eduGroup", "eduGroup_str", "tasks", "text", "periodNumber", "periodType", "subjectId",
    "isImportant", "targetDate", "sentDate", "createdBy", "files", "oneDriveLinks",
)  # fmt: skip
MARK = (
    "id", "id_str", "type", "value", "textValue", "person", "person_str", "work", "work_str", "lesson",
    "lesson_str", "number", "date", "workType", "mood", "use_avg_calc",
)  # fmt: skip
LOG_ENTRY = ("person", "person_str", "lesson", "lesson_str", "comment", "status", "createdDate")
PERIOD = ("id", "id_str", "start", "finish", "number", "type", "name", "year")
WORK_TYPE = ("id", "id_str", "schoolId", "kindId", "kind", "title", "abbr", "weight")
TEACHER = (
    "Id", "IdStr", "UserId", "UserIdStr", "FirstName", "LastName", "MiddleName", "ShortName", "Sex", "DateBirth",
    "Email", "Subjects", "HouseMaster", "Education", "ScientificDegree", "StartDate", "PedagogicalActivityDate",
    "ManagingEmployee", "NameManagingPosition", "TeachingStaff", "NameTeacherPosition", "TrainingAndSupportStaff",
    "ServicePersonnel", "MedicalWorker", "NameMedicalPosition", "ExternalPartTime",
)  # fmt: skip
TIMETABLE = ("Name", "Start", "FirstLessonNumber", "Items")


def pick(row: Row, fields: tuple[str, ...], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """The listed fields (null when missing), plus optional ones only when the row has a value."""
    out = {key: row.get(key) for key in fields}
    out.update({key: row[key] for key in optional if row.get(key) is not None})
    return out


def person(row: Row) -> dict[str, Any]:
    return pick(row, PERSON)


def user(row: Row) -> dict[str, Any]:
    """A User from the person line that carries the account: `id` is the user id, `personId` the person."""
    out: dict[str, Any] = {
        "id": row["userId"],
        "id_str": row["userId_str"],
        "personId": row["id"],
        "personId_str": row["id_str"],
    }
    out.update({key: row[key] for key in USER_OPTIONAL if row.get(key) is not None})
    out.update({key: row.get(key) for key in USER_REQUIRED})
    if out["phone"] is None:
        out["phone"] = ""
    return out


def school(row: Row) -> dict[str, Any]:
    return pick(row, SCHOOL)


def person_school(row: Row) -> dict[str, Any]:
    return pick(row, PERSON_SCHOOL)


def subject(row: Row) -> dict[str, Any]:
    return pick(row, SUBJECT)


def group(world: DnevnikWorld, row: Row) -> dict[str, Any]:
    out = pick(row, GROUP)
    out["subjects"] = [subject(world.subjects[s]) for s in row.get("subjects", []) if s in world.subjects]
    out["journaltype"] = row.get("journaltype")
    return out


def work(row: Row) -> dict[str, Any]:
    out = pick(row, WORK)
    for key in ("tasks", "files", "oneDriveLinks"):
        out[key] = list(out[key] or [])
    return out


def lesson(world: DnevnikWorld, row: Row) -> dict[str, Any]:
    out = pick(row, LESSON)
    out["subject"] = subject(world.subjects[row["subject"]]) if row.get("subject") in world.subjects else None
    out["works"] = [work(world.works[w]) for w in world.works_by_lesson.get(int(row["id"]), [])]
    teachers = [int(t) for t in row.get("teachers", [])]
    out["teachers"] = teachers
    out["teachers_str"] = [str(t) for t in teachers]
    return out


def mark(row: Row) -> dict[str, Any]:
    return pick(row, tuple(f for f in MARK if f != "textValue"), optional=("textValue",))


def log_entry(row: Row) -> dict[str, Any]:
    return pick(row, LOG_ENTRY)


def period(row: Row) -> dict[str, Any]:
    return pick(row, PERIOD)


def work_type(row: Row) -> dict[str, Any]:
    return pick(row, WORK_TYPE)


def work_type_embedded(row: Row) -> dict[str, Any]:
    """The other WorkType shape, used inside final marks, schedules and recent marks."""
    return {
        "id": row["id"],
        "schoolId": row["schoolId"],
        "abbreviation": row.get("abbr"),
        "name": row.get("title"),
        "isFinal": bool(row.get("isFinal", False)),
        "isImportant": bool(row.get("isImportant", False)),
        "kindId": row.get("kindId"),
        "kind": row.get("kind"),
    }


def teacher(row: Row) -> dict[str, Any]:
    return pick(row, TEACHER)


def timetable(row: Row) -> dict[str, Any]:
    return pick(row, TIMETABLE)
