"""The ЕСИА world: accounts built from a school with planted drift, and the JSON Lines files round trip."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.drift import DriftProfile, drift_esia
from edugateway.emulators.smev import SUBDIR, SmevSettings, SmevWorld, esia_oid, load_world, world_from_snapshot
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import ConfigError


@pytest.fixture(scope="module")
def drifted() -> tuple[SchoolSnapshot, dict[str, dict[str, object]]]:
    school = generate_school(seed=7, students=120, classes=4).snapshot
    heavy = DriftProfile(esia_snils_unknown=0.05, esia_untrusted=0.05, esia_deleted=0.05, esia_no_kid_account=0.05)
    copy, extras, _ = drift_esia(school, heavy, random.Random(3), dt.date(2026, 11, 1))
    return copy, extras  # type: ignore[return-value]


def test_every_person_with_a_snils_gets_an_account_unless_planted_missing(drifted) -> None:  # type: ignore[no-untyped-def]
    snapshot, extras = drifted
    world = world_from_snapshot(snapshot, extras)
    first_holder: dict[str, str] = {}
    for p in snapshot.persons:
        if p.snils and not extras.get(p.id, {}).get("missing"):
            first_holder.setdefault(p.snils, p.id)  # ЕСИА: one account per SNILS, a copied one is its owner's
    expected = set(first_holder.values())
    assert {esia_oid(pid) for pid in expected} == {row["oid"] for row in world.persons}
    assert any(flags.get("missing") for flags in extras.values()), "the profile must plant missing accounts"
    assert len(world.persons) < len(snapshot.persons)


def test_accounts_are_in_esia_shape_with_the_planted_flags(drifted) -> None:  # type: ignore[no-untyped-def]
    snapshot, extras = drifted
    world = world_from_snapshot(snapshot, extras)
    by_oid = {row["oid"]: row for row in world.persons}
    seen_flags: set[str] = set()
    for person in snapshot.persons:
        row = by_oid.get(esia_oid(person.id))
        if row is None or not person.snils:
            continue  # no account; or the local entry of a mistyped SNILS, whose account follows it in the copy
        flags = extras.get(person.id, {})
        seen_flags.update(flags)
        assert re.fullmatch(r"\d{3}-\d{3}-\d{3} \d{2}", row["snils"])
        assert row["snils"].replace("-", "").replace(" ", "") == person.snils
        assert (row["lastName"], row["firstName"], row.get("middleName")) == (
            person.last_name,
            person.first_name,
            person.middle_name,
        )
        if person.birth_date:
            assert row["birthDate"] == person.birth_date.strftime("%d.%m.%Y")
        assert row["trusted"] is flags.get("trusted", True)
        assert row["status"] == flags.get("status", "REGISTERED")
        assert row["kidAccCreatedByParent"] is flags.get("kidAccCreatedByParent", Role.STUDENT in person.roles)
        assert isinstance(row["updatedOn"], int)
        assert 1_500_000_000 <= row["updatedOn"] < 1_800_000_000
    assert {"trusted", "status", "kidAccCreatedByParent"} <= seen_flags


def test_the_same_school_gives_the_same_world(drifted) -> None:  # type: ignore[no-untyped-def]
    snapshot, extras = drifted
    assert world_from_snapshot(snapshot, extras).persons == world_from_snapshot(snapshot, extras).persons


def test_an_unknown_flag_is_refused(drifted) -> None:  # type: ignore[no-untyped-def]
    snapshot, _ = drifted
    someone = next(p for p in snapshot.persons if p.snils)
    with pytest.raises(ValueError, match="unknown ЕСИА account flag"):
        world_from_snapshot(snapshot, {someone.id: {"verified": False}})


def test_save_and_load_round_trip(drifted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    snapshot, extras = drifted
    world = world_from_snapshot(snapshot, extras)
    world.settings = SmevSettings(senders={"SCHOOL125": "Школа 125"}, quota_requests=5, quota_interval_s=30)
    root = world.save(tmp_path)
    assert root == tmp_path / SUBDIR
    lines = (root / "prns.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(world.persons)
    assert json.loads(lines[0])["oid"] == world.persons[0]["oid"]
    loaded = load_world(tmp_path)
    assert loaded.persons == world.persons
    assert loaded.settings == world.settings
    row = world.persons[0]
    assert loaded.accounts_with_snils(row["snils"]) == [row]


def test_a_world_without_settings_file_gets_the_defaults(tmp_path: Path) -> None:
    SmevWorld(persons=[]).save(tmp_path)
    (tmp_path / SUBDIR / "smev.json").unlink()
    assert load_world(tmp_path).settings == SmevSettings()


def test_a_missing_world_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no ЕСИА world"):
        load_world(tmp_path)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (
            '{"oid": 1, "firstName": "А", "lastName": "Б", "snils": "12345678901", "trusted": true,'
            ' "status": "REGISTERED", "updatedOn": 1}',
            "snils",
        ),
    ],
)
def test_a_malformed_line_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    good = {
        "oid": 1000000001,
        "firstName": "Анна",
        "lastName": "Иванова",
        "snils": "000-000-600 06",
        "trusted": True,
        "status": "REGISTERED",
        "updatedOn": 1523386683,
    }
    (tmp_path / SUBDIR).mkdir()
    (tmp_path / SUBDIR / "prns.jsonl").write_text(json.dumps(good) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"prns\.jsonl:3: .*{problem}"):
        load_world(tmp_path)
