"""`edugateway doctor`: is this installation ready to run? One function per check, each returning a
`CheckResult` (ok, warn or fail, what was found, what to fix); `run_checks` runs them all."""

from edugateway.doctor.result import CheckResult, Status, exit_code
from edugateway.doctor.run import run_checks

__all__ = ["CheckResult", "Status", "exit_code", "run_checks"]
