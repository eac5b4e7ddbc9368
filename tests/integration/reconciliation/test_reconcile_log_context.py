"""A reconcile run's lines name its school, platform and report while it runs, and only then."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from edugateway.config.settings import DnevnikSettings, SchoolSettings, Settings
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import PlatformUnavailable
from edugateway.logs import get_logger
from edugateway.reconciliation import service
from edugateway.reconciliation.service import ReconcileRequest, reconcile
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster

CODE = "sch3"


def test_the_runs_lines_name_the_school_platform_and_report_only_while_it_runs(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_oneroster(generate_school(students=5, classes=1, seed=3, code=CODE).snapshot, tmp_path / "roster")
    apply_roster(database, read_oneroster(tmp_path / "roster"), CODE)
    settings = Settings(
        data_dir=tmp_path,
        schools=[SchoolSettings(code=CODE)],
        platforms={"dn": DnevnikSettings(base_url="http://127.0.0.1:9/v2/")},
    )

    async def unreachable(*_args: Any) -> Any:
        get_logger("test").info("read.inside")
        raise PlatformUnavailable("down", platform="dn")

    monkeypatch.setattr(service, "_read_platform", unreachable)
    with capture_logs(processors=[merge_contextvars]) as logs:
        with pytest.raises(PlatformUnavailable):
            asyncio.run(reconcile(database, settings, ReconcileRequest(CODE, "dn")))
        get_logger("test").info("after.run")
    (inside,) = [e for e in logs if e["event"] == "read.inside"]
    (failed,) = [e for e in logs if e["event"] == "reconcile.failed"]
    assert (inside["school"], inside["platform"]) == (CODE, "dn")
    assert inside["report_id"] == failed["report_id"]
    (after,) = [e for e in logs if e["event"] == "after.run"]
    assert not {"school", "platform", "report_id"} & set(after)
