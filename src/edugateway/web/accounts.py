"""Local accounts of the clerk's pages: create, change a password or the schools, list, sign in. Every change is
audited. An account reads only its schools (an admin may be given every school); see store/school_scope.py.

The CLI (`edugateway users …`) and the sign-in page share these functions; store/web_accounts.py keeps the
accounts. Passwords and their hashes never reach the audit table or a log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from edugateway.errors import ValidationError
from edugateway.store import web_accounts
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.web_accounts import SchoolsChange, WebUser
from edugateway.web.passwords import Passwords

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class WebRole(StrEnum):
    ADMIN = "admin"
    CLERK = "clerk"
    VIEWER = "viewer"  # reads the queue and the cases, changes nothing
    DEPUTY = "deputy"  # the deputy director: reads like a viewer, records permissions of changed finals


ROLE_TITLES: dict[str, str] = {
    WebRole.ADMIN: "администратор",
    WebRole.CLERK: "делопроизводитель",
    WebRole.VIEWER: "только просмотр",
    WebRole.DEPUTY: "заместитель директора",
}


def can_change(role: str) -> bool:
    return role in (WebRole.ADMIN, WebRole.CLERK)


def may_justify_finals(role: str) -> bool:
    """Who records the permission for a final changed after its period closed (000 §3.3.11): not a clerk."""
    return role in (WebRole.ADMIN, WebRole.DEPUTY)


def may_read_all_schools(role: str) -> bool:
    return role == WebRole.ADMIN


@dataclass(frozen=True, slots=True)
class Account:
    """What the pages need to know about the signed-in person."""

    id: int
    username: str
    full_name: str | None
    role: str
    schools: SchoolScope  # what every store query of the pages is limited to

    @property
    def actor(self) -> str:
        """How this person is named in the audit table and the case history."""
        return f"clerk:{self.username}"

    @property
    def can_change(self) -> bool:
        return can_change(self.role)

    @property
    def may_justify_finals(self) -> bool:
        return may_justify_finals(self.role)

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
    schools: Sequence[str] = (),
    all_schools: bool = False,
    full_name: str | None = None,
    actor: str,
) -> Account:
    """`schools` by code; an account needs at least one, or `all_schools` (admins only)."""
    name = normalize_username(username)
    try:
        chosen = WebRole(role)
    except ValueError:
        raise ValidationError(f"role {role!r} is unknown; use admin, clerk, viewer or deputy", field="role") from None
    codes = _codes(schools)
    if all_schools and not may_read_all_schools(chosen):
        raise ValidationError(
            f"only an admin may read every school; give the {chosen.value} its schools with --school CODE",
            field="school",
        )
    if all_schools and codes:
        raise ValidationError("give either --all-schools or --school CODE, not both", field="school")
    if not all_schools and not codes:
        also = " (or --all-schools for an admin of the whole gateway)" if may_read_all_schools(chosen) else ""
        raise ValidationError(
            f"a {chosen.value} must belong to a school: add --school CODE, repeated for each school{also}",
            field="school",
        )
    hashed = passwords.hash(password)
    user = web_accounts.create_user(
        db, name, hashed, chosen.value, full_name=full_name, school_codes=codes, all_schools=all_schools, actor=actor
    )
    return _account(user)


def change_schools(
    db: Database,
    username: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    all_schools: bool | None = None,
    actor: str,
) -> SchoolsChange:
    """Adds and removes schools by code, or sets/clears `all_schools` (admins only); the next request obeys."""
    name = normalize_username(username)
    added, removed = _codes(add), _codes(remove)
    if set(added) & set(removed):
        raise ValidationError("a school cannot be both added and removed at once", field="school")
    if not added and not removed and all_schools is None:
        raise ValidationError("say what to change: --add CODE, --remove CODE, --all-schools or --no-all-schools")
    return web_accounts.change_schools(
        db, name, add=added, remove=removed, all_schools=all_schools, actor=actor, may_read_all=may_read_all_schools
    )


def _codes(codes: Sequence[str]) -> list[str]:
    """School codes as typed, trimmed, without repeats, in the order given."""
    return list(dict.fromkeys(c.strip() for c in codes if c.strip()))


def set_password(db: Database, passwords: Passwords, username: str, password: str, *, actor: str) -> int:
    """Stores a new password and signs the account out everywhere; returns how many sessions ended."""
    name = normalize_username(username)
    hashed = passwords.hash(password)
    return web_accounts.change_password(db, name, hashed, actor=actor)


def assignable_users(db: Database, school_id: int) -> list[Account]:
    """Who a case of the school can be given to: active admins and clerks who read that school."""
    roles = [WebRole.ADMIN.value, WebRole.CLERK.value]
    return [_account(u) for u in web_accounts.active_users_with_roles(db, roles, school_id=school_id)]


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
    return Account(user.id, user.username, user.full_name, user.role, user.scope)
