"""`edugateway users add|schools|passwd|list` and `edugateway serve web`: accounts are made and changed from the
command line (audited, never echoing the password), each belongs to schools, and the pages come up on the
configured port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import edugateway
from edugateway.cli import app
from edugateway.emulators.server import free_port
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow
from edugateway.web.accounts import authenticate
from edugateway.web.passwords import Passwords
from support.two_schools import two_schools_database

PASSWORD = "пароль-делопроизводителя"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A migrated database with two schools, sch1 and sch2."""
    return two_schools_database(tmp_path)


def run(url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", url, "users", *args], input=stdin)
    return result.exit_code, result.output


def test_add_with_the_password_on_stdin_then_sign_in(url: str) -> None:
    code, output = run(
        url,
        "add",
        "Ivanova",
        "--role",
        "clerk",
        "--school",
        "sch1",
        "--full-name",
        "Иванова М. П.",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert (code, output.strip()) == (0, "user ivanova created (clerk; sch1)")
    db = Database(url)
    account = authenticate(db, Passwords(), "ivanova", PASSWORD)
    assert account is not None
    assert (account.role, account.full_name) == ("clerk", "Иванова М. П.")
    with db.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.entity == "web_user")).one()
    assert (audit.action, audit.entity_id) == ("create", "ivanova")
    assert audit.actor.startswith("cli")
    assert PASSWORD not in str(audit.changes)


def test_the_password_is_asked_twice_until_both_agree(url: str) -> None:
    code, output = run(
        url,
        "add",
        "admin",
        "--role",
        "admin",
        "--all-schools",
        stdin=f"{PASSWORD}\nдругой-пароль\n{PASSWORD}\n{PASSWORD}\n",
    )

    assert code == 0, output
    assert "do not match" in output
    assert PASSWORD not in output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["add", "x y", "--role", "clerk", "--school", "sch1"], "is not allowed"),
        (["add", "ivanova", "--role", "boss", "--school", "sch1"], "use admin, clerk, viewer or deputy"),
        (["add", "ivanova", "--role", "clerk", "--school", "sch1"], "at least 10"),
    ],
)
def test_refusals_say_what_to_fix(url: str, args: list[str], says: str) -> None:
    code, output = run(url, *args, "--password-stdin", stdin="short\n")
    assert code == 2
    assert says in output


def test_a_second_account_of_the_same_name_is_refused(url: str) -> None:
    assert (
        run(url, "add", "ivanova", "--role", "clerk", "--school", "sch1", "--password-stdin", stdin=PASSWORD + "\n")[0]
        == 0
    )
    code, output = run(
        url, "add", "IVANOVA", "--role", "viewer", "--school", "sch2", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 2
    assert "exists already; change its schools with `edugateway users schools`" in output


def test_passwd_and_list(url: str) -> None:
    run(url, "add", "ivanova", "--role", "clerk", "--school", "sch1", "--password-stdin", stdin=PASSWORD + "\n")
    run(url, "add", "petrov", "--role", "viewer", "--school", "sch2", "--password-stdin", stdin=PASSWORD + "\n")

    code, output = run(url, "passwd", "ivanova", "--password-stdin", stdin="новый-пароль-длинный\n")
    assert (code, output.strip()) == (0, "password of ivanova changed; 0 session(s) ended")
    assert authenticate(Database(url), Passwords(), "ivanova", "новый-пароль-длинный") is not None
    assert authenticate(Database(url), Passwords(), "ivanova", PASSWORD) is None
    assert run(url, "passwd", "nobody", "--password-stdin", stdin="новый-пароль-длинный\n")[0] == 2

    code, output = run(url, "list")
    lines = output.strip().splitlines()
    assert code == 0
    assert [line.split()[:3] for line in lines] == [["ivanova", "clerk", "active"], ["petrov", "viewer", "active"]]


def test_list_of_no_accounts_says_how_to_make_one(url: str) -> None:
    assert "edugateway users add NAME --role admin" in run(url, "list")[1]


def test_serve_web_answers_on_the_configured_port(url: str) -> None:
    port = free_port()
    command = [str(Path(sys.executable).with_name("edugateway")), "--database-url", url, "serve", "web"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert answer.status_code == 200
        assert "Вход" in answer.text
        assert "server" not in answer.headers  # uvicorn does not announce itself
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"clerk's pages on http://127.0.0.1:{port}/" in output


def test_serve_web_does_not_take_the_client_address_from_x_forwarded_for(url: str) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default; `serve web` turns that off, so a header sent
    from loopback neither chooses the address the throttle counts nor reaches the log."""
    assert (
        run(url, "add", "ivanova", "--role", "clerk", "--school", "sch1", "--password-stdin", stdin=PASSWORD + "\n")[0]
        == 0
    )
    port, tree = free_port(), Path(edugateway.__file__).resolve().parents[1]  # the tree under test
    command = [sys.executable, "-m", "edugateway", "--database-url", url, "serve", "web", "--port", str(port)]
    env = os.environ | {"PYTHONPATH": str(tree)}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    form = client.get("/login")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token
            data = {"username": "ivanova", "password": PASSWORD, "csrf_token": token.group(1)}
            answer = client.post("/login", data=data, headers={"X-Forwarded-For": "198.51.100.23"})
        assert answer.status_code == 303
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    signed_in = [line for line in output.splitlines() if "web.signed_in" in line]
    assert len(signed_in) == 1, output
    assert "client=127.0.0.1" in signed_in[0]
    assert "198.51.100.23" not in output
