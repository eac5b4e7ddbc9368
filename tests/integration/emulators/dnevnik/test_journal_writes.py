"""Journal writes on the Дневник emulator as the partner API takes them (issue 18: "The emulator accepts these
writes as the real API does (validation, error types, ids) and serves them back on its read endpoints").

API.md §4.5: Work = `{id, id_str, type:"Homework"|…, workType, markType, markCount, lesson, …, eduGroup, text,
periodNumber, periodType, subjectId, …}` from `GET works/{id}`, `works?lesson=`, `lessons/{l}/works`,
`POST works/many`, `POST works`; §4.6: marks on works, final marks through `edu-groups/{g}/final-marks` and
friends; §5: errors are `{type, description}`, a bad parameter `parameterInvalid`."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydnevnikruapi.dnevnik.dnevnik import DiaryAPI

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from support.fake_clock import FakeClock

Served = tuple[dnevnik.DnevnikEmulator, str]


class Api:
    def __init__(self, served: Served) -> None:
        self.emulator, self.base = served
        self.headers = {"Access-Token": self.emulator.admin_token}

    def call(self, method: str, path: str, body: Any = None, **params: str) -> httpx.Response:
        return httpx.request(method, f"{self.base}/v2.0/{path}", headers=self.headers, json=body, params=params)

    def ok(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        response = self.call(method, path, body, **params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def api(served: Served) -> Api:
    return Api(served)


def _lesson_and_student(school: SchoolSnapshot) -> tuple[int, int, int, int]:
    """(lesson, its group, its subject, a student of the group), platform ids, for a November lesson of a class."""
    code = school.school.code
    homerooms = {c.id for c in school.classes if c.parent_id is None}
    students = {p.id for p in school.persons if Role.STUDENT in p.roles}
    lesson = next(les for les in school.lessons if les.date.month == 11 and les.class_id in homerooms)
    student = next(e.person_id for e in school.enrollments if e.class_id == lesson.class_id and e.person_id in students)
    return (
        platform_id("lesson", code, lesson.id),
        platform_id("group", code, lesson.class_id),
        platform_id("subject", code, lesson.subject_id),
        platform_id("person", code, student),
    )


def _free_period(api: Api, group: int, subject: int) -> dict[str, Any]:
    """A reporting period of the group with no PeriodMark work yet for the subject."""
    taken = {
        (w["periodNumber"], w["periodType"])
        for w in api.emulator.world.works.values()
        if w["type"] == "PeriodMark" and w["eduGroup"] == group and w["subjectId"] == subject
    }
    periods = api.ok("GET", f"edu-groups/{group}/reporting-periods")
    return next(p for p in periods if (p["number"], p["type"]) not in taken)


def _refused(response: httpx.Response, name: str, status: int = 400) -> None:
    kind = "parameterInvalid" if status == 400 else "apiResourceUnavailable"
    assert (response.status_code, response.json()["type"]) == (status, kind), response.text
    assert name in response.json()["description"]


def test_a_homework_is_served_on_every_work_read_and_as_the_lessons_homework(
    api: Api, school: SchoolSnapshot, clock: FakeClock
) -> None:
    lesson, group, subject, _ = _lesson_and_student(school)
    clock.advance(7200)
    local = dt.datetime.fromtimestamp(clock.now, ZoneInfo(school.school.timezone)).strftime("%Y-%m-%dT%H:%M:%S")
    work = api.ok("POST", "works", {"type": "Homework", "lesson": str(lesson), "text": "§ 12, № 3", "markCount": 0})
    assert work["id_str"] == str(work["id"])
    assert work["id"] not in (0, None)
    assert (work["lesson"], work["eduGroup"], work["subjectId"], work["text"]) == (lesson, group, subject, "§ 12, № 3")
    assert work["sentDate"] == local  # now, in the school's zone
    assert api.ok("GET", f"works/{work['id']}") == work
    assert work in api.ok("GET", "works", lesson=str(lesson))
    assert work in api.ok("GET", f"lessons/{lesson}/works")
    assert api.ok("POST", "works/many", [work["id"]]) == [work]
    day = api.ok("GET", f"lessons/{lesson}")["date"][:10]
    served = api.ok("GET", f"edu-groups/{group}/lessons/{day}/{day}")
    assert work in next(les for les in served if les["id"] == lesson)["works"]

    changed = api.ok("PUT", f"works/{work['id']}", {"text": "§ 13"})
    assert (changed["id"], changed["text"]) == (work["id"], "§ 13")
    assert api.ok("GET", f"works/{work['id']}")["text"] == "§ 13"


def test_each_bad_work_is_refused_with_the_apis_error(api: Api, school: SchoolSnapshot) -> None:
    lesson, group, subject, _ = _lesson_and_student(school)
    other_group = next(g for g in api.emulator.world.edu_groups if g != group)
    period = _free_period(api, group, subject)
    final = {"type": "PeriodMark", "eduGroup": str(group), "subjectId": str(subject)}
    before = len(api.emulator.world.works)

    _refused(api.call("POST", "works", {"type": "Essay", "lesson": str(lesson)}), "type")
    _refused(api.call("POST", "works", {"type": "CommonWork", "lesson": "12345"}), "lesson", 404)
    _refused(api.call("POST", "works", {"type": "CommonWork", "lesson": str(lesson), "eduGroup": str(other_group)}),
             "eduGroup")  # fmt: skip
    _refused(api.call("POST", "works", {"type": "CommonWork", "lesson": str(lesson), "subjectId": "777"}), "subjectId")
    _refused(api.call("POST", "works", {"type": "CommonWork", "lesson": str(lesson), "workType": "999"}), "workType")
    _refused(api.call("POST", "works", {"type": "Homework", "lesson": str(lesson), "text": "  "}), "text")
    _refused(api.call("POST", "works", {**final, "eduGroup": "4242", "reportingPeriod": period["id_str"]}),
             "eduGroup", 404)  # fmt: skip
    _refused(api.call("POST", "works", {**final, "subjectId": "4242", "reportingPeriod": period["id_str"]}),
             "subject", 404)  # fmt: skip
    _refused(api.call("POST", "works", final), "reportingPeriod")  # a PeriodMark needs a period
    _refused(api.call("POST", "works", {**final, "reportingPeriod": "4242"}), "reportingPeriod")
    _refused(api.call("POST", "works", {**final, "periodNumber": 9, "periodType": "Quarter"}), "reportingPeriod")
    _refused(api.call("POST", "works", {**final, "lesson": str(lesson), "reportingPeriod": period["id_str"]}),
             "lesson")  # fmt: skip
    _refused(api.call("POST", "works", {**final, "type": "YearMark", "reportingPeriod": period["id_str"]}),
             "reportingPeriod")  # fmt: skip
    assert len(api.emulator.world.works) == before


def test_a_second_final_work_for_a_group_subject_and_period_is_refused(api: Api, school: SchoolSnapshot) -> None:
    _, group, subject, _ = _lesson_and_student(school)
    period = _free_period(api, group, subject)
    final = {"type": "PeriodMark", "eduGroup": str(group), "subjectId": str(subject)}
    made = api.ok("POST", "works", {**final, "reportingPeriod": period["id_str"]})
    assert (made["lesson"], made["periodNumber"], made["periodType"]) == (None, period["number"], period["type"])
    again = {**final, "periodNumber": period["number"], "periodType": period["type"]}
    _refused(api.call("POST", "works", again), made["id_str"])
    year = {"type": "YearMark", "eduGroup": str(group), "subjectId": str(subject)}
    if not any(w["type"] == "YearMark" and w["eduGroup"] == group and w["subjectId"] == subject
               for w in api.emulator.world.works.values()):  # fmt: skip
        api.ok("POST", "works", year)
    _refused(api.call("POST", "works", year), "YearMark")


def test_a_final_given_changed_and_deleted_is_served_by_the_final_mark_reads(api: Api, school: SchoolSnapshot) -> None:
    _, group, subject, person = _lesson_and_student(school)
    period = _free_period(api, group, subject)
    work = api.ok("POST", "works", {"type": "PeriodMark", "eduGroup": str(group), "subjectId": str(subject),
                                    "reportingPeriod": period["id_str"]})  # fmt: skip
    mark = api.ok("POST", f"persons/{person}/works/{work['id']}/mark", {"value": "4"})
    assert mark["work"] == work["id"]
    assert mark["lesson"] is None

    def finals_in_group() -> list[dict[str, Any]]:
        rows = api.ok("GET", f"edu-groups/{group}/final-marks")
        row = next((r for r in rows if (r["person"], r["reportingPeriod"]) == (person, period["id"])), None)
        return [] if row is None else [s for s in row["per-subject-final-marks"] if s["subject"] == subject]

    assert [s["final-mark"] for s in finals_in_group()] == [mark]
    assert {"subject": subject, "subject_str": str(subject), "final-mark": mark} in api.ok(
        "GET", f"persons/{person}/edu-groups/{group}/final-marks"
    )
    assert mark in api.ok("GET", f"persons/{person}/edu-groups/{group}/allfinalmarks")["marks"]
    assert mark in api.ok("GET", f"edu-groups/{group}/subjects/{subject}/final-marks")
    assert api.ok("GET", f"persons/{person}/works/{work['id']}/marks") == [mark]

    changed = api.ok("PUT", f"marks/{mark['id']}", {"value": "5"})
    assert [s["final-mark"] for s in finals_in_group()] == [changed]
    assert changed["value"] == "5"
    assert api.call("DELETE", f"marks/{mark['id']}").status_code == 204
    assert finals_in_group() == []
    assert api.ok("GET", f"persons/{person}/works/{work['id']}/marks") == []


def test_a_second_log_entry_post_is_refused_and_put_changes_it(api: Api, school: SchoolSnapshot) -> None:
    """API.md §4.7: `POST lessons/{l}/log-entries` makes an entry, `PUT … (+person)` changes it."""
    lesson, _, _, person = _lesson_and_student(school)
    path = f"lessons/{lesson}/log-entries"
    api.call("DELETE", path, person=str(person))
    entry = {"person": str(person), "lesson": str(lesson), "status": "Absent"}
    api.ok("POST", path, entry)
    _refused(api.call("POST", path, {**entry, "status": "Ill"}), "PUT")
    api.ok("PUT", path, {**entry, "status": "Ill"}, person=str(person))
    assert api.ok("GET", f"lesson-log-entries/lesson/{lesson}/person/{person}")["status"] == "Ill"


def test_pydnevnikruapi_reads_back_a_posted_mark_and_a_final(api: Api, school: SchoolSnapshot) -> None:
    """The third-party client reads what the push writes as it would from api.dnevnik.ru (issue 18, Done when)."""
    lesson, group, subject, person = _lesson_and_student(school)
    work = api.ok("POST", "works", {"type": "CommonWork", "lesson": str(lesson)})
    mark = api.ok("POST", f"persons/{person}/works/{work['id']}/mark", {"value": "5-"})
    period = _free_period(api, group, subject)
    final_work = api.ok("POST", "works", {"type": "PeriodMark", "eduGroup": str(group), "subjectId": str(subject),
                                          "reportingPeriod": period["id_str"]})  # fmt: skip
    final = api.ok("POST", f"persons/{person}/works/{final_work['id']}/mark", {"value": "ЗЧ"})

    client = DiaryAPI(token=api.emulator.admin_token)
    client.host = f"{api.base}/v2/"
    with client:
        assert client.get_person_work_marks(person, work["id"]) == [mark]
        assert mark in client.get_marks_by_lesson(lesson)
        assert final in client.get_group_subject_final_marks(group, subject)
        everything = client.get_person_group_marks_final(person, group)
        assert final in everything["marks"]
        assert final_work["id"] in {w["id"] for w in everything["works"]}
    assert (mark["value"], final["value"], final["textValue"]) == ("5-", "ЗЧ", "зачёт")
