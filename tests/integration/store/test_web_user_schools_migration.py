"""Migration 0010 on both backends, over a database that already has accounts: admins keep every school, clerks
and viewers get none (they see nothing until given a school, and `doctor` says so); their sessions and
passwords are untouched (on SQLite a rebuilt web_users table would cascade to the sessions); and the migration
goes down (the accounts and sessions stay) and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from edugateway.doctor.result import Status
from edugateway.doctor.web_accounts import accounts_have_schools
from edugateway.store.db import Database, _alembic_config
from edugateway.store.web_accounts import active_users_without_school
from edugateway.web.accounts import change_schools, load_account

ACCOUNTS = [("boss", "admin"), ("ivanova", "clerk"), ("petrov", "viewer")]


def _insert_legacy_accounts(database: Database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schools (code, name, timezone, created_at, updated_at) "
                "VALUES ('sch7', 'МАОУ СОШ № 7', 'Europe/Moscow', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for name, role in ACCOUNTS:
            ids[name] = conn.execute(
                text(
                    "INSERT INTO web_users (username, password_hash, role, active, created_at, password_changed_at) "
                    "VALUES (:name, 'argon2-hash', :role, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"name": name, "role": role},
            ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO web_sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at) "
                "VALUES ('s1', :user, 't', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"user": ids["ivanova"]},
        )
    return ids


def test_0010_keeps_admins_on_every_school_and_leaves_others_without_one(database: Database) -> None:
    config = _alembic_config(database.engine)
    command.downgrade(config, "0009")
    assert "web_user_schools" not in inspect(database.engine).get_table_names()
    ids = _insert_legacy_accounts(database)

    command.upgrade(config, "0010")

    accounts = {name: load_account(database, user_id) for name, user_id in ids.items()}
    assert {name: (a.schools.every, a.schools.ids) for name, a in accounts.items() if a} == {
        "boss": (True, frozenset()),
        "ivanova": (False, frozenset()),
        "petrov": (False, frozenset()),
    }
    assert active_users_without_school(database) == ["ivanova", "petrov"]
    check = accounts_have_schools(database.url)
    assert check.status is Status.WARN
    assert "2 active account(s) belong to no school" in check.found
    assert "ivanova, petrov" in check.found
    with database.engine.connect() as conn:
        assert conn.execute(
            text("SELECT user_id, password_hash FROM web_sessions JOIN web_users u ON u.id = user_id")
        ).all() == [(ids["ivanova"], "argon2-hash")]

    change_schools(database, "ivanova", add=["sch7"], actor="test")
    change_schools(database, "petrov", add=["sch7"], actor="test")
    assert accounts_have_schools(database.url).status is Status.OK

    command.downgrade(config, "0009")
    assert "web_user_schools" not in inspect(database.engine).get_table_names()
    assert "all_schools" not in {c["name"] for c in inspect(database.engine).get_columns("web_users")}
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT username, role FROM web_users ORDER BY username")).all() == ACCOUNTS
        assert conn.execute(text("SELECT user_id FROM web_sessions")).all() == [(ids["ivanova"],)]
    command.upgrade(config, "head")
    database.require_current_schema()
