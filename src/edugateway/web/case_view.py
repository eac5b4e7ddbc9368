"""Everything the case page shows, read in one transaction: the local record, the ЕСИА answer and each platform's
record side by side with the fields that differ from the local record marked, the ranked candidates, the
case history and the audit rows about the case and its person.

SNILS leaves this module masked only; the full number is shown through `identity.actions.reveal_snils`, which
audits the look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from edugateway.domain.snils import mask_snils
from edugateway.identity.actions import CASE
from edugateway.identity.case_remedies import Remedy, remedy
from edugateway.identity.case_types import CASE_TITLES, DETAIL_TITLES, CaseStatus
from edugateway.mapping.names import normalize_name
from edugateway.store.case_page import (
    HistoryLine,
    LinkedRecord,
    ParentContact,
    account_names,
    case_audit,
    case_events,
    find_case,
    linked_records,
    other_persons,
    parents_of,
    person_cases,
    person_roles,
)
from edugateway.store.cases import CasePerson, StoredCase
from edugateway.store.db import Database
from edugateway.store.identity_checks import StoredCheck, latest_check
from edugateway.store.school_scope import SchoolScope
from edugateway.web.shown_words import (
    FIELD_WORDS,
    RELATION_TITLES,
    SOURCE_TITLES,
    person_title,
    shown_actor,
    shown_reason,
    shown_roles,
    shown_value,
)

FIELD_TITLES: dict[str, str] = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_date": "Дата рождения",
    "gender": "Пол",
    "snils": "СНИЛС",
    "snils_rejected": "СНИЛС (отклонённый)",
    "class_name": "Класс",
    "assignee": "Исполнитель",
    "status": "Статус",
    "candidates": "Кандидат",
    "platform": "Платформа",
} | FIELD_WORDS
COMPARED = ("last_name", "first_name", "middle_name", "birth_date", "gender")
NAME_FIELDS = frozenset({"last_name", "first_name", "middle_name"})
GENDER_TITLES = {"m": "мужской", "f": "женский", "M": "мужской", "F": "женский"}
ESIA_STATUS_TITLES = {"REGISTERED": "действует", "DELETED": "удалена"}
_SNILS_FIELDS = frozenset({"snils", "snils_rejected"})


@dataclass(frozen=True, slots=True)
class Shown:
    """One field in one column: its title, the value as the clerk reads it, and whether it differs from ours."""

    name: str
    title: str
    value: str
    differs: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    subtitle: str | None
    fields: list[Shown]
    note: str | None = None  # why a column is empty


@dataclass(frozen=True, slots=True)
class CandidateView:
    index: int  # the position in case.candidates, which `link_candidate` takes
    source: str
    remote_id: str
    percent: str
    name: str
    birth_date: str
    class_name: str
    snils_masked: str
    agreement: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class HistoryItem:
    at: dt.datetime
    actor: str
    action: str
    text: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class OtherHolder:
    person_id: int
    name: str
    class_name: str | None
    case_id: int | None


@dataclass(frozen=True, slots=True)
class ParentShown:
    name: str
    relation: str
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class SiblingCase:
    """Another case of the same person: one the fix opened, or one still waiting."""

    case_id: int
    title: str
    status: str
    opened_at: dt.datetime


@dataclass
class CaseView:
    id: int
    person_id: int
    school_id: int
    school_name: str
    person_name: str
    class_name: str | None
    case_type: str
    detail: str | None
    status: str
    assignee: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    closed_by: str | None
    close_reason: str | None
    snils_masked: str
    has_snils: bool
    local: dict[str, str | None]  # form defaults for the correction form
    person_title: str  # «Ученик», «Учитель»: what the person is at the school
    roles: str
    assignee_name: str | None
    closed_by_name: str | None
    remedy: Remedy
    columns: list[Column] = field(default_factory=list)
    candidates: list[CandidateView] = field(default_factory=list)
    events: list[HistoryItem] = field(default_factory=list)
    audit: list[HistoryItem] = field(default_factory=list)
    other_holders: list[OtherHolder] = field(default_factory=list)
    checked_at: dt.datetime | None = None
    parents: list[ParentShown] = field(default_factory=list)
    parents_fix: bool = False  # the fix is a parent's: a pupil's case of such a type
    other_cases: list[SiblingCase] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    def offers(self, form: str) -> bool:
        """Whether the form can fix this case (only an open case is fixed at all)."""
        return self.is_open and form in self.remedy.forms


def show_date(value: Any) -> str:
    """DD.MM.YYYY, as Russian documents write it; anything unparseable as it came."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "birth_date":
        return show_date(value)
    if name == "gender":
        return GENDER_TITLES.get(str(value), str(value))
    if name in _SNILS_FIELDS:
        return mask_snils(str(value))
    return str(value)


