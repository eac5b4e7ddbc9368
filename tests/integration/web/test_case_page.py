"""The case page: the three records side by side with the differing fields marked, SNILS masked until a clerk
asks (and that look audited), ranked candidates with masked numbers, the history."""

from __future__ import annotations

import re

from sqlalchemy import select
from web_client import Site

from edugateway.domain.snils import format_snils
from edugateway.store.tables import AuditRow
from support.clerk_school import snils


def _field(text: str, column: str, name: str) -> str:
    """The markup of one field in the column titled `column`."""
    section = text.split(f"<h3>{column}</h3>", 1)[1].split("</section>", 1)[0]
    found = re.search(r'<div( class="differs")? data-field="' + name + r'">.*?</div>', section, re.S)
    assert found, f"{name} not in {column}"
    return found.group(0)


def test_local_esia_and_platform_side_by_side_with_the_difference_marked(site: Site) -> None:
    site.sign_in("ivanova")
    text = site.client.get(f"/cases/{site.school.cases['typo']}").text

    assert "Случай № 1: ФИО не совпадает с ЕСИА" in text
    assert 'class="differs"' in _field(text, "Школа (локальная база)", "last_name")
    assert "Смирнова" in _field(text, "ЕСИА (Госуслуги)", "last_name")
    assert 'class="differs"' in _field(text, "ЕСИА (Госуслуги)", "last_name")
    assert 'class="differs"' not in _field(text, "ЕСИА (Госуслуги)", "first_name")
    # ГИС ЕЦП writes «Алена»: ё and е are the same letter in a name, so it is not marked
    assert "Алена" in _field(text, "ГИС ЕЦП", "first_name")
    assert 'class="differs"' not in _field(text, "ГИС ЕЦП", "first_name")
    assert "ecp-501" in text
    assert "02.03.2014" in text


def test_snils_is_masked_until_a_clerk_asks_and_the_look_is_audited(site: Site) -> None:
    token = site.sign_in("ivanova")
    case_id = site.school.cases["typo"]
    full = format_snils(snils("112233445"))

    page = site.client.get(f"/cases/{case_id}")
    assert "***-***-*45 **" in page.text
    assert full not in page.text
    assert snils("112233445") not in page.text
    assert page.headers["cache-control"] == "no-store"

    shown = site.client.post(f"/cases/{case_id}/reveal-snils", data={"csrf_token": token})

    assert shown.status_code == 200
    assert f'<span id="snils-full" class="snils">{full}</span>' in shown.text
    with site.db.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "view_snils")).one()
    assert (audit.actor, audit.entity, audit.entity_id) == ("clerk:ivanova", "person", "p-typo")
    again = site.client.get(f"/cases/{case_id}")
    assert full not in again.text  # shown once, not remembered
    assert "просмотр СНИЛС" in again.text  # the look is in the case's audit list


def test_candidates_are_ranked_with_agreement_and_masked_numbers(site: Site) -> None:
    site.sign_in("ivanova")
    text = site.client.get(f"/cases/{site.school.cases['checksum']}").text

    assert text.index("97.0 %") < text.index("61.0 %")
    assert "Фамилия: совпадает" in text
    assert "Имя: не совпадает" in text
    assert "Фамилия: похоже" in text
    for number in (snils("334455667"), snils("334455676")):
        assert number not in text
        assert format_snils(number) not in text
    assert 'name="candidate" value="0"' in text


def test_history_and_a_missing_case(site: Site) -> None:
    site.sign_in("ivanova")
    text = site.client.get(f"/cases/{site.school.cases['missing']}").text
    assert "Открыт проверкой" in text
    assert "проверка в ЕСИА" in text  # the actor "verify", in words
    assert "нет" in text  # no SNILS at all: nothing to reveal
    assert "Показать СНИЛС" not in text

    gone = site.client.get("/cases/999")
    assert gone.status_code == 404
    assert "Случай № 999 не найден" in gone.text
    assert site.client.get("/cases/abc").status_code == 404  # no case can have that number
