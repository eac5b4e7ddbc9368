"""The ЕЦП app in process (httpx over ASGI, no sockets): sign-in, the diary's replies, edu-upload, errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.ecp import ADMIN_PASSWORD, EcpEmulator, EcpWorld, admin_login, create_app
from edugateway.emulators.ecp.errors import render_fault
from edugateway.emulators.ecp.shapes import STUDENT_FIELDS
from edugateway.emulators.faults import FaultConfig, FaultKind
from support.fixture_files import fixture_json

NOW = dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC).timestamp()
STUDENTS_CSV = (
    "student_id;org_ogrn;last_name;first_name;middle_name;birth_date;gender;snils;class_name\n"
    "s1;1026600000001;Иванов;Пётр;Сергеевич;01.09.2015;M;112-233-445 95;5А\n"
    "s2;1026600000001;Петрова;Анна;;02.10.2015;F;;5А\n"
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(world: EcpWorld, clock: Clock) -> EcpEmulator:
    return create_app(world, clock=clock)


@pytest.fixture
async def client(emulator: EcpEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app), base_url="http://ecp.test") as c:
        yield c


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _login(client: httpx.AsyncClient, login: str, password: str) -> dict[str, Any]:
    response = await client.post("/api/auth/Auth/Login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _a_student(world: EcpWorld, grade: int) -> dict[str, Any]:
    return next(s for s in world.students.values() if world.classes[s["classId"]]["grade"] == grade)


async def test_login_gives_a_jwt_and_a_refresh_token(client: httpx.AsyncClient, school: SchoolSnapshot) -> None:
    tokens = await _login(client, admin_login(school.school.code).upper(), ADMIN_PASSWORD)
    assert set(tokens) == {"accessToken", "refreshToken", "expiresIn"}
    assert tokens["accessToken"].count(".") == 2
    wrong = await client.post("/api/auth/Auth/Login", json={"login": admin_login(school.school.code), "password": "x"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["status"] == 401
    missing = await client.post("/api/auth/Auth/Login", json={"login": "a"})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"password": ["The password field is required."]}


async def test_calls_without_a_valid_token_get_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    bare = await client.get("/api/students")
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"] == "Bearer"
    forged = await client.get("/api/students", headers=_bearer("e30.e30.x"))
    assert forged.status_code == 401
    assert 'error="invalid_token"' in forged.headers["www-authenticate"]


async def test_a_token_dies_at_the_fault_ttl_and_the_refresh_token_rotates(
    client: httpx.AsyncClient, emulator: EcpEmulator, clock: Clock, school: SchoolSnapshot
) -> None:
    tokens = await _login(client, admin_login(school.school.code), ADMIN_PASSWORD)
    emulator.set_faults(FaultConfig(token_ttl_s=60))
    assert (await client.get("/api/students", headers=_bearer(tokens["accessToken"]))).status_code == 200
    clock.now += 61
    expired = await client.get("/api/students", headers=_bearer(tokens["accessToken"]))
    assert expired.status_code == 401
    assert "expired" in expired.headers["www-authenticate"]
    fresh = await client.post("/api/auth/Token/Refresh", json={"refreshToken": tokens["refreshToken"]})
    assert fresh.status_code == 200
    assert (await client.get("/api/students", headers=_bearer(fresh.json()["accessToken"]))).status_code == 200
    again = await client.post("/api/auth/Token/Refresh", json={"refreshToken": tokens["refreshToken"]})
    assert again.status_code == 401  # each refresh token works once


async def test_a_revoked_token_no_longer_works(client: httpx.AsyncClient, emulator: EcpEmulator) -> None:
    token = emulator.issue_token()
    assert (await client.post("/api/auth/Token/Revoke", headers=_bearer(token))).status_code == 200
    assert (await client.get("/api/students", headers=_bearer(token))).status_code == 401
    cookie = await client.get("/api/students", headers={"Cookie": f"Aiss2Auth=Bearer%20{emulator.admin_token}"})
    assert cookie.status_code == 200


async def test_students_carry_exactly_the_diary_fields(client: httpx.AsyncClient, emulator: EcpEmulator) -> None:
    reply = (await client.get("/api/students", headers=_bearer(emulator.admin_token))).json()
    assert reply["isParent"] is False
    assert len(reply["students"]) == len(emulator.world.students)
    assert all(tuple(s) == STUDENT_FIELDS for s in reply["students"])  # no localId, snils, birthDate, classId


async def test_a_parent_sees_only_their_children(client: httpx.AsyncClient, emulator: EcpEmulator) -> None:
    parent = next(a for a in emulator.world.accounts.values() if a["role"] == "parent")
    token = emulator.issue_token(parent["login"])
    reply = (await client.get("/api/students", headers=_bearer(token))).json()
    assert reply["isParent"] is True
    assert reply["currentUser"] == {k: parent[k] for k in ("firstName", "lastName", "surName")}
    assert {s["id"] for s in reply["students"]} == set(parent["studentIds"])
    other = next(s for s in emulator.world.students if s not in parent["studentIds"])
    denied = await client.get("/api/schedule", headers=_bearer(token), params={"studentId": other})
    assert denied.status_code == 403


def _shape(value: Any) -> Any:
    """The key structure of a JSON value: objects by their keys, lists by their first element."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


