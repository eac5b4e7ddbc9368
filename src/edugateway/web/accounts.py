"""Local accounts of the clerk's pages: create, change a password, list, sign in. Every change is audited.

The CLI (`edugateway users …`) and the sign-in page share these functions. Passwords and their hashes never
reach the audit table or a log.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, select

from edugateway.errors import ValidationError
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, WebSessionRow, WebUserRow
from edugateway.web.passwords import Passwords

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class WebRole(StrEnum):
    ADMIN = "admin"
    CLERK = "clerk"
    VIEWER = "viewer"  # reads the queue and the cases, changes nothing


ROLE_TITLES: dict[str, str] = {
    WebRole.ADMIN: "администратор",
    WebRole.CLERK: "делопроизводитель",
    WebRole.VIEWER: "только просмотр",
}


def can_change(role: str) -> bool:
    return role in (WebRole.ADMIN, WebRole.CLERK)


@dataclass(frozen=True, slots=True)
class Account:
    """What the pages need to know about the signed-in person."""

    id: int
    username: str
    full_name: str | None
    role: str

    @property
    def actor(self) -> str:
        """How this person is named in the audit table and the case history."""
        return f"clerk:{self.username}"

    @property
    def can_change(self) -> bool:
        return can_change(self.role)

    @property
    def shown_name(self) -> str:
        return self.full_name or self.username


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise ValidationError(
            f"user name {username!r} is not allowed: use 2–64 Latin letters, digits, dots, hyphens or underscores",
            field="username",
        )
    return name


def add_user(
    db: Database,
    passwords: Passwords,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str | None = None,
    actor: str,
) -> Account:
    name = normalize_username(username)
    try:
        chosen = WebRole(role)
    except ValueError:
        raise ValidationError(f"role {role!r} is unknown; use admin, clerk or viewer", field="role") from None
    hashed = passwords.hash(password)
    with db.session() as session:
        if session.scalar(select(WebUserRow.id).where(WebUserRow.username == name)) is not None:
            raise ValidationError(f"user {name} exists already; change the password with `edugateway users passwd`")
        row = WebUserRow(username=name, full_name=full_name or None, password_hash=hashed, role=chosen.value)
        session.add(row)
        session.flush()
        session.add(
            AuditRow(
                actor=actor,
                action="create",
                entity="web_user",
                entity_id=name,
                changes={"role": [None, chosen.value], "full_name": [None, row.full_name], "active": [None, True]},
                reason="web account created",
            )
        )
        return _account(row)


def set_password(db: Database, passwords: Passwords, username: str, password: str, *, actor: str) -> int:
    """Stores a new password and signs the account out everywhere; returns how many sessions ended."""
    name = normalize_username(username)
    hashed = passwords.hash(password)
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        row = session.scalar(select(WebUserRow).where(WebUserRow.username == name))
        if row is None:
            raise ValidationError(f"no user {name}; see `edugateway users list`")
        before = row.password_changed_at
        row.password_hash, row.password_changed_at = hashed, now
        ended = len(session.scalars(select(WebSessionRow.id).where(WebSessionRow.user_id == row.id)).all())
        session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
        session.add(
            AuditRow(
                actor=actor,
                action="update",
                entity="web_user",
                entity_id=name,
                changes={"password_changed_at": [before.isoformat() if before else None, now.isoformat()]},
                reason=f"password changed; {ended} open session(s) ended",
            )
        )
        return ended


@dataclass(frozen=True, slots=True)
class AccountListing:
    username: str
    full_name: str | None
    role: str
    active: bool
    last_login_at: dt.datetime | None
    sessions: int


def list_users(db: Database) -> list[AccountListing]:
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        open_sessions = dict(
            session.execute(
                select(WebSessionRow.user_id, func.count())
                .where(WebSessionRow.expires_at > now)
                .group_by(WebSessionRow.user_id)
            )
            .tuples()
            .all()
        )
        rows = session.scalars(select(WebUserRow).order_by(WebUserRow.username)).all()
        return [
            AccountListing(r.username, r.full_name, r.role, r.active, r.last_login_at, open_sessions.get(r.id, 0))
            for r in rows
        ]


def assignable_users(db: Database) -> list[Account]:
    """Who a case can be given to: active admins and clerks."""
    with db.session() as session:
        rows = session.scalars(
            select(WebUserRow)
            .where(WebUserRow.active.is_(True), WebUserRow.role.in_([WebRole.ADMIN.value, WebRole.CLERK.value]))
            .order_by(WebUserRow.username)
        ).all()
        return [_account(r) for r in rows]


def authenticate(db: Database, passwords: Passwords, username: str, password: str) -> Account | None:
    """The account when the name and password match an active account, else None (whichever was wrong)."""
    try:
        name = normalize_username(username)
    except ValidationError:
        name = None
    with db.session() as session:
        row = session.scalar(select(WebUserRow).where(WebUserRow.username == name)) if name else None
        usable = row is not None and row.active
        verdict = passwords.verify(row.password_hash if usable and row else None, password)
        if not verdict.ok or row is None:
            return None
        if verdict.needs_rehash:
            # The password is known to be right only now: the one moment a stronger hash can be made.
            row.password_hash = passwords.rehash(password)
        row.last_login_at = dt.datetime.now(dt.UTC)
        return _account(row)


def load_account(db: Database, user_id: int) -> Account | None:
    with db.session() as session:
        row = session.get(WebUserRow, user_id)
        return _account(row) if row is not None and row.active else None


def _account(row: WebUserRow) -> Account:
    return Account(row.id, row.username, row.full_name, row.role)
