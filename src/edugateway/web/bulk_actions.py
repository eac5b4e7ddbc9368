"""Bulk actions of the queue: assign, or dismiss as "not an error", many cases with one reason.

Each case goes through `identity.actions` on its own, as if done on its page: the account's school scope, the
case's history and the audit table, one row per case. A case the action cannot apply to is skipped and
counted, never failing the others: another school's (not found), closed meanwhile, or a type that "not an
error" cannot fix (a SNILS with wrong check digits)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from edugateway.errors import GatewayError, StoreError, ValidationError
from edugateway.identity import actions
from edugateway.identity.case_remedies import Form, remedy
from edugateway.logs import get_logger
from edugateway.store.case_page import find_case
from edugateway.store.db import Database
from edugateway.web.accounts import Account, assignable_users

log = get_logger(__name__)

BULK_ACTIONS: dict[str, str] = {"assign": "Передать исполнителю", "dismiss": "Отметить: не ошибка"}
MAX_CASES = 500  # one page of the queue is 50; a hand-made form must not run for minutes
_SKIPPED = {
    "missing": "не найдено",
    "closed": "уже закрыты",
    "unfit": "этим действием не исправить",
    "same": "уже у этого исполнителя",
    "failed": "не удалось",
}


def run_bulk(
    db: Database, account: Account, action: str, case_ids: Sequence[int | None], *, assignee: str, reason: str
) -> str:
    """Runs the action on each case; the result in one Russian line for the page."""
    if action not in BULK_ACTIONS:
        return "Не выполнено: выберите действие."
    chosen = sorted({n for n in case_ids if n is not None})[:MAX_CASES]
    if not chosen:
        return "Не выполнено: отметьте случаи в списке."
    if not reason.strip():
        return "Не выполнено: укажите причину — она сохраняется в журнале каждого случая."
    who = assignee.strip() or None
    done = 0
    skipped: Counter[str] = Counter()
    for case_id in chosen:
        verdict = _one(db, account, action, case_id, who, reason)
        if verdict is None:
            done += 1
        else:
            skipped[verdict] += 1
    log.info("web.bulk_action", action=action, user=account.username, done=done, skipped=dict(skipped))
    verb = "Передано" if action == "assign" else "Отмечено «не ошибка»"
    message = f"{verb}: {done} из {len(chosen)}."
    if skipped:
        message += " Пропущено: " + ", ".join(f"{_SKIPPED[k]} — {n}" for k, n in sorted(skipped.items())) + "."
    return message


def _one(db: Database, account: Account, action: str, case_id: int, who: str | None, reason: str) -> str | None:
    """None when done, else why it was skipped."""
    with db.session() as session:
        found = find_case(session, case_id, account.schools)
    if found is None:
        return "missing"
    case = found[0]
    try:
        if action == "dismiss":
            if Form.DISMISS not in remedy(case.case_type).forms:
                return "unfit"
            actions.dismiss_case(db, case_id, actor=account.actor, reason=reason, scope=account.schools)
        else:
            if who is not None and who not in {a.username for a in assignable_users(db, case.school_id)}:
                return "unfit"
            actions.reassign_case(db, case_id, who, actor=account.actor, reason=reason, scope=account.schools)
    except ValidationError as exc:
        return "same" if exc.field == "assignee" else "closed" if exc.field == "case" else "failed"
    except StoreError:
        return "missing"
    except GatewayError as exc:
        log.warning("web.bulk_action_failed", case_id=case_id, action=action, error=str(exc))
        return "failed"
    return None