async def test_the_schedule_has_the_captured_replys_shape(client: httpx.AsyncClient, emulator: EcpEmulator) -> None:
    sample = fixture_json("ecp/schedule-response-sample.json")
    student = _a_student(emulator.world, 5)
    reply = (
        await client.get("/api/schedule", headers=_bearer(emulator.admin_token), params={"studentId": student["id"]})
    ).json()
    assert _shape(reply) == _shape(sample)
    model = reply["scheduleModel"]
    assert model["weekNumber"] == reply["paginationData"]["pageNumber"] == 12  # 18 Nov 2026, week 1 from 31 Aug
    assert model["beginDate"] == "2026-11-16T00:00:00.000+05:00"
    assert [d["dayOfWeekName"] for d in model["days"]][0::5] == ["Понедельник", "Суббота"]
    groups = set(emulator.world.groups_of_student[student["id"]])
    lessons = [les for d in model["days"] for les in d["scheduleDayLessonModels"]]
    assert lessons
    assert all(emulator.world.lessons[les["id"]]["classId"] in groups for les in lessons)
    assert any(les["groupName"] for les in lessons)  # the student's subgroup lessons, not the other group's


async def test_schedule_pages_by_week_and_says_when_a_page_is_out_of_range(
    client: httpx.AsyncClient, emulator: EcpEmulator
) -> None:
    student = _a_student(emulator.world, 5)
    headers = _bearer(emulator.admin_token)
    first = (
        await client.get("/api/schedule", headers=headers, params={"studentId": student["id"], "pageNumber": 1})
    ).json()
    assert first["scheduleModel"]["beginDate"].startswith("2026-08-31")
    assert first["paginationData"]["hasPreviousPage"] is False
    beyond = (
        await client.get("/api/schedule", headers=headers, params={"studentId": student["id"], "pageNumber": 60})
    ).json()
    assert beyond["paginationData"]["pageNumberOutOfRange"] is True
    assert beyond["scheduleModel"] is None
    bad = await client.get("/api/schedule", headers=headers, params={"studentId": "nope"})
    assert bad.status_code == 400
    assert "studentId" in bad.json()["errors"]


