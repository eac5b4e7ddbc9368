"""`edugateway import table FILE --mapping avers-pupils` in a real process on a «;»-separated Windows-1251 file as
Russian Excel saves it: the summary reports the detected encoding and delimiter and the file's unmapped
columns; a mapped column the file lacks, and a mapping with an unknown key, are refused with exit 2 in one line;
a pupils export that would retire the OneRoster roster's pupils is held (exit 3)."""

import json
from pathlib import Path

import pytest

from edugateway.domain.models import School
from edugateway.emulators.synthetic import generate_school
from edugateway.store.db import Database
from edugateway.store.oneroster import write_oneroster
from edugateway.store.roster import ParsedRoster, apply_roster
from support.cli_process import run_cli

HEADER = "Фамилия;Имя;Отчество;Дата рождения;Пол;СНИЛС;Класс;Примечание\r\n"
ROWS = (
    "Иванов;Пётр;Сергеевич;01.02.2015;М;112-233-445 95;5 а;\r\n"
    "Петрова;Анна;;2015-03-04;ж;;5А;переведена\r\n"
    "Сидоров;Илья;Ильич;31.02.2015;М;;5Б;\r\n"
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gw.sqlite3'}"
    db = Database(url)
    db.migrate()
    apply_roster(db, ParsedRoster(source="table", location="test", school=School(code="s1", name="Школа № 1")), "s1")
    db.dispose()
    return url


def _cli(tmp_path: Path, url: str, *args: str) -> tuple[int, str, str]:
    done = run_cli("--database-url", url, *args, cwd=tmp_path)
    return done.returncode, done.stdout, done.stderr


def _person_counts(out: str) -> list[str]:
    row = next(line for line in out.splitlines() if line.strip("│ ").startswith("person"))
    return row.replace("│", " ").split()[1:]


def test_an_avers_pupils_file_in_cp1251_imports_through_the_shipped_mapping(tmp_path: Path, url: str) -> None:
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes((HEADER + ROWS).encode("cp1251"))
    code, out, err = _cli(tmp_path, url, "import", "table", str(pupils), "--mapping", "avers-pupils", "--school", "s1")
    assert code == 1, out + err  # the 31 February row is rejected, the others land
    assert "note: pupils.csv read as cp1251, columns separated by «;» (detected: encoding, delimiter)" in out
    assert "note: columns not in the mapping, ignored: Примечание" in out
    assert "«Дата рождения»: '31.02.2015' is not a date in the mapping's formats" in out
    assert "1 rows rejected" in out
    assert _person_counts(out)[:2] == ["2", "0"]  # created, updated

    again, out, err = _cli(
        tmp_path, url, "import", "table", str(pupils), "-m", "avers-pupils", "-s", "s1", "--dry-run", "--format", "json"
    )
    assert again == 1, out + err
    report = json.loads(out)  # JSON only on stdout
    assert report["counts"]["person"] == {"created": 0, "updated": 0, "unchanged": 2, "deactivated": 0, "rejected": 0}
    assert report["dry_run"] is True
    assert report["encodings"] == {"pupils.csv": "cp1251"}
    assert [(p["kind"], p["line"]) for p in report["problems"]] == [("rejected", 4)]


def test_a_mapped_column_missing_from_the_file_is_refused_in_one_line(tmp_path: Path, url: str) -> None:
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes("Фамилия;Имя;Отчество;Дата рождения;Пол;СНИЛС\r\nИванов;Пётр;;;;\r\n".encode("cp1251"))
    code, out, err = _cli(tmp_path, url, "import", "table", str(pupils), "--mapping", "avers-pupils", "--school", "s1")
    assert code == 2, out + err
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1, out + err
    assert "pupils.csv has no column «Класс» (mapping avers-pupils); its columns are: Фамилия, Имя" in lines[0]


def test_a_mapping_with_an_unknown_field_is_refused_naming_the_key(tmp_path: Path, url: str) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[record]\nkind = "staff"\n[columns]\nlast_name = "Ф"\nfirst_name = "И"\nsurname = "X"\n')
    (tmp_path / "staff.csv").write_text("Ф;И\r\nА;Б\r\n", encoding="utf-8")
    code, out, err = _cli(tmp_path, url, "import", "table", "staff.csv", "--mapping", str(mapping), "--school", "s1")
    assert code == 2, out + err
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1, out + err
    assert "m.toml: [columns]: surname is not a field we know" in lines[0]


def test_a_pupils_export_that_would_retire_the_stored_pupils_is_held(tmp_path: Path, url: str) -> None:
    write_oneroster(generate_school(seed=3, code="s1", students=40, classes=2).snapshot, tmp_path / "or")
    code, out, err = _cli(tmp_path, url, "import", "oneroster", str(tmp_path / "or"), "--school", "s1")
    assert code == 0, out + err
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes((HEADER + ROWS).encode("cp1251"))
    code, out, err = _cli(tmp_path, url, "import", "table", str(pupils), "--mapping", "avers-pupils", "--school", "s1")
    assert code == 3, out + err
    assert "would deactivate 40 of the school's 40 active students" in out + err


def test_a_school_not_in_the_database_is_refused_in_one_line(tmp_path: Path, url: str) -> None:
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes((HEADER + ROWS).encode("cp1251"))
    code, out, err = _cli(tmp_path, url, "import", "table", str(pupils), "--mapping", "avers-pupils", "--school", "s9")
    assert code == 2, out + err
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1, out + err
    assert "school 's9' is not in the database, and a table export does not describe the school" in lines[0]
