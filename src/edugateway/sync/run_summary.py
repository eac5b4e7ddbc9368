"""The lines `edugateway sync` prints after the plan about what the run could not file under the school's own
records: records skipped (with the reasons in `runs show`), and what the pull keeps under the platform's own
subjects and teachers until they are mapped, and the platform's subgroups filed on their class for want of a local
subgroup. Platform ids, class, group and subject names and counts only: no personal data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edugateway.store.db import Database
from edugateway.store.needs_mapping import NeedsMapping
from edugateway.store.sync_run_log import sync_run
from edugateway.sync.journal_send import CONFLICT

SUBJECTS_SHOWN = 5  # the rest are in `runs show`


def run_summary(db: Database, run_id: int) -> list[str]:
    """The lines of run `run_id`, from the run log (none when it is not there)."""
    row = sync_run(db, run_id)
    if row is None:
        return []
    needs_mapping = NeedsMapping.from_json(row.needs_mapping) if row.needs_mapping else None
    conflicts = sum(1 for s in row.skipped or [] if str(s.get("reason", "")).startswith(CONFLICT))
    return summary_lines(run_id, row.counts, needs_mapping, conflicts=conflicts)


def summary_lines(
    run_id: int,
    counts: Mapping[str, Mapping[str, Any]] | None,
    needs_mapping: NeedsMapping | None,
    *,
    conflicts: int = 0,
) -> list[str]:
    lines: list[str] = []
    if conflicts:  # a pushed journal record a teacher changed on the platform: left for a person to decide
        lines.append(
            f"{_plural(conflicts, 'journal record was', 'journal records were')} changed on the platform since the "
            f"last push and left as they are there; decide each (runs show {run_id}), or set journal_conflicts = "
            '"overwrite"'
        )
    skipped = {entity: int(c.get("skipped", 0)) for entity, c in (counts or {}).items() if c.get("skipped")}
    if skipped:
        per_entity = ", ".join(f"{entity} {n}" for entity, n in skipped.items())
        lines.append(
            f"{_plural(sum(skipped.values()), 'record', 'records')} skipped ({per_entity}); "
            f"the reasons: runs show {run_id}"
        )
    if needs_mapping is None:
        return lines
    if subjects := needs_mapping.subjects:
        shown = ", ".join(
            f"«{s.name}» ({_plural(s.lessons, 'lesson', 'lessons')}, {_plural(s.marks, 'mark', 'marks')})"
            for s in subjects[:SUBJECTS_SHOWN]
        )
        more = ", …" if len(subjects) > SUBJECTS_SHOWN else ""
        lines.append(
            f"{_plural(len(subjects), 'platform subject needs', 'platform subjects need')} mapping to local ones "
            f"(their journal is kept under the platform's): {shown}{more}; see runs show {run_id}"
        )
    if teachers := needs_mapping.teachers:
        lessons = sum(t.lessons for t in teachers)
        lines.append(
            f"{_plural(len(teachers), 'platform teacher is', 'platform teachers are')} linked to no local person: "
            f"{_plural(lessons, 'lesson', 'lessons')} stored without a teacher; see runs show {run_id}"
        )
    if groups := needs_mapping.subgroups:
        lessons = sum(g.lessons for g in groups)
        shown = ", ".join(
            f"{g.class_name} «{g.group}» ({g.subject}, {_plural(g.lessons, 'lesson', 'lessons')})"
            for g in groups[:SUBJECTS_SHOWN]
        )
        more = ", …" if len(groups) > SUBJECTS_SHOWN else ""
        lines.append(
            f"{_plural(lessons, 'lesson', 'lessons')} of {_plural(len(groups), 'platform group', 'platform groups')} "
            f"the school has no subgroup of were stored on the class: {shown}{more}; add the subgroups (with their "
            f"subject) locally to file them there; see runs show {run_id}"
        )
    return lines


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
