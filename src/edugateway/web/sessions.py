"""Server-side sessions (kept by store/web_sessions.py): the cookie holds a random token, the table only its
sha256, so a copy of the database signs nobody in. A session ends when unused for `session_idle_minutes`, after
`session_max_hours` in any case, or at sign-out (the row is deleted)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from edugateway.config.settings import WebSettings

COOKIE = "edugateway_session"


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; sessions are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_settings(cls, web: WebSettings) -> SessionPolicy:
        return cls(dt.timedelta(minutes=web.session_idle_minutes), dt.timedelta(hours=web.session_max_hours))

    def expires_at(self, created_at: dt.datetime, last_seen_at: dt.datetime) -> dt.datetime:
        return min(utc(last_seen_at) + self.idle, utc(created_at) + self.absolute)

    def is_expired(self, created_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime) -> bool:
        return now >= self.expires_at(created_at, last_seen_at)
