"""Record linkage: drifted records of one person are found, other persons are not, clerks' labels hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

import pytest
from structlog.testing import capture_logs

from edugateway.domain.models import Role
from edugateway.emulators.synthetic import generate_school
from edugateway.identity.linkage import Candidate, Label, LinkRecord, LinkStats, auto_links, link

AUTO = 0.999  # the auto-link threshold the tests hold the model to


@pytest.fixture(scope="module")
def school() -> list[LinkRecord]:
    """A synthetic school's students and teachers (≈760 persons) as the local side knows them."""
    snapshot = generate_school(students=300, classes=12).snapshot
    homerooms = {c.id: c.name for c in snapshot.classes if c.parent_id is None}
    homeroom = {e.person_id: homerooms[e.class_id] for e in snapshot.enrollments if e.class_id in homerooms}
    return [
        LinkRecord(
            id=p.id,
            last_name=p.last_name,
            first_name=p.first_name,
            middle_name=p.middle_name,
            birth_date=p.birth_date,
            gender=p.gender.value.lower() if p.gender else None,
            class_name=homeroom.get(p.id) if Role.STUDENT in p.roles else None,
            snils=p.snils,
        )
        for p in snapshot.persons
        if p.roles & {Role.STUDENT, Role.TEACHER}
    ]


def platform(records: list[LinkRecord], **changed: LinkRecord) -> list[LinkRecord]:
    """The platform's copy: ids of its own, no SNILS (the usual case), and the given persons replaced."""
    return [dataclasses.replace(changed.get(r.id, r), id=f"r-{r.id}", snils=None) for r in records]


def best(candidates: list[Candidate], left_id: str) -> Candidate:
    return next(c for c in candidates if c.left_id == left_id)


def person(school: list[LinkRecord], test: Callable[[LinkRecord], bool]) -> LinkRecord:
    return next(p for p in school if p.class_name and test(p))


def _with_yo(p: LinkRecord) -> bool:
    return "ё" in p.first_name or "ё" in p.last_name


def _swappable(p: LinkRecord) -> bool:
    return p.birth_date is not None and p.birth_date.day <= 12 and p.birth_date.day != p.birth_date.month


def _yo_dropped(p: LinkRecord) -> LinkRecord:
    return dataclasses.replace(p, first_name=p.first_name.replace("ё", "е"), last_name=p.last_name.replace("ё", "е"))


def _typo(p: LinkRecord) -> LinkRecord:
    return dataclasses.replace(p, last_name=p.last_name[0] + p.last_name[2:])  # a letter dropped early


def _latin(p: LinkRecord) -> LinkRecord:
    return dataclasses.replace(p, last_name=p.last_name.replace("о", "o").replace("а", "a"), first_name=p.first_name)


def _swapped(p: LinkRecord) -> LinkRecord:
    assert p.birth_date is not None
    return dataclasses.replace(p, birth_date=p.birth_date.replace(day=p.birth_date.month, month=p.birth_date.day))


@pytest.mark.parametrize(
    ("chosen", "drift", "field", "level"),
    [
        (_with_yo, _yo_dropped, "last_name", "exact"),
        (lambda p: len(p.last_name) > 5, _typo, "last_name", "one_edit"),
        (lambda p: "о" in p.last_name or "а" in p.last_name, _latin, "last_name", "exact"),
        (_swappable, _swapped, "birth_date", "day_month_swapped"),
    ],
    ids=["yo", "typo", "latin", "day_month_swap"],
)
def test_a_drifted_record_is_its_persons_clear_best_candidate(
    school: list[LinkRecord],
    chosen: Callable[[LinkRecord], bool],
    drift: Callable[[LinkRecord], LinkRecord],
    field: str,
    level: str,
) -> None:
    target = person(school, chosen)
    drifted = drift(target)
    assert drifted != target
    candidates = link(school, platform(school, **{target.id: drifted}))
    top = best(candidates, target.id)
    assert top.right_id == f"r-{target.id}"
    assert top.probability >= AUTO
    assert top.agreement[field] == level
    assert top in auto_links(candidates, AUTO)


def test_everyone_in_an_undrifted_copy_is_linked_to_themselves(school: list[LinkRecord]) -> None:
    candidates = link(school, platform(school), top_n=1)
    linked = auto_links(candidates, AUTO)
    assert len(linked) >= 0.99 * len(school)
    assert all(c.right_id == f"r-{c.left_id}" for c in candidates)


def test_another_person_with_the_same_surname_is_scored_but_not_proposed() -> None:
    pavel = LinkRecord("l1", "Иванов", "Павел", "Сергеевич", dt.date(2014, 3, 5), "m", "5А")
    # Same surname, patronymic, birth year and first letter of the first name: the blocking brings the pair to scoring.
    pyotr = LinkRecord("r1", "Иванов", "Пётр", "Сергеевич", dt.date(2014, 9, 17), "m", "5Б")
    scored = link([pavel], [pyotr], min_probability=0.0)
    assert [(c.left_id, c.right_id) for c in scored] == [("l1", "r1")]
    assert scored[0].probability < 0.01
    assert link([pavel], [pyotr]) == []


