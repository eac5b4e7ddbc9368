"""The edu-upload service of the SMEV adapter («Агент ПОДД СМЭВ»), per its OpenAPI 3.0.1 document:

    POST|DELETE /api/edu-upload/{version}/csv/{table}      body application/octet-stream (one CSV file)
    POST|DELETE /api/edu-upload/{version}/multipart/csv    multipart/form-data, field `files` (several)

Answers 200 (no body, as declared), 400 on bad input, 500 on an internal error. The document leaves the
rest open; inferred here and in `upload_tables.py`: the supported version (`v1`), the tables and columns,
that a multipart file's table is its file name without `.csv`, that a request is all-or-nothing (any bad
row or file refuses the request and nothing is stored, so a retry after fixing is safe), that delete needs
only the key columns and deleting an absent row is not an error, that a representative must refer to a
student received earlier or in the same request, 415 for a body of another media type (Spring's answer).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from edugateway.emulators.ecp.errors import RowError, UploadError
from edugateway.emulators.ecp.state import state_of
from edugateway.emulators.ecp.upload_csv import FileRejected, ParsedFile, parse_file
from edugateway.emulators.ecp.upload_tables import REPRESENTATIVES, STUDENTS, SUPPORTED_VERSIONS, TABLES
from edugateway.emulators.ecp.world import EcpWorld

router = APIRouter(prefix="/api/edu-upload/{version}")

BAD_INPUT = "Ошибка входных данных."


def _check_version(version: str) -> None:
    if version not in SUPPORTED_VERSIONS:
        raise UploadError(
            400, f"{BAD_INPUT} Версия {version} не поддерживается: {', '.join(sorted(SUPPORTED_VERSIONS))}"
        )


def _table(name: str, file: str) -> str:
    if name not in TABLES:
        raise UploadError(
            400, BAD_INPUT, [RowError(file, 0, None, f"неизвестная таблица {name}; есть: {', '.join(TABLES)}")]
        )
    return name


def _parse(files: list[tuple[str, str, bytes]], *, deleting: bool) -> list[ParsedFile]:
    """Every file parsed; all file and row errors of the request raised together."""
    parsed: list[ParsedFile] = []
    errors: list[RowError] = []
    for table, file, raw in files:
        try:
            parsed.append(parse_file(TABLES[table], raw, file, deleting=deleting))
        except FileRejected as exc:
            errors.append(exc.error)
    errors += [e for p in parsed for e in p.errors]
    if errors:
        raise UploadError(400, BAD_INPUT, errors)
    return parsed


def _apply(world: EcpWorld, parsed: list[ParsedFile], *, deleting: bool) -> None:
    order = list(TABLES)
    parsed = sorted(parsed, key=lambda p: order.index(p.table.name))
    if not deleting:
        _check_references(world, parsed)
    for p in parsed:
        stored = world.uploads[p.table.name]
        for key, row in p.rows.items():
            if deleting:
                stored.pop(key, None)
            else:
                stored[key] = row
                world.received[(p.table.name, key)] += 1


def _check_references(world: EcpWorld, parsed: list[ParsedFile]) -> None:
    known = {k[0] for k in world.uploads[STUDENTS.name]}
    known |= {k[0] for p in parsed if p.table is STUDENTS for k in p.rows}
    errors = [
        RowError(p.file, 0, "student_id", f"ученик {row['student_id']} не передан в таблице {STUDENTS.name}")
        for p in parsed
        if p.table is REPRESENTATIVES
        for row in p.rows.values()
        if row["student_id"] not in known
    ]
    if errors:
        raise UploadError(400, BAD_INPUT, errors)


async def _single(request: Request, version: str, table: str, *, deleting: bool) -> Response:
    _check_version(version)
    file = f"{table}.csv"
    _table(table, file)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/octet-stream":
        raise UploadError(
            415, f"Content-Type '{media or 'не указан'}' не поддерживается; нужен application/octet-stream"
        )
    raw = await request.body()
    if not raw:
        raise UploadError(400, f"{BAD_INPUT} Тело запроса пусто: ожидался CSV-файл")
    _apply(state_of(request).world, _parse([(table, file, raw)], deleting=deleting), deleting=deleting)
    return Response(status_code=200)


async def _multipart(request: Request, version: str, *, deleting: bool) -> Response:
    _check_version(version)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise UploadError(415, f"Content-Type '{media or 'не указан'}' не поддерживается; нужен multipart/form-data")
    async with request.form() as form:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads:
            raise UploadError(400, f"{BAD_INPUT} Нет частей 'files' с файлами")
        files = []
        for upload in uploads:
            name = upload.filename or ""
            table = _table(name.removesuffix(".csv"), name)
            files.append((table, name, await upload.read()))
    _apply(state_of(request).world, _parse(files, deleting=deleting), deleting=deleting)
    return Response(status_code=200)


@router.post("/csv/{table}")
async def upload(request: Request, version: str, table: str) -> Response:
    return await _single(request, version, table, deleting=False)


@router.delete("/csv/{table}")
async def delete(request: Request, version: str, table: str) -> Response:
    return await _single(request, version, table, deleting=True)


@router.post("/multipart/csv")
async def upload_multipart(request: Request, version: str) -> Response:
    return await _multipart(request, version, deleting=False)


@router.delete("/multipart/csv")
async def delete_multipart(request: Request, version: str) -> Response:
    return await _multipart(request, version, deleting=True)
