"""The deputy's permission for a changed final on the web, on each backend (issue 16, finding 4): a deputy (or
admin) records it from the report's changed-finals rows with the CSRF token; a clerk or viewer is refused (403);
a mark the report does not list, or another school's report, is not found (404); the audit keeps who did it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from web_client import Site

from edugateway.store.tables import (
    AuditRow,
    FinalChangeJustificationRow,
    SchoolRow,
)
from edugateway.web.accounts import add_user
from support.changed_final import KEY, plant_final, report_with_change
from support.clerk_school import CODE, PASSWORD, cheap_passwords


@pytest.fixture
def report_id(site: Site) -> int:
    plant_final(site.db, site.school.school_id)
    add_user(site.db, cheap_passwords(), "zam", PASSWORD, "deputy", schools=[CODE], actor="test")
    return report_with_change(site.db, site.school.school_id)


def _post(site: Site, report_id: int, token: str, **fields: str) -> tuple[int, str]:
    data = {"csrf_token": token, "mark": KEY, "permitted_by": "Кузнецова Е. А.", "document": "приказ № 12", **fields}
    answer = site.client.post(f"/reports/{report_id}/finals", data={"reason": "ошибка учителя", **data})
    return answer.status_code, answer.text


def test_a_deputy_records_the_permission_from_the_report(site: Site, report_id: int) -> None:
    site.sign_in("zam")
    page = site.client.get(f"/reports/{report_id}")
    assert f'href="/reports/{report_id}/finals?mark={KEY}"' in page.text

    form = site.client.get(f"/reports/{report_id}/finals", params={"mark": KEY})
    assert form.status_code == 200
    assert re.search(r'id="final-value">3<', form.text)
    token = site.csrf(f"/reports/{report_id}/finals?mark={KEY}")

    status, _ = _post(site, report_id, token)
    assert status == 303
    with site.db.session() as session:
        saved = session.scalars(select(FinalChangeJustificationRow)).one()
        audit = session.scalars(select(AuditRow).where(AuditRow.entity == "final_justification")).one()
    assert (saved.mark_key, saved.value, saved.permitted_by, saved.recorded_by) == (
        KEY,
        "3",
        "Кузнецова Е. А.",
        "clerk:zam",
    )
    assert (audit.action, audit.actor, audit.reason) == ("justify", "clerk:zam", "ошибка учителя")
    again = site.client.get(f"/reports/{report_id}/finals", params={"mark": KEY})
    assert "разрешено: Кузнецова Е. А., приказ № 12, ошибка учителя" in again.text


def test_a_missing_part_is_asked_for_and_nothing_is_saved(site: Site, report_id: int) -> None:
    site.sign_in("admin")
    token = site.csrf(f"/reports/{report_id}/finals?mark={KEY}")
    status, text = _post(site, report_id, token, document="  ")
    assert status == 400
    assert "Укажите, кто разрешил изменение, причину и документ" in text
    assert 'value="Кузнецова Е. А."' in text  # what was typed is kept
    with site.db.session() as session:
        assert session.scalars(select(FinalChangeJustificationRow)).all() == []


@pytest.mark.parametrize("username", ["ivanova", "petrov"])
def test_a_clerk_or_viewer_cannot_record_it(site: Site, report_id: int, username: str) -> None:
    token = site.sign_in(username)
    assert "/finals?mark=" not in site.client.get(f"/reports/{report_id}").text
    assert site.client.get(f"/reports/{report_id}/finals", params={"mark": KEY}).status_code == 403
    assert _post(site, report_id, token)[0] == 403
    with site.db.session() as session:
        assert session.scalars(select(FinalChangeJustificationRow)).all() == []


def test_a_wrong_token_an_unlisted_mark_or_another_school_changes_nothing(site: Site, report_id: int) -> None:
    token = site.sign_in("zam")
    assert _post(site, report_id, "wrong")[0] == 403
    assert site.client.get(f"/reports/{report_id}/finals", params={"mark": "fm-other"}).status_code == 404
    assert _post(site, report_id, token, mark="fm-other")[0] == 404
    with site.db.session() as session:
        other = SchoolRow(code="sch8", name="Другая школа")
        session.add(other)
        session.flush()
        other_id = other.id
    other_report = report_with_change(site.db, other_id)
    assert site.client.get(f"/reports/{other_report}/finals", params={"mark": KEY}).status_code == 404
    assert _post(site, other_report, token)[0] == 404
    with site.db.session() as session:
        assert session.scalars(select(FinalChangeJustificationRow)).all() == []
