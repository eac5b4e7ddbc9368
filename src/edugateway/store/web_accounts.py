"""The clerk's pages' local accounts as stored: create, change the password hash or the schools, list, sign in.
Every change is audited. Passwords never reach this module, only their hashes (web/accounts.py makes and checks
them), and the hashes never reach the audit table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from edugateway.errors import ValidationError
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import AuditRow, SchoolRow, WebSessionRow, WebUserRow, WebUserSchoolRow


@dataclass(frozen=True, slots=True)
class WebUser:
    id: int
    username: str
    full_name: str | None
    role: str
    scope: SchoolScope


@dataclass(frozen=True, slots=True)
class AccountListing:
    username: str
    full_name: str | None
    role: str
    active: bool
    last_login_at: dt.datetime | None
    sessions: int
    all_schools: bool
    schools: list[str]  # the codes of its schools, sorted; empty with all_schools or when it sees nothing


def _user(session: Session, row: WebUserRow) -> WebUser:
    return WebUser(row.id, row.username, row.full_name, row.role, _scope(session, row))


def _scope(session: Session, row: WebUserRow) -> SchoolScope:
    if row.all_schools:
        return SchoolScope.all_schools()
    return SchoolScope.only(
        session.scalars(select(WebUserSchoolRow.school_id).where(WebUserSchoolRow.user_id == row.id))
    )


def _school_ids(session: Session, codes: Collection[str]) -> dict[str, int]:
    """Code -> id of each code; an unknown code is refused with the codes there are."""
    known = dict(session.execute(select(SchoolRow.code, SchoolRow.id).order_by(SchoolRow.code)).tuples().all())
    unknown = sorted(set(codes) - known.keys())
    if unknown:
        there = ", ".join(known) if known else "none yet (a school is added by its first `edugateway import`)"
        raise ValidationError(f"no school {', '.join(unknown)}; known school codes: {there}", field="school")
    return {code: known[code] for code in codes}


def _codes(session: Session, user_id: int) -> list[str]:
    return sorted(
        session.scalars(
            select(SchoolRow.code)
            .join(WebUserSchoolRow, WebUserSchoolRow.school_id == SchoolRow.id)
            .where(WebUserSchoolRow.user_id == user_id)
        )
    )


def _audit(session: Session, actor: str, action: str, username: str, changes: dict[str, Any], reason: str) -> None:
    session.add(
        AuditRow(actor=actor, action=action, entity="web_user", entity_id=username, changes=changes, reason=reason)
    )


def create_user(
    db: Database,
    username: str,
    password_hash: str,
    role: str,
    *,
    full_name: str | None,
    school_codes: Sequence[str],
    all_schools: bool,
    actor: str,
) -> WebUser:
    with db.session() as session:
        if session.scalar(select(WebUserRow.id).where(WebUserRow.username == username)) is not None:
            raise ValidationError(
                f"user {username} exists already; change its schools with `edugateway users schools`, "
                "its password with `edugateway users passwd`"
            )
        schools = _school_ids(session, school_codes)
        row = WebUserRow(
            username=username,
            full_name=full_name or None,
            password_hash=password_hash,
            role=role,
            all_schools=all_schools,
        )
        session.add(row)
        session.flush()
        session.add_all(WebUserSchoolRow(user_id=row.id, school_id=sid) for sid in schools.values())
        shown = "all" if all_schools else sorted(schools)
        changes = {"role": [None, role], "full_name": [None, row.full_name], "active": [None, True]}
        _audit(session, actor, "create", username, changes | {"schools": [None, shown]}, "web account created")
        session.flush()
        return _user(session, row)


@dataclass(frozen=True, slots=True)
class SchoolsChange:
    role: str
    all_schools: bool
    schools: list[str]  # the codes after the change, sorted


def change_schools(
    db: Database,
    username: str,
    *,
    add: Collection[str],
    remove: Collection[str],
    all_schools: bool | None,
    actor: str,
    may_read_all: Callable[[str], bool],
) -> SchoolsChange:
    """Adds and removes schools (by code) and sets or clears `all_schools` (None: unchanged); audited. The
    change applies to the account's next request: the pages read the schools on every request."""
    with db.session() as session:
        row = session.scalar(select(WebUserRow).where(WebUserRow.username == username))
        if row is None:
            raise ValidationError(f"no user {username}; see `edugateway users list`")
        if all_schools and not may_read_all(row.role):
            raise ValidationError(
                f"{username} is a {row.role}: only an admin may read every school; give it schools with --add CODE",
                field="school",
            )
        ids = _school_ids(session, [*add, *remove])
        before_codes, before_all = _codes(session, row.id), row.all_schools
        have = set(session.scalars(select(WebUserSchoolRow.school_id).where(WebUserSchoolRow.user_id == row.id)))
        session.add_all(WebUserSchoolRow(user_id=row.id, school_id=ids[c]) for c in set(add) if ids[c] not in have)
        gone = [ids[c] for c in set(remove) if ids[c] in have]
        if gone:
            session.execute(
                delete(WebUserSchoolRow).where(WebUserSchoolRow.user_id == row.id, WebUserSchoolRow.school_id.in_(gone))
            )
        if all_schools is not None:
            row.all_schools = all_schools
        session.flush()
        after = SchoolsChange(row.role, row.all_schools, _codes(session, row.id))
        changes: dict[str, list[object]] = {}
        if before_codes != after.schools:
            changes["schools"] = [before_codes, after.schools]
        if before_all != after.all_schools:
            changes["all_schools"] = [before_all, after.all_schools]
        if changes:
            _audit(session, actor, "update", username, changes, "schools of the web account changed")
        return after


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
        changed = {"password_changed_at": [before.isoformat() if before else None, now.isoformat()]}
        _audit(session, actor, "update", username, changed, f"password changed; {ended} open session(s) ended")
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
        codes: dict[int, list[str]] = {}
        for user_id, code in session.execute(
            select(WebUserSchoolRow.user_id, SchoolRow.code)
            .join(SchoolRow, SchoolRow.id == WebUserSchoolRow.school_id)
            .order_by(SchoolRow.code)
        ).tuples():
            codes.setdefault(user_id, []).append(code)
        rows = session.scalars(select(WebUserRow).order_by(WebUserRow.username)).all()
        return [
            AccountListing(
                r.username,
                r.full_name,
                r.role,
                r.active,
                r.last_login_at,
                open_sessions.get(r.id, 0),
                r.all_schools,
                codes.get(r.id, []),
            )
            for r in rows
        ]


