"""The directories the gateway writes: data (archives, worlds) and reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from edugateway.config.settings import Settings
from edugateway.doctor.result import CheckResult


def writable_directories(settings: Settings) -> list[CheckResult]:
    reports = settings.reconcile.reports_dir or settings.data_dir / "reports"
    return [_writable("data_dir", settings.data_dir), _writable("reports_dir", reports)]


def _writable(what: str, path: Path) -> CheckResult:
    """Writes and removes a scratch file where the directory exists; otherwise asks whether it can be made.
    Nothing is created that the gateway would not create itself."""
    name = f"directory {what}"
    fix = f"create {path} and give the gateway's user write access (in a container: mount a volume there)"
    if path.is_dir():
        try:
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as exc:
            return CheckResult.fail(name, f"{path} is not writable ({exc.strerror})", fix)
        return CheckResult.ok(name, f"{path} writable")
    if path.exists():
        return CheckResult.fail(name, f"{path} exists but is not a directory", fix)
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return CheckResult.fail(name, f"{path} does not exist and cannot be created in {parent}", fix)
    return CheckResult.ok(name, f"{path} does not exist yet; it will be created in {parent}")
