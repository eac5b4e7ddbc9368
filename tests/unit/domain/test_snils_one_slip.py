from __future__ import annotations

from edugateway.domain.snils import check_snils, one_slip_away


def test_the_real_number_is_one_slip_from_each_kind_of_typo() -> None:
    real = "11223344595"
    changed_digit = "11223344695"
    swapped = "11223434595"
    assert not check_snils(changed_digit).valid
    assert not check_snils(swapped).valid
    assert real in one_slip_away(changed_digit)
    assert real in one_slip_away(swapped)


def test_every_suggestion_is_valid_and_differs_by_one_slip() -> None:
    found = one_slip_away("112-233-445 96")
    assert found
    assert all(check_snils(n).valid for n in found)
    assert "11223344596" not in found


def test_a_value_of_another_length_has_no_suggestions() -> None:
    assert one_slip_away("112-233-445") == []
