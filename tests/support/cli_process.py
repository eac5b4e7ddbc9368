"""`python -m edugateway` of the source tree under test, in a real process: what a user sees on stdout and
stderr, tracebacks included (CliRunner would catch them)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import edugateway

SOURCE_ROOT = Path(edugateway.__file__).resolve().parent.parent


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Runs the CLI with `args` in `cwd`; `env` adds to (or, with "", removes from) the inherited variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EDUGATEWAY_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), environ.get("PYTHONPATH", "")]))
    environ["COLUMNS"] = "200"  # one message, one line: rich wraps at the terminal's width otherwise
    for key, value in (env or {}).items():
        if value:
            environ[key] = value
        else:
            environ.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "edugateway", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
