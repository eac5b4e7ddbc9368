"""The Дневник emulator over a real socket: OAuth2 as the partner API does it, the platform's error shapes,
faults as configured, writes that later reads see, and request counts by route."""

from __future__ import annotations

import httpx

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.faults import FaultConfig
from support.fake_clock import FakeClock

Served = tuple[dnevnik.DnevnikEmulator, str]


def _get(base: str, path: str, token: str | None, **params: str) -> httpx.Response:
    headers = {"Access-Token": token} if token else {}
    return httpx.get(f"{base}{path}", headers=headers, params=params)


def test_both_prefixes_and_both_token_forms_are_served(served: Served) -> None:
    emulator, base = served
    token = emulator.admin_token
    assert _get(base, "/v2/users/me", token).json() == _get(base, "/v2.0/users/me", token).json()
    by_query = httpx.get(f"{base}/v2.0/users/me", params={"access_token": token})
    assert by_query.status_code == 200
    assert by_query.json()["personId_str"]


def test_missing_and_unknown_tokens_get_the_documented_error_types(served: Served) -> None:
    _, base = served
    missing = _get(base, "/v2.0/users/me", None)
    assert (missing.status_code, missing.json()["type"]) == (401, "tokenRequired")
    wrong = _get(base, "/v2.0/users/me", "0" * 32)
    assert (wrong.status_code, wrong.json()["type"]) == (401, "invalidToken")
    assert missing.headers["content-type"].startswith("application/json")


def test_password_grant_then_refresh_rotates_the_refresh_token(served: Served) -> None:
    _emulator, base = served
    form = {"client_id": "edugateway", "client_secret": "s3cret", "username": "admin@sch125", "password": "pw"}
    first = httpx.post(f"{base}/v2.0/authorizations/bycredentials", data=form)
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["accessToken"]) == 32
    assert body["expiresIn"] == 2591999
    assert body["user_str"]
    refresh = {"client_id": "edugateway", "client_secret": "s3cret", "grant_type": "RefreshToken"}
    second = httpx.post(f"{base}/v2.0/authorizations", data={**refresh, "refreshToken": body["refreshToken"]})
    assert second.status_code == 200
    assert second.json()["accessToken"] != body["accessToken"]
    again = httpx.post(f"{base}/v2.0/authorizations", data={**refresh, "refreshToken": body["refreshToken"]})
    assert (again.status_code, again.json()["type"]) == (401, "authorizationFailed")
    wrong = httpx.post(f"{base}/v2.0/authorizations/bycredentials", data={**form, "password": "nope"})
    assert wrong.status_code == 401


def test_the_code_grant_exchanges_a_one_time_code(served: Served) -> None:
    emulator, base = served
    code = emulator.issue_code(emulator.admin_user, "edugateway")
    form = {"client_id": "edugateway", "client_secret": "s3cret", "code": code, "grant_type": "AuthorizationCode"}
    assert httpx.post(f"{base}/v2.0/authorizations", data=form).status_code == 200
    assert httpx.post(f"{base}/v2.0/authorizations", data=form).status_code == 401  # used once


def test_tokens_expire_mid_run_when_configured(served: Served, clock: FakeClock) -> None:
    emulator, base = served
    emulator.set_faults(FaultConfig(token_ttl_s=60))
    token = emulator.issue_token()
    clock.advance(59)
    assert _get(base, "/v2.0/users/me", token).status_code == 200
    clock.advance(1)  # the last second of its life is over
    expired = _get(base, "/v2.0/users/me", token)
    assert (expired.status_code, expired.json()["type"]) == (401, "invalidToken")


def test_the_rate_limit_answers_api_request_limit_with_retry_after(served: Served, clock: FakeClock) -> None:
    emulator, base = served
    emulator.set_faults(FaultConfig(rate_limit_rps=2, rate_limit_burst=2))
    answers = [_get(base, "/v2.0/users/me", emulator.admin_token) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 429, 429]  # the clock stands still: no refill
    limited = answers[2]
    assert limited.json()["type"] == "apiRequestLimit"
    assert limited.headers["retry-after"] == "1"
    clock.advance(1)
    assert _get(base, "/v2.0/users/me", emulator.admin_token).status_code == 200  # as long as Retry-After said


