"""Cron expressions mean what they mean in a crontab, in the school's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from edugateway.errors import ConfigError
from edugateway.scheduler.cron import cron_trigger, cron_weekdays
from edugateway.scheduler.plan import next_fires

YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")  # UTC+5, no daylight saving


@pytest.mark.parametrize(
    ("field", "days"),
    [
        ("*", "*"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "sun,fri,sat"),
        ("sat,sun", "sun,sat"),
        ("MON-wed", "mon,tue,wed"),
        ("*/2", "sun,tue,thu,sat"),
        ("1/3", "mon,thu"),
        ("1,3-4", "mon,wed,thu"),
    ],
)
def test_weekdays_as_in_a_crontab(field: str, days: str) -> None:
    assert cron_weekdays(field) == days


@pytest.mark.parametrize("field", ["8", "mon-sun2", "5-1", "*/0", "x"])
def test_wrong_weekdays_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match="weekday"):
        cron_weekdays(field)


def test_a_nightly_job_fires_at_the_schools_wall_clock() -> None:
    trigger = cron_trigger("nightly", "30 1 * * *", YEKATERINBURG)
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 17:00 in Yekaterinburg
    fires = next_fires(trigger, now, 2)
    assert [f.astimezone(dt.UTC) for f in fires] == [
        dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC),  # 01:30 on the 11th, local
        dt.datetime(2026, 3, 11, 20, 30, tzinfo=dt.UTC),
    ]


def test_weekdays_one_to_five_are_monday_to_friday() -> None:
    trigger = cron_trigger("marks", "0 18 * * 1-5", YEKATERINBURG)
    friday_night = dt.datetime(2026, 3, 13, 19, 0, tzinfo=YEKATERINBURG)
    fires = next_fires(trigger, friday_night, 5)
    assert [f.strftime("%a %H:%M") for f in fires] == ["Mon 18:00", "Tue 18:00", "Wed 18:00", "Thu 18:00", "Fri 18:00"]


def test_sunday_is_zero_or_seven() -> None:
    saturday = dt.datetime(2026, 3, 14, 12, 0, tzinfo=YEKATERINBURG)
    for expression in ("0 3 * * 0", "0 3 * * 7", "0 3 * * sun"):
        (fire,) = next_fires(cron_trigger("weekly", expression, YEKATERINBURG), saturday, 1)
        assert fire.strftime("%a %d %H:%M") == "Sun 15 03:00"


@pytest.mark.parametrize("expression", ["30 1 * *", "* * * * * *", "61 1 * * *", "0 25 * * *", "0 1 * * 9"])
def test_a_wrong_expression_names_the_job(expression: str) -> None:
    with pytest.raises(ConfigError, match=r"jobs\.nightly\.cron"):
        cron_trigger("nightly", expression, YEKATERINBURG)
