"""The ЕЦП emulator over a real socket: a client's day (sign in, roster, schedule, marks), token expiry,
edu-upload answers checked against the OpenAPI document, and a rate-limit fault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from edugateway.emulators.ecp import ADMIN_PASSWORD, EcpEmulator, admin_login, create_app, world_from_snapshot
from edugateway.emulators.faults import FaultConfig
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from support.fake_clock import FakeClock
from support.fixture_files import fixture_json

SCHOOL = "sch125"
GOOD_CSV = (
    "student_id;org_ogrn;last_name;first_name;middle_name;birth_date;gender;snils;class_name\n"
    "s1;1026600000001;Иванов;Пётр;Сергеевич;01.09.2015;M;112-233-445 95;5А\n"
)


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    """The emulator's clock: a token dies when a test moves it, not when the machine is slow."""
    return FakeClock()


@pytest.fixture(scope="module")
def served(clock: FakeClock) -> Iterator[tuple[EcpEmulator, str]]:
    snapshot = generate_journal(generate_school(seed=5, students=40, classes=6).snapshot, until=dt.date(2026, 10, 9))
    emulator = create_app(world_from_snapshot(snapshot), clock=clock)
    with BackgroundServer(emulator.app) as server:
        yield emulator, server.base_url


@pytest.fixture
def emulator(served: tuple[EcpEmulator, str]) -> Iterator[EcpEmulator]:
    emulator = served[0]
    emulator.set_faults(FaultConfig())
    yield emulator
    emulator.set_faults(FaultConfig())


@pytest.fixture
def client(served: tuple[EcpEmulator, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=10) as c:
        yield c


def test_sign_in_then_read_students_classes_schedule_and_marks(client: httpx.Client, emulator: EcpEmulator) -> None:
    login = client.post("/api/auth/Auth/Login", json={"login": admin_login(SCHOOL), "password": ADMIN_PASSWORD})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    students = client.get("/api/students", headers=headers).json()["students"]
    student = next(s for s in students if s["className"] == "5А")
    classes = client.get("/api/classes", headers=headers, params={"studentId": student["id"]}).json()
    assert classes["currentClass"]["text"] == "5А"
    class_id = classes["currentClass"]["value"]
    schedule = client.get("/api/schedule", headers=headers, params={"studentId": student["id"], "pageNumber": 5})
    days = schedule.json()["scheduleModel"]["days"]
    assert days[0]["date"] == "2026-09-28T00:00:00.000+05:00"
    assert sum(len(d["scheduleDayLessonModels"]) for d in days) > 0
    query = {"studentId": student["id"], "classId": class_id, "schoolYear": "2026"}
    periods = client.get("/api/estimate/periods", headers=headers, params=query).json()["periods"]
    quarter = next(p for p in periods if p["name"] == "1 четверть")
    marks = client.get("/api/estimate", headers=headers, params={**query, "periodId": quarter["id"]}).json()
    grades = [g for d in marks["periodGradesTable"]["disciplines"] for lesson in d["grades"] for g in lesson["grades"]]
    assert grades
    assert all(len(g) == 1 and g[0][0] in "12345" for g in grades)


def test_401_without_a_token_and_after_it_expires(
    client: httpx.Client, emulator: EcpEmulator, clock: FakeClock
) -> None:
    assert client.get("/api/students").status_code == 401
    token = emulator.issue_token()
    emulator.set_faults(FaultConfig(token_ttl_s=60))
    clock.advance(59)
    assert client.get("/api/students", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    clock.advance(1)  # the last second of its life is over
    expired = client.get("/api/students", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401
    assert expired.json()["status"] == 401


def _operation(path: str, method: str) -> dict[str, Any]:
    contract = fixture_json("ecp/edu-upload-openapi.json")
    operation: dict[str, Any] = contract["paths"][path][method]
    return operation


def _conforms(response: httpx.Response, path: str, method: str) -> None:
    """The answer's status is one the contract declares for the operation, and its body matches what the
    contract says of it: the document declares no content for any response, so a 200 carries none, and an
    error body (not described there) is the service's JSON error object."""
    declared = _operation(path, method)["responses"][str(response.status_code)]
    assert "content" not in declared
    if response.status_code == 200:
        assert response.content == b""
    else:
        body = response.json()
        assert body["status"] == response.status_code
        assert isinstance(body["message"], str)
        assert body["path"] == response.request.url.path


def test_edu_upload_answers_as_the_contract_declares(client: httpx.Client, emulator: EcpEmulator) -> None:
    path = "/api/edu-upload/{version}/csv/{table}"
    request_media = _operation(path, "post")["requestBody"]["content"]
    assert list(request_media) == ["application/octet-stream"]
    headers = {"Content-Type": "application/octet-stream"}
    url = path.format(version="v1", table="students")

    accepted = client.post(url, content=GOOD_CSV.encode(), headers=headers)
    assert accepted.status_code == 200
    _conforms(accepted, path, "post")
    rows = client.get("/_emulator/edu-upload/students").json()["rows"]
    assert any(r["student_id"] == "s1" and r["snils"] == "11223344595" for r in rows)

    broken = GOOD_CSV.replace("s1;", "s2;").replace("445 95", "445 96")
    refused = client.post(url, content=broken.encode(), headers=headers)
    assert refused.status_code == 400
    _conforms(refused, path, "post")
    assert refused.json()["errors"] == [
        {"file": "students.csv", "line": 2, "column": "snils", "message": refused.json()["errors"][0]["message"]}
    ]
    comma = client.post(url, content=GOOD_CSV.replace(";", ",").encode(), headers=headers)
    _conforms(comma, path, "post")
    assert "точка с запятой" in comma.json()["errors"][0]["message"]

    multipart = "/api/edu-upload/{version}/multipart/csv"
    files = [("files", ("students.csv", GOOD_CSV.encode(), "text/csv"))]
    removed = client.request("DELETE", multipart.format(version="v1"), files=files)
    _conforms(removed, multipart, "delete")
    assert all(r["student_id"] != "s1" for r in client.get("/_emulator/edu-upload/students").json()["rows"])


def test_a_rate_limit_fault_answers_429_with_retry_after(client: httpx.Client, emulator: EcpEmulator) -> None:
    emulator.set_faults(FaultConfig(rate_limit_rps=0.2, rate_limit_burst=1))
    headers = {"Authorization": f"Bearer {emulator.admin_token}"}
    assert client.get("/api/students", headers=headers).status_code == 200
    limited = client.get("/api/students", headers=headers)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "5"  # one token at 0.2 a second, and the clock stands still
    assert limited.json()["status"] == 429