def test_maintenance_is_the_sites_html_page(served: Served) -> None:
    emulator, base = served
    emulator.set_faults(FaultConfig(maintenance=True))
    answer = _get(base, "/v2.0/users/me", emulator.admin_token)
    assert answer.status_code == 550
    assert answer.headers["content-type"] == "text/html"
    assert "технические работы" in answer.text


def test_date_ranges_over_30_days_are_refused(served: Served) -> None:
    emulator, base = served
    group = next(iter(emulator.world.edu_groups))
    ok = _get(base, f"/v2.0/edu-groups/{group}/lessons/2026-09-01/2026-10-01", emulator.admin_token)
    assert ok.status_code == 200
    too_long = _get(base, f"/v2.0/edu-groups/{group}/lessons/2026-09-01/2026-10-02", emulator.admin_token)
    assert (too_long.status_code, too_long.json()["type"]) == (400, "parameterInvalid")


def test_a_mark_and_an_absence_written_are_read_back(served: Served, school: SchoolSnapshot) -> None:
    emulator, base = served
    headers = {"Access-Token": emulator.admin_token}
    code = school.school.code
    lesson = next(les for les in school.lessons if les.date.month == 11)
    student = next(
        e.person_id
        for e in school.enrollments
        if e.class_id == lesson.class_id
        and Role.STUDENT in next(p for p in school.persons if p.id == e.person_id).roles
    )
    lesson_id, person_id = platform_id("lesson", code, lesson.id), platform_id("person", code, student)
    work = httpx.post(
        f"{base}/v2.0/works", headers=headers, json={"lesson": str(lesson_id), "type": "CommonWork", "markCount": 1}
    )
    assert work.status_code == 200, work.text
    mark = httpx.post(
        f"{base}/v2.0/persons/{person_id}/works/{work.json()['id_str']}/mark", headers=headers, json={"value": "5"}
    )
    assert mark.status_code == 200, mark.text
    assert mark.json()["mood"] == "Good"
    assert mark.json()["lesson_str"] == str(lesson_id)
    read = httpx.get(f"{base}/v2.0/lessons/{lesson_id}/marks", headers=headers).json()
    assert mark.json()["id_str"] in {m["id_str"] for m in read}
    twice = httpx.post(
        f"{base}/v2.0/persons/{person_id}/works/{work.json()['id_str']}/mark", headers=headers, json={"value": "4"}
    )
    assert (twice.status_code, twice.json()["type"]) == (400, "parameterInvalid")

    httpx.delete(f"{base}/v2.0/lessons/{lesson_id}/log-entries", headers=headers, params={"person": str(person_id)})
    entry = {"person": str(person_id), "lesson": str(lesson_id), "status": "Ill"}
    created = httpx.post(f"{base}/v2.0/lessons/{lesson_id}/log-entries", headers=headers, json=entry)
    assert created.status_code == 200, created.text
    log = httpx.get(f"{base}/v2.0/lessons/{lesson_id}/log-entries", headers=headers).json()
    assert {"person_str": str(person_id), "status": "Ill"}.items() <= next(
        e for e in log if e["person_str"] == str(person_id)
    ).items()


def test_requests_are_counted_by_route_template(served: Served) -> None:
    emulator, base = served
    emulator.stats.reset()
    for group in list(emulator.world.edu_groups)[:3]:
        _get(base, f"/v2.0/edu-groups/{group}/persons", emulator.admin_token)
    httpx.get(f"{base}/_emulator/stats")  # the control endpoints are not counted
    assert emulator.stats.by_route == {"GET /v2.0/edu-groups/{group}/persons": 3}
