import datetime as dt

import pytest

from edugateway.emulators.drift import LOOKALIKES
from edugateway.mapping.names import PersonKey, match_score, normalize_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Алёна", "алена"),
        ("  Иванова   Петрова ", "иванова петрова"),
        ("Римская–Корсакова", "римская-корсакова"),
        ("Римская - Корсакова", "римская-корсакова"),
        ("Иbанова", "иванова"),
        ("CEMEHOB", "CEMEHOB".lower()),  # an all-Latin word stays Latin: no Cyrillic to anchor it
        ("Сeмёнов", "семенов"),
    ],
)
def test_normalize_name(a: str, b: str) -> None:
    assert normalize_name(a) == b


def test_every_lookalike_the_drift_generator_plants_is_undone() -> None:
    for cyr, lat in LOOKALIKES.items():
        assert normalize_name(f"Ж{lat}ж") == normalize_name(f"Ж{cyr}ж")


def key(**kw: object) -> PersonKey:
    base: dict[str, object] = {
        "last_name": "Семёнова",
        "first_name": "Алёна",
        "middle_name": "Петровна",
        "birth_date": dt.date(2014, 3, 7),
        "class_name": "5А",
    }
    base.update(kw)
    return PersonKey(**base)  # type: ignore[arg-type]


def test_the_same_person_written_differently_scores_one() -> None:
    same = match_score(key(), key(last_name="СЕМЕНОВА", first_name="Алена", class_name="5а"))
    assert same.score == 1.0


def test_scores_rank_typos_above_strangers() -> None:
    typo = match_score(key(), key(last_name="Семнова")).score
    swapped = match_score(key(), key(birth_date=dt.date(2014, 7, 3))).score
    sibling = match_score(key(), key(first_name="Мария", middle_name="Петровна", birth_date=dt.date(2016, 1, 9)))
    stranger = match_score(
        key(),
        key(
            last_name="Кузнецов",
            first_name="Иван",
            middle_name="Олегович",
            birth_date=dt.date(2010, 1, 1),
            class_name="9Б",
        ),
    ).score
    assert 1.0 > typo > sibling.score > stranger
    assert 1.0 > swapped > sibling.score
    assert "different birth date" in sibling.reasons
