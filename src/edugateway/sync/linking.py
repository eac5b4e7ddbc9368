"""Linking local records to a platform's: classes by name and year, subjects by name, periods by kind and
dates, persons by SNILS where the platform can search by it and otherwise by a match score.

Дневник.ру never returns a SNILS but filters by it, so a person with a SNILS is first confirmed through the
platform's search. The rest are scored on normalised names, birth date and class (mapping/names.py), within
blocks (birth year, and the first letters of the last name, so a changed birth date still meets its match).
Only a clear best above AUTO_LINK is linked; a weaker or ambiguous best goes to the clerk as a candidate,
never auto-linked. A platform subject the school has none of that name is held for the platform rather than
left unlinked (store/held_subjects.py), until the school's own subject takes its journal over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from edugateway.domain.models import Person, ReportingPeriod, Role, SchoolClass, Subject
from edugateway.mapping.names import PersonKey, match_score, normalize_name
from edugateway.store.held_subjects import Holder, held_key, held_subjects, hold_subject, move_journal
from edugateway.store.id_links import IdLinks, Link

AUTO_LINK = 0.9  # a best match at least this good, and clear of the runner-up, links by itself
CLEAR_MARGIN = 0.05
REVIEW = 0.6  # from here to AUTO_LINK a match is put to the clerk; below it nobody is suggested
HELD = "held"  # the link method of a platform subject to the local subject held for it

SnilsSearch = Callable[[str], Awaitable[list[str]]]


@dataclass(frozen=True)
class Candidate:
    """A possible link the engine did not make: for the clerk's queue."""

    entity: str
    local_key: str
    remote_id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReleasedSubject:
    """A held subject whose journal moved to the school's subject now linked to the platform's."""

    remote_id: str
    name: str
    local_key: str
    lessons: int
    marks: int


@dataclass
class LinkOutcome:
    linked: dict[str, int] = field(default_factory=dict)  # entity -> links made now
    candidates: list[Candidate] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # platform subjects held for the platform now
    released: list[ReleasedSubject] = field(default_factory=list)

    def count(self, entity: str) -> None:
        self.linked[entity] = self.linked.get(entity, 0) + 1


def link_by_key(
    ids: IdLinks,
    entity: str,
    local: Iterable[tuple[str, object]],
    remote: Iterable[tuple[str, object]],
    outcome: LinkOutcome,
    method: str,
) -> None:
    """Links unlinked records whose keys are equal and unique on both sides (a class name, a subject name)."""
    by_key_local: dict[object, list[str]] = defaultdict(list)
    for local_key, key in local:
        if ids.remote_id(entity, local_key) is None:
            by_key_local[key].append(local_key)
    by_key_remote: dict[object, list[str]] = defaultdict(list)
    for remote_id, key in remote:
        if ids.local_key(entity, remote_id) is None:
            by_key_remote[key].append(remote_id)
    for key, locals_ in by_key_local.items():
        remotes = by_key_remote.get(key, [])
        if len(locals_) == 1 and len(remotes) == 1:
            ids.link(entity, Link(locals_[0], remotes[0], method))
            outcome.count(entity)


def link_classes(
    ids: IdLinks, local: Sequence[SchoolClass], remote: Sequence[tuple[str, SchoolClass]], outcome: LinkOutcome
) -> None:
    """Classes by (name, year); then subgroups by (linked parent, name)."""

    def key(c: SchoolClass, parent: str | None) -> tuple[str, int, str | None]:
        return normalize_name(c.name), c.academic_year, parent

    link_by_key(
        ids,
        "classes",
        [(c.id, key(c, None)) for c in local if c.parent_id is None],
        [(rid, key(c, None)) for rid, c in remote if c.parent_id is None],
        outcome,
        "name",
    )
    link_by_key(
        ids,
        "classes",
        [(c.id, key(c, c.parent_id)) for c in local if c.parent_id is not None],
        [(rid, key(c, ids.local_key("classes", c.parent_id))) for rid, c in remote if c.parent_id is not None],
        outcome,
        "name",
    )


def link_subjects(
    ids: IdLinks, local: Sequence[Subject], remote: Sequence[tuple[str, Subject]], outcome: LinkOutcome
) -> None:
    """Subjects by name; a platform subject the school has none of that name is held for the platform, so the
    journal filed under it is stored; a held subject the school now has (by name, or linked by hand) hands its
    journal over. `local` is the school's own subjects: held ones are not among them."""
    _release_held(ids, local, dict(remote), outcome)
    link_by_key(
        ids,
        "subjects",
        [(s.id, normalize_name(s.name)) for s in local],
        [(rid, normalize_name(s.name)) for rid, s in remote],
        outcome,
        "name",
    )
    _hold_unmatched(ids, local, remote, outcome)


def _holder(ids: IdLinks, reason: str) -> Holder:
    return Holder(ids.school_id, ids.platform, ids.actor, f"sync run {ids.run_id}: {reason}" if ids.run_id else reason)


