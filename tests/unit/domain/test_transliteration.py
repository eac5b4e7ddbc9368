"""Passport transliteration and the key that compares a name across scripts."""

from __future__ import annotations

import pytest

from edugateway.domain.transliteration import ICAO_9303, MVD_310, latin_key, transliterate


def test_icao_writes_names_as_russian_passports_do() -> None:
    assert transliterate("Щербакова Юлия Сергеевна") == "Shcherbakova Iuliia Sergeevna"
    assert transliterate("Зайцев Дмитрий Артёмович") == "Zaitsev Dmitrii Artemovich"
    assert transliterate("Подъячев Игорь") == "Podieiachev Igor"  # ъ is «ie»


def test_the_1997_rules_differ_in_й_ю_я_ъ() -> None:
    assert transliterate("Юлия Подъячева", MVD_310) == "Yuliya Podyacheva"
    assert set(ICAO_9303) == set(MVD_310)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("юлия", "Iuliia"),
        ("юлия", "YULIYA"),
        ("дмитрий", "Dmitriy"),
        ("александр", "Alexandr"),
        ("кузнецов", "Kuznetcov"),
    ],
)
def test_the_key_is_the_same_in_either_script_and_scheme(cyrillic: str, latin: str) -> None:
    assert latin_key(cyrillic) == latin_key(latin.lower())


def test_different_names_keep_different_keys() -> None:
    assert latin_key("иванов") != latin_key("иванова")
    assert latin_key("петрова-соколова") == "petrova-sokolova"
