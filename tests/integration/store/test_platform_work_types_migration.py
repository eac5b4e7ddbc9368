"""Migration 0013 on both backends: the platform work-types table goes down and comes back empty, and keeps one
title per school, platform and work-type id."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from edugateway.store.db import Database, _alembic_config
from edugateway.store.tables import PlatformWorkTypeRow, SchoolRow


def _school_with_a_work_type(database: Database) -> int:
    with database.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        session.add(PlatformWorkTypeRow(school_id=school.id, platform="dnevnik", remote_id="7", title="Контрольная"))
        return school.id


def test_0013_adds_the_work_types_table_and_goes_down_and_up(database: Database) -> None:
    school_id = _school_with_a_work_type(database)
    config = _alembic_config(database.engine)

    command.downgrade(config, "0012")
    assert "platform_work_types" not in inspect(database.engine).get_table_names()
    assert "lessons" in inspect(database.engine).get_table_names()

    command.upgrade(config, "0013")
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM platform_work_types")).scalar_one() == 0
    command.upgrade(config, "head")
    database.require_current_schema()

    with database.session() as session:
        session.add(PlatformWorkTypeRow(school_id=school_id, platform="dnevnik", remote_id="7", title="Контрольная"))
        session.add(PlatformWorkTypeRow(school_id=school_id, platform="isuod", remote_id="7", title="Другая"))
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(PlatformWorkTypeRow(school_id=school_id, platform="dnevnik", remote_id="7", title="Ещё раз"))
