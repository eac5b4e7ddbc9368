"""ЕЦП subgroup lessons filed under the school's own subgroups (sync/subgroups.py).

000 §3.3.5: «При делении класса на подгруппы, состав подгруппы определяет учитель этих групп, совместно с
классным руководителем. Записи ведутся каждым учителем, ведущим группу, индивидуально». ЕЦП names a group
(«Группа 2_Анг») but gives it no id; the school's subgroup of that class and subject is the group: the only
one, or the Nth in name order for the group's number N, whatever the school calls its groups."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.local_subgroups import LocalSubgroup, load_local_subgroups
from edugateway.store.tables import ClassRow, IdentityLinkRow, SchoolRow, SubjectRow
from edugateway.sync.subgroups import NoSubgroup, SubgroupFiler, choose_subgroup, group_number

HOMEROOM, ENG, TECH = "cls-5a", "subj-eng", "subj-tech"


def groups(*names: str) -> list[LocalSubgroup]:
    return [LocalSubgroup(f"g{n}", name) for n, name in enumerate(names)]


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("Группа 2_Анг", 2),  # the captured schedule's naming
        ("Группа 1_ИНФ", 1),
        ("гр. 3", 3),
        ("Группа №2 (англ.)", 2),
        ("2 группа", 2),
        ("2-я гр. 7Б", 2),  # the number next to the word, not the class's
        ("Англ 1", 1),  # the only number
        ("Мальчики", None),
        ("7Б англ 2", None),  # two numbers and no word: not guessed
    ],
)
def test_the_group_number_is_read_from_the_platforms_name(name: str, number: int | None) -> None:
    assert group_number(name) == number


def test_the_nth_group_of_the_subject_in_name_order_whatever_the_school_calls_it() -> None:
    local = groups("5А англ (Петрова)", "5А англ (Иванова)")  # neither names a number
    assert choose_subgroup(local, "Группа 1_Анг") == local[1]  # «…Иванова» sorts first
    assert choose_subgroup(local, "Группа 2_Анг") == local[0]


def test_name_order_is_natural_so_group_10_comes_after_group_2() -> None:
    local = groups(*(f"5А Труд, группа {n}" for n in (10, 2, 1, 3, 4, 5, 6, 7, 8, 9)))
    assert choose_subgroup(local, "Группа 2_Тру") == local[1]
    assert choose_subgroup(local, "Группа 10_Тру") == local[0]


def test_the_only_group_of_the_subject_is_the_group_whatever_either_side_calls_it() -> None:
    (only,) = local = groups("Информатика, подгруппа Б")
    assert choose_subgroup(local, "Группа 2_ИНФ") is only
    assert choose_subgroup(local, "Мальчики") is only


def test_no_group_of_the_subject_leaves_the_lesson_to_its_class() -> None:
    assert choose_subgroup([], "Группа 1_Анг") is None


def test_several_groups_and_a_name_without_a_number_is_not_guessed() -> None:
    with pytest.raises(NoSubgroup, match=r"«Мальчики» names no number and the school has 2 groups"):
        choose_subgroup(groups("Труд 1", "Труд 2"), "Мальчики")


def test_a_number_past_the_schools_groups_is_not_guessed() -> None:
    with pytest.raises(NoSubgroup, match=r"is number 3 and the school has 2 groups .*; add the group locally"):
        choose_subgroup(groups("Англ 1", "Англ 2"), "Группа 3_Анг")


# --- filing against the database: the local subgroups, the links ----------------------------------------------


class _Connector:
    def subgroup_of(self, class_id: str) -> tuple[str, str] | None:
        homeroom, _, group = class_id.partition("#")
        return (homeroom, group) if group else None


@pytest.fixture
def school_id(database: Database) -> int:
    """5А with two English groups (named unlike ЕЦП's), an inactive third one, and no Труд groups."""
    with database.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        eng = SubjectRow(school_id=school.id, source_id=ENG, name="Английский язык")
        tech = SubjectRow(school_id=school.id, source_id=TECH, name="Труд (технология)")
        homeroom = ClassRow(school_id=school.id, source_id=HOMEROOM, name="5А", grade=5, academic_year=2026)
        session.add_all([eng, tech, homeroom])
        session.flush()
        for key, name, active in (
            ("eng-b", "5А англ Б", True),
            ("eng-a", "5А англ А", True),
            ("eng-x", "5А англ", False),
        ):
            session.add(
                ClassRow(
                    school_id=school.id,
                    source_id=key,
                    name=name,
                    grade=5,
                    academic_year=2026,
                    parent_id=homeroom.id,
                    subject_id=eng.id,
                    active=active,
                )
            )
        return school.id


def _filer(database: Database, school_id: int) -> SubgroupFiler:
    with database.session() as session:
        local = load_local_subgroups(session, school_id)
    return SubgroupFiler("ecp", _Connector(), local)


def test_a_chosen_subgroup_is_linked_to_the_platforms_group_once(database: Database, school_id: int) -> None:
    filer = _filer(database, school_id)
    assert sorted(g.key for g in filer.local.of(HOMEROOM, ENG)) == ["eng-a", "eng-b"]  # the inactive one is not a group
    with database.session() as session:
        links = IdLinks(session, school_id, "ecp", actor="sync:ecp", entities=["classes"])
        links.link("classes", Link(HOMEROOM, "r5a", "name"))
        assert filer.class_key(links, "r5a#Группа 2_Анг", HOMEROOM, "Группа 2_Анг", ENG, "l1") == "eng-b"
        assert filer.class_key(links, "r5a#Группа 1_Анг", HOMEROOM, "Группа 1_Анг", ENG, "l2") == "eng-a"
    with database.session() as session:
        stored = {
            (r.remote_id, r.local_key, r.method)
            for r in session.scalars(select(IdentityLinkRow).where(IdentityLinkRow.entity == "classes"))
        }
    assert ("r5a#Группа 2_Анг", "eng-b", "subgroup") in stored
    assert ("r5a#Группа 1_Анг", "eng-a", "subgroup") in stored
    assert filer.summary() == []


def test_a_subgroup_linked_to_another_platform_group_is_not_taken_twice(database: Database, school_id: int) -> None:
    filer = _filer(database, school_id)
    with database.session() as session:
        links = IdLinks(session, school_id, "ecp", actor="sync:ecp", entities=["classes"])
        links.link("classes", Link("eng-a", "r5a#Иностранный 1", "clerk"))
        with pytest.raises(NoSubgroup, match=r"of class 5А: the school's group «5А англ А» is linked to ecp class"):
            filer.class_key(links, "r5a#Группа 1_Анг", HOMEROOM, "Группа 1_Анг", ENG, "l1")


def test_a_group_the_school_has_none_of_goes_under_the_class_and_is_counted_once(
    database: Database, school_id: int
) -> None:
    filer = _filer(database, school_id)
    with database.session() as session:
        links = IdLinks(session, school_id, "ecp", actor="sync:ecp", entities=["classes"])
        for lesson in ("l1", "l2", "l2", "l3"):  # l2 read twice (two pupils' pages) is one lesson
            assert filer.class_key(links, "r5a#Группа 1_Тру", HOMEROOM, "Группа 1_Тру", TECH, lesson) == HOMEROOM
        assert links.links("classes") == []  # not linked: a subgroup the school adds later takes the next lessons
    (said,) = filer.summary()
    assert (said.class_name, said.group, said.subject, said.lessons) == ("5А", "Группа 1_Тру", "Труд (технология)", 3)
