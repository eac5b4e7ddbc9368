"""The window-scoped id links answer like the full ones for what they loaded, and refuse the same clashes."""

from __future__ import annotations

import pytest

from edugateway.errors import DataSafetyError
from edugateway.store.batches import chunks
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link, WindowIdLinks
from edugateway.store.tables import SchoolRow


def test_chunks_cover_every_id_once() -> None:
    ids = {f"id{n}" for n in range(1234)}
    parts = list(chunks(ids, 500))
    assert [len(p) for p in parts] == [500, 500, 234]
    assert {i for p in parts for i in p} == ids


def test_a_window_map_loads_whole_roster_entities_and_only_the_asked_journal_links(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        school = SchoolRow(code="s1", name="Школа")
        session.add(school)
        session.flush()
        full = IdLinks(session, school.id, "dnevnik", actor="test")
        full.link("persons", Link("p1", "rp1", "snils"))
        full.link("persons", Link("p2", "rp2", "snils"))
        full.link("lessons", Link("dnevnik:L1", "L1", "pulled"))
        full.link("lessons", Link("dnevnik:L2", "L2", "pulled"))
        full.link("lessons", Link("local-L3", "L3", "created"))

    with sqlite_db.session() as session:
        window = WindowIdLinks(
            session,
            school.id,
            "dnevnik",
            actor="sync:dnevnik",
            run_id=None,
            whole=["persons"],
            remote_ids={"lessons": {"L1", "L9"}},
            local_keys={"lessons": {"dnevnik:L9", "local-L3"}},
        )
        assert (window.local_key("persons", "rp1"), window.local_key("persons", "rp2")) == ("p1", "p2")
        assert window.local_key("lessons", "L1") == "dnevnik:L1"
        assert window.local_key("lessons", "L2") is None  # not in this window
        assert window.local_key("lessons", "L9") is None
        window.link("lessons", Link("dnevnik:L9", "L9", "pulled"))
        with pytest.raises(DataSafetyError, match="local-L3"):
            window.link("lessons", Link("local-L3", "L10", "pulled"))  # the local key loaded by its key

    with sqlite_db.session() as session:
        assert IdLinks(session, school.id, "dnevnik", actor="test").local_key("lessons", "L9") == "dnevnik:L9"
