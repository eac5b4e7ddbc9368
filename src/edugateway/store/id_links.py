"""The id links: for every local record and platform, the platform's id, unique both ways.

A link is never deleted: a correction ends the old link (`unlinked_at`, with the reason) and adds the new one,
so the history of who was linked to whom, how and why stays readable. (The table is `identity_links`; the
links are not ЕСИА identity checks, which live in identity/.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from edugateway.errors import DataSafetyError
from edugateway.store.batches import chunks
from edugateway.store.tables import AuditRow, IdentityLinkRow


def platform_ref(platform: str, remote_id: str) -> str:
    """A platform's record named in local terms, "<platform>:<remote id>": the local key of a record first
    pulled from it or held for it, and the teacher reference a lesson keeps."""
    return f"{platform}:{remote_id}"


@dataclass(frozen=True)
class Link:
    local_key: str
    remote_id: str
    method: str
    score: float | None = None


class IdLinks:
    """The active links of one school and platform, loaded once per run and written through `session`."""

    def __init__(
        self,
        session: Session,
        school_id: int,
        platform: str,
        *,
        actor: str,
        run_id: int | None = None,
        entities: Collection[str] | None = None,
    ):
        """`entities` limits what is loaded (the roster's links, say, not a year of pulled marks)."""
        self.session = session
        self.school_id = school_id
        self.platform = platform
        self.actor = actor
        self.run_id = run_id
        self._by_local: dict[tuple[str, str], IdentityLinkRow] = {}
        self._by_remote: dict[tuple[str, str], IdentityLinkRow] = {}
        query = select(IdentityLinkRow).where(
            IdentityLinkRow.school_id == school_id,
            IdentityLinkRow.platform == platform,
            IdentityLinkRow.unlinked_at.is_(None),
        )
        if entities is not None:
            query = query.where(IdentityLinkRow.entity.in_(list(entities)))
        for row in session.scalars(query):
            self._index(row)

    def _index(self, row: IdentityLinkRow) -> None:
        self._by_local[(row.entity, row.local_key)] = row
        self._by_remote[(row.entity, row.remote_id)] = row

    def remote_id(self, entity: str, local_key: str) -> str | None:
        row = self._by_local.get((entity, local_key))
        return row.remote_id if row else None

    def local_key(self, entity: str, remote_id: str) -> str | None:
        row = self._by_remote.get((entity, remote_id))
        return row.local_key if row else None

    def links(self, entity: str) -> list[Link]:
        return [
            Link(row.local_key, row.remote_id, row.method, row.score)
            for (kind, _), row in self._by_local.items()
            if kind == entity
        ]

    def link(self, entity: str, link: Link, *, reason: str | None = None) -> None:
        """Adds a link; refuses (DataSafetyError) when either side is already linked to something else —
        changing an existing link is `relink`, an explicit correction with a reason."""
        mine = self._by_local.get((entity, link.local_key))
        theirs = self._by_remote.get((entity, link.remote_id))
        if mine is not None and mine is theirs:
            return  # already so
        if mine is not None or theirs is not None:
            taken = (
                f"local {link.local_key} is linked to {mine.remote_id}"
                if mine
                else f"{self.platform} {link.remote_id} is linked to local {theirs.local_key if theirs else '?'}"
            )
            raise DataSafetyError(f"{entity}: {taken}; correct the link with a reason instead of adding one")
        self._add(entity, link, reason)

    def relink(self, entity: str, link: Link, *, reason: str) -> None:
        """A correction: ends the links either side had (kept, with the reason) and adds the new one."""
        now = dt.datetime.now(dt.UTC)
        for row in {self._by_local.get((entity, link.local_key)), self._by_remote.get((entity, link.remote_id))}:
            if row is None:
                continue
            row.unlinked_at = now
            row.reason = reason
            self._by_local.pop((entity, row.local_key), None)
            self._by_remote.pop((entity, row.remote_id), None)
            self._audit("unlink", entity, row.local_key, {"remote_id": [row.remote_id, None]}, reason)
        self.session.flush()  # the partial unique indexes must see the old links ended first
        self._add(entity, link, reason)

    def _add(self, entity: str, link: Link, reason: str | None) -> None:
        row = IdentityLinkRow(
            school_id=self.school_id,
            platform=self.platform,
            entity=entity,
            local_key=link.local_key,
            remote_id=link.remote_id,
            method=link.method,
            score=link.score,
            reason=reason,
            run_id=self.run_id,
        )
        self.session.add(row)
        self._index(row)
        self._audit("link", entity, link.local_key, {"remote_id": [None, link.remote_id]}, reason or link.method)

    def _audit(self, action: str, entity: str, local_key: str, changes: dict[str, list[str | None]], why: str) -> None:
        self.session.add(
            AuditRow(
                actor=self.actor,
                action=action,
                school_id=self.school_id,
                entity=f"link:{self.platform}:{entity}",
                entity_id=local_key,
                changes=changes,
                reason=why,
            )
        )


class WindowIdLinks(IdLinks):
    """The id links as one pull window needs them.

    `IdLinks` loads every active link of a platform. For the journal entities those grow all year (a link per
    lesson, mark and attendance entry), so a pull loads the roster's links whole (`whole`) and, of the others,
    only the links of the given remote ids or local keys (enough for `local_key`, and for `link` to refuse a
    clash as the full map would). Reads and new links then go through `IdLinks` itself."""

    def __init__(
        self,
        session: Session,
        school_id: int,
        platform: str,
        *,
        actor: str,
        run_id: int | None,
        whole: Sequence[str],
        remote_ids: Mapping[str, Collection[str]],
        local_keys: Mapping[str, Collection[str]],
    ) -> None:
        # Deliberately not IdLinks.__init__: that loads every link; the state it sets up is the same.
        self.session = session
        self.school_id = school_id
        self.platform = platform
        self.actor = actor
        self.run_id = run_id
        self._by_local = {}
        self._by_remote = {}
        active = (
            IdentityLinkRow.school_id == school_id,
            IdentityLinkRow.platform == platform,
            IdentityLinkRow.unlinked_at.is_(None),
        )
        if whole:
            for row in session.scalars(select(IdentityLinkRow).where(*active, IdentityLinkRow.entity.in_(whole))):
                self._index(row)
        for entity in set(remote_ids) | set(local_keys):
            for part in _pairs(remote_ids.get(entity, ()), local_keys.get(entity, ())):
                wanted = or_(IdentityLinkRow.remote_id.in_(part[0]), IdentityLinkRow.local_key.in_(part[1]))
                for row in session.scalars(
                    select(IdentityLinkRow).where(*active, IdentityLinkRow.entity == entity, wanted)
                ):
                    self._index(row)


def _pairs(remote_ids: Collection[str], local_keys: Collection[str]) -> Iterator[tuple[list[str], list[str]]]:
    """(remote ids, local keys) chunks, so one query never carries more than about 2 × IN_CHUNK parameters."""
    remote = list(chunks(remote_ids))
    local = list(chunks(local_keys))
    for at in range(max(len(remote), len(local))):
        yield (remote[at] if at < len(remote) else []), (local[at] if at < len(local) else [])
