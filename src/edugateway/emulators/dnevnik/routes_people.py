"""Users and persons: users/me, users/{id}, users/many, roles, context; persons/{id}, persons/search and
the person's edu-groups. SNILS is a search filter only: no response built here carries it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.domain.snils import check_snils
from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.auth import Session
from edugateway.emulators.dnevnik.dates import parse_datetime
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.params import Common, Edu, id_array, ok, parse_id
from edugateway.emulators.dnevnik.state import state_of
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

router = APIRouter()


def _user_row(world: DnevnikWorld, session: Session, user: str) -> Row:
    if user == "me":
        return world.person(session.person_id)
    return world.person_of_user(parse_id(user, "user"))


def _active_groups(world: DnevnikWorld, person_id: int, *, include_archive: bool = False) -> list[Row]:
    ids = [
        int(m["eduGroup"])
        for m in world.members_by_person.get(person_id, [])
        if include_archive or m["membershipstatus"] == "Active"
    ]
    groups = [world.edu_groups[g] for g in dict.fromkeys(ids) if g in world.edu_groups]
    return [g for g in groups if include_archive or g.get("status") == "Active"]


@router.get("/users/me")
async def me(request: Request, session: Common) -> Response:
    return ok(shapes.user(state_of(request).world.person(session.person_id)))


@router.post("/users/many")
async def users_many(request: Request, session: Common) -> Response:
    world = state_of(request).world
    ids = await id_array(request, "users")
    return ok([shapes.user(world.persons[world.person_by_user[u]]) for u in ids if u in world.person_by_user])


@router.get("/users/{user}")
async def user_by_id(request: Request, user: str, session: Common) -> Response:
    return ok(shapes.user(_user_row(state_of(request).world, session, user)))


@router.get("/users/{user}/roles")
async def user_roles(request: Request, user: str, session: Common) -> Response:
    return ok(list(_user_row(state_of(request).world, session, user).get("roles", [])))


@router.get("/users/{user}/schools")
async def user_schools(request: Request, user: str, session: Edu) -> Response:
    return ok([int(s) for s in _user_row(state_of(request).world, session, user).get("schoolIds", [])])


@router.get("/users/{user}/edu-groups")
async def user_groups(request: Request, user: str, session: Edu) -> Response:
    world = state_of(request).world
    row = _user_row(world, session, user)
    return ok([g["id"] for g in _active_groups(world, int(row["id"]))])


@router.get("/users/{user}/context")
async def user_context(request: Request, user: str, session: Common) -> Response:
    world = state_of(request).world
    row = _user_row(world, session, user)
    groups = _active_groups(world, int(row["id"]))
    schools = [world.schools[s] for s in row.get("schoolIds", []) if s in world.schools]
    context: dict[str, Any] = {
        "userId": row["userId"],
        "avatarUrl": None,
        "roles": list(row.get("roles", [])),
        "children": [],
        "schools": [
            {
                "id": s["id"],
                "name": s["name"],
                "type": s.get("educationType"),
                "groupIds": [g["id"] for g in groups if g.get("school") == s["id"]],
            }
            for s in schools
        ],
        "eduGroups": [shapes.group(world, g) for g in groups],
        "splitId": None,
        "personId": row["id"],
        "firstName": row.get("firstName"),
        "lastName": row.get("lastName"),
        "middleName": row.get("middleName"),
        "shortName": row.get("shortName"),
        "schoolIds": [s["id"] for s in schools],
        "groupIds": [g["id"] for g in groups],
    }
    return ok(context)


def _same(stored: object, wanted: str) -> bool:
    return isinstance(stored, str) and stored.strip().casefold() == wanted.strip().casefold()


@router.get("/persons/search")
@router.get("/person/search")  # the path is spelled both ways in the sources (docs/platforms/dnevnik.md)
async def person_search(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    query = request.query_params
    filters = {k: query[k] for k in ("lastName", "firstName", "middleName", "snils", "birthday") if query.get(k)}
    if not filters:
        raise ApiError.parameter("lastName", "нужен хотя бы один параметр поиска")
    snils: str | None = None
    if "snils" in filters:
        verdict = check_snils(filters["snils"])
        if verdict.digits is None:  # wrong shape; a bad checksum still searches, it simply finds nobody
            raise ApiError.parameter("snils", "СНИЛС должен содержать 11 цифр")
        snils = verdict.digits
    birthday = parse_datetime(filters["birthday"], "birthday").date() if "birthday" in filters else None
    found = []
    for row in world.persons.values():
        if snils is not None and row.get("snils") != snils:
            continue
        if birthday is not None and (not row.get("birthday") or row["birthday"][:10] != birthday.isoformat()):
            continue
        if any(name in filters and not _same(row.get(name), filters[name]) for name in ("lastName", "firstName")):
            continue
        if "middleName" in filters and not _same(row.get("middleName"), filters["middleName"]):
            continue
        found.append(shapes.person(row))
    return ok(found)


@router.get("/persons")
async def persons_of_group(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    group = world.group(parse_id(request.query_params.get("eduGroup", ""), "eduGroup"))
    return ok(roster(world, int(group["id"]), include_archive=False))


def roster(world: DnevnikWorld, group_id: int, *, include_archive: bool) -> list[dict[str, Any]]:
    members = world.group_members(group_id, include_archive=include_archive)
    rows = [world.persons[int(m["person"])] for m in members if int(m["person"]) in world.persons]
    rows.sort(key=lambda p: (p.get("lastName") or "", p.get("firstName") or "", p["id"]))
    return [shapes.person(p) for p in rows]


@router.get("/persons/{person}")
async def person_by_id(request: Request, person: str, session: Common) -> Response:
    return ok(shapes.person(state_of(request).world.person(parse_id(person, "person"))))


@router.get("/persons/{person}/edu-groups")
async def person_groups(request: Request, person: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.person(parse_id(person, "person"))
    return ok([shapes.group(world, g) for g in _active_groups(world, int(row["id"]))])


@router.get("/persons/{person}/edu-groups/all")
async def person_groups_all(request: Request, person: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.person(parse_id(person, "person"))
    return ok([shapes.group(world, g) for g in _active_groups(world, int(row["id"]), include_archive=True)])


@router.get("/persons/{person}/schools/{school}/edu-groups")
async def person_school_groups(request: Request, person: str, school: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.person(parse_id(person, "person"))
    school_id = int(world.school(parse_id(school, "school"))["id"])
    groups = [g for g in _active_groups(world, int(row["id"])) if g.get("school") == school_id]
    return ok([shapes.group(world, g) for g in groups])
