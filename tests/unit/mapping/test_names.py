import pytest

from edugateway.emulators.drift import LOOKALIKES
from edugateway.mapping.names import normalize_name


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
