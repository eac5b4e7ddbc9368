"""CSRF tokens match only exactly, and never when either side is empty."""

from __future__ import annotations

import pytest

from edugateway.web.context import safe_next
from edugateway.web.csrf import new_token, tokens_match


def test_the_same_token_matches() -> None:
    token = new_token()
    assert tokens_match(token, token)


@pytest.mark.parametrize(
    ("expected", "given"),
    [("abc", "abd"), ("abc", ""), ("", ""), (None, None), ("abc", None), (None, "abc"), ("abc", "abc ")],
)
def test_anything_else_is_refused(expected: str | None, given: str | None) -> None:
    assert not tokens_match(expected, given)


def test_tokens_are_random_and_long() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert min(len(t) for t in tokens) >= 40


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/cases/5", "/cases/5"),
        ("/cases?status=closed", "/cases?status=closed"),
        ("//evil.example/x", "/cases"),
        ("https://evil.example/", "/cases"),
        ("/\\evil.example", "/cases"),
        (None, "/cases"),
    ],
)
def test_after_sign_in_only_a_path_on_this_site_is_followed(asked: str | None, goes_to: str) -> None:
    assert safe_next(asked) == goes_to
