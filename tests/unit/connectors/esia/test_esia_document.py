"""Reading ЕСИА's answer is pure: the fields of /rs/prns, notFound, several accounts, and refusals that never
repeat the values they refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from edugateway.connectors.esia.document import AnswerError, lookup_request, read_lookup_response
from edugateway.domain.esia_account import AccountStatus, current_account
from edugateway.schemas import ESIA_LOOKUP_NS

NS = ESIA_LOOKUP_NS


def person(oid: int, status: str, updated: int, birth: str = "26.05.2000") -> str:
    return (
        f"<lk:person><lk:oid>{oid}</lk:oid><lk:lastName>Фамилия</lk:lastName><lk:firstName>Имя</lk:firstName>"
        f"<lk:birthDate>{birth}</lk:birthDate><lk:gender>F</lk:gender><lk:snils>112-233-445 95</lk:snils>"
        f"<lk:trusted>true</lk:trusted><lk:status>{status}</lk:status><lk:updatedOn>{updated}</lk:updatedOn>"
        "</lk:person>"
    )


def answer(*results: str) -> etree._Element:
    return etree.fromstring(f'<lk:PersonLookupResponse xmlns:lk="{NS}">{"".join(results)}</lk:PersonLookupResponse>')


def test_several_accounts_and_not_found_are_read_and_the_current_one_chosen() -> None:
    document = answer(
        f"<lk:result><lk:snils>112-233-445 95</lk:snils>{person(1, 'DELETED', 200)}{person(2, 'REGISTERED', 100)}"
        f"{person(3, 'REGISTERED', 150)}</lk:result>",
        "<lk:result><lk:snils>000-000-600 06</lk:snils><lk:notFound/></lk:result>",
    )
    found = read_lookup_response(document)
    assert [a.oid for a in found["11223344595"]] == [1, 2, 3]
    assert found["00000060006"] == []
    chosen = current_account(found["11223344595"])
    assert chosen is not None
    assert (chosen.oid, chosen.status) == (3, AccountStatus.REGISTERED)
    assert chosen.birth_date == dt.date(2000, 5, 26)
    assert chosen.middle_name is None
    assert current_account([]) is None


def test_a_malformed_field_is_named_without_its_value() -> None:
    document = answer(
        f"<lk:result><lk:snils>112-233-445 95</lk:snils>{person(1, 'REGISTERED', 1, '31.02.2011')}</lk:result>"
    )
    with pytest.raises(AnswerError) as caught:
        read_lookup_response(document)
    assert "result[1]/person[1]/birthDate" in str(caught.value)
    assert "31.02.2011" not in str(caught.value)


def test_the_wrong_root_is_refused() -> None:
    with pytest.raises(AnswerError, match="PersonLookupResponse"):
        read_lookup_response(etree.fromstring(f'<lk:Other xmlns:lk="{NS}"/>'))


def test_personal_fields_stay_out_of_repr() -> None:
    document = answer(f"<lk:result><lk:snils>112-233-445 95</lk:snils>{person(7, 'REGISTERED', 1)}</lk:result>")
    text = repr(read_lookup_response(document)["11223344595"])
    assert "Фамилия" not in text
    assert "11223344595" not in text
    assert "oid=7" in text


def test_a_request_holds_1_to_100_snils_in_canonical_form() -> None:
    assert lookup_request(["11223344595"]).findtext(f"{{{NS}}}snils") == "112-233-445 95"
    with pytest.raises(ValueError, match=r"1\.\.100"):
        lookup_request(["11223344595"] * 101)
    with pytest.raises(ValueError, match=r"1\.\.100"):
        lookup_request([])
