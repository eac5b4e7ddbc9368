"""The Дневник.ру connector reads what the entry-time rules need: the school's zone once, each timetable once,
and maps bell times, `sentDate` and `createdDate` (respx; payloads of fixtures/dnevnik/journal_entry_times.json)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import respx

from edugateway.connectors.base import DateRange
from edugateway.connectors.dnevnik import ERROR_TYPES, DnevnikConnector, DnevnikTokenAuth
from edugateway.connectors.http import HttpPolicy, PlatformClient
from support.fixture_files import fixture_json

BASE = "https://api.dnevnik.test/v2.0/"
FAST = HttpPolicy(rate_limit_rps=1000, retries=2, backoff_min_s=0.001, backoff_max_s=0.01)
PAYLOADS: dict[str, Any] = fixture_json("dnevnik/journal_entry_times.json")
SCHOOL = PAYLOADS["GET /v2.0/schools/{school}"]["id_str"]
PLUS_5 = dt.timezone(dt.timedelta(hours=5))
SPAN = DateRange(dt.date(2019, 9, 16), dt.date(2019, 9, 20))


def _group(gid: str, parent: str | None = None) -> dict[str, Any]:
    return {
        "id": int(gid),
        "id_str": gid,
        "parentIds_str": [parent] if parent else None,
        "type": "Subgroup" if parent else "Group",
        "name": gid,
        "parallel": 7,
        "status": "Active",
        "studyyear": 2019,
        "timetable": 1343854728296550400,
        "timetable_str": "1343854728296550454",
        "subjects": [],
    }


CLASS, SUBGROUP = _group("2260325488551003872"), _group("2260325488551003873", "2260325488551003872")


def connector() -> DnevnikConnector:
    client = PlatformClient("dnevnik", BASE, policy=FAST, auth=DnevnikTokenAuth("t" * 32), error_types=ERROR_TYPES)
    return DnevnikConnector(client, SCHOOL)


def routes(router: respx.MockRouter, school: dict[str, Any]) -> respx.Route:
    router.get(f"{BASE}schools/{SCHOOL}").respond(json=school)
    router.get(f"{BASE}schools/{SCHOOL}/edu-groups").respond(json=[CLASS, SUBGROUP])
    lesson = PAYLOADS["GET /v2.0/lessons/{lesson}"]
    subgroup_lesson = copy.deepcopy(lesson) | {"id_str": "9", "group_str": SUBGROUP["id_str"], "works": []}
    router.get(url__regex=rf"{BASE}edu-groups/{CLASS['id_str']}/lessons/.*").respond(json=[lesson])
    router.get(url__regex=rf"{BASE}edu-groups/{SUBGROUP['id_str']}/lessons/.*").respond(json=[subgroup_lesson])
    router.get(url__regex=rf"{BASE}lesson-log-entries/group/{CLASS['id_str']}.*").respond(
        json=PAYLOADS["GET /v2.0/lesson-log-entries/group/{eduGroup}"]
    )
    router.get(url__regex=rf"{BASE}lesson-log-entries/group/{SUBGROUP['id_str']}.*").respond(json=[])
    return router.get(url__regex=rf"{BASE}edu-groups/\d+/timetables").respond(
        json=PAYLOADS["GET /v2.0/edu-groups/{eduGroup}/timetables"]
    )


@respx.mock
async def test_lessons_get_bell_times_and_homework_sent_time_reading_a_shared_timetable_once(
    respx_mock: respx.MockRouter,
) -> None:
    timetables = routes(respx_mock, PAYLOADS["GET /v2.0/schools/{school}"])
    conn = connector()
    lessons = [r.record async for r in conn.lessons(SPAN)]
    assert [(x.class_id, x.ends_at) for x in lessons] == [
        (CLASS["id_str"], dt.datetime(2019, 9, 16, 9, 40, tzinfo=PLUS_5)),
        (SUBGROUP["id_str"], dt.datetime(2019, 9, 16, 9, 40, tzinfo=PLUS_5)),
    ]
    assert lessons[0].homework_sent_at == dt.datetime(2019, 9, 16, 12, 10, 42, tzinfo=PLUS_5)
    assert lessons[1].homework_sent_at is None
    assert timetables.call_count == 1  # the class and its subgroup share one timetable id
    entries = [r.record async for r in conn.attendance(SPAN)]
    assert [e.entered_at for e in entries] == [
        dt.datetime(2019, 9, 15, 16, 35, 53, 853000, tzinfo=PLUS_5),
        dt.datetime(2019, 9, 16, 9, 1, 7, tzinfo=PLUS_5),
    ]
    assert len([c for c in respx_mock.calls if c.request.url.path.endswith(f"schools/{SCHOOL}")]) == 1
    await conn.aclose()


@respx.mock(assert_all_called=False)
async def test_a_school_without_its_time_zone_gets_no_times_rather_than_guessed_ones(
    respx_mock: respx.MockRouter,
) -> None:
    school = {k: v for k, v in PAYLOADS["GET /v2.0/schools/{school}"].items() if k != "timeZone"}
    timetables = routes(respx_mock, school)
    conn = connector()
    lessons = [r.record async for r in conn.lessons(SPAN)]
    assert [(x.starts_at, x.ends_at, x.homework_sent_at) for x in lessons] == [(None, None, None)] * 2
    assert lessons[0].homework == "№ 12, 14\nповторить § 3"
    assert [e.entered_at for e in [r.record async for r in conn.attendance(SPAN)]] == [None, None]
    assert timetables.call_count == 0
    await conn.aclose()


@respx.mock(assert_all_called=False)
async def test_an_unreadable_timetable_costs_the_bell_times_only(respx_mock: respx.MockRouter) -> None:
    timetables = routes(respx_mock, PAYLOADS["GET /v2.0/schools/{school}"])
    broken = copy.deepcopy(PAYLOADS["GET /v2.0/edu-groups/{eduGroup}/timetables"])
    broken[0]["Items"][1]["Finish"] = "9:40 утра"
    timetables.respond(json=broken)
    conn = connector()
    lessons = [r.record async for r in conn.lessons(SPAN)]
    assert [(x.ends_at, x.topic) for x in lessons] == [(None, "Дроби")] * 2
    assert lessons[0].homework_sent_at == dt.datetime(2019, 9, 16, 12, 10, 42, tzinfo=PLUS_5)
    assert [(s.entity.value, s.remote_id) for s in conn.skipped] == [("timetable", "1343854728296550454")]
    assert "9:40 утра" in conn.skipped[0].reason
    await conn.aclose()
