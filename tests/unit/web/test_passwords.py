"""argon2id hashes: a right password verifies, a wrong one or a damaged hash is a refusal, a hash made with
weaker parameters asks to be replaced, and the length rules say what to fix."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from edugateway.errors import ValidationError
from edugateway.web.passwords import MAX_LENGTH, Passwords, check_password_rules

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("пароль-для-теста")

    assert stored.startswith("$argon2id$")
    assert "пароль" not in stored
    assert passwords.verify(stored, "пароль-для-теста").ok
    assert not passwords.verify(stored, "пароль-для-теста ").ok
    assert not passwords.verify(stored, "").ok


def test_a_missing_account_or_a_damaged_hash_is_a_refusal_not_an_error() -> None:
    passwords = Passwords(CHEAP)

    assert not passwords.verify(None, "edugateway: no such account").ok  # not even the decoy's own password
    assert not passwords.verify("not a hash", "whatever-password").ok
    assert not passwords.verify(passwords.hash("correct horse"), "x" * (MAX_LENGTH + 1)).ok


def test_a_hash_with_weaker_parameters_asks_for_a_rehash() -> None:
    old = Passwords(CHEAP).hash("пароль-для-теста")
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))

    verdict = stronger.verify(old, "пароль-для-теста")

    assert verdict.ok
    assert verdict.needs_rehash
    assert not stronger.verify(stronger.rehash("пароль-для-теста"), "пароль-для-теста").needs_rehash


@pytest.mark.parametrize(
    ("password", "says"),
    [("short", "at least 10"), ("x" * (MAX_LENGTH + 1), "at most"), (" leading-space", "space")],
)
def test_password_rules_say_what_to_fix(password: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        check_password_rules(password)


def test_a_long_passphrase_needs_no_digits_or_symbols() -> None:
    check_password_rules("длинная фраза без цифр")
