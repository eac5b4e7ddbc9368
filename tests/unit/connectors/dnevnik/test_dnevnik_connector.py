"""The Дневник.ру connector on respx, with payloads in the platform's real shapes (API.md §4)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
import respx

from edugateway.connectors.base import DateRange, Op
from edugateway.connectors.dnevnik import ERROR_TYPES, DnevnikConnector, DnevnikTokenAuth
from edugateway.connectors.http import HttpPolicy, PlatformClient
from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, AttendanceCode, Mark, MarkKind, Role
from edugateway.errors import AuthError, ConnectorError

BASE = "https://api.dnevnik.test/v2.0/"
FAST = HttpPolicy(rate_limit_rps=1000, retries=2, backoff_min_s=0.001, backoff_max_s=0.01)
SCHOOL = "1000004956244"
CLASS = {
    "id": 2260325488551004000,
    "id_str": "2260325488551003872",
    "parentIds": None,
    "parentIds_str": None,
    "type": "Group",
    "name": "5А",
    "parallel": 5,
    "status": "Active",
    "studyyear": 2026,
    "subjects": [],
}
SUBGROUP = {
    "id": 2260325488551004000,
    "id_str": "2260325488551003873",
    "parentIds": [2260325488551004000],
    "parentIds_str": ["2260325488551003872"],
    "type": "Subgroup",
    "name": "5А англ 1",
    "parallel": 5,
    "status": "Active",
    "studyyear": 2026,
    "subjects": [{"id": 1, "id_str": "1343883032131044638", "name": "Английский язык"}],
}
PUPIL = {
    "id": 1000010305374,
    "id_str": "1000010305374",
    "userId": 1000008972014,
    "userId_str": "1000008972014",
    "firstName": "Алёна",
    "lastName": "Иванова",
    "middleName": "Петровна",
    "shortName": "Иванова А",
    "sex": "Female",
}
USER = {
    "id": 1000008972014,
    "id_str": "1000008972014",
    "personId": 1000010305374,
    "personId_str": "1000010305374",
    "shortName": "Иванова А",
    "sex": "Female",
    "birthday": "2015-04-03T00:00:00",
    "roles": ["EduStudent"],
    "phone": "",
}
TEACHER = {
    "Id": 1000010300001,
    "IdStr": "1000010300001",
    "UserId": 1,
    "UserIdStr": "1",
    "FirstName": "Ольга",
    "LastName": "Смирнова",
    "MiddleName": "Игоревна",
    "Sex": "Female",
    "DateBirth": "1980-01-02T00:00:00",
}

SCHOOL_ROW = {"id": int(SCHOOL), "id_str": SCHOOL, "name": "Школа № 2", "timeZone": 5}


def connector(auth: DnevnikTokenAuth | None = None) -> DnevnikConnector:
    client = PlatformClient(
        "dnevnik", BASE, policy=FAST, auth=auth or DnevnikTokenAuth("t" * 32), error_types=ERROR_TYPES
    )
    return DnevnikConnector(client, SCHOOL)


def roster_routes(router: respx.MockRouter) -> None:
    router.get(f"{BASE}schools/{SCHOOL}/edu-groups").respond(json=[SUBGROUP, CLASS])
    router.get(f"{BASE}edu-groups/{CLASS['id_str']}/persons").respond(json=[PUPIL])
    router.get(f"{BASE}edu-groups/{SUBGROUP['id_str']}/persons").respond(json=[PUPIL])
    router.post(f"{BASE}users/many").respond(json=[USER])
    router.get(f"{BASE}schools/{SCHOOL}/teachers").respond(json=[TEACHER])


@respx.mock(assert_all_called=False)
async def test_roster_reads_classes_subgroups_persons_and_enrollments(respx_mock: respx.MockRouter) -> None:
    roster_routes(respx_mock)
    conn = connector()
    classes = [r.record async for r in conn.classes()]
    assert [(c.id, c.parent_id, c.subject_id) for c in classes] == [
        ("2260325488551003872", None, None),
        ("2260325488551003873", "2260325488551003872", "1343883032131044638"),
    ]
    persons = [r.record async for r in conn.persons()]
    assert [(p.id, p.roles, p.birth_date) for p in persons] == [
        ("1000010305374", frozenset({Role.STUDENT}), dt.date(2015, 4, 3)),
        ("1000010300001", frozenset({Role.TEACHER}), dt.date(1980, 1, 2)),
    ]
    many = [c for c in respx_mock.calls if c.request.url.path.endswith("users/many")]
    assert json.loads(many[0].request.content) == [1000008972014]  # exact int64, no float rounding
    enrollments = [r.record async for r in conn.enrollments()]
    assert {(e.person_id, e.class_id) for e in enrollments} == {
        ("1000010305374", "2260325488551003872"),
        ("1000010305374", "2260325488551003873"),
    }
    # Members are read once per group however many entities need them.
    assert len([c for c in respx_mock.calls if c.request.url.path.endswith("/persons")]) == 2
    await conn.aclose()


@respx.mock
async def test_journal_is_read_in_windows_of_at_most_30_days_exactly_once(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{BASE}schools/{SCHOOL}/edu-groups").respond(json=[CLASS])
    respx_mock.get(f"{BASE}schools/{SCHOOL}").respond(json=SCHOOL_ROW)
    lessons = respx_mock.get(url__regex=rf"{BASE}edu-groups/\d+/lessons/.*").respond(json=[])
    conn = connector()
    span = DateRange(dt.date(2026, 9, 1), dt.date(2026, 12, 27))
    assert [r async for r in conn.lessons(span)] == []
    paths = [c.request.url.path.rsplit("/", 2)[-2:] for c in lessons.calls]
    assert paths[0][0] == "2026-09-01"
    assert paths[-1][1] == "2026-12-27"
    days = [(dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days + 1 for a, b in paths]
    assert max(days) <= 30
    assert sum(days) == span.days


@respx.mock
async def test_marks_take_subject_and_kind_from_the_lesson_and_its_works(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{BASE}schools/{SCHOOL}/edu-groups").respond(json=[CLASS])
    lesson = {
        "id": 5,
        "id_str": "5",
        "title": "Дроби",
        "date": "2026-09-14T00:00:00",
        "number": 2,
        "subject": {"id": 7, "id_str": "7", "name": "Математика"},
        "group": 1,
        "group_str": CLASS["id_str"],
        "teachers": [1],
        "teachers_str": ["1000010300001"],
        "works": [
            {"id": 8, "id_str": "8", "type": "DefaultNewLessonWork", "workType": 1},
            {"id": 9, "id_str": "9", "type": "CommonWork", "workType": 2},
            {"id": 10, "id_str": "10", "type": "Homework", "text": "№ 5, 6"},
        ],
    }
    respx_mock.get(url__regex=rf"{BASE}edu-groups/\d+/lessons/.*").respond(json=[lesson])
    marks = [
        {
            "id": 11,
            "id_str": "11",
            "value": "5",
            "person_str": "1000010305374",
            "lesson_str": "5",
            "work_str": "8",
            "date": "2026-09-14T10:00:00",
        },
        {
            "id": 12,
            "id_str": "12",
            "value": "4-",
            "person_str": "1000010305374",
            "lesson_str": "5",
            "work_str": "9",
            "workType": 2,
            "date": "2026-09-30T10:00:00",
        },
        # a quarter final entered in the window: no lesson, a PeriodMark work type; read through final-marks
        {"id": 13, "id_str": "13", "value": "4", "person_str": "1000010305374", "work_str": "20", "workType": 3},
        # a special mark: the code in value, the label in textValue
        {"id": 14, "id_str": "14", "value": "ЗЧ", "textValue": "зачёт", "person_str": "1000010305374",
         "lesson_str": "5", "work_str": "8", "date": "2026-09-14T10:00:00"},
        # a value outside every mark system: skipped with its reason, the read goes on
        {"id": 15, "id_str": "15", "value": "7", "person_str": "1000010305374", "lesson_str": "5", "work_str": "8"},
    ]  # fmt: skip
    respx_mock.get(url__regex=rf"{BASE}edu-groups/\d+/marks/.*").respond(json=marks)
    respx_mock.get(f"{BASE}work-types/{SCHOOL}").respond(
        json=[
            {"id": 1, "id_str": "1", "schoolId": int(SCHOOL), "kind": "DefaultNewLessonWork", "title": "Урок"},
            {"id": 3, "id_str": "3", "schoolId": int(SCHOOL), "kind": "PeriodMark", "title": "Четверть"},
        ]
    )
    conn = connector()
    span = DateRange(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    got = [r.record async for r in conn.marks(span)]
    assert [(x.id, x.kind, x.subject_id, x.value) for x in got] == [
        ("11", MarkKind.LESSON, "7", "5"),
        ("12", MarkKind.WORK, "7", "4-"),
        ("14", MarkKind.LESSON, "7", "зачёт"),
    ]
    assert [(s.entity, s.remote_id) for s in conn.skipped] == [(Entity.MARKS, "15")]
    assert "is not one of 1–5" in conn.skipped[0].reason
    respx_mock.get(f"{BASE}schools/{SCHOOL}").respond(json=SCHOOL_ROW)
    respx_mock.get(f"{BASE}edu-groups/{CLASS['id_str']}/timetables").respond(json=[])
    (read,) = [r.record async for r in conn.lessons(span)]
    assert read.homework == "№ 5, 6"


@respx.mock
async def test_a_refused_token_is_refreshed_once_and_the_call_repeated(respx_mock: respx.MockRouter) -> None:
    auth = DnevnikTokenAuth("a" * 32, refresh_token="r1", client_id="app", client_secret="s3cret")
    route = respx_mock.get(f"{BASE}schools/{SCHOOL}/subjects")
    route.side_effect = [
        httpx.Response(401, json={"type": "invalidToken", "description": "Токен недействителен"}),
        httpx.Response(200, json=[{"id": 7, "id_str": "7", "name": "Математика"}]),
    ]
    token = respx_mock.post(f"{BASE}authorizations").respond(
        json={"accessToken": "b" * 32, "expiresIn": 2591999, "refreshToken": "r2", "user": 1, "user_str": "1"}
    )
    conn = connector(auth)
    assert [r.remote_id async for r in conn.subjects()] == ["7"]
    assert json.loads(token.calls[0].request.content)["grant_type"] == "RefreshToken"
    assert route.calls[1].request.headers["Access-Token"] == "b" * 32
    assert auth.refresh_token == "r2"


@respx.mock
async def test_an_outage_at_the_token_endpoint_is_retried_not_taken_for_bad_credentials(
    respx_mock: respx.MockRouter,
) -> None:
    auth = DnevnikTokenAuth("a" * 32, refresh_token="r1", client_id="app", client_secret="s3cret")
    route = respx_mock.get(f"{BASE}schools/{SCHOOL}/subjects")
    route.side_effect = [
        httpx.Response(401, json={"type": "invalidToken", "description": "Токен недействителен"}),
        httpx.Response(401, json={"type": "invalidToken", "description": "Токен недействителен"}),
        httpx.Response(200, json=[{"id": 7, "id_str": "7", "name": "Математика"}]),
    ]
    token = respx_mock.post(f"{BASE}authorizations")
    token.side_effect = [
        httpx.Response(502, text="<html>502 Bad Gateway</html>"),
        httpx.Response(200, json={"accessToken": "b" * 32, "refreshToken": "r2", "user": 1, "user_str": "1"}),
    ]
    conn = connector(auth)
    assert [r.remote_id async for r in conn.subjects()] == ["7"]
    assert token.call_count == 2
    assert auth.refresh_token == "r2"


@respx.mock
async def test_without_refresh_credentials_a_refused_token_says_what_to_configure(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{BASE}schools/{SCHOOL}/subjects").respond(401, json={"type": "invalidToken", "description": ""})
    with pytest.raises(AuthError, match="refresh_token, client_id and client_secret"):
        [r async for r in connector().subjects()]


@respx.mock
async def test_a_rejected_write_fails_its_record_only(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(f"{BASE}lessons/5/log-entries").respond(json={})
    respx_mock.post(f"{BASE}lessons/6/log-entries").respond(
        400, json={"type": "parameterInvalid", "description": "lesson is closed"}
    )
    entries = [Attendance(person_id="1", lesson_id=str(n), code=AttendanceCode.ILL) for n in (5, 6)]
    results = await connector().write(Entity.ATTENDANCE, Op.CREATE, entries)
    assert [(r.key, r.ok) for r in results] == [("5:1", True), ("6:1", False)]
    assert "lesson is closed" in (results[1].error or "")
    assert not results[1].retryable
    sent = json.loads(respx_mock.calls[0].request.content)
    assert sent["status"] == "Ill"


async def test_persons_cannot_be_pushed_through_the_partner_api() -> None:
    mark = Mark(id="1", person_id="1", value="5", lesson_id="2")
    with pytest.raises(ConnectorError, match="does not offer create for persons"):
        await connector().write(Entity.PERSONS, Op.CREATE, [mark])
