"""Schools, edu-groups (classes and subgroups), rosters, subjects, teachers, timetables, reporting
periods and work types."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.dnevnik import shapes
from edugateway.emulators.dnevnik.errors import ApiError
from edugateway.emulators.dnevnik.params import Edu, flag, id_array, ok, parse_id, parse_ids
from edugateway.emulators.dnevnik.routes_people import roster
from edugateway.emulators.dnevnik.state import state_of
from edugateway.emulators.dnevnik.world import DnevnikWorld, Row

router = APIRouter()

MEMBERSHIP_ROLES = {"staff": "EduStaff", "admins": "EduSchoolAdministrator"}


def _own_schools(world: DnevnikWorld, person_id: int) -> list[Row]:
    return [world.schools[s] for s in world.person(person_id).get("schoolIds", []) if s in world.schools]


@router.get("/schools")
async def schools(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    wanted = request.query_params.getlist("schools")
    if not wanted:  # no ids: the caller's own schools, in the short shape (KZ capture)
        return ok([shapes.person_school(s) for s in _own_schools(world, session.person_id)])
    return ok([shapes.school(world.schools[s]) for s in parse_ids(wanted, "schools") if s in world.schools])


@router.get("/schools/person-schools")
async def person_schools(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    return ok([shapes.person_school(s) for s in _own_schools(world, session.person_id)])


@router.get("/schools/{school}")
async def school_by_id(request: Request, school: str, session: Edu) -> Response:
    return ok(shapes.school(state_of(request).world.school(parse_id(school, "school"))))


@router.get("/schools/{school}/membership")
async def school_membership(request: Request, school: str, session: Edu) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    kind = request.query_params.get("schoolMembershipType", "Staff")
    role = MEMBERSHIP_ROLES.get(kind.lower())
    if role is None:
        raise ApiError.parameter("schoolMembershipType", f"'{kind}': ожидалось Staff или Admins")
    rows = [p for p in world.persons.values() if school_id in p.get("schoolIds", []) and role in p.get("roles", [])]
    rows.sort(key=lambda p: (p.get("lastName") or "", p.get("firstName") or "", p["id"]))
    return ok([shapes.person(p) for p in rows])


@router.get("/schools/{school}/teachers")
async def school_teachers(request: Request, school: str, session: Edu) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    return ok([shapes.teacher(t) for t in world.teachers if t.get("SchoolId") == school_id])


@router.get("/schools/{school}/subjects")
async def school_subjects(request: Request, school: str, session: Edu) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    return ok([shapes.subject(s) for s in world.subjects.values() if s.get("school") == school_id])


@router.get("/schools/{school}/edu-groups")
async def school_groups(request: Request, school: str, session: Edu) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    return ok([shapes.group(world, g) for g in world.groups_of_school(school_id)])


@router.get("/schools/{school}/timetables")
async def school_timetables(request: Request, school: str, session: Edu) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    return ok([shapes.timetable(t) for t in world.timetables.values() if t.get("SchoolId") == school_id])


@router.get("/work-types/{school}")
async def work_types(request: Request, school: str, session: Edu) -> Response:
    world = state_of(request).world
    school_id = int(world.school(parse_id(school, "school"))["id"])
    return ok([shapes.work_type(w) for w in world.work_types.values() if w.get("schoolId") == school_id])


@router.get("/edu-groups")
async def groups_by_ids(request: Request, session: Edu) -> Response:
    world = state_of(request).world
    ids = parse_ids(request.query_params.getlist("eduGroups"), "eduGroups")
    return ok([shapes.group(world, world.edu_groups[g]) for g in ids if g in world.edu_groups])


@router.post("/edu-groups")
async def groups_with_students(request: Request, session: Edu) -> Response:
    """The batch roster: each group with its students and their membership status (archived ones too)."""
    world = state_of(request).world
    out = []
    for group_id in await id_array(request, "eduGroups"):
        group = world.edu_groups.get(group_id)
        if group is None:
            continue
        students = [
            {"person": shapes.person(world.persons[int(m["person"])]), "membershipstatus": m["membershipstatus"]}
            for m in world.group_members(group_id, include_archive=True)
            if int(m["person"]) in world.persons
        ]
        out.append({"group": shapes.group(world, group), "students": students})
    return ok(out)


@router.get("/edu-groups/{group}")
async def group_by_id(request: Request, group: str, session: Edu) -> Response:
    world = state_of(request).world
    return ok(shapes.group(world, world.group(parse_id(group, "eduGroup"))))


@router.get("/edu-groups/{group}/persons")
async def group_persons(request: Request, group: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "group"))["id"])
    include_archive = flag(request.query_params.get("includeArchive"), "includeArchive", False)
    return ok(roster(world, group_id, include_archive=include_archive))


@router.get("/edu-groups/{group}/students")
async def group_students(request: Request, group: str, session: Edu) -> Response:
    world = state_of(request).world
    group_id = int(world.group(parse_id(group, "eduGroup"))["id"])
    return ok(roster(world, group_id, include_archive=False))


@router.get("/edu-groups/{group}/subjects")
async def group_subjects(request: Request, group: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.group(parse_id(group, "eduGroup"))
    return ok([shapes.subject(world.subjects[s]) for s in row.get("subjects", []) if s in world.subjects])


@router.get("/edu-groups/{group}/parallel")
async def group_parallel(request: Request, group: str, session: Edu) -> Response:
    """Classes of the same grade and year in the school, the group itself included."""
    world = state_of(request).world
    row = world.group(parse_id(group, "groupId"))
    same = [
        g
        for g in world.groups_of_school(int(row["school"]))
        if g["type"] == "Group" and g["parallel"] == row["parallel"] and g["studyyear"] == row["studyyear"]
    ]
    return ok([shapes.group(world, g) for g in same])


@router.get("/edu-groups/{group}/timetables")
async def group_timetables(request: Request, group: str, session: Edu) -> Response:
    world = state_of(request).world
    row = world.group(parse_id(group, "eduGroup"))
    table = world.timetables.get(int(row["timetable"])) if row.get("timetable") else None
    return ok([shapes.timetable(table)] if table else [])


@router.get("/edu-groups/{group}/reporting-periods")
async def group_periods(request: Request, group: str, session: Edu) -> Response:
    """The school's periods of the group's study year, in order."""
    world = state_of(request).world
    row = world.group(parse_id(group, "eduGroup"))
    periods = [
        p
        for p in world.reporting_periods.values()
        if p.get("school") == row["school"] and p.get("year") == row.get("studyyear")
    ]
    periods.sort(key=lambda p: (p["start"], p["number"]))
    return ok([shapes.period(p) for p in periods])
