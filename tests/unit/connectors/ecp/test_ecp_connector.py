"""The ГИС ЕЦП connector on respx, with the captured schedule reply and payloads in the public clients' shapes."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from edugateway.connectors.base import DateRange, Op
from edugateway.connectors.ecp import ERROR_TYPES, EcpConnector, EcpPasswordAuth, Pupil, Representative
from edugateway.connectors.http import HttpPolicy, PlatformClient
from edugateway.domain.entities import Entity
from edugateway.domain.models import Gender, ParentLink, Person, Role
from edugateway.errors import AuthError, ConnectorError, PlatformUnavailable, RateLimited
from support.fixture_files import fixture_json

BASE = "https://dnevnik.test/api/"
FAST = HttpPolicy(rate_limit_rps=1000, retries=2, backoff_min_s=0.001, backoff_max_s=0.01)
PASSWORD = "pa55-w0rd"
CLASS = "0194aaaa-0000-7000-8000-000000000001"
STUDENT = "0194aaaa-0000-7000-8000-0000000000a1"
SUBJECTS = ["Физическая культура", "Английский язык", "История", "Физика", "Информатика", "Обществознание",
            "Современная экономика", "Алгебра", "Геометрия", "Литература", "Русский язык", "Биология", "Химия",
            "География", "Основы безопасности и защита Родины", "Индивидуальный проект", "Вероятность и статистика",
            "Труд (технология)"]  # fmt: skip


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    return fixture_json("ecp/schedule-response-sample.json")  # type: ignore[no-any-return]


def connector(*, org_ogrn: str | None = "1026600000001") -> EcpConnector:
    client = PlatformClient(
        "ecp", BASE, policy=FAST, auth=EcpPasswordAuth("admin@sch1", PASSWORD), error_types=ERROR_TYPES
    )
    return EcpConnector(client, "org", org_ogrn=org_ogrn)


def token_routes(router: respx.MockRouter) -> tuple[respx.Route, respx.Route]:
    login = router.post(f"{BASE}auth/Auth/Login").mock(
        side_effect=[httpx.Response(200, json={"accessToken": f"jwt-{n}", "refreshToken": f"r-{n}"}) for n in range(5)]
    )
    refresh = router.post(f"{BASE}auth/Token/Refresh").respond(json={"accessToken": "jwt-r", "refreshToken": "r-r"})
    return login, refresh


def roster_routes(router: respx.MockRouter, year: str = "2024") -> None:
    student = {"id": STUDENT, "firstName": "Пётр", "lastName": "Иванов", "surName": "Сергеевич", "className": "10А",
               "orgName": "МАОУ СОШ № 1", "avatarId": None}  # fmt: skip
    router.get(f"{BASE}students").respond(json={"isParent": False, "currentUser": {}, "students": [student]})
    router.get(f"{BASE}estimate/years").respond(json={"currentYear": {"id": year, "text": f"{year}/{int(year) + 1}"}})
    router.get(f"{BASE}classes").respond(
        json={"currentClass": None, "gradeItemModels": [{"value": CLASS, "text": "10А"}]}
    )
    subjects = [{"id": "00000000-0000-0000-0000-000000000000", "name": "Все предметы"}] + [
        {"id": f"0194bbbb-0000-7000-8000-{n:012d}", "name": name} for n, name in enumerate(SUBJECTS)
    ]
    router.get(f"{BASE}estimate/subjects").respond(json={"subjects": subjects})


def week_after(sample: dict[str, Any], weeks: int) -> dict[str, Any]:
    """The captured week moved `weeks` later, with its page number."""
    reply = copy.deepcopy(sample)
    model = reply["scheduleModel"]
    shift = dt.timedelta(weeks=weeks)

    def moved(value: str) -> str:
        return (dt.date.fromisoformat(value[:10]) + shift).isoformat() + value[10:]

    model["beginDate"], model["endDate"] = moved(model["beginDate"]), moved(model["endDate"])
    model["weekNumber"] += weeks
    reply["paginationData"]["pageNumber"] += weeks
    for day in model["days"]:
        day["date"] = moved(day["date"])
        for lesson in day["scheduleDayLessonModels"]:
            if weeks:  # other lessons, other ids
                lesson["id"] = lesson["lessonid"] = f"{weeks:08x}" + lesson["id"][8:]
    return reply


def schedule_route(router: respx.MockRouter, sample: dict[str, Any]) -> respx.Route:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=week_after(sample, int(request.url.params["pageNumber"]) - 32))

    return router.get(f"{BASE}schedule").mock(side_effect=answer)


@respx.mock
async def test_lessons_read_only_the_weeks_of_the_range_and_the_stream_ends(
    respx_mock: respx.MockRouter, sample: dict[str, Any]
) -> None:
    token_routes(respx_mock)
    roster_routes(respx_mock)
    schedule = schedule_route(respx_mock, sample)
    first = sample["scheduleModel"]["days"][1]["scheduleDayLessonModels"][0]
    homework = respx_mock.get(f"{BASE}homework").respond(
        json={
            "date": "2025-04-08T00:00:00.000+05:00",
            "pagination": {"nextDate": None, "previousDate": None},
            "homeworks": [{"id": "h1", "lessonId": first["id"], "description": "§ 12, № 3"}],
        }
    )
    conn = connector()
    span = DateRange(dt.date(2025, 4, 8), dt.date(2025, 4, 15))  # Tuesday of week 32 to Tuesday of week 33
    lessons = [r.record async for r in conn.lessons(span)]
    await conn.aclose()
    assert sorted(c.request.url.params["pageNumber"] for c in schedule.calls) == ["32", "33"]
    assert {les.date for les in lessons} == {dt.date(2025, 4, d) for d in (8, 9, 10, 11, 14, 15)}
    week_32 = [les for d in sample["scheduleModel"]["days"][1:] for les in d["scheduleDayLessonModels"]]
    assert len([les for les in lessons if les.date <= dt.date(2025, 4, 12)]) == len(week_32)
    assert next(les for les in lessons if les.id == first["id"]).homework == "§ 12, № 3"
    assert {les.class_id for les in lessons if les.number == 2 and les.date == dt.date(2025, 4, 8)} == {
        f"{CLASS}#Группа 2_Анг"
    }
    # One pupil sees every lesson: homework is asked for from the first lesson day, then ends at nextDate null.
    assert [c.request.url.params["date"] for c in homework.calls] == ["2025-04-08", "2025-04-14"]
    assert conn.skipped == []


@respx.mock
async def test_a_week_numbered_unlike_the_captured_reply_is_refused_not_guessed(
    respx_mock: respx.MockRouter, sample: dict[str, Any]
) -> None:
    token_routes(respx_mock)
    roster_routes(respx_mock)
    respx_mock.get(f"{BASE}schedule").respond(json=week_after(sample, 1))  # page 32 answered with week 33
    conn = connector()
    with pytest.raises(ConnectorError, match="numbers weeks differently"):
        [r async for r in conn.lessons(DateRange(dt.date(2025, 4, 8), dt.date(2025, 4, 8)))]
    await conn.aclose()


@respx.mock
async def test_a_401_signs_in_again_once_through_the_refresh_token(respx_mock: respx.MockRouter) -> None:
    login, refresh = token_routes(respx_mock)
    roster_routes(respx_mock)
    respx_mock.get(f"{BASE}students").mock(
        side_effect=[
            httpx.Response(401, headers={"www-authenticate": 'Bearer error="invalid_token"'}),
            httpx.Response(200, json={"isParent": False, "students": []}),
        ]
    )
    conn = connector()
    assert [r async for r in conn.persons()] == []
    await conn.aclose()
    assert (login.call_count, refresh.call_count) == (1, 1)
    assert json.loads(refresh.calls[0].request.content) == {"refreshToken": "r-0"}
    assert respx_mock.calls.last.request.headers["authorization"] == "Bearer jwt-r"


@respx.mock
async def test_a_refused_refresh_token_falls_back_to_one_fresh_sign_in(respx_mock: respx.MockRouter) -> None:
    login, refresh = token_routes(respx_mock)
    refresh.respond(401, json={"type": "https://tools.ietf.org/html/rfc9110#section-15.5.2", "status": 401})
    students = respx_mock.get(f"{BASE}students").mock(
        side_effect=[httpx.Response(401), httpx.Response(401), httpx.Response(200, json={"students": []})]
    )
    conn = connector()
    with pytest.raises(AuthError):
        [r async for r in conn.persons()]  # the second 401, with a fresh token, is not retried again
    await conn.aclose()
    assert (login.call_count, refresh.call_count, students.call_count) == (2, 1, 2)


@respx.mock
async def test_refused_credentials_name_the_settings_and_logs_hold_no_secret(respx_mock: respx.MockRouter) -> None:
    problem = {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.2", "title": "Unauthorized", "status": 401}
    respx_mock.post(f"{BASE}auth/Auth/Login").respond(401, json=problem)
    conn = connector()
    with capture_logs() as logs, pytest.raises(AuthError, match=r"platforms\.ecp\.login / platforms\.ecp\.password"):
        [r async for r in conn.persons()]
    await conn.aclose()
    assert PASSWORD not in repr(logs)
    assert PASSWORD not in repr(conn.client.auth)


@respx.mock
async def test_429_and_5xx_are_retried_then_surface_as_their_error_class(respx_mock: respx.MockRouter) -> None:
    token_routes(respx_mock)
    roster_routes(respx_mock)
    problem_429 = {"type": "https://tools.ietf.org/html/rfc6585#section-4", "title": "Too Many Requests"}
    students = respx_mock.get(f"{BASE}students").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0"}, json=problem_429),
            httpx.Response(503, json={"type": "https://tools.ietf.org/html/rfc9110#section-15.6.4"}),
            httpx.Response(200, json={"students": []}),
        ]
    )
    conn = connector()
    assert [r async for r in conn.persons()] == []
    assert students.call_count == 3
    await conn.aclose()

    students.mock(side_effect=None, return_value=httpx.Response(502, text="<html>502 Bad Gateway</html>"))
    conn = connector()
    with pytest.raises(PlatformUnavailable, match=r"\[ecp\] HTTP 502"):
        [r async for r in conn.persons()]
    assert students.call_count == 3 + FAST.retries + 1
    await conn.aclose()

    students.mock(return_value=httpx.Response(429, headers={"Retry-After": "0"}, json=problem_429))
    conn = connector()
    with pytest.raises(RateLimited):
        [r async for r in conn.persons()]
    await conn.aclose()


def pupil(n: int, **change: Any) -> Pupil:
    person = Person(
        id=f"s{n}",
        roles=frozenset({Role.STUDENT}),
        last_name="Иванов",
        first_name="Пётр",
        birth_date=dt.date(2015, 9, n),
        gender=Gender.MALE,
    )
    return Pupil(person.model_copy(update=change), "5А")


def upload_rows(request: httpx.Request) -> list[str]:
    return request.content.decode("utf-8").splitlines()[1:]


@respx.mock
async def test_refused_rows_fail_alone_and_the_good_rows_are_sent_again(respx_mock: respx.MockRouter) -> None:
    token_routes(respx_mock)
    refusal = {
        "status": 400,
        "error": "Bad Request",
        "message": "Ошибка входных данных.",
        "path": "/api/edu-upload/v1/csv/students",
        "errors": [{"file": "students.csv", "line": 3, "column": "snils", "message": "СНИЛС неверен: checksum"}],
    }
    upload = respx_mock.post(f"{BASE}edu-upload/v1/csv/students").mock(
        side_effect=[httpx.Response(400, json=refusal), httpx.Response(200)]
    )
    conn = connector()
    results = await conn.write(Entity.PERSONS, Op.CREATE, [pupil(1), pupil(2), pupil(3)])
    await conn.aclose()
    assert [(r.key, r.ok) for r in results] == [("s1", True), ("s2", False), ("s3", True)]
    assert "column snils" in (results[1].error or "")
    first, second = (upload_rows(c.request) for c in upload.calls)
    assert [row.split(";")[0] for row in first] == ["s1", "s2", "s3"]
    assert [row.split(";")[0] for row in second] == ["s1", "s3"]
    header = upload.calls[0].request.content.decode("utf-8").splitlines()[0]
    assert (
        header
        == "student_id;org_ogrn;last_name;first_name;middle_name;birth_date;gender;snils;class_name;admission_date"
    )
    assert first[0] == "s1;1026600000001;Иванов;Пётр;;01.09.2015;M;;5А;"
    assert upload.calls[0].request.headers["content-type"] == "application/octet-stream"


@respx.mock
async def test_a_refusal_naming_no_row_is_halved_until_the_bad_record_stands_alone(
    respx_mock: respx.MockRouter,
) -> None:
    token_routes(respx_mock)
    parent = Person(id="p1", roles=frozenset({Role.PARENT}), last_name="Иванова", first_name="Анна")
    records = [Representative(parent, ParentLink(parent_id="p1", child_id=f"s{n}")) for n in range(1, 6)]

    def answer(request: httpx.Request) -> httpx.Response:
        if any(row.split(";")[1] == "s4" for row in upload_rows(request)):
            error = {"file": "representatives.csv", "line": 0, "column": "student_id", "message": "ученик не передан"}
            return httpx.Response(400, json={"error": "Bad Request", "errors": [error]})
        return httpx.Response(200)

    upload = respx_mock.post(f"{BASE}edu-upload/v1/csv/representatives").mock(side_effect=answer)
    conn = connector()
    results = await conn.write(Entity.PERSONS, Op.UPDATE, records)
    await conn.aclose()
    assert [r.ok for r in results] == [True, True, True, False, True]
    assert results[3].key == "p1:s4"
    assert "column student_id: ученик не передан" in (results[3].error or "")
    landed = [
        row.split(";")[1]
        for c in upload.calls
        if c.response and c.response.status_code == 200
        for row in upload_rows(c.request)
    ]
    assert sorted(landed) == ["s1", "s2", "s3", "s5"]


@respx.mock
async def test_an_outage_fails_what_has_not_landed_as_retryable(respx_mock: respx.MockRouter) -> None:
    token_routes(respx_mock)
    respx_mock.post(f"{BASE}edu-upload/v1/csv/students").respond(500, json={"error": "Internal Server Error"})
    representatives = respx_mock.post(f"{BASE}edu-upload/v1/csv/representatives").respond(200)
    parent = Person(id="p1", roles=frozenset({Role.PARENT}), last_name="Иванова", first_name="Анна")
    conn = connector()
    results = await conn.write(
        Entity.PERSONS, Op.CREATE, [pupil(1), Representative(parent, ParentLink(parent_id="p1", child_id="s1"))]
    )
    await conn.aclose()
    assert [(r.ok, r.retryable) for r in results] == [(False, True), (False, True)]
    assert not representatives.called


@respx.mock
async def test_refused_credentials_fail_what_has_not_landed_as_the_platforms_failure(
    respx_mock: respx.MockRouter,
) -> None:
    """Not the records' fault: they stay queued in the outbox and the sync run fails (sync/push.py)."""
    token_routes(respx_mock)
    respx_mock.post(f"{BASE}edu-upload/v1/csv/students").respond(403, json={"error": "Forbidden"})
    conn = connector()
    results = await conn.write(Entity.PERSONS, Op.CREATE, [pupil(1), pupil(2)])
    await conn.aclose()
    assert [(r.ok, r.retryable) for r in results] == [(False, True), (False, True)]
    assert (results[0].error or "").startswith("ГИС ЕЦП edu-upload did not take the students file: [ecp] HTTP 403")