def test_a_twin_is_not_auto_linked_in_place_of_the_missing_sibling(school: list[LinkRecord]) -> None:
    """The girl is missing on the platform; her twin sister there is like her in all but the first name."""
    sister = person(school, lambda p: p.gender == "f" and p.first_name != "Злата")
    twin = dataclasses.replace(sister, id="twin", first_name="Злата", snils=None)
    right = [r for r in platform(school) if r.id != f"r-{sister.id}"] + [twin]
    candidates = link(school, right)
    assert all(c.right_id != "twin" for c in auto_links(candidates, AUTO) if c.left_id == sister.id)
    assert all(c.probability < AUTO for c in candidates if c.right_id == "twin")


def test_a_common_surname_weighs_less_than_a_rare_one() -> None:
    def pupil(pid: str, last: str, first: str, born: dt.date) -> LinkRecord:
        return LinkRecord(pid, last, first, "Олегович", born, "m", None)

    # Sixty Ивановы against one Шубин; the two compared pairs differ in nothing but the surname.
    crowd = [pupil(f"i{n}", "Иванов", "Игорь", dt.date(2010, 1, 1) + dt.timedelta(days=n)) for n in range(60)]
    ivanov = pupil("ivanov", "Иванов", "Павел", dt.date(2012, 5, 6))
    shubin = pupil("shubin", "Шубин", "Павел", dt.date(2012, 5, 6))
    left = [ivanov, shubin, *crowd]
    right = [dataclasses.replace(r, id=f"r-{r.id}") for r in left]
    candidates = link(left, right)
    common, rare = best(candidates, "ivanov"), best(candidates, "shubin")
    assert (common.right_id, rare.right_id) == ("r-ivanov", "r-shubin")
    assert common.agreement == rare.agreement
    assert rare.match_weight - common.match_weight > 3  # bits: 60 of 124 surnames against 1


def test_an_equal_snils_links_across_a_new_surname_and_a_different_one_counts_against() -> None:
    teacher = LinkRecord("t1", "Смирнова", "Ольга", "Петровна", dt.date(1985, 4, 12), "f", None, "112-233-445 95")
    married = dataclasses.replace(teacher, id="r1", last_name="Белова", snils="11223344595")
    other_number = dataclasses.replace(teacher, id="r2", snils="08765432102")
    no_number = dataclasses.replace(teacher, id="r3", snils=None)

    [by_snils] = link([teacher], [married])
    assert by_snils.agreement["snils"] == "exact"
    assert by_snils.agreement["last_name"] == "different"
    assert by_snils.probability >= AUTO
    against, neutral = link([teacher], [other_number], min_probability=0), link([teacher], [no_number])
    assert against[0].agreement["snils"] == "different"
    assert neutral[0].agreement["snils"] == "missing"
    assert against[0].match_weight < neutral[0].match_weight - 5


def test_an_invalid_snils_counts_as_absent() -> None:
    pupil = LinkRecord("l1", "Котов", "Павел", "Олегович", dt.date(2012, 2, 9), "m", "7В", "11223344596")  # checksum
    [candidate] = link([pupil], [dataclasses.replace(pupil, id="r1", snils="11223344595")])
    assert candidate.agreement["snils"] == "missing"


def test_a_pair_labelled_non_match_is_never_proposed(school: list[LinkRecord]) -> None:
    target = school[5]
    candidates = link(school, platform(school), labels=[Label(target.id, f"r-{target.id}", match=False)])
    assert all(c.right_id != f"r-{target.id}" for c in candidates if c.left_id == target.id)
    assert best(candidates, school[6].id).right_id == f"r-{school[6].id}"  # the others are untouched


def test_a_pair_labelled_match_comes_first_with_probability_one() -> None:
    local = LinkRecord("l1", "Петрова", "Анна", "Ивановна", dt.date(2013, 6, 1), "f", "6А")
    same = dataclasses.replace(local, id="r-same")
    # The clerk knows the child took her stepfather's name and the platform has another birth date: no blocking
    # rule would bring this pair to scoring, and the model would not believe it.
    renamed = LinkRecord("r-renamed", "Соколова", "Анна", "Дмитриевна", dt.date(2012, 1, 20), "f", "6А")
    candidates = link([local], [same, renamed], labels=[Label("l1", "r-renamed", match=True)])
    assert [c.right_id for c in candidates] == ["r-renamed", "r-same"]
    assert candidates[0].probability == 1.0
    assert candidates[0].labelled
    assert candidates[0].agreement["last_name"] == "different"
    assert auto_links(candidates, AUTO) == [candidates[0]]


