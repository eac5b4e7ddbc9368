"""`edugateway reports month|period` in a real process: where it writes, what it prints, and one clear line with
exit 2 when asked wrongly."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from edugateway.store.db import Database
from support.cli_process import run_cli
from unit.reconciliation.compliance_rows import Journal


@pytest.fixture
def base(sqlite_db: Database, tmp_path: Path) -> list[str]:
    with sqlite_db.session() as session:
        j = Journal.start(session)
        klass, math = j.klass("5А", 5), j.subject("Математика")
        pupil = j.person("Абрамова", "Ирина")
        j.enroll(pupil, klass)
        lesson = j.lesson(dt.date(2026, 10, 5), klass, math, j.person("Петрова", "Анна", roles="teacher"))
        j.mark(pupil, lesson, dt.date(2026, 10, 5))
        j.absent(pupil, j.lesson(dt.date(2026, 10, 6), klass, math), "Н")
        j.mark(
            pupil, None, dt.date(2026, 10, 26), value="5", kind="period_final", subject_id=math, period_id=j.period_id
        )
    config = tmp_path / "gateway.toml"
    config.write_text(f'data_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    return ["--config", str(config), "--database-url", sqlite_db.url]


def _written(output: str) -> dict[str, Path]:
    return {fmt: Path(path) for fmt, _, path in (line.partition(": ") for line in output.splitlines()[1:])}


def test_month_report_is_written_for_the_group_and_its_paths_printed(base: list[str], tmp_path: Path) -> None:
    done = run_cli(*base, "reports", "month", "--school", "s1", "--month", "2026-10", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[0]
        == "Отчёт о заполнении электронного журнала и накопляемости отметок, октябрь 2026 г.:"
    )
    files = _written(done.stdout)
    folder = tmp_path / "var" / "reports" / "s1"
    assert files == {"xlsx": folder / "s1-month-2026-10.xlsx", "html": folder / "s1-month-2026-10.html"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o640 for p in files.values())


def test_period_and_year_reports(base: list[str], tmp_path: Path) -> None:
    done = run_cli(
        *base, "reports", "period", "--school", "s1", "--period", "1 четверть", "--academic-year", "2026", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert _written(done.stdout)["xlsx"].name == "s1-period-2026-1_chetvert.xlsx"
    year = run_cli(*base, "reports", "period", "--school", "s1", "--year", "--academic-year", "2026", cwd=tmp_path)
    assert year.returncode == 0, year.stderr
    assert _written(year.stdout)["html"].name == "s1-year-2026.html"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["period", "--school", "s1"], 'error: give either --period NAME (e.g. --period "2 четверть") or --year'),
        (
            ["period", "--school", "s1", "--period", "9 четверть", "--academic-year", "2026"],
            "error: no period «9 четверть»",
        ),
        (["month", "--school", "s1", "--month", "11.2026"], "error: month '11.2026' is not in the form YYYY-MM"),
        (["month", "--school", "zz", "--month", "2026-11"], "error: school 'zz' is not in the database"),
    ],
)
def test_a_wrong_request_is_one_line_and_exit_2(base: list[str], tmp_path: Path, args: list[str], message: str) -> None:
    done = run_cli(*base, "reports", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
