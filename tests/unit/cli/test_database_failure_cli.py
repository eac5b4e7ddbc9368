"""A database failure no command expected ends the `edugateway` script with one line that says what happened
and what to do, exit 2, never a traceback."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from edugateway.cli import _app


def _raising(error: Exception) -> object:
    def app(**_options: object) -> None:
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            OperationalError("UPDATE persons", {}, sqlite3.OperationalError("database is locked")),
            "stayed locked by another process (database is locked)",
        ),
        (
            IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: identity_links.local_key")),
            "another process changed the same records at the same time",
        ),
        (
            OperationalError("SELECT 1", {}, Exception("connection to server at 127.0.0.1 failed\nDETAIL: …")),
            "the local database failed (connection to server at 127.0.0.1 failed); check it with `edugateway doctor`",
        ),
    ],
)
def test_a_database_failure_is_one_line_and_exit_2(
    error: Exception, says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_app, "app", _raising(error))
    with pytest.raises(SystemExit) as ended:
        _app.main()
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert says in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
