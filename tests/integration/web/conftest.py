"""Fixtures for the clerk's pages over a migrated database on each backend (helpers in web_client.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_client import Site, serve

from edugateway.store.db import Database
from support.clerk_school import add_accounts, add_school, cheap_passwords, insert_cases


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    """The school with its cases inserted as rows, three accounts (admin, clerk ivanova, viewer petrov)."""
    school = add_school(database)
    insert_cases(database, school)
    add_accounts(database, cheap_passwords())
    with serve(database) as client:
        yield Site(database, school, client)