def _differs(name: str, ours: Any, theirs: Any) -> bool:
    """Only two values can disagree: a field one side leaves empty is missing there, not different."""
    if ours in (None, "") or theirs in (None, ""):
        return False
    return not _same(name, ours, theirs)


def _same(name: str, ours: Any, theirs: Any) -> bool:
    if name in NAME_FIELDS:
        return normalize_name(ours) == normalize_name(theirs)
    if name == "birth_date":
        return show_date(ours) == show_date(theirs)
    if name == "gender":
        return str(ours or "").lower() == str(theirs or "").lower()
    return (ours or None) == (theirs or None)


def full_name(last: Any, first: Any, middle: Any) -> str:
    return " ".join(str(p) for p in (last, first, middle) if p)


def load_case(db: Database, case_id: int, scope: SchoolScope) -> CaseView | None:
    """The case page, or None when there is no such case among the scope's schools."""
    with db.session() as session:
        found = find_case(session, case_id, scope)
        if found is None:
            return None
        case, person, school_name = found
        local = {name: getattr(person, name) for name in COMPARED}
        names = account_names(session)
        roles = person_roles(session, person.id)
        view = CaseView(
            id=case.id,
            person_id=person.id,
            school_id=case.school_id,
            school_name=school_name,
            person_name=full_name(person.last_name, person.first_name, person.middle_name),
            class_name=case.class_name,
            case_type=case.case_type,
            detail=case.detail,
            status=case.status,
            assignee=case.assignee,
            opened_at=case.opened_at,
            closed_at=case.closed_at,
            closed_by=case.closed_by,
            close_reason=shown_reason(case.close_reason),
            snils_masked=_masked_snils(person),
            has_snils=bool(person.snils or person.snils_rejected),
            local={
                "last_name": person.last_name,
                "first_name": person.first_name,
                "middle_name": person.middle_name,
                "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            },
            person_title=person_title(roles),
            roles=shown_roles(roles),
            assignee_name=names.get(case.assignee, case.assignee) if case.assignee else None,
            closed_by_name=shown_actor(case.closed_by, names) if case.closed_by else None,
            remedy=remedy(case.case_type),
        )
        evidence = case.evidence or {}
        # The verification's own list of differing fields speaks of the data it saw: once the case is closed
        # or dismissed it is history, and only what still differs today is marked.
        flagged = set((evidence.get("fields") or {}).keys()) if case.status == CaseStatus.OPEN else set()
        view.columns.append(_local_column(person, roles, school_name, case, flagged))
        check = latest_check(session, person.id)
        view.checked_at = check.checked_at if check else None
        view.columns.append(_esia_column(check, local, flagged, asked=bool(person.snils)))
        view.columns.extend(_platform_columns(linked_records(session, person), local, case.class_name))
        view.candidates = _candidates(case.candidates or [])
        holder_ids = [
            int(i) for i in evidence.get("other_person_ids") or [] if isinstance(i, int | str) and str(i).isdigit()
        ]
        view.other_holders = [
            OtherHolder(p.person_id, full_name(p.last_name, p.first_name, p.middle_name), p.class_name, p.case_id)
            for p in other_persons(session, holder_ids, case.case_type, open_status=CaseStatus.OPEN, scope=scope)
        ]
        view.events = _events(case_events(session, case.id), names)
        view.audit = _audit(case_audit(session, case, person, case_entity=CASE), names)
        # A parent fixes a pupil's account; a teacher's is their own to fix.
        view.parents_fix = view.remedy.parents and "student" in roles.split(",")
        if view.parents_fix:
            view.parents = [_parent(p) for p in parents_of(session, person)]
        view.other_cases = [
            SiblingCase(c.case_id, CASE_TITLES.get(c.case_type, c.case_type), c.status, c.opened_at)
            for c in person_cases(session, person.id, scope)
            if c.case_id != case.id
        ]
        return view


def _parent(contact: ParentContact) -> ParentShown:
    return ParentShown(
        full_name(contact.last_name, contact.first_name, contact.middle_name),
        RELATION_TITLES.get(contact.relation, contact.relation),
        contact.phone,
        contact.email,
    )


def _masked_snils(person: CasePerson) -> str:
    if person.snils:
        return mask_snils(person.snils)
    if person.snils_rejected:
        return f"{mask_snils(person.snils_rejected)} (отклонён при импорте)"
    return "нет"


def _local_column(person: CasePerson, roles: str, school_name: str, case: StoredCase, flagged: set[str]) -> Column:
    fields = [Shown(n, FIELD_TITLES[n], _show(n, getattr(person, n)), n in flagged) for n in COMPARED]
    fields.append(Shown("roles", "Роль", shown_roles(roles)))
    fields.append(Shown("snils", "СНИЛС", _masked_snils(person)))
    fields.append(Shown("class_name", "Класс", case.class_name or "—"))
    fields.append(Shown("source_id", "Код в учётной системе", person.source_id))
    return Column("Школа (локальная база)", school_name, fields)


def _esia_column(check: StoredCheck | None, local: dict[str, Any], flagged: set[str], *, asked: bool) -> Column:
    account = check.account if check else None
    if not account:
        if not asked:
            note = "СНИЛС нет или он неверен: ЕСИА не о чем спросить, пока его не исправят"
        elif check is None:
            note = "ЕСИА ещё не спрашивали"
        else:
            note = "В ЕСИА нет учётной записи с этим СНИЛС"
        return Column("ЕСИА (Госуслуги)", None, [], note)
    fields = [
        Shown(n, FIELD_TITLES[n], _show(n, account.get(n)), n in flagged or _differs(n, local[n], account.get(n)))
        for n in COMPARED
    ]
    trusted = account.get("trusted")
    fields.append(Shown("trusted", "Подтверждена", "да" if trusted else "нет", trusted is False))
    status = str(account.get("status") or "")
    fields.append(Shown("status", "Состояние", ESIA_STATUS_TITLES.get(status, status or "—"), status == "DELETED"))
    if account.get("kid_acc_created_by_parent") is not None:
        made = "да" if account.get("kid_acc_created_by_parent") else "нет"
        fields.append(Shown("kid_acc", "Детская запись создана родителем", made))
    fields.append(Shown("oid", "oid", str(account.get("oid") or "—")))
    checked = f"ответ от {show_date(check.asked_at or check.checked_at)}" if check else None
    return Column("ЕСИА (Госуслуги)", checked, fields)


def _platform_columns(links: list[LinkedRecord], local: dict[str, Any], class_name: str | None) -> list[Column]:
    if not links:
        return [Column("Платформы", None, [], "Запись не связана ни с одной платформой")]
    columns = []
    for link in links:
        fields = [Shown("remote_id", "Идентификатор", link.remote_id)]
        note = None
        if link.data:
            nested = link.data.get("person")
            data: dict[str, Any] = nested if isinstance(nested, dict) else link.data
            theirs = {n: data.get(n) for n in COMPARED}
            fields += [
                Shown(n, FIELD_TITLES[n], _show(n, theirs[n]), _differs(n, local[n], theirs[n])) for n in COMPARED
            ]
            if data.get("snils"):
                fields.append(Shown("snils", "СНИЛС", mask_snils(str(data["snils"]))))
            remote_class = link.data.get("class_name") or data.get("class_name")
            if remote_class:
                fields.append(Shown("class_name", "Класс", str(remote_class), remote_class != class_name))
        else:
            note = "Запись платформы не сохранена: видна только связь"
        title = SOURCE_TITLES.get(link.platform, link.platform)
        subtitle = f"связь: {_LINK_METHODS.get(link.method, link.method)}, {show_date(link.linked_at)}"
        columns.append(Column(title, subtitle, fields, note))
    return columns


_LINK_METHODS = {
    "snils": "по СНИЛС",
    "match": "по совпадению ФИО и даты",
    "name": "по имени",
    "created": "создана шлюзом",
    "pulled": "получена с платформы",
    "clerk": "вручную",
}
AGREEMENT_TITLES = {
    "exact": "совпадает",
    "equal": "совпадает",
    "same": "совпадает",
    "close": "похоже",
    "similar": "похоже",
    "partial": "похоже",
    "fuzzy": "похоже",
    "one_edit": "опечатка в одну букву",
    "day_month_swapped": "день и месяц переставлены",
    "within_month": "разница до месяца",
    "within_year": "разница до года",
    "same_grade": "та же параллель",
    "transliterated": "совпадает в латинице",
    "one_part": "совпадает часть двойной фамилии",
    "different": "не совпадает",
    "differs": "не совпадает",
    "mismatch": "не совпадает",
    "missing": "нет данных",
    "null": "нет данных",
    "unknown": "нет данных",
}


def _candidates(items: list[Any]) -> list[CandidateView]:
    ranked = sorted(
        ((i, c) for i, c in enumerate(items) if isinstance(c, dict)),
        key=lambda pair: -float(pair[1].get("probability") or 0),
    )
    shown = []
    for index, c in ranked:
        agreement = c.get("agreement") or {}
        shown.append(
            CandidateView(
                index=index,
                source=SOURCE_TITLES.get(str(c.get("source")), str(c.get("source") or "—")),
                remote_id=str(c.get("remote_id") or "—"),
                percent=f"{float(c.get('probability') or 0) * 100:.1f} %",
                name=full_name(c.get("last_name"), c.get("first_name"), c.get("middle_name")) or "—",
                birth_date=show_date(c.get("birth_date")),
                class_name=str(c.get("class_name") or "—"),
                # Only the masked form: a candidate's full number is a stranger's until the clerk links it.
                snils_masked=str(c.get("snils_masked") or "—"),
                agreement=[
                    (FIELD_TITLES.get(str(k), str(k)), AGREEMENT_TITLES.get(str(v).lower(), str(v)))
                    for k, v in agreement.items()
                ],
            )
        )
    return shown


EVENT_TITLES = {
    "opened": "Открыт проверкой",
    "opened_by_sync": "Открыт синхронизацией",
    "seen": "Найден снова",
    "refreshed": "Сведения обновлены",
    "reopened": "Открыт снова",
    "closed_by_verification": "Закрыт: повторная проверка прошла без замечаний",
    "closed_by_sync": "Закрыт синхронизацией: спрашивать больше не о ком",
    "reassigned": "Назначен исполнитель",
    "snils_corrected": "СНИЛС исправлен",
    "person_corrected": "ФИО или дата рождения исправлены",
    "candidate_linked": "Выбран кандидат",
    "candidate_rejected": "Кандидат отклонён",
    "dismissed": "Проверено — не ошибка",
}
AUDIT_TITLES = {
    "update": "изменение",
    "create": "создание",
    "dismiss": "проверено — не ошибка",
    "reassign": "назначение",
    "reject_candidate": "кандидат отклонён",
    "view_snils": "просмотр СНИЛС",
}


def _events(lines: list[HistoryLine], names: dict[str, str]) -> list[HistoryItem]:
    return [
        HistoryItem(
            r.at,
            shown_actor(r.actor, names),
            EVENT_TITLES.get(r.action, r.action),
            _describe(r.detail, names),
            shown_reason(r.reason),
        )
        for r in lines
    ]


def _audit(lines: list[HistoryLine], names: dict[str, str]) -> list[HistoryItem]:
    return [
        HistoryItem(
            r.at,
            shown_actor(r.actor, names),
            AUDIT_TITLES.get(r.action, r.action),
            _describe_changes(r.detail, names),
            shown_reason(r.reason),
        )
        for r in lines
    ]


def _shown(name: str, value: Any, names: dict[str, str]) -> str:
    worded = shown_value(name, value, names)
    return worded if worded is not None else _show(name, value)


def _change(key: str, pair: list[Any], names: dict[str, str]) -> str:
    return f"{FIELD_TITLES.get(key, key)}: {_shown(key, pair[0], names)} → {_shown(key, pair[1], names)}"


def _describe(detail: dict[str, Any] | None, names: dict[str, str]) -> str:
    if not detail:
        return ""
    parts = []
    for key, value in detail.items():
        if key == "detail":
            values = value if isinstance(value, list) else [value]
            shown = " → ".join(DETAIL_TITLES.get(str(v), str(v)) if v else "—" for v in values)
            parts.append(f"уточнение: {shown}")
        elif key == "fields" and isinstance(value, list):
            parts.append("поля: " + ", ".join(FIELD_TITLES.get(str(v), str(v)) for v in value))
        elif isinstance(value, list) and len(value) == 2:
            parts.append(_change(key, value, names))
        elif key not in _SNILS_FIELDS:
            parts.append(f"{FIELD_TITLES.get(key, key)}: {_shown(key, value, names)}")
    return "; ".join(parts)


def _describe_changes(changes: dict[str, Any] | None, names: dict[str, str]) -> str:
    if not changes:
        return ""
    parts = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(_change(key, value, names))
        else:
            parts.append(f"{FIELD_TITLES.get(key, key)}: {_shown(key, value, names)}")
    return "; ".join(parts)
