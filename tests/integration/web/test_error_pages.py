"""Error pages: ids no row can have are 404, not a database error; every error page is Russian, carries the
security headers and shows no traceback, a 500 included."""

from __future__ import annotations

import httpx
import pytest
import structlog
from web_client import Site

from edugateway.config.settings import Settings
from edugateway.logs import configure_logging
from edugateway.store.db import Database
from edugateway.web.app import SECURITY_HEADERS, create_app
from support.clerk_school import cheap_passwords

HUGE = "99999999999999999999999"  # beyond SQLite's 64-bit integers
PAST_INT = str(2**31)  # beyond PostgreSQL's INTEGER id columns


def assert_safe_page(answer: httpx.Response, status: int, says: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert says in answer.text
    assert '<html lang="ru">' in answer.text
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value
    assert "Traceback" not in answer.text
    assert "Error" not in answer.text  # no exception's name or text


@pytest.mark.parametrize(
    "path",
    [
        f"/cases/{HUGE}",
        f"/cases/{PAST_INT}",
        "/cases/-1",
        "/cases/0",
        "/cases/abc",
        f"/reports/{HUGE}",
        f"/reports/{PAST_INT}",
        f"/reports/{HUGE}.xlsx",
        f"/reports/{PAST_INT}.json",
        "/no-such-page",
    ],
)
def test_an_id_no_row_can_have_is_not_found(site: Site, path: str) -> None:
    site.sign_in("ivanova")
    assert_safe_page(site.client.get(path), 404, "Такой страницы нет")


@pytest.mark.parametrize(
    "query", [f"school={HUGE}", f"school={PAST_INT}", "school=-1", "school=%C2%B2", f"page={HUGE}", "page=%C2%B2"]
)
@pytest.mark.parametrize("page", ["/cases", "/reports"])
def test_a_query_id_that_cannot_be_one_is_ignored(site: Site, page: str, query: str) -> None:
    site.sign_in("ivanova")
    answer = site.client.get(f"{page}?{query}")
    assert answer.status_code == 200
    assert answer.headers["x-frame-options"] == "DENY"


def test_a_form_on_a_case_no_row_can_have_is_not_found(site: Site) -> None:
    token = site.sign_in("ivanova")
    answer = site.client.post(f"/cases/{HUGE}/dismiss", data={"csrf_token": token, "reason": "проверено"})
    assert_safe_page(answer, 404, "Такой страницы нет")


@pytest.mark.parametrize("candidate", [HUGE, PAST_INT, "²", "-1"])
@pytest.mark.parametrize("action", ["link", "reject"])
def test_a_candidate_that_cannot_be_one_is_refused_in_russian(site: Site, action: str, candidate: str) -> None:
    token = site.sign_in("ivanova")
    case_id = site.school.cases["checksum"]  # the case with a candidate, so the form's problem is shown
    data = {"csrf_token": token, "reason": "проверено", "candidate": candidate}
    answer = site.client.post(f"/cases/{case_id}/{action}", data=data)
    assert answer.status_code == 400
    assert "Выберите кандидата" in answer.text


def test_a_method_the_page_does_not_take_is_405_in_russian(site: Site) -> None:
    site.sign_in("ivanova")
    assert_safe_page(site.client.delete("/cases"), 405, "Эта страница так не открывается")


def test_a_form_the_app_cannot_read_is_refused_in_russian(site: Site) -> None:
    # A file where the name should be: FastAPI's validation error (its 422), answered with our page.
    answer = site.client.post("/login", files={"username": ("name.txt", b"ivanova")}, data={"password": "x"})
    assert_safe_page(answer, 400, "Адрес или форма заполнены неверно")


async def test_an_unexpected_error_is_a_russian_500_with_the_headers_and_no_traceback(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(sqlite_db, Settings(), passwords=cheap_passwords())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("SELECT snils FROM persons -- 112-233-445 95 Петров Пётр Петрович")

    configure_logging("json", "INFO")
    try:
        # The app answers the error itself: nothing goes on to the server, whose traceback would not be masked.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            answer = await client.get("/boom")
    finally:
        structlog.reset_defaults()
    assert_safe_page(answer, 500, "Что-то пошло не так")
    assert "snils" not in answer.text
    logged = capsys.readouterr().err
    assert "web.unexpected_error" in logged
    assert "RuntimeError" in logged
    assert "112-233-445" not in logged
    assert "Петров Пётр" not in logged
