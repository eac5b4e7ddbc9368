"""`GET /healthz` answers without a sign-in: 200 while the database answers, 503 once it does not."""

from __future__ import annotations

from pathlib import Path

from web_client import serve

from edugateway.store.db import Database


def test_healthz_is_200_without_sign_in_while_the_database_answers(database: Database) -> None:
    with serve(database) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "set-cookie" not in answer.headers


def test_healthz_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    db = Database(f"sqlite:///{folder / 'school.sqlite3'}")
    db.migrate()
    with serve(db) as client:
        assert client.get("/healthz").status_code == 200
        db.dispose()
        (folder / "school.sqlite3").unlink()
        folder.rmdir()  # SQLite cannot make the file again without its folder
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
