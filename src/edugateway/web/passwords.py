"""Password hashes of the web accounts: argon2id with its parameters inside the hash, and the password rules.

A hash made with older parameters still verifies; `Passwords.verify` says when to store a fresh one, so raising
the cost here upgrades every account at its next sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from edugateway.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps one request from costing much more than another


@dataclass(frozen=True, slots=True)
class Verified:
    ok: bool
    needs_rehash: bool = False


class Passwords:
    """Hashes and verifies; `PasswordHasher()` defaults are RFC 9106's low-memory profile (64 MiB, 3 passes)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # Verified against when the account does not exist, so an unknown name costs as long as a known one.
        self._decoy = self._hasher.hash("edugateway: no such account")

    def hash(self, password: str) -> str:
        check_password_rules(password)
        return self._hasher.hash(password)

    def rehash(self, password: str) -> str:
        """A hash with today's parameters of a password just verified (older rules may have let it in)."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> Verified:
        """Never raises for a wrong password or a damaged hash: both are a refusal."""
        if len(password) > MAX_LENGTH:
            return Verified(ok=False)
        try:
            self._hasher.verify(stored_hash or self._decoy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verified(ok=False)
        if stored_hash is None:
            return Verified(ok=False)
        return Verified(ok=True, needs_rehash=self._hasher.check_needs_rehash(stored_hash))


def check_password_rules(password: str) -> None:
    """Length is what makes a password strong; no composition rules (NIST SP 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"a password needs at least {MIN_LENGTH} characters; this one has {len(password)}")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"a password may have at most {MAX_LENGTH} characters")
    if password.strip() != password:
        raise ValidationError("a password may not start or end with a space (they are easily lost when typed)")
