"""kill -9 of `edugateway sync` while it pushes the school's own journal to the Дневник.ру emulator (issue 18),
on SQLite and PostgreSQL: the sync runs as its own process against the emulator served from the test's process,
and is killed at several points of the push, with a write held before the platform took it and with a write the
platform took but whose answer never reached the gateway. Reruns then finish the push: every mark, absence and
homework is on the platform exactly once, and no work was made twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from edugateway.domain.models import MarkKind
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.server import BackgroundServer
from edugateway.store.db import Database
from edugateway.store.sync_run_log import recent_sync_runs
from edugateway.store.tables import OutboxRow
from support.cli_process import SOURCE_ROOT
from support.local_journal import empty_journal_world, local_school, plant_local_journal
from support.scheduler_support import wait_until

UNTIL = dt.date(2026, 9, 18)
WRITES = ("POST", "PUT", "DELETE")


class WriteGate:
    """ASGI middleware counting the platform's write requests (not sign-in, nor the reads sent as POST …/many):
    the write numbered `hold_at` is held, before the emulator sees it (`after` false: it never reaches the
    emulator) or after the emulator took it, before its answer is sent (`after` true), until the test has killed
    the sync that sent it. No clock: the test waits on the event."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.writes = 0
        self.hold_at: int | None = None
        self.after = False
        self.held = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope.get("method") not in WRITES or "/v2.0/" not in path or "/many" in path:  # users/many reads
            await self.inner(scope, receive, send)
            return
        self.writes += 1
        if self.writes != self.hold_at:
            await self.inner(scope, receive, send)
            return
        if not self.after:  # the sender dies before the platform sees it: it never lands
            await self._hold()
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return

        async def answer_later(message: Any) -> None:
            if message["type"] == "http.response.start":
                await self._hold()
            await send(message)

        await self.inner(scope, receive, answer_later)

    async def _hold(self) -> None:
        self.held.set()
        await asyncio.to_thread(self.release.wait, 60)


@dataclass
class Push:
    config: Path
    gate: WriteGate
    world: dnevnik.DnevnikWorld
    db: Database
    snapshot: SchoolSnapshot
    token: str

    def start(self, *more: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDUGATEWAY_")}
        env["PYTHONPATH"] = str(SOURCE_ROOT)
        env["KILL_DNEVNIK_TOKEN"] = self.token
        code = self.snapshot.school.code
        args = ["--config", str(self.config), "sync", "--school", code, "--platform", "dnevnik", "--until", str(UNTIL)]
        args += more
        return subprocess.Popen(
            [sys.executable, "-m", "edugateway", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )


@pytest.fixture(scope="module")
def snapshot() -> SchoolSnapshot:
    return local_school(UNTIL, students=20, classes=2)


@pytest.fixture
def push(database: Database, snapshot: SchoolSnapshot, tmp_path: Path) -> Iterator[Push]:
    emulator = dnevnik.create_app(empty_journal_world(snapshot))
    plant_local_journal(database, snapshot, tmp_path, emulator.world)
    gate = WriteGate(emulator.app)
    with BackgroundServer(gate) as server:
        config = tmp_path / "gateway.toml"
        url = database.engine.url.render_as_string(hide_password=False)
        config.write_text(
            f"""
database_url = "{url}"
log_level = "WARNING"
[[schools]]
code = "{snapshot.school.code}"
platform_ids = {{ dnevnik = "{platform_id("school", snapshot.school.code)}" }}
[platforms.dnevnik]
kind = "dnevnik"
base_url = "{server.base_url}/v2.0/"
token = {{ env = "KILL_DNEVNIK_TOKEN" }}
rate_limit_rps = 1000
retries = 0
[platforms.dnevnik.directions]
marks = "push"
attendance = "push"
homework = "push"
""",
            encoding="utf-8",
        )
        yield Push(config, gate, emulator.world, database, snapshot, emulator.admin_token)
        gate.release.set()


def _kill_at(push: Push, write: int, *, after: bool) -> None:
    push.gate.hold_at, push.gate.after = write, after
    push.gate.held.clear()
    push.gate.release.clear()
    process = push.start()
    try:
        wait_until(push.gate.held.is_set, timeout=120, what=f"the sync to send write {write}")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        push.gate.release.set()  # the held request goes on in the emulator (after: it had landed already)
    with push.db.session() as session:  # the dead run left writes with no recorded answer
        assert session.scalars(select(OutboxRow).where(OutboxRow.status == "sending")).first() is not None


def _pid(push: Push, kind: str, local: str) -> int:
    return platform_id(kind, push.snapshot.school.code, local)


def test_kill_9_at_several_points_of_the_push_then_a_rerun_leaves_nothing_doubled_and_nothing_missing(
    push: Push,
) -> None:
    # A mark before the platform took it; a work made, its answer lost; attendance and homework answers lost.
    for write, after in ((3, False), (10, True), (200, True), (330, False), (400, True)):
        _kill_at(push, write, after=after)
    push.gate.hold_at = None

    finished = push.start()
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, out + err
    assert "was left running by a process that died" in out

    world, snap = push.world, push.snapshot
    want_marks = Counter(
        (
            _pid(push, "person", m.person_id),
            _pid(push, "lesson", m.lesson_id or ""),
            {"Н/А": "НА"}.get(m.value, m.value),
        )
        for m in snap.marks
        if m.kind in (MarkKind.LESSON, MarkKind.WORK)
    )
    assert Counter((int(m["person"]), int(m["lesson"]), str(m["value"])) for m in world.marks.values()) == want_marks
    assert sorted((int(e["lesson"]), int(e["person"])) for e in world.log_entries.values()) == sorted(
        (_pid(push, "lesson", a.lesson_id), _pid(push, "person", a.person_id)) for a in snap.attendance
    )
    homework = Counter(int(w["lesson"]) for w in world.works.values() if w["type"] == "Homework")
    assert homework == Counter(_pid(push, "lesson", les.id) for les in snap.lessons if les.homework)
    lesson_works = Counter(int(w["lesson"]) for w in world.works.values() if w["type"] == "DefaultNewLessonWork")
    assert set(lesson_works.values()) == {1}  # no lesson's own work made twice
    with push.db.session() as session:
        assert set(session.scalars(select(OutboxRow.status))) == {"done"}
    runs = recent_sync_runs(push.db)
    assert [r.status for r in runs].count("abandoned") == 5


def test_a_dry_run_lists_every_journal_write_and_sends_none(push: Push) -> None:
    dry = push.start("--dry-run")
    out, err = dry.communicate(timeout=300)

    assert dry.returncode == 0, out + err
    assert push.gate.writes == 0
    lines = [line.strip() for line in out.splitlines() if line.startswith("  create ")]
    snap = push.snapshot
    names = {c.id: c.name for c in snap.classes} | {s.id: s.name for s in snap.subjects}
    lessons = {les.id: les for les in snap.lessons}
    mark = next(m for m in snap.marks if m.kind is MarkKind.LESSON)
    lesson = lessons[mark.lesson_id or ""]
    where = f"{lesson.date.isoformat()} №{lesson.number} {names[lesson.class_id]} {names[lesson.subject_id]}"
    assert f"create marks {mark.id}: pupil {mark.person_id} {mark.value!r} at {where}" in lines
    marks = sum(1 for m in snap.marks if m.kind in (MarkKind.LESSON, MarkKind.WORK))
    assert len(lines) == marks + len(snap.attendance) + sum(1 for les in snap.lessons if les.homework)
    assert "dry run: nothing applied" in out
