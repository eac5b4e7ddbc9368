"""Clock skew from an HTTP Date header: the sign, the thresholds' edges, and headers that cannot be read."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.doctor import Status
from edugateway.doctor.skew import FAIL_SKEW_S, WARN_SKEW_S, judge_skew, skew_seconds

NOW = dt.datetime(2026, 3, 2, 12, 0, 0, tzinfo=dt.UTC)


def header(offset_s: float) -> str:
    """The Date a platform sends whose clock is `offset_s` seconds behind ours."""
    return (NOW - dt.timedelta(seconds=offset_s)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_skew_is_positive_when_this_machine_is_ahead() -> None:
    assert skew_seconds(header(42), NOW) == 42
    assert skew_seconds(header(-42), NOW) == -42


def test_an_obsolete_rfc850_date_is_read_as_utc() -> None:
    assert skew_seconds("Monday, 02-Mar-26 11:59:00 GMT", NOW) == 60


@pytest.mark.parametrize(
    ("offset_s", "status"),
    [
        (0, Status.OK),
        (WARN_SKEW_S, Status.OK),
        (WARN_SKEW_S + 1, Status.WARN),
        (-(WARN_SKEW_S + 1), Status.WARN),
        (FAIL_SKEW_S, Status.WARN),
        (FAIL_SKEW_S + 1, Status.FAIL),
        (-(FAIL_SKEW_S + 1), Status.FAIL),
    ],
)
def test_thresholds(offset_s: float, status: Status) -> None:
    result = judge_skew("dnevnik", header(offset_s), NOW)
    assert result.status is status
    assert result.name == "clock skew: dnevnik"
    assert bool(result.fix) is (status is not Status.OK)


@pytest.mark.parametrize("value", [None, "", "yesterday at noon"])
def test_a_missing_or_unreadable_date_is_a_warning_not_a_pass(value: str | None) -> None:
    result = judge_skew("ecp", value, NOW)
    assert result.status is Status.WARN
    assert result.fix


def test_the_thresholds_are_ordered() -> None:
    assert 0 < WARN_SKEW_S < FAIL_SKEW_S
