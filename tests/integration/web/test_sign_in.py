"""Signing in and out, refusals, CSRF, roles and session expiry, against the pages served on loopback."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from web_client import CSRF, Site, serve

from edugateway.config.settings import Settings, WebSettings
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, WebSessionRow, WebUserRow
from edugateway.web.csrf import LOGIN_COOKIE
from edugateway.web.passwords import Passwords
from edugateway.web.sessions import COOKIE
from edugateway.web.throttle import LoginThrottle, ThrottleLimits
from support.clerk_school import PASSWORD, add_accounts, cheap_passwords

REFUSED = "Неверное имя пользователя или пароль."


def _sessions(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(WebSessionRow)) or 0


def _try(site: Site, username: str, password: str) -> tuple[int, str]:
    token = CSRF.search(site.client.get("/login").text)
    assert token
    answer = site.client.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1)})
    return answer.status_code, answer.text


def test_a_page_asks_for_sign_in_then_sign_out_ends_the_session(site: Site) -> None:
    first = site.client.get("/cases/1")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/cases/1"

    token = site.sign_in("ivanova")
    queue = site.client.get("/cases")
    assert queue.status_code == 200
    assert "Иванова М. П." in queue.text
    assert "делопроизводитель" in queue.text
    assert _sessions(site.db) == 1

    out = site.client.post("/logout", data={"csrf_token": token})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert _sessions(site.db) == 0
    assert site.client.get("/cases").status_code == 303


def test_the_session_cookie_is_http_only_and_same_site(site: Site) -> None:
    token = CSRF.search(site.client.get("/login").text)
    assert token
    answer = site.client.post(
        "/login", data={"username": "ivanova", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    with site.db.session() as session:  # only the digest is stored, never the token
        stored = session.scalars(select(WebSessionRow.id)).one()
    assert stored not in cookie


def test_secure_cookies_when_the_settings_say_so(database: Database) -> None:
    add_accounts(database, cheap_passwords())
    with serve(database, Settings(web=WebSettings(secure_cookies=True))) as client:
        login = client.get("/login")
        token = CSRF.search(login.text)
        assert token
        assert "Secure" in login.headers["set-cookie"]
        # The client keeps a Secure cookie to itself over plain HTTP, as a browser does; handed over here.
        answer = client.post(
            "/login",
            data={"username": "ivanova", "password": PASSWORD, "csrf_token": token.group(1)},
            headers={"Cookie": f"{LOGIN_COOKIE}={token.group(1)}"},
        )
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]
    assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = _try(site, "ivanova", "не-тот-пароль-1")
    unknown = _try(site, "nobody", "не-тот-пароль-1")

    assert wrong[0] == unknown[0] == 401
    assert REFUSED in wrong[1]
    assert REFUSED in unknown[1]
    assert _sessions(site.db) == 0
    logged = capsys.readouterr()
    assert "web.sign_in_refused" in logged.out + logged.err
    assert "не-тот-пароль-1" not in logged.out + logged.err


def test_a_disabled_account_cannot_sign_in(site: Site) -> None:
    with site.db.session() as session:
        session.execute(update(WebUserRow).where(WebUserRow.username == "ivanova").values(active=False))
    assert _try(site, "ivanova", PASSWORD)[0] == 401


def test_guessing_is_stopped_even_with_the_right_password_at_last(database: Database) -> None:
    add_accounts(database, cheap_passwords())
    throttle = LoginThrottle(ThrottleLimits(per_pair=3, failure_delay_s=0))
    with serve(database, throttle=throttle) as client:
        site = Site(database, None, client)  # type: ignore[arg-type]  # no school needed to sign in
        for _ in range(3):
            assert _try(site, "ivanova", "guess-guess-guess")[0] == 401
        status, text = _try(site, "ivanova", PASSWORD)
    assert status == 429
    assert "Слишком много неудачных попыток" in text


def test_the_sign_in_form_needs_its_own_csrf_token(site: Site) -> None:
    site.client.get("/login")
    answer = site.client.post("/login", data={"username": "ivanova", "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 403
    assert _sessions(site.db) == 0


def test_a_post_without_the_session_csrf_token_is_refused(site: Site) -> None:
    token = site.sign_in("ivanova")
    case_id = site.school.cases["missing"]
    reason = {"reason": "проверено по документам"}

    for data in (reason, reason | {"csrf_token": "forged"}, reason | {"csrf_token": token[:-1]}):
        answer = site.client.post(f"/cases/{case_id}/dismiss", data=data)
        assert answer.status_code == 403
        assert "Форма устарела" in answer.text
    assert site.client.post("/logout", data={}).status_code == 403
    with site.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "dismiss")) == 0


def test_the_header_carries_the_token_for_scripts(site: Site) -> None:
    token = site.sign_in("ivanova")
    answer = site.client.post("/snils/check", data={"value": "123"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    assert answer.json() == {"valid": False, "message": "в СНИЛС должно быть 11 цифр, введено 3", "canonical": None}
    assert site.client.post("/snils/check", data={"value": "123"}, headers={"X-CSRF-Token": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("dismiss", {}),
        ("snils", {"snils": "112-233-445 95"}),
        ("person", {"last_name": "Смирнова", "first_name": "Алёна"}),
        ("link", {"candidate": "0"}),
        ("reject", {"candidate": "0"}),
        ("assign", {"assignee": "ivanova"}),
        ("reveal-snils", {}),
    ],
)
def test_a_viewer_is_refused_every_change(site: Site, action: str, data: dict[str, str]) -> None:
    token = site.sign_in("petrov")
    case_id = site.school.cases["checksum"]

    answer = site.client.post(f"/cases/{case_id}/{action}", data=data | {"csrf_token": token, "reason": "хочу"})

    assert answer.status_code == 403
    assert "только для просмотра" in answer.text
    with site.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.actor == "clerk:petrov")) == 0


def test_a_viewer_sees_the_case_without_action_forms(site: Site) -> None:
    site.sign_in("petrov")
    page = site.client.get(f"/cases/{site.school.cases['checksum']}")
    assert page.status_code == 200
    assert "только для просмотра" in page.text
    assert 'action="/cases/' not in page.text  # no form posts anywhere on the case
    assert "Показать СНИЛС" not in page.text


def test_an_idle_session_ends_and_the_page_asks_for_sign_in_again(site: Site) -> None:
    site.sign_in("ivanova")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
    with site.db.session() as session:
        session.execute(update(WebSessionRow).values(last_seen_at=long_ago))

    answer = site.client.get("/cases?status=closed")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/cases%3Fstatus%3Dclosed"
    assert _sessions(site.db) == 0


def test_a_session_ends_after_the_absolute_limit_however_busy(site: Site) -> None:
    site.sign_in("ivanova")
    with site.db.session() as session:
        session.execute(
            update(WebSessionRow).values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=12, minutes=1),
                last_seen_at=dt.datetime.now(dt.UTC),
            )
        )
    assert site.client.get("/cases").status_code == 303


def test_a_changed_password_ends_the_sessions_and_a_weak_hash_is_replaced_at_sign_in(database: Database) -> None:
    from edugateway.web.accounts import set_password

    add_accounts(database, cheap_passwords())
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    with serve(database, passwords=stronger) as client:
        site = Site(database, None, client)  # type: ignore[arg-type]
        site.sign_in("ivanova")
        with database.session() as session:
            stored = session.scalars(select(WebUserRow.password_hash).where(WebUserRow.username == "ivanova")).one()
        assert "m=16,t=2" in stored

        assert set_password(database, stronger, "ivanova", "новый-пароль-2", actor="test") == 1
        assert client.get("/cases").status_code == 303
    with database.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.entity == "web_user", AuditRow.action == "update"))
        assert [a.entity_id for a in audit] == ["ivanova"]


def test_pages_carry_security_headers_and_the_stylesheet_is_served(site: Site) -> None:
    page = site.client.get("/login")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    css = site.client.get("/static/style.css")
    assert css.status_code == 200
    assert "@media print" in css.text
