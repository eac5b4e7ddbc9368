"""Session expiry: idle time and the absolute limit, whichever comes first; the stored id is a digest."""

from __future__ import annotations

import datetime as dt

from edugateway.config.settings import WebSettings
from edugateway.store.web_sessions import token_id
from edugateway.web.sessions import SessionPolicy, utc

START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
POLICY = SessionPolicy.from_settings(WebSettings(session_idle_minutes=30, session_max_hours=12))


def test_a_session_used_within_the_idle_time_lives_on() -> None:
    seen = START + dt.timedelta(hours=3)
    assert not POLICY.is_expired(START, seen, seen + dt.timedelta(minutes=29))
    assert POLICY.expires_at(START, seen) == seen + dt.timedelta(minutes=30)


def test_a_session_left_idle_expires() -> None:
    assert POLICY.is_expired(START, START, START + dt.timedelta(minutes=30))


def test_a_session_in_constant_use_still_ends_at_the_absolute_limit() -> None:
    seen = START + dt.timedelta(hours=11, minutes=50)
    assert POLICY.expires_at(START, seen) == START + dt.timedelta(hours=12)
    assert POLICY.is_expired(START, seen, START + dt.timedelta(hours=12))


def test_naive_times_from_sqlite_are_read_as_utc() -> None:
    naive = START.replace(tzinfo=None)
    assert utc(naive) == START
    assert not POLICY.is_expired(naive, naive, START + dt.timedelta(minutes=5))


def test_the_stored_id_is_the_sha256_of_the_token_never_the_token() -> None:
    digest = token_id("token-from-the-cookie")
    assert len(digest) == 64
    assert "token" not in digest
    assert digest == token_id("token-from-the-cookie") != token_id("token-from-the-cookie2")