@respx.mock
async def test_deletes_send_key_columns_and_representatives_first(respx_mock: respx.MockRouter) -> None:
    token_routes(respx_mock)
    students = respx_mock.delete(f"{BASE}edu-upload/v1/csv/students").respond(200)
    reps = respx_mock.delete(f"{BASE}edu-upload/v1/csv/representatives").respond(200)
    parent = Person(id="p1", roles=frozenset({Role.PARENT}), last_name="Иванова", first_name="Анна")
    conn = connector()
    results = await conn.write(
        Entity.PERSONS, Op.DELETE, [pupil(1), Representative(parent, ParentLink(parent_id="p1", child_id="s1"))]
    )
    await conn.aclose()
    assert all(r.ok for r in results)
    assert students.calls[0].request.content.decode() == "student_id\ns1\n"
    assert reps.calls[0].request.content.decode() == "representative_id;student_id\np1;s1\n"
    assert respx_mock.calls[1].request.url.path.endswith("representatives")  # after the sign-in, before pupils


@respx.mock(assert_all_called=False)
async def test_records_the_platform_cannot_take_are_answered_without_a_call(respx_mock: respx.MockRouter) -> None:
    upload = respx_mock.post(url__regex=rf"{BASE}edu-upload/.*").respond(200)
    conn = connector(org_ogrn=None)
    parent = Person(id="p1", roles=frozenset({Role.PARENT}), last_name="Иванова", first_name="Анна", phone="+7912\n345")
    mother = Representative(parent, ParentLink(parent_id="p1", child_id="s1"))
    results = await conn.write(Entity.PERSONS, Op.CREATE, [pupil(1), pupil(3).person, mother])
    assert [r.ok for r in results] == [False, False, False]
    assert "org_ogrn" in (results[0].error or "")
    assert "Pupil(person, class_name)" in (results[1].error or "")
    assert "line break" in (results[2].error or "")
    assert not upload.called
    with pytest.raises(ConnectorError, match="does not offer create for marks"):
        await conn.write(Entity.MARKS, Op.CREATE, [])
    await conn.aclose()