def test_labels_about_unknown_records_are_ignored() -> None:
    pupil = LinkRecord("l1", "Котов", "Павел", "Олегович", dt.date(2012, 2, 9), "m", "7В")
    labels = [Label("nobody", "r1", match=True), Label("l1", "nothing", match=False)]
    assert [c.right_id for c in link([pupil], [dataclasses.replace(pupil, id="r1")], labels=labels)] == ["r1"]


def test_candidates_are_ranked_best_first_at_most_top_n_in_left_order() -> None:
    kotov = LinkRecord("z-kotov", "Котов", "Павел", "Олегович", dt.date(2012, 2, 9), "m", "7В")
    belova = LinkRecord("a-belova", "Белова", "Ольга", "Петровна", dt.date(2013, 11, 3), "f", "6А")
    right = [
        dataclasses.replace(kotov, id="r-typo", last_name="Ктов"),
        dataclasses.replace(kotov, id="r-same"),
        dataclasses.replace(kotov, id="r-swapped", birth_date=dt.date(2012, 9, 2)),
        dataclasses.replace(belova, id="r-belova"),
    ]
    candidates = link([kotov, belova], right, top_n=2, min_probability=1e-9)
    assert [(c.left_id, c.right_id) for c in candidates] == [
        ("z-kotov", "r-same"),
        ("z-kotov", "r-swapped"),  # a swap of day and month is likelier than a typo in a short surname
        ("a-belova", "r-belova"),
    ]
    assert candidates[0].probability > candidates[1].probability
    assert link([kotov], right, top_n=3, min_probability=1e-9)[2].right_id == "r-typo"
    between = (candidates[0].probability + candidates[1].probability) / 2
    assert [c.right_id for c in link([kotov, belova], right, min_probability=between)] == ["r-same", "r-belova"]


def test_results_are_the_same_every_run(school: list[LinkRecord]) -> None:
    right = platform(school[:200])
    assert link(school[:200], right) == link(school[:200], right)


def test_auto_links_refuses_ties_both_ways() -> None:
    agreement = {"last_name": "exact"}

    def c(left: str, right: str, p: float = 0.9999, w: float = 20.0) -> Candidate:
        return Candidate(left, right, p, w, agreement)

    clear = c("a", "x")
    twins_right = [c("b", "y1"), c("b", "y2")]  # the platform has the person twice
    twins_left = [c("d1", "z"), c("d2", "z")]  # the school has the person twice
    weaker_rival = c("e", "v", w=25.0), c("e", "w", w=20.0)
    low = c("f", "u", p=0.99)
    linked = auto_links([clear, *twins_right, *twins_left, *weaker_rival, low], AUTO)
    assert linked == [clear, weaker_rival[0]]


def test_auto_links_of_a_person_entered_twice_on_the_platform_goes_to_the_clerk() -> None:
    local = LinkRecord("l1", "Котов", "Павел", "Олегович", dt.date(2012, 2, 9), "m", "7В")
    twice = [dataclasses.replace(local, id="r1"), dataclasses.replace(local, id="r2")]
    candidates = link([local], twice)
    assert len(candidates) == 2
    assert candidates[0].probability == candidates[1].probability >= AUTO
    assert auto_links(candidates, AUTO) == []


def test_empty_inputs_give_no_candidates() -> None:
    pupil = LinkRecord("l1", "Котов", "Павел", None, None, None, None)
    assert link([], [pupil]) == []
    assert link([pupil], []) == []
    assert auto_links([], AUTO) == []


def test_ids_must_be_unique_on_each_side() -> None:
    pupil = LinkRecord("l1", "Котов", "Павел", None, None, None, None)
    with pytest.raises(ValueError, match="unique"):
        link([pupil, pupil], [pupil])


