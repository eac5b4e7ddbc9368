"""OneRoster 1.1 sets: told from 1.2 by the manifest or by the columns of users.csv; a mix is refused.

Issue 18: «A OneRoster 1.1 set (role and orgSourcedIds in `users.csv`, no `roles.csv`) is rejected row by row»;
to build: «OneRoster 1.1 CSV (detected from the manifest or the columns, read into the same model, with a note
in the report)»."""

from pathlib import Path

import pytest

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ValidationError
from edugateway.store.oneroster import read_oneroster, write_oneroster
from support.oneroster11 import read_rows, to_oneroster11, write_rows


def _set_version(directory: Path, version: str, was: str = "1.2") -> None:
    manifest = directory / "manifest.csv"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(f"oneroster.version,{was}", f"oneroster.version,{version}"),
        encoding="utf-8",
    )


@pytest.fixture
def v11(tmp_path: Path, tiny_school: SchoolSnapshot) -> Path:
    """The tiny school as a 1.1 set (t1, teacher and parent, keeps its primary role: 1.1 has one per user)."""
    write_oneroster(tiny_school, tmp_path / "or12")
    to_oneroster11(tmp_path / "or12", tmp_path / "or11")
    return tmp_path / "or11"


def _append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(line + "\r\n")


def _roles(directory: Path) -> dict[str, frozenset[Role]]:
    roster = read_oneroster(directory)
    assert roster.rejected == []
    return {i.record.id: i.record.roles for i in roster.persons}


def test_a_manifest_saying_11_reads_each_role_from_users_csv_and_notes_the_edition(v11: Path) -> None:
    roster = read_oneroster(v11)
    assert roster.rejected == []
    assert [w.reason for w in roster.warnings if "not OneRoster" in w.reason] == []  # 1.1 columns are known
    assert roster.notes == [
        "OneRoster 1.1 set: each user's role was read from the role column of users.csv (1.1 has no roles.csv)"
    ]
    roles = {i.record.id: i.record.roles for i in roster.persons}
    assert roles["s1"] == frozenset({Role.STUDENT})
    assert roles["t1"] == frozenset({Role.TEACHER})
    assert roles["p1"] == frozenset({Role.PARENT})
    assert {(i.record.parent_id, i.record.child_id) for i in roster.parent_links} >= {("p1", "s1"), ("p1", "s2")}


def test_without_a_manifest_the_11_columns_make_it_a_11_set(v11: Path) -> None:
    (v11 / "manifest.csv").unlink()
    assert _roles(v11)["t1"] == frozenset({Role.TEACHER})
    assert len(read_oneroster(v11).notes) == 1


def test_a_12_set_has_no_note(tmp_path: Path, tiny_school: SchoolSnapshot) -> None:
    write_oneroster(tiny_school, tmp_path / "or")
    assert read_oneroster(tmp_path / "or").notes == []


def test_the_11_administrator_role_is_staff_and_an_unknown_role_rejects_its_row(v11: Path) -> None:
    header, users = read_rows(v11 / "users.csv")
    users[0]["role"] = "administrator"
    users[1]["role"] = "janitor"
    write_rows(v11 / "users.csv", header, users)
    roster = read_oneroster(v11)
    assert {i.record.id: i.record.roles for i in roster.persons}[users[0]["sourcedId"]] == frozenset({Role.STAFF})
    assert [(p.file, p.line) for p in roster.rejected] == [("users.csv", 3)]
    assert "role 'janitor' is not a OneRoster 1.1 role (administrator, aide," in roster.rejected[0].reason


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        ("roles.csv beside", "users.csv has the OneRoster 1.1 column(s) role, orgSourcedIds and the set has roles.csv"),
        ("manifest 1.1, roles.csv", "manifest.csv says oneroster.version 1.1 but the set has roles.csv"),
        ("manifest 1.2", "manifest.csv says oneroster.version 1.2 but users.csv has the 1.1 column(s)"),
        ("manifest 1.1, no role", "manifest.csv says oneroster.version 1.1 but users.csv has no role column"),
        ("orgSourcedIds only", "users.csv has the OneRoster 1.1 column orgSourcedIds but no role column"),
    ],
)
def test_a_set_half_11_half_12_is_refused_in_one_line(v11: Path, tmp_path: Path, break_it: str, message: str) -> None:
    roles12 = tmp_path / "or12"  # the 1.2 set the fixture converted
    manifest = v11 / "manifest.csv"
    if break_it == "roles.csv beside":
        manifest.unlink()
        (v11 / "roles.csv").write_bytes((roles12 / "roles.csv").read_bytes())
    elif break_it == "manifest 1.1, roles.csv":
        (v11 / "roles.csv").write_bytes((roles12 / "roles.csv").read_bytes())
        _append_line(manifest, "file.roles,bulk")
    elif break_it == "manifest 1.2":
        _set_version(v11, "1.2", was="1.1")
    else:
        header, users = read_rows(v11 / "users.csv")
        header.remove("role")
        write_rows(v11 / "users.csv", header, users)
        if break_it == "orgSourcedIds only":
            manifest.unlink()
    with pytest.raises(ValidationError) as refused:
        read_oneroster(v11)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_an_unknown_column_of_a_11_set_is_named_as_not_a_11_column(v11: Path) -> None:
    """Issue 18 leftover: the warning said «not OneRoster 1.2 columns» for a 1.1 set, whose columns differ."""
    header, users = read_rows(v11 / "users.csv")
    write_rows(v11 / "users.csv", [*header, "nickname"], users)
    roster = read_oneroster(v11)
    reasons = [w.reason for w in roster.warnings if "nickname" in w.reason]
    assert reasons == [
        "column(s) nickname are not OneRoster 1.1 columns of users.csv (extensions are named metadata.*); they were "
        "ignored"
    ]


def test_a_11_role_cell_listing_several_roles_says_11_has_one_role_per_user(v11: Path) -> None:
    """OneRoster v1.1 users.csv: `role` is one value of the role vocabulary (several per user came with 1.2's
    roles.csv). A cell listing roles is refused, and says how to send such a person instead of «not a role»."""
    header, users = read_rows(v11 / "users.csv")
    users[0]["role"] = "teacher,parent"
    write_rows(v11 / "users.csv", header, users)
    roster = read_oneroster(v11)
    assert [(p.file, p.line) for p in roster.rejected] == [("users.csv", 2)]
    assert roster.rejected[0].reason.endswith(
        "role 'teacher,parent' lists several roles, but a OneRoster 1.1 user has one; send the person as one user "
        "per role, or as a OneRoster 1.2 set with a roles.csv row per role"
    )
