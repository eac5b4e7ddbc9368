"""What fixes each case type: the next step in the clerk's words and the only forms that can fix it.

A form that cannot fix a case is not offered (and the pages refuse it if sent by hand): "correct the SNILS"
does nothing for an account its owner has not confirmed, and "not an error" cannot be true of a SNILS whose
check digits fail or that two people hold. Where only a parent can fix it (a pupil under 14 has no child
account, an unconfirmed account of a pupil), the page shows the parents' contacts instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from edugateway.identity.case_types import CaseType


class Form(StrEnum):
    SNILS = "snils"  # type the right SNILS
    PERSON = "person"  # correct the name or birth date
    CANDIDATES = "link"  # choose or reject a ranked candidate
    DISMISS = "dismiss"  # checked: not an error (a link case: none of the records is this person)
    ASSIGN = "assign"  # give the case to someone


@dataclass(frozen=True, slots=True)
class Remedy:
    next_step: str
    forms: frozenset[Form]
    parents: bool = False  # the fix is a parent's: show the parents' contacts


_ANY = frozenset({Form.ASSIGN})
REMEDIES: dict[str, Remedy] = {
    CaseType.INVALID_SNILS: Remedy(
        "Сверьте СНИЛС с документом (карточка или выписка СНИЛС) и введите верный номер: с этими цифрами "
        "номер не может быть настоящим. Если ниже есть кандидат из ЕСИА — проверьте, не его ли это номер.",
        _ANY | {Form.SNILS, Form.CANDIDATES},
    ),
    CaseType.MISSING_SNILS: Remedy(
        "Попросите у семьи (или у сотрудника) СНИЛС и введите его. Если СНИЛС у человека нет "
        "(например, иностранный гражданин), отметьте «не ошибка» и укажите это в причине.",
        _ANY | {Form.SNILS, Form.CANDIDATES, Form.DISMISS},
    ),
    CaseType.ESIA_UNKNOWN: Remedy(
        "Сверьте СНИЛС с документом: если номер набран с ошибкой — исправьте его. Если номер верен, "
        "человек не зарегистрирован на Госуслугах: сообщите семье; когда запись появится, случай закроется сам.",
        _ANY | {Form.SNILS, Form.DISMISS},
    ),
    CaseType.NAME_DIFFERS: Remedy(
        "Сравните ФИО с документом (свидетельство о рождении, паспорт): если ошибка в записи школы — исправьте ФИО. "
        "Если СНИЛС принадлежит другому человеку — исправьте СНИЛС. Если верно в школе, а ЕСИА устарела "
        "(например, смена фамилии), отметьте «не ошибка».",
        _ANY | {Form.PERSON, Form.SNILS, Form.CANDIDATES, Form.DISMISS},
    ),
    CaseType.BIRTH_DATE_DIFFERS: Remedy(
        "Сравните дату рождения с документом и исправьте запись школы; если СНИЛС принадлежит другому человеку — "
        "исправьте СНИЛС. Если верно в школе, отметьте «не ошибка».",
        _ANY | {Form.PERSON, Form.SNILS, Form.CANDIDATES, Form.DISMISS},
    ),
    CaseType.DUPLICATE_SNILS: Remedy(
        "Один СНИЛС не может быть у двух людей: сверьте номер с документами обоих и исправьте его у того, "
        "чей он не настоящий.",
        _ANY | {Form.SNILS},
    ),
    CaseType.ACCOUNT_UNTRUSTED: Remedy(
        "Учётная запись на Госуслугах не подтверждена; школа не может это исправить. Человек (за ученика — родитель) "
        "подтверждает её сам: в МФЦ, через банк или Госключ. Когда подтвердит, случай закроется при следующей "
        "проверке.",
        _ANY | {Form.DISMISS},
        parents=True,
    ),
    CaseType.ACCOUNT_DELETED: Remedy(
        "Учётная запись на Госуслугах удалена: человеку (за ученика — родителю) нужно восстановить её или "
        "зарегистрироваться снова. Если СНИЛС в школе записан с ошибкой — исправьте его.",
        _ANY | {Form.SNILS, Form.DISMISS},
        parents=True,
    ),
    CaseType.NO_CHILD_ACCOUNT: Remedy(
        "Ребёнку младше 14 лет нужна детская учётная запись, которую родитель создаёт в своём профиле на "
        "Госуслугах (раздел «Дети»). Школа создать её не может: свяжитесь с родителем.",
        _ANY | {Form.DISMISS},
        parents=True,
    ),
    CaseType.LINK_CANDIDATE: Remedy(
        "Сравните записи платформы с записью школы: если одна из них — этот человек, свяжите её; "
        "если ни одна — отметьте, что это другие люди.",
        _ANY | {Form.CANDIDATES, Form.DISMISS},
    ),
}


def remedy(case_type: str) -> Remedy:
    """The remedy of a case type; an unknown type (a newer gateway's) can only be passed on."""
    return REMEDIES.get(case_type, Remedy("Передайте случай администратору шлюза.", _ANY))
