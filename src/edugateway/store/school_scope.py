"""The schools whose data a web account may read: every school, or a set of school ids (possibly none).

Store queries of the clerk's pages take a scope and put it in their WHERE clause, so a case, person or report of
another school is never read at all; pages need not (and must not) filter afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True, slots=True)
class SchoolScope:
    every: bool  # every school, present and future (an admin given --all-schools)
    ids: frozenset[int]  # otherwise only these; empty: nothing at all

    @classmethod
    def all_schools(cls) -> SchoolScope:
        return cls(True, frozenset())

    @classmethod
    def only(cls, school_ids: Iterable[int]) -> SchoolScope:
        return cls(False, frozenset(school_ids))

    @property
    def empty(self) -> bool:
        return not self.every and not self.ids

    def allows(self, school_id: int) -> bool:
        return self.every or school_id in self.ids

    def where(self, school_id: InstrumentedAttribute[int] | ColumnElement[int]) -> ColumnElement[bool]:
        """The condition on a school id column; an empty scope matches no row (SQLAlchemy's empty IN)."""
        if self.every:
            return true()
        return school_id.in_(sorted(self.ids))
