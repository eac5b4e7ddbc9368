"""Filing a platform's subgroup lessons under the school's own subgroups, when the platform names its groups but
does not identify them (ЕЦП: a lesson's `groupName` «Группа 2_Анг», the class id `<homeroom>#<groupName>`).

The rule: the lesson's local homeroom (the platform's homeroom, linked) and local subject (the lesson's, linked)
select the school's active subgroups of that homeroom taught that subject. Then
- none: the lesson is filed under the homeroom itself (its pupils are some of the class's), and the run says
  so once, per group, in its summary (needs_mapping.subgroups); no link is made, so a subgroup the school adds
  later takes the group's next lessons;
- one: that subgroup, whatever either side calls it;
- several: the Nth of them in natural name order («…группа 2» before «…группа 10»), N being the group's number
  in the platform's name. A name with no number, or a number past the school's groups, is not guessed: the
  lesson is skipped with the reason.
A subgroup chosen is linked to the platform's group id (method `subgroup`), so the choice is made once and stays
the same on every later run; a subgroup already linked to another of the platform's groups is not taken twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from edugateway.domain.entities import Entity
from edugateway.logs import get_logger
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.local_subgroups import LocalSubgroup, LocalSubgroups
from edugateway.store.needs_mapping import SubgroupOnHomeroom

log = get_logger(__name__)

SUBGROUP = "subgroup"  # the link method of a platform's group filed under a local subgroup
# «Группа 2», «гр. 2», «группа №2», «2 группа», «2-я гр.»: the number next to the word.
_NEXT_TO_WORD = re.compile(r"гр[а-яё]*\.?\s*№?\s*(\d+)|(\d+)\s*(?:-?\s*[а-яё]{1,2})?\s*гр", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_DIGITS = re.compile(r"(\d+)")


class NoSubgroup(Exception):
    """The school has subgroups of the subject but none can be told to be this group; the message says why."""


@runtime_checkable
class NamesSubgroupsOnly(Protocol):
    """A connector whose lessons name a subgroup of a homeroom instead of identifying it."""

    def subgroup_of(self, class_id: str) -> tuple[str, str] | None:
        """(the homeroom's id, the group's name) of a subgroup class id; None for a class the platform lists."""
        ...


def group_number(name: str) -> int | None:
    """The group's number in a name: the one next to «группа»/«гр.», else the only number in it; None if none."""
    near = _NEXT_TO_WORD.search(name)
    if near:
        return int(near.group(1) or near.group(2))
    numbers = _NUMBER.findall(name)
    return int(numbers[0]) if len(numbers) == 1 else None


def _natural(group: LocalSubgroup) -> tuple[tuple[tuple[int, str], ...], str]:
    """«группа 2» before «группа 10»: digit runs compare as numbers."""
    parts = _DIGITS.split(group.name.casefold())
    return tuple((int(p), "") if n % 2 else (0, p) for n, p in enumerate(parts)), group.key


def choose_subgroup(groups: Sequence[LocalSubgroup], platform_name: str) -> LocalSubgroup | None:
    """The school's subgroup that is the platform's group `platform_name`, among the homeroom's subgroups of the
    lesson's subject (module docstring); None when there are none. Raises NoSubgroup when it cannot tell."""
    if len(groups) <= 1:
        return groups[0] if groups else None
    ordered = sorted(groups, key=_natural)
    names = ", ".join(f"«{g.name}»" for g in ordered)
    number = group_number(platform_name)
    if number is None:
        raise NoSubgroup(
            f"the group «{platform_name}» names no number and the school has {len(groups)} groups of the subject "
            f"({names}); number the group in its name on the platform"
        )
    if not 1 <= number <= len(ordered):
        raise NoSubgroup(
            f"the group «{platform_name}» is number {number} and the school has {len(groups)} groups of the "
            f"subject ({names}); add the group locally"
        )
    return ordered[number - 1]


@dataclass
class SubgroupFiler:
    """Files one pull's subgroup lessons (module docstring) and remembers which went under their homeroom."""

    platform: str
    connector: NamesSubgroupsOnly
    local: LocalSubgroups
    on_homeroom: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)  # (class, group, subject)

    def split(self, class_id: str) -> tuple[str, str] | None:
        return self.connector.subgroup_of(class_id)

    def class_key(
        self, links: IdLinks, class_id: str, homeroom_key: str, group: str, subject_key: str, lesson_id: str
    ) -> str:
        """The local key of the class the lesson `lesson_id` of the platform's group `class_id` is filed under."""
        where = f"{self.platform} group «{group}» of class {self.local.class_names.get(homeroom_key, homeroom_key)}"
        try:
            chosen = choose_subgroup(self.local.of(homeroom_key, subject_key), group)
        except NoSubgroup as exc:
            raise NoSubgroup(f"{where}: {exc}") from None
        if chosen is None:
            seen = self.on_homeroom.setdefault((homeroom_key, group, subject_key), set())
            if not seen:  # said once per group and run; the summary counts the lessons
                log.info("sync.pull.subgroup_on_homeroom", platform=self.platform, homeroom=homeroom_key, group=group)
            seen.add(lesson_id)
            return homeroom_key
        taken = links.remote_id(Entity.CLASSES, chosen.key)
        if taken is not None and taken != class_id:
            raise NoSubgroup(
                f"{where}: the school's group «{chosen.name}» is linked to {self.platform} class {taken} already; "
                "correct one of the links"
            )
        links.link(
            Entity.CLASSES,
            Link(chosen.key, class_id, SUBGROUP),
            reason=f"the school's group of class {homeroom_key} in subject {subject_key} that is «{group}»",
        )
        return chosen.key

    def summary(self) -> list[SubgroupOnHomeroom]:
        names = self.local
        return [
            SubgroupOnHomeroom(
                names.class_names.get(homeroom, homeroom), group, names.subject_names.get(subject, subject), len(ids)
            )
            for (homeroom, group, subject), ids in sorted(self.on_homeroom.items())
        ]
