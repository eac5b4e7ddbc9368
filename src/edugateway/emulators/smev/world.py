"""The ЕСИА side of the СМЭВ emulator: person accounts in ЕСИА's own JSON shape, plus СМЭВ settings.

`<world_dir>/esia/prns.jsonl` holds one `/rs/prns/{oid}` object a line (`oid`, `firstName`, `lastName`,
`middleName`, `birthDate` DD.MM.YYYY, `gender` M/F, `snils` "XXX-XXX-XXX YY", `trusted`, `status`,
`updatedOn` epoch seconds, `kidAccCreatedByParent`, …). `<world_dir>/esia/smev.json` holds who may send
requests and the quota; a world without it gets the defaults.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from edugateway.emulators.jsonl import Row as Row
from edugateway.emulators.jsonl import read_jsonl, write_jsonl
from edugateway.errors import ConfigError

SUBDIR = "esia"
PERSONS_FILE = "prns.jsonl"
SETTINGS_FILE = "smev.json"
DEFAULT_SENDER = "EDUGW01"

_SNILS_FORM = re.compile(r"^\d{3}-\d{3}-\d{3} \d{2}$")
_STATUSES = ("REGISTERED", "DELETED")


class SmevSettings(BaseModel):
    """Who may send, and how much. The quota counts accepted SendRequests per sender in a sliding window."""

    model_config = ConfigDict(extra="forbid")

    senders: dict[str, str] = Field(
        default_factory=lambda: {DEFAULT_SENDER: "Шлюз электронного журнала школы"},
        description="sender mnemonic -> human-readable name; others get AccessDenied",
    )
    quota_requests: int | None = Field(
        default=None, ge=1, description="requests per sender per interval; None: no quota"
    )
    quota_interval_s: float = Field(default=60.0, gt=0)


@dataclass
class SmevWorld:
    persons: list[Row] = field(default_factory=list)
    settings: SmevSettings = field(default_factory=SmevSettings)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        self._by_snils: defaultdict[str, list[Row]] = defaultdict(list)
        for person in self.persons:
            self._by_snils[str(person["snils"])].append(person)

    def accounts_with_snils(self, snils: str) -> list[Row]:
        """The accounts holding a СНИЛС ("XXX-XXX-XXX YY"), newest change first."""
        return sorted(self._by_snils.get(snils, []), key=lambda p: -int(p.get("updatedOn", 0)))

    @property
    def default_sender(self) -> str:
        return next(iter(self.settings.senders), DEFAULT_SENDER)

    @classmethod
    def load(cls, world_dir: Path | str) -> SmevWorld:
        root = Path(world_dir) / SUBDIR
        persons_path = root / PERSONS_FILE
        if not persons_path.is_file():
            raise ConfigError(f"no ЕСИА world at {persons_path}; write one with `edugateway emulators world`")
        persons = [_checked_person(row, persons_path, number) for number, row in read_jsonl(persons_path)]
        settings_path = root / SETTINGS_FILE
        settings = SmevSettings()
        if settings_path.is_file():
            try:
                settings = SmevSettings.model_validate_json(settings_path.read_text(encoding="utf-8"))
            except PydanticValidationError as exc:
                raise ConfigError(f"{settings_path}: not valid СМЭВ settings: {exc}") from exc
        return cls(persons=persons, settings=settings)

    def save(self, world_dir: Path | str) -> Path:
        """Writes `<world_dir>/esia/prns.jsonl` and `smev.json`; returns that directory."""
        root = Path(world_dir) / SUBDIR
        root.mkdir(parents=True, exist_ok=True)
        write_jsonl(root / PERSONS_FILE, self.persons)
        settings = self.settings.model_dump(mode="json")
        (root / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return root


def load_world(world_dir: Path) -> SmevWorld:
    """The ЕСИА world under `world_dir`; ConfigError when there is none or it is malformed."""
    return SmevWorld.load(world_dir)


def _checked_person(row: Row, path: Path, number: int) -> Row:
    """The fields the lookup answers with must be there and in ЕСИА's formats (values are not echoed: they are
    personal data)."""
    where = f"{path}:{number}"
    problems = [
        name
        for name, ok in (
            ("oid", isinstance(row.get("oid"), int)),
            ("firstName", isinstance(row.get("firstName"), str) and bool(row.get("firstName"))),
            ("lastName", isinstance(row.get("lastName"), str) and bool(row.get("lastName"))),
            ("snils", isinstance(row.get("snils"), str) and bool(_SNILS_FORM.match(row.get("snils", "")))),
            ("trusted", isinstance(row.get("trusted"), bool)),
            ("status", row.get("status") in _STATUSES),
            ("updatedOn", isinstance(row.get("updatedOn"), int)),
        )
        if not ok
    ]
    if problems:
        raise ConfigError(f"{where}: missing or malformed ЕСИА person field(s): {', '.join(problems)}")
    return row
