"""What `edugateway sync` says about the person candidates: a dry run that it made no case, a real run how many
went to the clerk's queue (the text used to claim a dry run's candidates reached the clerk)."""

from __future__ import annotations

import pytest

from edugateway.cli._sync import _print_plan
from edugateway.identity.cases import CaseChanges
from edugateway.sync.linking import Candidate
from edugateway.sync.plan import SyncPlan


def plan(*, dry_run: bool) -> SyncPlan:
    out = SyncPlan(7, "sch1", "dnevnik", dry_run, {})
    out.candidates = [Candidate("persons", "s1", "r1", 0.7, {}), Candidate("persons", "s2", "r2", 0.6, {})]
    if not dry_run:
        out.link_cases = CaseChanges(opened=1, refreshed=1, closed=3)
    return out


def test_a_dry_run_says_no_case_was_opened(capsys: pytest.CaptureFixture[str]) -> None:
    _print_plan(plan(dry_run=True))
    assert capsys.readouterr().out == "2 possible links not made (a real run puts them in the clerk's queue)\n"


def test_a_real_run_says_how_many_went_to_the_clerk(capsys: pytest.CaptureFixture[str]) -> None:
    _print_plan(plan(dry_run=False))
    said = capsys.readouterr().out
    assert said == "2 possible links went to the clerk's queue; its cases: 1 new, 1 updated, 3 closed\n"