async def test_estimate_tables_follow_the_chosen_period(client: httpx.AsyncClient, emulator: EcpEmulator) -> None:
    world = emulator.world
    headers = _bearer(emulator.admin_token)
    student = _a_student(world, 5)
    query = {"studentId": student["id"], "classId": student["classId"], "schoolYear": "2026"}
    periods = (await client.get("/api/estimate/periods", headers=headers, params=query)).json()["periods"]
    names = [p["name"] for p in periods]
    assert names == ["Текущая неделя", "Итоговые оценки", "1 четверть", "2 четверть", "3 четверть", "4 четверть"]
    assert (
        await client.get("/api/estimate/periods", headers=headers, params={"studentId": student["id"]})
    ).status_code == 400

    week = (await client.get("/api/estimate", headers=headers, params={"studentId": student["id"]})).json()
    assert week["periodGradesTable"] is None
    assert week["yearGradesTable"] is None
    assert week["weekGradesTable"]["paginationData"]["pageNumber"] == 12

    quarter = (
        await client.get("/api/estimate", headers=headers, params={**query, "periodId": periods[2]["id"]})
    ).json()
    disciplines = quarter["periodGradesTable"]["disciplines"]
    finals = {
        world.subjects[e["subjectId"]]["name"]: e["value"]
        for e in world.estimates_by_student[student["id"]]
        if e["kind"] == "period"
    }
    assert finals
    assert {d["name"]: d["totalGrade"] for d in disciplines if d["totalGrade"]} == finals
    marks = sum(len(g["grades"]) for d in disciplines for g in d["grades"])
    q1 = world.periods[periods[2]["id"]]
    in_quarter = [
        e
        for e in world.estimates_by_student[student["id"]]
        if e["lessonId"] and q1["beginDate"] <= e["date"] <= q1["endDate"]
    ]
    assert marks == len(in_quarter) > 0

    year = (await client.get("/api/estimate", headers=headers, params={**query, "periodId": periods[1]["id"]})).json()
    table = year["yearGradesTable"]
    assert [p["name"] for p in table["periods"]] == names[2:]
    assert {row["lesson"]["name"] for row in table["lessonGrades"]} >= set(finals)


async def test_seniors_have_halves_and_subjects_start_with_all(
    client: httpx.AsyncClient, emulator: EcpEmulator
) -> None:
    headers = _bearer(emulator.admin_token)
    senior = _a_student(emulator.world, 11)
    query = {"studentId": senior["id"], "classId": senior["classId"]}
    periods = (await client.get("/api/estimate/periods", headers=headers, params=query)).json()["periods"]
    assert [p["name"] for p in periods][2:] == ["1 Полугодие", "2 Полугодие"]
    subjects = (await client.get("/api/estimate/subjects", headers=headers, params=query)).json()["subjects"]
    assert subjects[0] == {"id": "00000000-0000-0000-0000-000000000000", "name": "Все предметы"}
    assert "Химия" in {s["name"] for s in subjects}
    years = (await client.get("/api/estimate/years", headers=headers, params={"studentId": senior["id"]})).json()
    assert years["currentYear"] == {"id": "2026", "text": "2026/2027"}


async def test_homework_for_a_day_and_the_done_flag(client: httpx.AsyncClient, emulator: EcpEmulator) -> None:
    headers = _bearer(emulator.admin_token)
    student = _a_student(emulator.world, 5)
    day = (await client.get("/api/homework", headers=headers, params={"studentId": student["id"]})).json()
    assert day["date"] == "2026-11-18T00:00:00.000+05:00"
    assert day["pagination"]["previousDate"] < day["date"] < day["pagination"]["nextDate"]
    first = day["homeworks"][0]
    assert first["description"].startswith("§")
    lesson = emulator.world.lessons[first["lessonId"]]
    assert first["startTime"] == f"{lesson['beginHour']:02d}:{lesson['beginMinute']:02d}:00"
    body = {"homeworkId": first["id"], "isDone": True, "studentId": student["id"]}
    assert (await client.post("/api/homework/done", headers=headers, json=body)).status_code == 200
    again = (
        await client.get("/api/homework", headers=headers, params={"studentId": student["id"], "date": "2026-11-18"})
    ).json()
    assert next(h for h in again["homeworks"] if h["id"] == first["id"])["isDone"] is True


