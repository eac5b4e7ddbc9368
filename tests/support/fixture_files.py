"""Where the tests' own copies of platform payloads and vectors are: tests/fixtures/, one folder per platform,
each with a SOURCES.md saying where every file came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_json(relative: str) -> Any:
    """A JSON fixture, e.g. `fixture_json("ecp/schedule-response-sample.json")`."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))
