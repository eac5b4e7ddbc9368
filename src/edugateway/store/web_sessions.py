"""Server-side sessions of the clerk's pages: the cookie holds a random token, the table only its sha256, so a
copy of the database signs nobody in. When a session expires is the web's policy (web/sessions.py); the row is
deleted when it has expired, at sign-out, or by the housekeeping at the next sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete

from edugateway.store.db import Database
from edugateway.store.tables import WebSessionRow
from edugateway.store.times import as_utc

# Writing last_seen_at on every page would make each read a write; a session's idle clock is kept to this.
TOUCH_EVERY = dt.timedelta(seconds=20)


class ExpiryPolicy(Protocol):
    def expires_at(self, created_at: dt.datetime, last_seen_at: dt.datetime) -> dt.datetime: ...
    def is_expired(self, created_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime) -> bool: ...


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True, slots=True)
class LiveSession:
    user_id: int
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # for the cookie only; never stored
    csrf_token: str
    expires_at: dt.datetime


class SessionStore:
    def __init__(self, db: Database, policy: ExpiryPolicy) -> None:
        self._db = db
        self.policy = policy

    def start(self, user_id: int, now: dt.datetime | None = None) -> NewSession:
        now = now or dt.datetime.now(dt.UTC)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self.policy.expires_at(now, now)
        with self._db.session() as session:
            # Housekeeping at sign-in: sessions nobody will use again go, so the table stays small.
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
            session.add(
                WebSessionRow(
                    id=token_id(token),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                )
            )
        return NewSession(token, csrf, expires)

    def load(self, token: str | None, now: dt.datetime | None = None) -> LiveSession | None:
        """The session behind a cookie, its idle clock moved on; None (and the row gone) once it has expired."""
        if not token:
            return None
        now = now or dt.datetime.now(dt.UTC)
        with self._db.session() as session:
            row = session.get(WebSessionRow, token_id(token))
            if row is None:
                return None
            if self.policy.is_expired(row.created_at, row.last_seen_at, now):
                session.delete(row)
                return None
            if now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
                row.last_seen_at = now
                row.expires_at = self.policy.expires_at(row.created_at, now)
            return LiveSession(row.user_id, row.csrf_token, as_utc(row.expires_at))

    def end(self, token: str | None) -> None:
        if token:
            with self._db.session() as session:
                session.execute(delete(WebSessionRow).where(WebSessionRow.id == token_id(token)))
