"""The gateway.toml of the command-line tests that run against the ЕЦП emulator: one school, the `ecp` platform
signing in with the emulator's administrator (password from $CLI_ECP_PASSWORD), and whatever a test adds."""

from __future__ import annotations

from edugateway.emulators import ecp


def ecp_gateway_toml(
    database_url: str, base_url: str, school: str, *, school_lines: str = "", ecp_lines: str = "", more: str = ""
) -> str:
    return f"""
database_url = "{database_url}"
log_level = "WARNING"
[[schools]]
code = "{school}"
{school_lines}
[platforms.ecp]
kind = "ecp"
base_url = "{base_url}/api/"
login = "{ecp.admin_login(school)}"
password = {{ env = "CLI_ECP_PASSWORD" }}
rate_limit_rps = 500
{ecp_lines}
{more}
"""
