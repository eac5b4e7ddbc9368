"""Why a platform record could not be mapped, said without repeating its values (they are personal data)."""

from __future__ import annotations

from pydantic import ValidationError as PydanticValidationError

from edugateway.errors import ValidationError


def invalid(platform: str, what: str, record_id: object, exc: ValueError) -> ValidationError:
    """A ValidationError naming the platform record and the failing fields, never the values it held."""
    if isinstance(exc, PydanticValidationError):
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'record'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        )
    else:
        reasons = str(exc)
    return ValidationError(reasons, record=f"{platform} {what} {record_id}")
