from pathlib import Path

import pytest
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.store.db import Database


def test_init_db_creates_a_current_schema_and_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    for _ in range(2):
        result = CliRunner().invoke(app, ["--database-url", url, "init-db"])
        assert result.exit_code == 0, result.output
        assert "database ready" in result.output
    Database(url).require_current_schema()


def test_commands_refuse_an_unmigrated_database_with_advice(tmp_path: Path) -> None:
    from edugateway.cli._context import CliState
    from edugateway.errors import StoreError

    state = CliState(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(StoreError, match="edugateway init-db"):
        state.database()