def test_personal_data_never_reaches_a_log(school: list[LinkRecord], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stats = LinkStats()
    with capture_logs() as events:
        link(school[:100], platform(school[:100]), stats=stats)
    assert stats.pairs_compared >= 100
    assert not [r for r in caplog.records if r.name.startswith(("splink", "duckdb"))]
    text = caplog.text + repr(events)
    assert not [p for p in school[:100] if p.last_name in text or p.first_name in text]
    assert not [p for p in school[:100] if p.birth_date and p.birth_date.isoformat() in text]


# --- drift a region shows beyond typos (issue 15): Latin names, double surnames, a missing patronymic, twins


def _only_candidate_is_auto_linked(candidates: list[Candidate], left_id: str, right_id: str) -> Candidate:
    top = best(candidates, left_id)
    assert top.right_id == right_id
    assert top.probability >= AUTO
    assert top in auto_links(candidates, AUTO)
    return top


@pytest.mark.parametrize(
    ("last", "first", "middle"),
    [
        ("Shcherbakova", "Iuliia", "Sergeevna"),  # ICAO Doc 9303, passports since 2014
        ("SHCHERBAKOVA", "YULIYA", "SERGEEVNA"),  # the 1997 rules, in capitals as a passport prints them
    ],
    ids=["icao", "mvd_1997"],
)
def test_a_name_in_latin_letters_is_its_cyrillic_persons_best_candidate(
    school: list[LinkRecord], last: str, first: str, middle: str
) -> None:
    target = dataclasses.replace(
        person(school, lambda p: p.gender == "f"), last_name="Щербакова", first_name="Юлия", middle_name="Сергеевна"
    )
    left = [target if p.id == target.id else p for p in school]
    latin = dataclasses.replace(target, last_name=last, first_name=first, middle_name=middle)
    candidates = link(left, platform(left, **{target.id: latin}))
    top = _only_candidate_is_auto_linked(candidates, target.id, f"r-{target.id}")
    assert {top.agreement[f] for f in ("last_name", "first_name", "middle_name")} == {"transliterated"}


@pytest.mark.parametrize(
    ("local", "remote"),
    [("Петрова", "Петрова-Соколова"), ("Петрова", "Соколова-Петрова"), ("Петрова-Соколова", "Соколова")],
    ids=["second_taken", "second_first", "one_dropped"],
)
def test_a_double_surname_matches_on_either_part(school: list[LinkRecord], local: str, remote: str) -> None:
    target = dataclasses.replace(person(school, lambda p: p.gender == "f"), last_name=local)
    left = [target if p.id == target.id else p for p in school]
    candidates = link(left, platform(left, **{target.id: dataclasses.replace(target, last_name=remote)}))
    top = _only_candidate_is_auto_linked(candidates, target.id, f"r-{target.id}")
    assert top.agreement["last_name"] == "one_part"


def test_a_surname_part_in_common_is_no_evidence_between_strangers() -> None:
    """«Петрова-Соколова» against another «Соколова»: the part agrees, the rest does not; far from a match."""
    petrova = LinkRecord("l1", "Петрова-Соколова", "Анна", "Ивановна", None, "f", "6А")
    sokolova = LinkRecord("r1", "Соколова", "Мария", "Олеговна", None, "f", "6А")
    assert link([petrova], [sokolova]) == []


@pytest.mark.parametrize("written", [None, "", "-", "—", "нет", "Отсутствует", "б/о"])
def test_a_missing_patronymic_is_no_information_whatever_stands_in_its_place(
    school: list[LinkRecord], written: str | None
) -> None:
    target = person(school, lambda p: p.middle_name is not None)
    candidates = link(school, platform(school, **{target.id: dataclasses.replace(target, middle_name=written)}))
    top = _only_candidate_is_auto_linked(candidates, target.id, f"r-{target.id}")
    assert top.agreement["middle_name"] == "missing"


def test_a_twin_with_a_rare_surname_is_not_linked_in_place_of_the_other(school: list[LinkRecord]) -> None:
    """The school has one twin, the platform only the other (same rare surname, patronymic, birth date, class): a
    rare surname must not outweigh a different first name."""
    girl = dataclasses.replace(person(school, lambda p: p.gender == "f"), last_name="Кржижановская")
    left = [girl if p.id == girl.id else p for p in school]
    twin = dataclasses.replace(
        girl, id="twin", first_name="Злата" if girl.first_name != "Злата" else "Агата", snils=None
    )
    right = [r for r in platform(left) if r.id != f"r-{girl.id}"] + [twin]
    candidates = link(left, right, min_probability=0.0)
    [pair] = [c for c in candidates if c.right_id == "twin" and c.left_id == girl.id]
    assert pair.agreement["first_name"] == "different"
    assert pair.probability < 0.95  # for the clerk to look at, far from a link
    assert all(c.right_id != "twin" for c in auto_links(candidates, AUTO))


def test_a_typo_at_the_start_of_a_surname_meets_its_record_on_a_platform_without_birth_dates(
    school: list[LinkRecord],
) -> None:
    """ГИС ЕЦП keeps no birth dates: a slip in the surname's first letters must still bring the pair to scoring
    (first name, patronymic and class agree), so the clerk is at least asked."""
    pupil = person(school, lambda p: len(p.last_name) > 5 and p.middle_name is not None)
    slipped = "Ж" + pupil.last_name[1:] if pupil.last_name[0] != "Ж" else "Ш" + pupil.last_name[1:]
    copy = [dataclasses.replace(r, birth_date=None, gender=None) for r in platform(school)]
    copy = [dataclasses.replace(r, last_name=slipped) if r.id == f"r-{pupil.id}" else r for r in copy]
    found = link(school, copy, min_probability=0.5)
    assert best(found, pupil.id).right_id == f"r-{pupil.id}"
