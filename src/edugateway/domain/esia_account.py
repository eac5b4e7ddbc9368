"""A Госуслуги (ЕСИА) person account as the gateway knows it, and which of a СНИЛС's accounts stands for it.

The esia connector reads these from ЕСИА's answer; identity/ judges a local person against them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from edugateway.domain.models import Gender


class AccountStatus(StrEnum):
    REGISTERED = "REGISTERED"
    DELETED = "DELETED"


class EsiaAccount(BaseModel):
    """An ЕСИА person account as /rs/prns/{oid} describes it; personal fields stay out of repr."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    oid: int
    last_name: str = Field(repr=False)
    first_name: str = Field(repr=False)
    middle_name: str | None = Field(default=None, repr=False)
    birth_date: dt.date | None = Field(default=None, repr=False)
    gender: Gender | None = None
    snils: str = Field(pattern=r"^\d{11}$", repr=False)
    trusted: bool  # a confirmed account
    status: AccountStatus
    updated_on: dt.datetime  # UTC
    kid_acc_created_by_parent: bool | None = None


def current_account(accounts: Sequence[EsiaAccount]) -> EsiaAccount | None:
    """The account that stands for the СНИЛС: a registered one before a deleted one, then the newest change."""
    if not accounts:
        return None
    return min(accounts, key=lambda a: (a.status is not AccountStatus.REGISTERED, -a.updated_on.timestamp()))
