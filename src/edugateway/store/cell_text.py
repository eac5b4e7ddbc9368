"""A spreadsheet or CSV cell as the importers read it, one rule for every reader (roster template, journal
layout, table exports): spaces collapsed, a whole float without its «.0» (Excel keeps numbers as floats), a
datetime as its day."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return re.sub(r"\s+", " ", str(value)).strip()
