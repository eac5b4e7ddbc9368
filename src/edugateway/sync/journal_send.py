"""Sending the local journal's outbox rows to Дневник.ру / ИСУОД, exactly once and without overwriting a
teacher (issue 18).

The rows are claimed and recorded as every push's are (store/outbox.py); what differs is how a row is sent:
- The platform's ids are found at send time: the pupil's and the lesson's links, then the work the mark is for
  (sync/journal_works.py), found or made.
- Creates are not upserts on this API, so a row whose result is in doubt (claimed before: a dead run left it
  `sending`, or its request failed without an answer) is first looked for on the platform: the pupil's marks on
  the work, the lesson's log entries, the lesson's homeworks. What landed is adopted; only what did not is sent.
- An update or a delete first reads the platform's current value and compares it with what the gateway last
  pushed (the pushed state). A value a teacher changed on the platform since is a conflict: with the platform's
  `journal_conflicts = "report"` (the default) the row is refused with the reason (run log and summary) and sent
  by no run until a person decides; "overwrite" sends it anyway.
- The connector's rate limiter paces every request. The partner API has no batch write for marks, log entries
  or works (API.md §4.6), so rows go one request each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edugateway.connectors.base import Connector, KeepsJournalWorks, NamesWorkTypes, Op, WriteResult
from edugateway.domain.entities import Entity
from edugateway.domain.models import AttendanceCode, MarkKind
from edugateway.errors import ConfigError, ConnectorError, PlatformRejected, ValidationError
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.outbox import (
    ClaimedWrite,
    OutboxScope,
    WriteOutcome,
    claim_batch,
    pending_writes,
    pushed_state,
    record_outcomes,
    requeue_unknown,
)
from edugateway.store.outbox_reads import claimed_before, landed_remote_ids
from edugateway.store.sync_run_log import SyncRunLog
from edugateway.sync.journal_works import Works
from edugateway.sync.lesson_match import LESSONS
from edugateway.sync.push import BATCH, DONE, NOT_SENT, PushAdapter, digest

log = get_logger(__name__)

FINAL_WORKS = "final_works"  # id links: a local class, subject and period -> the final work the gateway made
LINKED = ("persons", "classes", "subjects", "periods", LESSONS, FINAL_WORKS)
CONFLICT = "conflict: "


@dataclass(frozen=True)
class Row:
    """A claimed write with what sending it needs."""

    write: ClaimedWrite
    doubt: bool  # claimed before: it may have landed already
    landed: str | None  # what the record's last landed write answered (its platform id)
    pushed: dict[str, Any] | None  # what the gateway last pushed of it


class Conflict(Exception):
    """The platform holds a value the gateway did not push."""


class JournalSender:
    """One run's sending of one journal entity."""

    def __init__(
        self,
        adapter: PushAdapter,
        connector: Connector,
        works: Works,
        linked: dict[tuple[str, str], str],
        *,
        overwrite: bool,
    ) -> None:
        self.adapter = adapter
        self.connector = connector
        self.works = works
        self.linked = linked
        self.overwrite = overwrite

    def remote(self, entity: str, local: str) -> str:
        found = self.linked.get((entity, local))
        if found is None:
            what = {"persons": "pupil", "classes": "class", "subjects": "subject", "periods": "period"}.get(entity)
            raise ValidationError(
                f"{what or 'lesson'} {local} is not linked to {self.connector.platform}; link it first"
            )
        return found

    def check(self, now: object, pushed: object, key: str) -> None:
        """Refuses an update or delete of a value a teacher changed on the platform since the last push."""
        if now != pushed and not self.overwrite:
            raise Conflict(
                f"{key} was changed on the platform since the last push ({pushed} pushed, {now} there now); "
                'decide on the platform, or set journal_conflicts = "overwrite" to replace it'
            )

    def local(self, payload: dict[str, Any]) -> Any:
        """The local record the payload holds (the adapter's), to be named by the platform's ids."""
        return self.adapter.records([payload])[0]

    async def send(self, row: Row) -> WriteResult:
        key, entity = row.write.key, self.adapter.entity
        try:
            if entity in (Entity.MARKS, Entity.FINAL_MARKS):
                return await self._mark(entity, row)
            if entity is Entity.ATTENDANCE:
                return await self._attendance(row)
            return await self._homework(row)
        except Conflict as exc:
            return WriteResult(key, ok=False, error=CONFLICT + str(exc))
        except (ValidationError, PlatformRejected) as exc:  # this record's (its lesson gone, say), not the platform's
            return WriteResult(key, ok=False, error=str(exc))

    async def _write(self, entity: Entity, op: Op, record: Any, key: str) -> WriteResult:
        """One request through the connector's write; a failure of the platform is raised (the run stops)."""
        (answer,) = await self.connector.write(entity, op, [record])
        if not answer.ok and answer.retryable:
            raise ConnectorError(answer.error or "the platform failed", platform=self.connector.platform)
        return WriteResult(key, answer.ok, answer.remote_id, answer.error)

    # --- marks and finals: persons/{p}/works/{w}/mark, marks/{id} --------------------------------------

    async def _mark(self, entity: Entity, row: Row) -> WriteResult:
        write, p = row.write, row.write.payload
        person = self.remote("persons", p["person"])
        if entity is Entity.FINAL_MARKS:
            period = self.remote("periods", p["period"]) if p["kind"] == MarkKind.PERIOD_FINAL.value else None
            work = await self.works.final(
                p["kind"],
                self.remote("classes", p["class"]),
                self.remote("subjects", p["subject"]),
                period,
                key=final_work_key(p),
                create=write.op == "create",
            )
        else:
            work = await self.works.for_mark(
                self.remote(LESSONS, p["lesson"]),
                self.remote("classes", p["class"]),
                self.remote("subjects", p["subject"]),
                p["work_type"],
                create=write.op == "create",
            )
        if write.op == "create":
            assert work is not None  # made when missing
            if row.doubt:  # a dead run may have given it already
                there = await self.works.platform.work_marks(person, work.id)
                same = next((mk for mk in there if mk.record.value == p["value"]), None)
                if same is not None:
                    return WriteResult(write.key, True, f"{work.id}/{same.remote_id}")
                if there:
                    raise Conflict(f"{write.key}: the platform already has {there[0].record.value} for this pupil here")
            # the connector posts the mark on the work named in `work_type`
            mark = self.local(p).model_copy(update={"person_id": person, "work_type": work.id})
            answer = await self._write(Entity.MARKS, Op.CREATE, mark, write.key)
            return WriteResult(
                write.key, answer.ok, f"{work.id}/{answer.remote_id}" if answer.ok else None, answer.error
            )
        work_id, _, mark_id = (row.landed or "/").partition("/")
        now = None
        if work_id:
            now = next(
                (
                    mk.record.value
                    for mk in await self.works.platform.work_marks(person, work_id)
                    if mk.remote_id == mark_id
                ),
                None,
            )
        old = (row.pushed or {}).get("value")
        platform_mark = self.local(p).model_copy(update={"id": mark_id, "person_id": person})  # marks/{id}
        if write.op == "delete":
            if now is None:  # gone already (a dead run's delete landed, or a teacher removed it)
                return WriteResult(write.key, True, row.landed)
            self.check(now, old, write.key)
            answer = await self._write(Entity.MARKS, Op.DELETE, platform_mark, write.key)
            return WriteResult(write.key, answer.ok, row.landed, answer.error)
        if now is None:
            raise Conflict(f"{write.key} was removed on the platform since the last push")
        if now == p["value"]:  # the update landed already
            return WriteResult(write.key, True, row.landed)
        self.check(now, old, write.key)
        answer = await self._write(Entity.MARKS, Op.UPDATE, platform_mark, write.key)
        return WriteResult(write.key, answer.ok, row.landed, answer.error)

    # --- attendance: lessons/{l}/log-entries ------------------------------------------------------------

    async def _entries(self, lesson: str) -> dict[str, AttendanceCode]:
        """person -> code of the lesson's log entries as the platform holds them now."""
        if not isinstance(self.connector, KeepsJournalWorks):
            raise ConfigError(f"{self.connector.platform} cannot be asked for one lesson's attendance")
        return {entry.person_id: entry.code for entry in await self.connector.lesson_attendance(lesson)}

    async def _attendance(self, row: Row) -> WriteResult:
        write, p = row.write, row.write.payload
        person, lesson = self.remote("persons", p["person"]), self.remote(LESSONS, p["lesson"])
        entry = self.local(p).model_copy(update={"person_id": person, "lesson_id": lesson})
        key = f"{lesson}:{person}"
        if write.op == "create" and not row.doubt:
            answer = await self._write(Entity.ATTENDANCE, Op.CREATE, entry, write.key)
            return WriteResult(write.key, answer.ok, key if answer.ok else None, answer.error)
        now = (await self._entries(lesson)).get(person)
        now_code = now.value if now else None
        if write.op == "create":
            if now_code == p["code"]:
                return WriteResult(write.key, True, key)
            if now is not None:
                raise Conflict(f"{write.key}: the platform already has {now_code} for this pupil on this lesson")
            answer = await self._write(Entity.ATTENDANCE, Op.CREATE, entry, write.key)
            return WriteResult(write.key, answer.ok, key if answer.ok else None, answer.error)
        old = (row.pushed or {}).get("code")
        if write.op == "delete":
            if now is None:
                return WriteResult(write.key, True, key)
            self.check(now_code, old, write.key)
            answer = await self._write(Entity.ATTENDANCE, Op.DELETE, entry.model_copy(update={"code": now}), write.key)
            return WriteResult(write.key, answer.ok, key, answer.error)
        if now_code == p["code"]:
            return WriteResult(write.key, True, key)
        if now is None:
            raise Conflict(f"{write.key} was removed on the platform since the last push")
        self.check(now_code, old, write.key)
        answer = await self._write(Entity.ATTENDANCE, Op.UPDATE, entry, write.key)
        return WriteResult(write.key, answer.ok, key, answer.error)

    # --- homework: POST works --------------------------------------------------------------------------

    async def _homework(self, row: Row) -> WriteResult:
        write, p = row.write, row.write.payload
        lesson = self.remote(LESSONS, p["lesson"])
        record = self.local(p).model_copy(update={"id": lesson})
        if write.op == "delete":
            raise ValidationError(
                f"the homework of {p['where']} was removed locally after it was sent; the partner API cannot remove "
                "a sent homework, remove it on the platform"
            )
        if write.op == "create":
            if row.doubt:
                same = [w for w in await self.works.homeworks(lesson) if (w.text or "").strip() == p["text"].strip()]
                if same:
                    return WriteResult(write.key, True, same[0].id)
            return await self._write(Entity.HOMEWORK, Op.CREATE, record, write.key)
        texts = [(w.text or "").strip() for w in await self.works.homeworks(lesson)]
        if p["text"].strip() in texts:  # the change landed already
            return WriteResult(write.key, True, row.landed)
        self.check(texts[0] if texts else None, ((row.pushed or {}).get("text") or "").strip(), write.key)
        return await self._write(Entity.HOMEWORK, Op.UPDATE, record, write.key)


