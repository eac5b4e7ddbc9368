"""Clock skew between this machine and a platform, judged from the platform's HTTP `Date` header."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

from edugateway.doctor.result import CheckResult

# Above this a person should look: `Date` has one-second resolution and a slow answer adds a few seconds,
# so smaller gaps are noise, while tokens with short lifetimes already misbehave at half a minute.
WARN_SKEW_S = 30.0
# Above this things break: СМЭВ refuses messages whose signing time and MessageID (a UUID v1 with a timestamp)
# are minutes off, and platforms treat tokens as expired or not yet valid.
FAIL_SKEW_S = 300.0


def skew_seconds(date_header: str, local_utc: dt.datetime) -> float | None:
    """How far the local clock is ahead of the platform's (negative: behind); None for an unreadable header."""
    try:
        remote = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if remote.tzinfo is None:  # an RFC 850 or asctime date without a zone is UTC by the HTTP spec
        remote = remote.replace(tzinfo=dt.UTC)
    return (local_utc - remote).total_seconds()


def judge_skew(platform: str, date_header: str | None, local_utc: dt.datetime) -> CheckResult:
    name = f"clock skew: {platform}"
    if not date_header:
        return CheckResult.warn(
            name,
            "the platform's answer carried no Date header",
            "compare this machine's clock with an NTP server by hand (timedatectl, chronyc tracking)",
        )
    skew = skew_seconds(date_header, local_utc)
    if skew is None:
        return CheckResult.warn(name, f"unreadable Date header {date_header[:40]!r}", "check the clock by hand")
    direction = "ahead of" if skew > 0 else "behind"
    found = f"this machine is {abs(skew):.0f} s {direction} the platform"
    fix = "synchronise this machine's clock with NTP (systemd-timesyncd or chrony); in a container, fix the host's"
    if abs(skew) > FAIL_SKEW_S:
        return CheckResult.fail(name, found, fix + "; tokens and СМЭВ signatures fail at this skew")
    if abs(skew) > WARN_SKEW_S:
        return CheckResult.warn(name, found, fix)
    return CheckResult.ok(name, found)
