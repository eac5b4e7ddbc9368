"""The school a report is about, and the order names are listed in (as a class journal lists them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from edugateway.errors import ValidationError
from edugateway.store.schools import StoredSchool, school_by_code


def stored_school(session: Session, code: str) -> StoredSchool:
    school = school_by_code(session, code)
    if school is None:
        raise ValidationError(f"school {code!r} is not in the database; import it first or check --school")
    return school


def reading_order(text: str) -> str:
    """Journals list «Ё» with «Е»; casefold keeps «Иванова» and «иванова» together."""
    return text.casefold().replace("ё", "е")
