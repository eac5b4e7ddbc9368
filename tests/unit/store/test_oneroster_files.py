import csv
from pathlib import Path

import pytest

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ValidationError
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.oneroster._spec import COLUMNS
from edugateway.store.roster import Mode, ParsedRoster


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(line + "\r\n")


def _set_mode(directory: Path, file: str, mode: str) -> None:
    manifest = directory / "manifest.csv"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace(f"file.{file},bulk", f"file.{file},{mode}"), encoding="utf-8")


@pytest.fixture
def written(tmp_path: Path, tiny_school: SchoolSnapshot) -> Path:
    write_oneroster(tiny_school, tmp_path / "or")
    return tmp_path / "or"


def test_the_writer_uses_the_spec_columns_in_order_and_a_full_manifest(written: Path) -> None:
    for name, columns in COLUMNS.items():
        header = (written / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert tuple(header[: len(columns)]) == columns
        assert all(h.startswith("metadata.edugateway.") for h in header[len(columns) :])
    manifest = {r["propertyName"]: r["value"] for r in _csv(written / "manifest.csv")}
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["file.users"] == manifest["file.roles"] == "bulk"
    assert manifest["file.results"] == "absent"


def test_the_writer_puts_snils_patronymic_and_agents_where_oneroster_has_them(written: Path) -> None:
    users = {u["sourcedId"]: u for u in _csv(written / "users.csv")}
    assert users["s1"]["userIds"] == "{SNILS:670-835-601 10}"
    assert users["s1"]["middleName"] == "Петровна"
    assert users["p1"]["agentSourcedIds"] == "s1,s2"
    assert users["p1"]["metadata.edugateway.agentRelations"] == "mother,mother"
    assert users["s2"]["userIds"] == "{SNILS:123-456-789 00}"  # the rejected value travels as entered
    roles = {(r["userSourcedId"], r["role"], r["roleType"]) for r in _csv(written / "roles.csv")}
    assert {("t1", "teacher", "primary"), ("t1", "parent", "secondary")} <= roles
    classes = {c["sourcedId"]: c for c in _csv(written / "classes.csv")}
    assert classes["cls-5A"]["classType"] == "homeroom"
    assert classes["cls-5A-eng-1"]["metadata.edugateway.parentClass"] == "cls-5A"
    assert classes["cls-5A-eng-1"]["courseSourcedId"] == "subj-eng"
    sessions = {s["sourcedId"]: s for s in _csv(written / "academicSessions.csv")}
    assert sessions["rp-q1"]["type"] == "gradingPeriod"
    assert sessions["rp-y"]["schoolYear"] == "2027"  # OneRoster names the year a school year ends in


def test_reading_what_was_written_gives_the_same_records(written: Path, tiny_school: SchoolSnapshot) -> None:
    roster = read_oneroster(written)
    assert roster.school == tiny_school.school
    assert sorted((i.record for i in roster.persons), key=lambda p: p.id) == sorted(
        tiny_school.persons, key=lambda p: p.id
    )
    assert [i.record for i in roster.classes] == tiny_school.classes
    assert sorted(i.record.id for i in roster.subjects) == ["subj-eng", "subj-math"]  # no homeroom course
    assert [i.record for i in roster.enrollments] == tiny_school.enrollments
    assert sorted((i.record for i in roster.parent_links), key=lambda x: x.child_id) == tiny_school.parent_links
    assert [i.record for i in roster.periods] == tiny_school.periods
    assert roster.mode("person") is Mode.BULK
    assert roster.rejected == []
    # The rejected SNILS is reported, with its line, and kept for the clerk.
    assert [(w.file, w.line) for w in roster.warnings] == [("users.csv", 3)]
    assert "control number" in roster.warnings[0].reason


def test_invalid_snils_is_imported_without_snils_and_warned(written: Path) -> None:
    _append(written / "users.csv", "s9,,,true,s9,{SNILS:1234},Олег,Петров,,,,,,,,,,,,,sch1,,")
    _append(written / "roles.csv", "s9-student,,,s9,primary,student,,,sch1,")
    roster = read_oneroster(written)
    s9 = next(i for i in roster.persons if i.record.id == "s9")
    assert s9.record.snils is None
    assert s9.record.snils_rejected == "1234"
    assert any(w.line == 6 and "11 digits" in w.reason for w in roster.warnings)


def test_duplicate_ids_and_bad_rows_are_rejected_with_file_and_line_and_good_rows_stay(written: Path) -> None:
    _append(written / "users.csv", "s1,,,true,s1,,Другая,Ученица,,,,,,,,,,,,,sch1,,")
    _append(written / "enrollments.csv", "e-bad,,,cls-5A,sch1,s2,student,false,2026-13-01,")
    _append(written / "classes.csv", "cls-x,,,Без года,05,x,cls-x,homeroom,,sch1,no-such-term,,,,")
    _append(written / "users.csv", 'broken,,,"true')
    roster = read_oneroster(written)
    reasons = {(p.file, p.line): p.reason for p in roster.rejected}
    assert "already appears on line 2" in reasons[("users.csv", 6)]
    assert "beginDate '2026-13-01'" in reasons[("enrollments.csv", 6)]
    assert "no session" in reasons[("classes.csv", 4)]
    assert ("users.csv", 7) in reasons
    assert len([p for p in roster.persons if p.record.id == "s1"]) == 1
    assert len(roster.persons) == 4
    assert "broken" not in {p.record.id for p in roster.persons}


def test_a_cp1251_file_is_read_and_its_encoding_reported(written: Path) -> None:
    users = written / "users.csv"
    users.write_bytes(users.read_text(encoding="utf-8").encode("cp1251"))
    roster = read_oneroster(written)
    assert roster.encodings["users.csv"] == "cp1251"
    assert roster.encodings["roles.csv"] == "utf-8"
    assert {i.record.last_name for i in roster.persons} == {"Иванова", "Иванов", "Смирнова"}


def test_delta_rows_with_tobedeleted_become_deletions(written: Path) -> None:
    for name in ("users", "roles", "demographics", "enrollments", "classes", "courses", "academicSessions", "orgs"):
        _set_mode(written, name, "delta")
    users = written / "users.csv"
    header = users.read_text(encoding="utf-8").splitlines()[0]
    users.write_text(
        header + "\r\ns2,tobedeleted,2026-10-01T10:00:00Z,true,s2,,Пётр,Иванов,,,,,,,,,,,,,sch1,,\r\n",
        encoding="utf-8",
    )
    roster = read_oneroster(written)
    assert roster.mode("person") is Mode.DELTA
    assert [(d.kind, d.source_id, d.line) for d in roster.deletions] == [("person", "s2", 2)]
    assert roster.persons == []
    # The other delta files leave status empty: each such row is warned about, then read as active.
    assert any("delta file fills status" in w.reason for w in roster.warnings)


def test_a_user_without_a_role_is_rejected_in_bulk(written: Path) -> None:
    _append(written / "users.csv", "s8,,,true,s8,,Олег,Петров,,,,,,,,,,,,,sch1,,")
    roster = read_oneroster(written)
    assert any(p.line == 6 and "no row in roles.csv" in p.reason for p in roster.rejected)


def test_a_manifest_naming_a_missing_file_is_reported(written: Path) -> None:
    (written / "demographics.csv").unlink()
    roster: ParsedRoster = read_oneroster(written)
    assert any(
        p.file == "manifest.csv" and "demographics.csv is not in the folder" in p.reason for p in roster.rejected
    )
    # Without demographics the stored birth dates and genders are kept.
    assert all({"birth_date", "gender"} <= i.keep for i in roster.persons)
    assert {Role.STUDENT} == set(next(i for i in roster.persons if i.record.id == "s1").record.roles)


def test_a_folder_without_oneroster_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"manifest\.csv"):
        read_oneroster(tmp_path)
    with pytest.raises(ValidationError, match="not a directory"):
        read_oneroster(tmp_path / "missing")
