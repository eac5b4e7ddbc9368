"""The business document inside the СМЭВ envelope: "find the ЕСИА account(s) by СНИЛС" (esia-person-lookup XSD).

Building the request and reading the answer are pure functions, so they are tested without СМЭВ.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from lxml import etree
from pydantic import ValidationError as PydanticValidationError

from edugateway.domain.esia_account import AccountStatus, EsiaAccount
from edugateway.domain.models import Gender
from edugateway.domain.snils import format_snils
from edugateway.schemas import ESIA_LOOKUP_NS

REQUEST_ROOT = "PersonLookupRequest"
RESPONSE_ROOT = "PersonLookupResponse"
MAX_BATCH = 100  # the XSD's maxOccurs for snils
_ESIA_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")


class AnswerError(ValueError):
    """ЕСИА's answer does not have the shape of the lookup response (the message says where, without values)."""


def _q(name: str) -> str:
    return f"{{{ESIA_LOOKUP_NS}}}{name}"


def lookup_request(snils_digits: Sequence[str]) -> etree._Element:
    """The request for 1..100 СНИЛС given as 11 digits each (already validated)."""
    if not 1 <= len(snils_digits) <= MAX_BATCH:
        raise ValueError(f"a lookup request holds 1..{MAX_BATCH} СНИЛС, not {len(snils_digits)}")
    root = etree.Element(_q(REQUEST_ROOT), nsmap={"lk": ESIA_LOOKUP_NS})
    for digits in snils_digits:
        etree.SubElement(root, _q("snils")).text = format_snils(digits)
    return root


def read_lookup_response(document: etree._Element) -> dict[str, list[EsiaAccount]]:
    """11-digit СНИЛС -> the accounts ЕСИА holds for it (empty: notFound), for every result in the answer."""
    if document.tag != _q(RESPONSE_ROOT):
        raise AnswerError(f"expected {{{ESIA_LOOKUP_NS}}}{RESPONSE_ROOT}, got {document.tag}")
    results: dict[str, list[EsiaAccount]] = {}
    for index, result in enumerate(document.iterfind(_q("result")), 1):
        asked = _digits(result.findtext(_q("snils")), f"result[{index}]/snils")
        results[asked] = [
            _account(person, f"result[{index}]/person[{number}]")
            for number, person in enumerate(result.iterfind(_q("person")), 1)
        ]
        if not results[asked] and result.find(_q("notFound")) is None:
            raise AnswerError(f"result[{index}] has neither person nor notFound")
    return results


def _account(person: etree._Element, where: str) -> EsiaAccount:
    def text(name: str) -> str | None:
        value = person.findtext(_q(name))
        return value.strip() if value is not None else None

    try:
        updated = text("updatedOn")
        return EsiaAccount(
            oid=int(text("oid") or ""),
            last_name=text("lastName") or "",
            first_name=text("firstName") or "",
            middle_name=text("middleName") or None,
            birth_date=_esia_date(text("birthDate"), f"{where}/birthDate"),
            gender=Gender(text("gender") or "") if text("gender") else None,
            snils=_digits(text("snils"), f"{where}/snils"),
            trusted=_boolean(text("trusted"), f"{where}/trusted"),
            status=AccountStatus(text("status") or ""),
            updated_on=dt.datetime.fromtimestamp(int(updated or ""), dt.UTC),
            kid_acc_created_by_parent=(
                _boolean(text("kidAccCreatedByParent"), f"{where}/kidAccCreatedByParent")
                if text("kidAccCreatedByParent") is not None
                else None
            ),
        )
    except AnswerError:
        raise
    except PydanticValidationError as exc:
        fields = sorted({".".join(str(part) for part in error["loc"]) for error in exc.errors()})
        raise AnswerError(f"{where}: malformed field(s) {', '.join(fields)}") from None
    except ValueError:  # int() or an enum refused a value, which is not repeated: it is personal data
        raise AnswerError(f"{where}: malformed oid, gender, status or updatedOn") from None


def _digits(value: str | None, where: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 11:
        raise AnswerError(f"{where}: not a СНИЛС")
    return digits


def _esia_date(value: str | None, where: str) -> dt.date | None:
    if not value:
        return None
    match = _ESIA_DATE.match(value)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise AnswerError(f"{where}: not a DD.MM.YYYY date") from None


def _boolean(value: str | None, where: str) -> bool:
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise AnswerError(f"{where}: not a boolean")
