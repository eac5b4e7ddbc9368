"""A migrated SQLite database holding two schools and nothing else: what the accounts commands need."""

from __future__ import annotations

from pathlib import Path

from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow


def two_schools_database(folder: Path) -> str:
    """The URL of a new database in `folder` with schools sch1 («Школа № 1») and sch2 («Школа № 2»)."""
    url = f"sqlite:///{folder / 'gw.sqlite3'}"
    db = Database(url)
    db.migrate()
    with db.session() as session:
        session.add_all([SchoolRow(code="sch1", name="Школа № 1"), SchoolRow(code="sch2", name="Школа № 2")])
    db.dispose()
    return url
