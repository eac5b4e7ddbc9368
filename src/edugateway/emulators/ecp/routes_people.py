"""`/api/students` (who the signed-in user may see) and `/api/classes` (a student's class by school year).

Shapes from public clients (Egov66Client DTOs): `{isParent, currentUser, students[]}` and
`{currentClass{value,text}, gradeItemModels[{value,text}]}`. Inferred: the administrator's view (every
student of the school; `/api/classes` without studentId lists every class), which the gateway reads the
roster through.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from edugateway.emulators.ecp import params, shapes
from edugateway.emulators.ecp.auth import Auth
from edugateway.emulators.ecp.errors import EcpError, EcpJSONResponse
from edugateway.emulators.ecp.state import state_of

router = APIRouter(prefix="/api")


@router.get("/students")
async def students(request: Request, session: Auth) -> Response:
    world = state_of(request).world
    if session.is_admin:
        rows = sorted(world.students.values(), key=lambda s: (s["className"], s["lastName"], s["firstName"], s["id"]))
    else:
        rows = [world.students[s] for s in session.account.get("studentIds", []) if s in world.students]
    return EcpJSONResponse(
        {
            "isParent": bool(session.account.get("isParent")),
            "currentUser": shapes.current_user(session.account),
            "students": [shapes.student(s) for s in rows],
        }
    )


@router.get("/classes")
async def classes(request: Request, session: Auth) -> Response:
    world = state_of(request).world
    student_id = request.query_params.get("studentId")
    year = request.query_params.get("schoolYear")
    if not student_id:
        if not session.is_admin:
            raise EcpError.parameter("studentId", "The studentId field is required.")
        homerooms = [c for c in world.classes.values() if c["parentId"] is None]
        if year:
            homerooms = [c for c in homerooms if c["schoolYear"] == params.school_year(year, year)]
        homerooms.sort(key=lambda c: (c["schoolYear"], c["grade"], c["name"]))
        return EcpJSONResponse({"currentClass": None, "gradeItemModels": [shapes.class_item(c) for c in homerooms]})
    student = params.visible_student(world, session, student_id)
    homeroom = world.classes[student["classId"]]
    current = (
        shapes.class_item(homeroom)
        if params.school_year(year, homeroom["schoolYear"]) == homeroom["schoolYear"]
        else None
    )
    return EcpJSONResponse({"currentClass": current, "gradeItemModels": [shapes.class_item(homeroom)]})