def final_work_key(p: dict[str, Any]) -> str:
    """The local name of a final's work: class, subject and period (the year for a year final)."""
    return "|".join((p["class"], p["subject"], p["period"]))


def _remembered(db: Database, school_id: int, platform: str) -> Callable[[str, str], None]:
    """Keeps a final work the gateway made as an id link, committed at once (before any final is sent on it)."""

    def remember(key: str, work_id: str) -> None:
        with db.session() as session:
            IdLinks(session, school_id, platform, actor=f"sync:{platform}", entities=[FINAL_WORKS]).link(
                FINAL_WORKS, Link(key, work_id, "created")
            )

    return remember


def _linked(db: Database, school_id: int, platform: str) -> dict[tuple[str, str], str]:
    with db.session() as session:
        ids = IdLinks(session, school_id, platform, actor="sync", entities=LINKED)
        return {(entity, link.local_key): link.remote_id for entity in LINKED for link in ids.links(entity)}


async def drain_journal(
    db: Database, run_log: SyncRunLog, adapter: PushAdapter, connector: Connector, *, overwrite: bool
) -> None:
    """Sends every pending row of this journal entity (this run's and any an earlier run left, the ones in doubt
    looked for on the platform first) and records each answer with the pushed state, one transaction per batch.
    Raises ConnectorError when the platform fails, after recording what landed (the rest stays queued)."""
    if not isinstance(connector, KeepsJournalWorks):
        raise ConfigError(f"{connector.platform} keeps no journal works; the journal cannot be pushed to it")
    scope = OutboxScope(run_log.school_id, run_log.platform, adapter.entity.value, adapter.track)
    if requeued := requeue_unknown(db, scope):  # claimed by a dead run: looked for on the platform before sending
        log.warning("journal writes with an unknown result are checked on the platform", requeued=requeued)
    type_ids: dict[str, str] = {}
    if adapter.entity is Entity.MARKS and isinstance(connector, NamesWorkTypes):
        for t in await connector.work_types():
            type_ids[t.title], type_ids[t.id] = t.id, t.id
    linked = _linked(db, run_log.school_id, run_log.platform)
    made = {local: remote for (entity, local), remote in linked.items() if entity == FINAL_WORKS}
    remember = _remembered(db, run_log.school_id, run_log.platform)
    works = Works(connector, type_ids, made_finals=made, remember=remember)
    sender = JournalSender(adapter, connector, works, linked, overwrite=overwrite)
    counts = run_log.of(adapter.entity.value)
    landed_total = 0
    while batch := claim_batch(db, scope, run_log.run_id, limit=BATCH):
        doubt = claimed_before(db, [w.row_id for w in batch])
        landed = landed_remote_ids(db, scope, [w.key for w in batch if w.op != "create"])
        pushed = pushed_state(db, run_log.school_id, run_log.platform, adapter.track)
        outcomes: list[WriteOutcome] = []
        failure: str | None = None
        for write in batch:
            state = pushed.get(write.key)
            row = Row(write, write.row_id in doubt, landed.get(write.key), state.data if state else None)
            try:
                answer = await sender.send(row)
            except ConnectorError as exc:  # the platform failed: what this row did is unknown, it stays `sending`
                failure = str(exc)
                sent = {o.row_id for o in outcomes} | {write.row_id}
                outcomes += [
                    _outcome(w, WriteResult(w.key, False, error=NOT_SENT, retryable=True))
                    for w in batch
                    if w.row_id not in sent
                ]
                break
            outcomes.append(_outcome(write, answer))
        record_outcomes(db, scope, run_log.run_id, outcomes)
        for outcome in outcomes:
            if outcome.retryable:
                continue
            if outcome.ok:
                landed_total += 1
                name = DONE[outcome.op]
                setattr(counts, name, getattr(counts, name) + 1)
            else:
                counts.failed += 1
                run_log.skip(adapter.entity.value, _shown_key(outcome), outcome.error or "refused")
        run_log.save()
        if failure is not None:
            raise ConnectorError(
                f"pushing {scope.entity} to {scope.platform} failed: {failure}; {landed_total} writes landed, "
                f"{pending_writes(db, scope)} are queued for the next run"
            )


def _outcome(write: ClaimedWrite, answer: WriteResult) -> WriteOutcome:
    return WriteOutcome(
        row_id=write.row_id,
        op=write.op,
        payload=write.payload,
        digest=digest(write.payload),
        ok=answer.ok,
        retryable=answer.retryable,
        remote_id=answer.remote_id,
        error=answer.error,
    )


def _shown_key(outcome: WriteOutcome) -> str:
    return f"{outcome.payload.get('where', '')} ({outcome.payload.get('person') or outcome.payload.get('lesson')})"
