"""Web accounts belong to schools (issue 14, finding 5): `users add --school CODE` (repeatable) or, for an admin,
`--all-schools`; a clerk or viewer without a school and an unknown code are refused with what to fix;
`users schools NAME --add/--remove` changes them, audited; `users list` shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, SchoolRow
from edugateway.web.accounts import load_account
from support.two_schools import two_schools_database

PASSWORD = "пароль-делопроизводителя"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A migrated database with two schools, sch1 and sch2."""
    return two_schools_database(tmp_path)


def users(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", url, "users", *args], input=PASSWORD + "\n")
    return result.exit_code, result.output.strip()


def add(url: str, name: str, role: str, *options: str) -> tuple[int, str]:
    return users(url, "add", name, "--role", role, *options, "--password-stdin")


def listed(url: str) -> dict[str, str]:
    """`users list` by account name: what it says of the schools (and then the full name)."""
    code, output = users(url, "list")
    assert code == 0, output
    if output.startswith("no accounts yet"):
        return {}
    return {line.split()[0]: line.split("schools: ", 1)[1] for line in output.splitlines()}


def school_ids(url: str) -> dict[str, int]:
    with Database(url).session() as session:
        return dict(session.execute(select(SchoolRow.code, SchoolRow.id)).tuples().all())


def test_a_clerk_of_two_schools_reads_exactly_those(url: str) -> None:
    code, output = add(url, "ivanova", "clerk", "--school", "sch1", "--school", "sch2", "--full-name", "Иванова")

    assert (code, output) == (0, "user ivanova created (clerk; sch1, sch2)")
    assert listed(url)["ivanova"] == "sch1, sch2  Иванова"
    with Database(url).session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.entity == "web_user")).one()
    assert audit.changes is not None
    assert audit.changes["schools"] == [None, ["sch1", "sch2"]]


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_a_clerk_or_viewer_without_a_school_is_refused(url: str, role: str) -> None:
    code, output = add(url, "petrov", role)

    assert code == 2
    assert f"a {role} must belong to a school: add --school CODE, repeated for each school" in output
    assert listed(url) == {}  # nothing was created


def test_an_unknown_school_is_refused_with_the_known_codes(url: str) -> None:
    code, output = add(url, "petrov", "viewer", "--school", "sch9")

    assert code == 2
    assert "no school sch9; known school codes: sch1, sch2" in output
    assert len(output.splitlines()) == 1


def test_only_an_admin_may_read_every_school(url: str) -> None:
    code, output = add(url, "ivanova", "clerk", "--all-schools")
    assert code == 2
    assert "only an admin may read every school" in output

    code, output = add(url, "boss", "admin")
    assert code == 2
    assert "--all-schools for an admin" in output

    assert add(url, "boss", "admin", "--all-schools") == (0, "user boss created (admin; all schools)")
    assert listed(url)["boss"] == "all schools"


def test_schools_are_added_and_removed_and_the_change_is_audited(url: str) -> None:
    assert add(url, "ivanova", "clerk", "--school", "sch1")[0] == 0

    code, output = users(url, "schools", "Ivanova", "--add", "sch2", "--remove", "sch1")
    assert (code, output) == (0, "ivanova (clerk) now reads sch2")
    with Database(url).session() as session:
        change = session.scalars(
            select(AuditRow).where(AuditRow.entity == "web_user", AuditRow.action == "update")
        ).one()
    assert change.changes == {"schools": [["sch1"], ["sch2"]]}

    code, output = users(url, "schools", "ivanova", "--remove", "sch2")
    assert (code, output) == (
        0,
        "ivanova (clerk) now reads no school: sees nothing until `users schools NAME --add CODE`",
    )
    assert "no school: sees nothing" in listed(url)["ivanova"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nobody", "--add", "sch1"], "no user nobody; see `edugateway users list`"),
        (["ivanova", "--add", "sch7"], "no school sch7; known school codes: sch1, sch2"),
        (["ivanova", "--all-schools"], "ivanova is a clerk: only an admin may read every school"),
        (["ivanova"], "say what to change"),
        (["ivanova", "--add", "sch1", "--remove", "sch1"], "both added and removed"),
    ],
)
def test_schools_changes_that_make_no_sense_are_refused(url: str, args: list[str], says: str) -> None:
    assert add(url, "ivanova", "clerk", "--school", "sch1")[0] == 0

    code, output = users(url, "schools", *args)

    assert code == 2
    assert says in output
    assert listed(url)["ivanova"] == "sch1"


def test_an_admin_goes_from_every_school_to_listed_ones(url: str) -> None:
    assert add(url, "boss", "admin", "--all-schools")[0] == 0

    code, output = users(url, "schools", "boss", "--no-all-schools", "--add", "sch2")

    assert (code, output) == (0, "boss (admin) now reads sch2")
    db = Database(url)
    with db.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "update")).one()
    assert (audit.entity_id, audit.changes) == ("boss", {"schools": [[], ["sch2"]], "all_schools": [True, False]})
    account = load_account(db, 1)
    assert account is not None
    assert (account.schools.every, account.schools.ids) == (False, frozenset({school_ids(url)["sch2"]}))
