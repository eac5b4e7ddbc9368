"""Migration 0015 on both backends: rate_buckets comes and goes, and a bucket written after the upgrade works."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from edugateway.connectors.shared_rate_limit import bucket_key
from edugateway.store.db import Database, _alembic_config
from edugateway.store.rate_buckets import RateBucketStore


def test_rate_buckets_migrate_down_and_up(database: Database) -> None:
    key = bucket_key("dnevnik", "https://api.dnevnik.ru/v2/", "client_id:p")
    RateBucketStore(database).grant(key, now=100.0, interval=1.0, burst=1, count=1)
    command.downgrade(_alembic_config(database.engine), "0014")
    assert "rate_buckets" not in inspect(database.engine).get_table_names()
    command.upgrade(_alembic_config(database.engine), "head")
    assert "rate_buckets" in inspect(database.engine).get_table_names()
    assert RateBucketStore(database).grant(key, now=100.0, interval=1.0, burst=1, count=1).first == 100.0