def active_users_with_roles(db: Database, roles: Collection[str], *, school_id: int) -> list[WebUser]:
    """The active accounts of these roles that may read the school (a case is only given to someone who sees it)."""
    with db.session() as session:
        rows = session.scalars(
            select(WebUserRow)
            .where(
                WebUserRow.active.is_(True),
                WebUserRow.role.in_(list(roles)),
                or_(
                    WebUserRow.all_schools.is_(True),
                    WebUserRow.id.in_(select(WebUserSchoolRow.user_id).where(WebUserSchoolRow.school_id == school_id)),
                ),
            )
            .order_by(WebUserRow.username)
        ).all()
        return [_user(session, r) for r in rows]


def active_users_without_school(db: Database) -> list[str]:
    """The names of active accounts that read no school at all (they see empty pages until given one)."""
    with db.session() as session:
        return list(
            session.scalars(
                select(WebUserRow.username)
                .where(
                    WebUserRow.active.is_(True),
                    WebUserRow.all_schools.is_(False),
                    WebUserRow.id.not_in(select(WebUserSchoolRow.user_id)),
                )
                .order_by(WebUserRow.username)
            )
        )


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
        return _user(session, row)


def active_user(db: Database, user_id: int) -> WebUser | None:
    with db.session() as session:
        row = session.get(WebUserRow, user_id)
        return _user(session, row) if row is not None and row.active else None
