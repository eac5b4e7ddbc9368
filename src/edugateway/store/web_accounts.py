"""The clerk's pages' local accounts as stored: create, change the password hash, list, sign in. Every change
is audited. Passwords never reach this module, only their hashes (web/accounts.py makes and checks them), and
the hashes never reach the audit table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from edugateway.errors import ValidationError
from edugateway.store.db import Database
from edugateway.store.tables import AuditRow, WebSessionRow, WebUserRow


@dataclass(frozen=True, slots=True)
class WebUser:
    id: int
    username: str
    full_name: str | None
    role: str


@dataclass(frozen=True, slots=True)
class AccountListing:
    username: str
    full_name: str | None
    role: str
    active: bool
    last_login_at: dt.datetime | None
    sessions: int


def _user(row: WebUserRow) -> WebUser:
    return WebUser(row.id, row.username, row.full_name, row.role)


def create_user(
    db: Database, username: str, password_hash: str, role: str, *, full_name: str | None, actor: str
) -> WebUser:
    with db.session() as session:
        if session.scalar(select(WebUserRow.id).where(WebUserRow.username == username)) is not None:
            raise ValidationError(f"user {username} exists already; change the password with `edugateway users passwd`")
        row = WebUserRow(username=username, full_name=full_name or None, password_hash=password_hash, role=role)
        session.add(row)
        session.flush()
        session.add(
            AuditRow(
                actor=actor,
                action="create",
                entity="web_user",
                entity_id=username,
                changes={"role": [None, role], "full_name": [None, row.full_name], "active": [None, True]},
                reason="web account created",
            )
        )
        return _user(row)


def change_password(db: Database, username: str, password_hash: str, *, actor: str) -> int:
    """Stores a new password hash and signs the account out everywhere; returns how many sessions ended."""
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
        if row is None:
            raise ValidationError(f"no user {username}; see `edugateway users list`")
        before = row.password_changed_at
        row.password_hash, row.password_changed_at = password_hash, now
        ended = len(session.scalars(select(WebSessionRow.id).where(WebSessionRow.user_id == row.id)).all())
        session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
        session.add(
            AuditRow(
                actor=actor,
                action="update",
                entity="web_user",
                entity_id=username,
                changes={"password_changed_at": [before.isoformat() if before else None, now.isoformat()]},
                reason=f"password changed; {ended} open session(s) ended",
            )
        )
        return ended


def list_accounts(db: Database) -> list[AccountListing]:
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


def active_users_with_roles(db: Database, roles: Collection[str]) -> list[WebUser]:
    with db.session() as session:
        rows = session.scalars(
            select(WebUserRow)
            .where(WebUserRow.active.is_(True), WebUserRow.role.in_(list(roles)))
            .order_by(WebUserRow.username)
        ).all()
        return [_user(r) for r in rows]


# Given the stored hash (None when there is no such active account), says whether the password matches and,
# when it does and the hash is due for a stronger one, the new hash.
PasswordCheck = Callable[[str | None], tuple[bool, str | None]]


def sign_in(db: Database, username: str | None, check: PasswordCheck) -> WebUser | None:
    """The account when `check` accepts the password of an active account, else None; records the sign-in
    (and the new hash, if any) in the same transaction. `check` is asked even when there is no such account."""
    with db.session() as session:
        row = session.scalar(select(WebUserRow).where(WebUserRow.username == username)) if username else None
        usable = row is not None and row.active
        ok, new_hash = check(row.password_hash if usable and row else None)
        if not ok or row is None:
            return None
        if new_hash is not None:
            row.password_hash = new_hash
        row.last_login_at = dt.datetime.now(dt.UTC)
        return _user(row)


def active_user(db: Database, user_id: int) -> WebUser | None:
    with db.session() as session:
        row = session.get(WebUserRow, user_id)
        return _user(row) if row is not None and row.active else None