async def test_edu_upload_stores_a_good_file_and_refuses_a_bad_one_whole(
    client: httpx.AsyncClient, emulator: EcpEmulator
) -> None:
    octet = {"Content-Type": "application/octet-stream"}
    ok = await client.post("/api/edu-upload/v1/csv/students", content=STUDENTS_CSV.encode(), headers=octet)
    assert (ok.status_code, ok.content) == (200, b"")
    stored = (await client.get("/_emulator/edu-upload/students")).json()["rows"]
    assert [r["student_id"] for r in stored] == ["s1", "s2"]

    broken = STUDENTS_CSV.replace("s2;", "s3;").replace("02.10.2015", "2015-10-02").replace("445 95", "445 96")
    refused = await client.post("/api/edu-upload/v1/csv/students", content=broken.encode(), headers=octet)
    assert refused.status_code == 400
    body = refused.json()
    assert set(body) == {"timestamp", "status", "error", "message", "path", "errors"}
    assert {(e["line"], e["column"]) for e in body["errors"]} == {(2, "snils"), (3, "birth_date")}
    assert ("s3",) not in emulator.world.uploads["students"]  # all or nothing

    cp1251 = await client.post("/api/edu-upload/v1/csv/students", content=STUDENTS_CSV.encode("cp1251"), headers=octet)
    assert cp1251.status_code == 400
    assert "UTF-8" in cp1251.json()["errors"][0]["message"]
    wrong_media = await client.post("/api/edu-upload/v1/csv/students", content=STUDENTS_CSV.encode())
    assert wrong_media.status_code == 415
    for path in ("/api/edu-upload/v9/csv/students", "/api/edu-upload/v1/csv/teachers"):
        assert (await client.post(path, content=STUDENTS_CSV.encode(), headers=octet)).status_code == 400

    deleted = await client.request(
        "DELETE", "/api/edu-upload/v1/csv/students", content=b"student_id\ns1\nnobody\n", headers=octet
    )
    assert deleted.status_code == 200
    assert list(emulator.world.uploads["students"]) == [("s2",)]


async def test_multipart_upload_takes_tables_from_file_names_and_checks_references(
    client: httpx.AsyncClient, emulator: EcpEmulator
) -> None:
    representatives = (
        "representative_id;student_id;relation;last_name;first_name;phone\np1;s1;mother;Иванова;Мария;+79001234567\n"
    )
    files = [
        ("files", ("representatives.csv", representatives.encode(), "text/csv")),
        ("files", ("students.csv", STUDENTS_CSV.encode(), "text/csv")),
    ]
    ok = await client.post("/api/edu-upload/v1/multipart/csv", files=files)
    assert ok.status_code == 200, ok.text
    assert list(emulator.world.uploads["representatives"]) == [("p1", "s1")]
    orphan = representatives.replace("p1;s1", "p2;s9")
    refused = await client.post(
        "/api/edu-upload/v1/multipart/csv", files=[("files", ("representatives.csv", orphan.encode(), "text/csv"))]
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["column"] == "student_id"
    none = await client.post(
        "/api/edu-upload/v1/multipart/csv", data={"other": "x"}, files=[("x", ("a", b"", "text/csv"))]
    )
    assert none.status_code == 400


async def test_control_endpoints_switch_faults_and_count_routes(
    client: httpx.AsyncClient, emulator: EcpEmulator
) -> None:
    await client.get("/api/students", headers=_bearer(emulator.admin_token))
    for table in ("students", "representatives"):  # counted by template, not by concrete path
        await client.delete(f"/api/edu-upload/v1/csv/{table}", headers={"content-type": "application/octet-stream"})
    stats = (await client.get("/_emulator/stats")).json()
    assert stats["by_route"] == {"GET /api/students": 1, "DELETE /api/edu-upload/{version}/csv/{table}": 2}
    put = await client.put("/_emulator/faults", json={"maintenance": True})
    assert put.status_code == 200
    down = await client.get("/api/students", headers=_bearer(emulator.admin_token))
    assert down.status_code == 550
    assert down.json()["detail"].startswith("Ведутся технические работы")
    assert (await client.put("/_emulator/faults", json={"fail_rate": 7})).status_code == 400
    assert (await client.post("/_emulator/reset-stats")).status_code == 204


def test_fault_bodies_are_problem_details_except_nginx_pages() -> None:
    status, headers, body = render_fault(FaultKind.RATE_LIMITED, 429, 3)
    assert (status, headers["content-type"]) == (429, "application/problem+json; charset=utf-8")
    assert json.loads(body)["status"] == 429
    status, headers, body = render_fault(FaultKind.SERVER_ERROR, 504, None)
    assert headers["content-type"] == "text/html"
    assert b"504 Gateway Time-out" in body
