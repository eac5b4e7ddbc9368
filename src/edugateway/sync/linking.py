"""Linking local records to a platform's: classes by name and year, subjects by name, periods by kind and
dates, persons by SNILS where the platform can search by it and otherwise by the record-linkage model.

Дневник.ру never returns a SNILS but filters by it, so a person with a SNILS is first confirmed through the
platform's search. The rest go to the gateway's one matcher (identity/linkage.py, the same that ranks ЕСИА
candidates), with the clerk's earlier decisions on this platform's pairs as labels. A pair it finds clearly
right (AUTO_LINK, one to one) is linked; every other pair at or above the review probability is a candidate,
which a real run puts in the clerk's queue as a case (identity/link_cases.py) and a dry run only lists.

A platform subject the school has none of that name is held for the platform rather than
left unlinked (store/held_subjects.py), until the school's own subject takes its journal over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from edugateway.domain.models import Gender, Person, ReportingPeriod, Role, SchoolClass, Subject
from edugateway.identity.linkage import Label, LinkRecord, auto_links, link
from edugateway.mapping.names import normalize_name
from edugateway.store.held_subjects import Holder, held_key, held_subjects, hold_subject, move_journal
from edugateway.store.id_links import IdLinks, Link

# A pair at least this likely, and the best of both its persons, links by itself. The model calls a pair this
# sure only when names and birth date (or class, where the platform keeps no dates) agree and no rival comes close.
AUTO_LINK = 0.99
REVIEW = 0.5  # the default of identity.review_probability: below it nobody is suggested to the clerk
MATCH = "match"  # the link method of a pair the model linked
CLERK = "clerk"  # the link method of a pair the clerk linked (on the case page, or as a label the model obeys)
HELD = "held"  # the link method of a platform subject to the local subject held for it

SnilsSearch = Callable[[str], Awaitable[list[str]]]


@dataclass(frozen=True)
class Candidate:
    """A possible link the engine did not make: for the clerk's queue."""

    entity: str
    local_key: str
    remote_id: str
    score: float  # the model's match probability
    agreement: dict[str, str]  # field -> the comparison level that held, e.g. {"last_name": "one_edit"}


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
    remote_records: dict[str, LinkRecord] = field(default_factory=dict)  # the platform's candidates, for the case
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

    def record(self) -> LinkRecord:
        p = self.person
        return LinkRecord(
            id=self.key,
            last_name=p.last_name,
            first_name=p.first_name,
            middle_name=p.middle_name,
            birth_date=p.birth_date,
            gender=_GENDER.get(p.gender) if p.gender else None,
            class_name=self.class_name,
            snils=p.snils,
        )


_GENDER = {Gender.MALE: "m", Gender.FEMALE: "f"}


async def link_persons(
    ids: IdLinks,
    local: Sequence[PersonSide],
    remote: Sequence[PersonSide],
    outcome: LinkOutcome,
    *,
    search_by_snils: SnilsSearch | None = None,
    labels: Sequence[Label] = (),
    review: float = REVIEW,
) -> None:
    """Students and teachers only: parents are not on the platforms' rosters. `labels` are the clerk's decisions
    on pairs of this platform (local key, platform id): a match always links, a non-match is never proposed."""
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

    if not free_local or not free_remote:
        return
    records = {side.key: side.record() for side in free_remote.values()}
    ranked = link([s.record() for s in free_local], list(records.values()), labels=labels, min_probability=review)
    linked = auto_links(ranked, AUTO_LINK)
    for pair in linked:
        method = CLERK if pair.labelled else MATCH
        ids.link("persons", Link(pair.left_id, pair.right_id, method, round(pair.probability, 4)))
        outcome.count("persons")
    done_left = {c.left_id for c in linked}
    done_right = {c.right_id for c in linked}
    for pair in ranked:
        if pair.left_id in done_left or pair.right_id in done_right:
            continue  # one side is linked now: this pair is no longer a question
        outcome.candidates.append(
            Candidate("persons", pair.left_id, pair.right_id, round(pair.probability, 4), dict(pair.agreement))
        )
        outcome.remote_records[pair.right_id] = records[pair.right_id]
