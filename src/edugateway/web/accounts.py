"""Local accounts of the clerk's pages: create, change a password, list, sign in. Every change is audited.

The CLI (`edugateway users …`) and the sign-in page share these functions; store/web_accounts.py keeps the
accounts. Passwords and their hashes never reach the audit table or a log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from edugateway.errors import ValidationError
from edugateway.store import web_accounts
from edugateway.store.db import Database
from edugateway.store.web_accounts import WebUser
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
    user = web_accounts.create_user(db, name, hashed, chosen.value, full_name=full_name, actor=actor)
    return _account(user)


def set_password(db: Database, passwords: Passwords, username: str, password: str, *, actor: str) -> int:
    """Stores a new password and signs the account out everywhere; returns how many sessions ended."""
    name = normalize_username(username)
    hashed = passwords.hash(password)
    return web_accounts.change_password(db, name, hashed, actor=actor)


def assignable_users(db: Database) -> list[Account]:
    """Who a case can be given to: active admins and clerks."""
    return [_account(u) for u in web_accounts.active_users_with_roles(db, [WebRole.ADMIN.value, WebRole.CLERK.value])]


def authenticate(db: Database, passwords: Passwords, username: str, password: str) -> Account | None:
    """The account when the name and password match an active account, else None (whichever was wrong)."""
    try:
        name: str | None = normalize_username(username)
    except ValidationError:
        name = None

    def check(stored_hash: str | None) -> tuple[bool, str | None]:
        verdict = passwords.verify(stored_hash, password)
        # The password is known to be right only now: the one moment a stronger hash can be made.
        return verdict.ok, (passwords.rehash(password) if verdict.ok and verdict.needs_rehash else None)

    user = web_accounts.sign_in(db, name, check)
    return _account(user) if user is not None else None


def load_account(db: Database, user_id: int) -> Account | None:
    user = web_accounts.active_user(db, user_id)
    return _account(user) if user is not None else None


def _account(user: WebUser) -> Account:
    return Account(user.id, user.username, user.full_name, user.role)
