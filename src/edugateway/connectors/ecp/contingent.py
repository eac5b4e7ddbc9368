"""What a push of contingent to ГИС ЕЦП takes: pupils with their homeroom, representatives with their link.

`write(Entity.PERSONS, op, records)` takes `Pupil` and `Representative` records, in any mix:
- `Pupil(person, class_name)`: a person with Role.STUDENT and the name of the homeroom the upload table
  needs (`5А`); its result key is the person's id.
- `Representative(person, link)`: a person with Role.PARENT and one ParentLink to a pupil; a parent of two
  pupils is two records. Its result key is `<parent id>:<child id>`.
`contingent(...)` builds both from canonical records as the local store holds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from edugateway.domain.models import Enrollment, EnrollmentRole, ParentLink, Person, Role, SchoolClass


@dataclass(frozen=True)
class Pupil:
    person: Person
    class_name: str  # the homeroom's name, as the upload's class_name column takes it: 5А
    admission_date: dt.date | None = None

    @property
    def key(self) -> str:
        return self.person.id


@dataclass(frozen=True)
class Representative:
    person: Person
    link: ParentLink  # link.parent_id is person.id; link.child_id the pupil's id as pushed

    @property
    def key(self) -> str:
        return f"{self.link.parent_id}:{self.link.child_id}"


ContingentRecord = Pupil | Representative


def contingent(
    persons: Iterable[Person],
    classes: Iterable[SchoolClass],
    enrollments: Iterable[Enrollment],
    links: Iterable[ParentLink],
) -> list[ContingentRecord]:
    """Pupils (students with a homeroom enrollment) first, then a Representative per link to one of them."""
    by_id = {p.id: p for p in persons}
    homerooms = {c.id: c for c in classes if c.parent_id is None}
    pupils: dict[str, Pupil] = {}
    for enrollment in enrollments:
        person = by_id.get(enrollment.person_id)
        homeroom = homerooms.get(enrollment.class_id)
        if (
            person is None
            or homeroom is None
            or enrollment.role is not EnrollmentRole.STUDENT
            or Role.STUDENT not in person.roles
        ):
            continue
        pupils.setdefault(person.id, Pupil(person, homeroom.name, enrollment.start_date))
    representatives = [
        Representative(by_id[link.parent_id], link)
        for link in links
        if link.child_id in pupils and link.parent_id in by_id
    ]
    return [*pupils.values(), *representatives]
