"""The report as JSON: the model itself (what the archive keeps and another program reads), SNILS-free."""

from __future__ import annotations

import json

from edugateway.reconciliation.report import Report
from edugateway.reconciliation.report_view import scrubbed


def render_json(report: Report) -> bytes:
    """UTF-8, Cyrillic as it is (not \\u escapes), indented for a person opening the file."""
    data = scrubbed(report).model_dump(mode="json")
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
