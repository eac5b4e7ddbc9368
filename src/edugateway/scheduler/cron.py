"""Standard five-field cron expressions as APScheduler 3 triggers.

APScheduler 3 numbers weekdays from Monday = 0, where cron (and every crontab a school's administrator has seen)
has Sunday = 0 or 7 and Monday = 1: its `from_crontab` would run "1-5" Tuesday to Saturday. The weekday field
is therefore expanded here with cron's meaning and handed over as day names, which both read alike.
"""

from __future__ import annotations

import datetime as dt

from apscheduler.triggers.cron import CronTrigger

from edugateway.errors import ConfigError

# cron's weekday numbers: 0 and 7 are Sunday.
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day(token: str) -> int:
    lowered = token.lower()
    if lowered in _DAY_NAMES:
        return _DAY_NAMES.index(lowered)
    if lowered.isdigit() and 0 <= int(lowered) <= 7:
        return int(lowered) % 7
    raise ValueError(f"weekday {token!r}: use 0-7 (0 and 7 are Sunday) or sun…sat")


def cron_weekdays(field: str) -> str:
    """A cron weekday field as APScheduler day names, e.g. "1-5" -> "mon,tue,wed,thu,fri"; "*" stays "*"."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"weekday step {step_text!r} must be 1 or more")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            low, high = span.split("-", 1)
            first, last = _day(low), _day(high)
            if high.strip() == "7":
                last = 7  # "5-7" is Friday to Sunday
            if last < first:
                raise ValueError(f"weekday range {span!r} runs backwards")
        else:
            first = last = _day(span)
            if step_text:
                last = 6  # "1/2": from Monday, every second day
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def cron_trigger(name: str, expression: str, timezone: dt.tzinfo) -> CronTrigger:
    """A job's cron expression (minute hour day month weekday) in the school's time zone; ConfigError if wrong."""
    fields = expression.split()
    if len(fields) != 5:
        raise ConfigError(f"jobs.{name}.cron {expression!r}: use five fields, minute hour day month weekday")
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=cron_weekdays(weekday), timezone=timezone
        )
    except ValueError as exc:
        raise ConfigError(f"jobs.{name}.cron {expression!r}: {exc}") from None
