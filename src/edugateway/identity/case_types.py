"""What a verification can find, with the Russian words the clerk's pages and exports use."""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    INVALID_SNILS = "invalid_snils"  # detail: checksum, length, characters
    MISSING_SNILS = "missing_snils"
    ESIA_UNKNOWN = "esia_unknown"  # a valid SNILS that ЕСИА has no account for
    NAME_DIFFERS = "name_differs"  # detail: typo, other_person
    BIRTH_DATE_DIFFERS = "birth_date_differs"  # detail: swapped, other
    DUPLICATE_SNILS = "duplicate_snils"  # the same SNILS on two persons of the school
    ACCOUNT_UNTRUSTED = "account_untrusted"  # 14+ (or age unknown) and trusted=false: see account_rule
    ACCOUNT_DELETED = "account_deleted"
    NO_CHILD_ACCOUNT = "no_child_account"  # a student under 14 without a child account a parent made
    # Not ЕСИА's: a sync found platform records that may be this person and linked none by itself.
    LINK_CANDIDATE = "link_candidate"


# What `identity verify` finds, opens and closes; the other types belong to other steps (sync).
VERIFIED_TYPES = frozenset(t for t in CaseType if t is not CaseType.LINK_CANDIDATE)


CONFIRMED = "confirmed"  # the outcome of a check that found nothing wrong


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the source data was fixed; the next verification found nothing
    DISMISSED = "dismissed"  # a clerk checked it: not an error (kept as a label)


CASE_TITLES: dict[str, str] = {
    CaseType.INVALID_SNILS: "Неверный СНИЛС",
    CaseType.MISSING_SNILS: "Нет СНИЛС",
    CaseType.ESIA_UNKNOWN: "СНИЛС не найден в ЕСИА",
    CaseType.NAME_DIFFERS: "ФИО не совпадает с ЕСИА",
    CaseType.BIRTH_DATE_DIFFERS: "Дата рождения не совпадает с ЕСИА",
    CaseType.DUPLICATE_SNILS: "Один СНИЛС у двух человек",
    CaseType.ACCOUNT_UNTRUSTED: "Учётная запись ЕСИА не подтверждена",
    CaseType.ACCOUNT_DELETED: "Учётная запись ЕСИА удалена",
    CaseType.NO_CHILD_ACCOUNT: "Нет детской учётной записи (младше 14 лет)",
    CaseType.LINK_CANDIDATE: "Возможно, это один человек: запись на платформе",
}

DETAIL_TITLES: dict[str, str] = {
    "checksum": "не сходится контрольное число",
    "length": "не 11 цифр",
    "characters": "посторонние символы",
    "typo": "похоже на опечатку",
    "other_person": "похоже на другого человека",
    "swapped": "день и месяц переставлены",
    "other": "другая дата",
}

STATUS_TITLES: dict[str, str] = {
    CaseStatus.OPEN: "Открыт",
    CaseStatus.CLOSED: "Исправлен",
    CaseStatus.DISMISSED: "Проверен — не ошибка",
}
