"""The identity map as one pull window needs it.

`IdentityMap` loads every active link of a platform. For the journal entities those grow all year (a link per
lesson, mark and attendance entry), so a pull loads the roster's links whole and, of the journal's, only those
of the records in the window at hand. Reads and new links then go through `IdentityMap` itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from edugateway.store.tables import IdentityLinkRow
from edugateway.sync.identity_map import IdentityMap

IN_CHUNK = 500  # ids per IN (…) list: well inside SQLite's and PostgreSQL's parameter limits


def chunks(values: Collection[str], size: int = IN_CHUNK) -> Iterator[list[str]]:
    ordered = sorted(values)
    for at in range(0, len(ordered), size):
        yield ordered[at : at + size]


class WindowIdentityMap(IdentityMap):
    """An IdentityMap holding the links of `whole` entities, and for the others only the links of the given
    remote ids or local keys (enough for `local_key`, and for `link` to refuse a clash as the full map would)."""

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
        # Deliberately not IdentityMap.__init__: that loads every link; the state it sets up is the same.
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
