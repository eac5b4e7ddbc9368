"""Дневник.ру work types with their titles (issue 17: the report showed raw work-type ids), read from
`GET work-types/{school}` in the shape API.md §4 and field_catalog.json give: `{id, schoolId, kindId, kind, title,
abbr, weight}`, int64 ids with their `_str` twins."""

from __future__ import annotations

import pytest
import respx

from edugateway.connectors.base import NamesWorkTypes
from edugateway.connectors.dnevnik import ERROR_TYPES, DnevnikConnector, DnevnikTokenAuth
from edugateway.connectors.ecp.connector import EcpConnector
from edugateway.connectors.http import HttpPolicy, PlatformClient
from edugateway.domain.models import WorkType
from edugateway.errors import ValidationError
from edugateway.mapping import dnevnik as m

BASE = "https://api.dnevnik.test/v2.0/"
SCHOOL = "1000004956244"
WORK_TYPES = [
    {"id": 1751480862218433000, "id_str": "1751480862218432985", "schoolId": 1000004956244, "kindId": 1,
     "kind": "CommonWork", "title": "Контрольная работа", "abbr": "КР", "weight": 2},
    {"id": 1751480862218433000, "id_str": "1751480862218432990", "schoolId": 1000004956244, "kindId": 5,
     "kind": "PeriodMark", "title": "Итоговая оценка за период", "abbr": "ИТ", "weight": 1},
    {"id": 1751480862218433000, "id_str": "1751480862218432991", "schoolId": 1000004956244, "kindId": 1,
     "kind": "CommonWork", "title": "", "abbr": "", "weight": 1},  # no title: left out, its marks show the id
]  # fmt: skip


def test_a_work_type_row_maps_to_its_exact_id_title_and_kind() -> None:
    assert m.work_type(WORK_TYPES[0]) == WorkType(
        id="1751480862218432985", title="Контрольная работа", kind="CommonWork"
    )
    with pytest.raises(ValidationError, match="work type"):
        m.work_type(WORK_TYPES[2])


@respx.mock
async def test_work_types_and_final_work_types_share_one_request(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{BASE}work-types/{SCHOOL}").respond(json=WORK_TYPES)
    client = PlatformClient(
        "dnevnik",
        BASE,
        policy=HttpPolicy(rate_limit_rps=1000),
        auth=DnevnikTokenAuth("t" * 32),
        error_types=ERROR_TYPES,
    )
    conn = DnevnikConnector(client, SCHOOL)
    assert isinstance(conn, NamesWorkTypes)
    assert [(t.id, t.title, t.kind) for t in await conn.work_types()] == [
        ("1751480862218432985", "Контрольная работа", "CommonWork"),
        ("1751480862218432990", "Итоговая оценка за период", "PeriodMark"),
    ]
    assert await conn.final_work_types() == {"1751480862218432990"}
    assert route.call_count == 1
    await conn.aclose()


def test_ecp_offers_no_work_types() -> None:
    assert not issubclass(EcpConnector, NamesWorkTypes)
