"""The plan of one sync run, typed: what each entity's comparison found, the writes a push would make, the
possible links left for the clerk (and the cases they opened), and why the run stopped short (held or stopped).

A run builds it as it goes (a failed run keeps what it got to; `needs_mapping` is the pull's, from the run log).
`as_json()` is the one shape the plan takes outside the engine: stored with the run (`sync_runs.plan`), printed
and written by `edugateway sync`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from edugateway.domain.entities import Direction, Entity
from edugateway.identity.cases import CaseChanges
from edugateway.store.needs_mapping import NeedsMapping
from edugateway.sync.compare import EntityComparison
from edugateway.sync.linking import Candidate
from edugateway.sync.push import PushChange

PUSH_OPS = ("create", "update", "delete")


@dataclass
class EntityPlan:
    """One entity: the roster comparison (when compared) and the planned writes (when pushed)."""

    comparison: EntityComparison | None = None
    push: list[PushChange] | None = None

    def pushes_by_op(self) -> dict[str, list[PushChange]]:
        """create, update, delete -> the planned writes (empty when the entity is not pushed)."""
        if self.push is None:
            return {}
        return {op: [c for c in self.push if c.op == op] for op in PUSH_OPS}

    def as_json(self) -> dict[str, Any]:
        out = self.comparison.as_json() if self.comparison is not None else {}
        if self.push is not None:
            out["push"] = {
                op: [{"key": c.key, **({"fields": c.fields} if c.fields else {})} for c in changes]
                for op, changes in self.pushes_by_op().items()
            }
        return out


@dataclass
class SyncPlan:
    run_id: int
    school: str
    platform: str
    dry_run: bool
    directions: dict[Entity, Direction]
    entities: dict[Entity, EntityPlan] = field(default_factory=dict)
    candidates: list[Candidate] | None = None  # set once linking is done
    link_cases: CaseChanges | None = None  # the clerk's cases the candidates opened, refreshed, closed (real runs)
    hold: str | None = None  # why nothing was applied: the plan deletes too much; approve the run to go on
    stopped: str | None = None  # the run ended after a whole pull window when asked to stop
    needs_mapping: NeedsMapping | None = None  # what the pull keeps under the platform's subjects and teachers

    def entity(self, entity: Entity) -> EntityPlan:
        return self.entities.setdefault(entity, EntityPlan())

    def as_json(self) -> dict[str, Any]:
        """The plan as stored and printed: only what the run got to, in the order it got there."""
        out: dict[str, Any] = {
            "run_id": self.run_id,
            "school": self.school,
            "platform": self.platform,
            "dry_run": self.dry_run,
            "directions": {e.value: d.value for e, d in self.directions.items()},
            "entities": {e.value: section.as_json() for e, section in self.entities.items()},
        }
        if self.candidates is not None:
            out["candidates"] = [asdict(c) for c in self.candidates]
        if self.link_cases is not None:
            out["link_cases"] = asdict(self.link_cases)
        if self.hold is not None:
            out["hold"] = self.hold
        if self.stopped is not None:
            out["stopped"] = self.stopped
        if self.needs_mapping is not None:
            out["needs_mapping"] = self.needs_mapping.as_json()
        return out
