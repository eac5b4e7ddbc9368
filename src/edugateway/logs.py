"""structlog set-up: JSON for machines, readable lines for people, personal data masked in both."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from edugateway.domain.snils import mask_snils

# Keys whose values are personal data under 152-ФЗ, whatever their content.
PII_KEYS = frozenset(
    {
        "snils",
        "snils_rejected",
        "last_name",
        "first_name",
        "middle_name",
        "full_name",
        "fio",
        "birth_date",
        "birthdate",
        "birthday",
        "lastname",
        "firstname",
        "middlename",
        "surname",
        "birthDate",
        "lastName",
        "firstName",
        "middleName",
        "surName",
        "email",
        "phone",
    }
)
_SNILS_IN_TEXT = re.compile(r"(?<!\d)\d{3}[- ]?\d{3}[- ]?\d{3}[- ]?\d{2}(?!\d)")
# Фамилия Имя Отчество in free text, recognised by the patronymic ending; also in capitals, as ЕСИА and СМЭВ
# answers often write them (ИВАНОВ ИВАН ИВАНОВИЧ).
_FIO_IN_TEXT = re.compile(
    r"[А-ЯЁ][а-яё-]+\s+[А-ЯЁ][а-яё-]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|чна|ична|оглы|кызы)\b"
    r"|[А-ЯЁ][А-ЯЁ-]+\s+[А-ЯЁ][А-ЯЁ-]+\s+[А-ЯЁ]+(?:ВИЧ|ВНА|ЧНА|ИЧНА|ОГЛЫ|КЫЗЫ)\b"
)


def _mask_value(key: str, value: Any) -> Any:
    if key in PII_KEYS and value is not None:
        if key.startswith("snils"):
            return mask_snils(str(value))
        return "***"
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(key, v) for v in value]
    return value


def mask_text(text: str) -> str:
    """`text` with SNILS numbers masked and full names (with a patronymic) replaced, for output to people."""
    text = _SNILS_IN_TEXT.sub(lambda m: mask_snils(m.group(0)), text)
    return _FIO_IN_TEXT.sub("***", text)


def mask_personal_data(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: masks SNILS, names and birth dates in every field, nested ones too."""
    for key in list(event_dict):
        event_dict[key] = _mask_value(key, event_dict[key])
    return event_dict


def configure_logging(fmt: str = "console", level: str = "INFO") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_personal_data,  # last before rendering, so nothing added earlier escapes it
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # Looked up per logger, not at configure time, so a redirected stderr (tests, daemons) is honoured.
    return structlog.PrintLogger(sys.stderr)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)


@contextmanager
def run_context(**values: object) -> Iterator[None]:
    """Binds `values` (run_id, school, platform, job) to every line logged in this thread or task until the block
    ends, then restores the context as it was: keys bound inside the block with `bind_contextvars` (a run's id,
    once its row exists) end with it too. A service's entry point wraps its run in this."""
    before = get_contextvars()
    bind_contextvars(**{key: value for key, value in values.items() if value is not None})
    try:
        yield
    finally:
        clear_contextvars()
        bind_contextvars(**before)
