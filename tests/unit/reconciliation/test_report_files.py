"""The three files of a night on disk and the director's summary page beside them, and the JSON: UTF-8 as
written, the model back, no SNILS."""

from __future__ import annotations

import json
from pathlib import Path

from edugateway.reconciliation.render_json import render_json
from edugateway.reconciliation.report import Report
from edugateway.reconciliation.report_files import safe_part, write_report_files
from support.report_factory import make_report


def test_json_is_readable_utf8_and_reads_back_as_the_report_without_snils() -> None:
    data = render_json(make_report())

    text = data.decode("utf-8")
    assert "МАОУ СОШ № 7" in text
    assert "\\u" not in text
    assert text.startswith('{\n  "school": "sch7"')
    back = Report.model_validate(json.loads(data))
    assert back.summary() == make_report().summary()
    different = back.section("persons.different")
    assert different is not None
    assert [c.key for c in different.columns] == ["name", "field", "local", "remote"]
    assert "22334455616" not in text


def test_the_files_are_named_by_school_platform_and_day(tmp_path: Path) -> None:
    written = write_report_files(make_report(), None, tmp_path / "reports")

    assert {fmt: p.name for fmt, p in written.items()} == {
        "html": "sch7-dnevnik-2026-11-22.html",
        "xlsx": "sch7-dnevnik-2026-11-22.xlsx",
        "json": "sch7-dnevnik-2026-11-22.json",
        "summary": "sch7-dnevnik-2026-11-22-summary.html",
    }
    assert written["xlsx"].read_bytes()[:2] == b"PK"
    assert "<!doctype html>" in written["html"].read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(p.name for p in written.values())


def test_a_rerun_of_the_night_replaces_the_files(tmp_path: Path) -> None:
    write_report_files(make_report(notes=["первый прогон"]), None, tmp_path)
    written = write_report_files(make_report(notes=["второй прогон"]), None, tmp_path)

    assert "второй прогон" in written["json"].read_text(encoding="utf-8")
    assert len(list(tmp_path.iterdir())) == 4


def test_unsafe_names_become_plain_ascii(tmp_path: Path) -> None:
    assert safe_part("../школа 7/a:b*") == "shkola_7_a_b"
    assert safe_part("ИСУОД") == "ISUOD"
    assert safe_part("///") == "x"
    written = write_report_files(make_report(school="../../etc", platform="Дневник.ру"), None, tmp_path)

    assert written["json"].parent == tmp_path
    assert written["json"].name == "etc-Dnevnik_ru-2026-11-22.json"