def _release_held(ids: IdLinks, local: Sequence[Subject], remote: dict[str, Subject], outcome: LinkOutcome) -> None:
    """Moves the journal of each held subject the school now has to the school's subject and retires the held
    one: the platform's subject linked elsewhere (by hand), or one free local subject of the same name as one
    held subject (the platform's current name)."""
    held = held_subjects(ids.session, ids.school_id, ids.platform)
    free_local: dict[str, list[str]] = defaultdict(list)
    for s in local:
        if ids.remote_id("subjects", s.id) is None:
            free_local[normalize_name(s.name)].append(s.id)
    held_names: dict[str, int] = defaultdict(int)
    for h in held:
        held_names[normalize_name(remote[h.remote_id].name if h.remote_id in remote else h.name)] += 1
    for h in held:
        name = remote[h.remote_id].name if h.remote_id in remote else h.name
        target = ids.local_key("subjects", h.remote_id)
        if target is None or target == h.local_key:  # still held, or its link ended by hand with none made
            found = free_local.get(normalize_name(name), [])
            if len(found) != 1 or held_names[normalize_name(name)] != 1:
                continue  # none, or not one to one: stays held, as an ambiguous name stays unlinked
            target = found[0]
            why = f"the school's subject {target} is named «{name}» like the platform's subject held for it"
            ids.relink("subjects", Link(target, h.remote_id, "name"), reason=why)
            outcome.count("subjects")
        else:
            why = f"the platform's subject is linked to the school's subject {target}"
        moved = move_journal(ids.session, _holder(ids, why), h, target)
        outcome.released.append(ReleasedSubject(h.remote_id, name, target, moved.lessons, moved.marks))


def _hold_unmatched(
    ids: IdLinks, local: Sequence[Subject], remote: Sequence[tuple[str, Subject]], outcome: LinkOutcome
) -> None:
    """Holds each unlinked platform subject whose name no local subject has; renames the held ones the platform
    renamed. A name the school has but could not link (two of it on a side) stays unlinked and is reported."""
    names = {normalize_name(s.name) for s in local}
    held = {h.remote_id for h in held_subjects(ids.session, ids.school_id, ids.platform)}
    for rid, subject in remote:
        linked = ids.local_key("subjects", rid)
        if linked is not None:
            if rid in held and linked == held_key(ids.platform, rid):
                hold_subject(ids.session, _holder(ids, "the platform renamed its subject"), rid, subject.name)
            continue
        if normalize_name(subject.name) in names:
            continue
        why = f"no subject of the school is named «{subject.name}»; its journal is kept under the platform's"
        key = hold_subject(ids.session, _holder(ids, why), rid, subject.name)
        if key is not None:
            ids.link("subjects", Link(key, rid, HELD), reason=why)
            outcome.held.append(rid)


def link_periods(
    ids: IdLinks,
    local: Sequence[ReportingPeriod],
    remote: Sequence[tuple[str, ReportingPeriod]],
    outcome: LinkOutcome,
) -> None:
    link_by_key(
        ids,
        "periods",
        [(p.id, (p.kind, p.start_date)) for p in local],
        [(rid, (p.kind, p.start_date)) for rid, p in remote],
        outcome,
        "dates",
    )


@dataclass(frozen=True)
class PersonSide:
    """A person and the name of their class (not a subgroup), on one side."""

    key: str
    person: Person
    class_name: str | None

    def match_key(self) -> PersonKey:
        p = self.person
        return PersonKey(p.last_name, p.first_name, p.middle_name, p.birth_date, self.class_name)


def _blocks(side: PersonSide) -> list[tuple[str, object]]:
    p = side.person
    keys: list[tuple[str, object]] = [("surname", normalize_name(p.last_name)[:3])]
    if p.birth_date:
        keys.append(("born", p.birth_date.year))
    return keys


async def link_persons(
    ids: IdLinks,
    local: Sequence[PersonSide],
    remote: Sequence[PersonSide],
    outcome: LinkOutcome,
    *,
    search_by_snils: SnilsSearch | None = None,
) -> None:
    """Students and teachers only: parents are not on the platforms' rosters."""
    people = {Role.STUDENT, Role.TEACHER}
    free_local = [s for s in local if s.person.roles & people and ids.remote_id("persons", s.key) is None]
    free_remote = {s.key: s for s in remote if ids.local_key("persons", s.key) is None}

    if search_by_snils is not None:
        holders: dict[str, int] = defaultdict(int)
        for side in free_local:
            if side.person.snils:
                holders[side.person.snils] += 1
        for side in list(free_local):
            snils = side.person.snils
            if not snils or holders[snils] > 1:
                continue  # a SNILS two local persons share confirms neither
            found = [r for r in await search_by_snils(snils) if r in free_remote]
            if len(found) == 1:
                ids.link("persons", Link(side.key, found[0], "snils", 1.0))
                outcome.count("persons")
                free_local.remove(side)
                del free_remote[found[0]]

    index: dict[tuple[str, object], list[PersonSide]] = defaultdict(list)
    for side in free_remote.values():
        for block in _blocks(side):
            index[block].append(side)
    proposals: list[tuple[float, PersonSide, PersonSide, tuple[str, ...], float]] = []
    for side in free_local:
        seen: dict[str, PersonSide] = {}
        for block in _blocks(side):
            for other in index.get(block, []):
                seen[other.key] = other
        scored = sorted(
            ((match_score(side.match_key(), other.match_key()), other) for other in seen.values()),
            key=lambda pair: -pair[0].score,
        )
        if not scored or scored[0][0].score < REVIEW:
            continue
        best, other = scored[0]
        runner_up = scored[1][0].score if len(scored) > 1 else 0.0
        proposals.append((best.score, side, other, best.reasons, best.score - runner_up))

    # Greedy from the strongest: a remote person is linked to one local person at most.
    taken: set[str] = set()
    for score, side, other, reasons, margin in sorted(proposals, key=lambda p: -p[0]):
        if other.key in taken:
            continue  # a better match has it; this local person stays unlinked and is reported as such
        if score >= AUTO_LINK and margin >= CLEAR_MARGIN:
            ids.link("persons", Link(side.key, other.key, "match", score))
            outcome.count("persons")
            taken.add(other.key)
        else:
            outcome.candidates.append(Candidate("persons", side.key, other.key, score, reasons))
