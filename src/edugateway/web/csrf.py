"""CSRF: every POST carries the session's token (form field `csrf_token` or header `X-CSRF-Token`).

Signed-in pages use the token stored with the session. The sign-in form has no session yet; it uses a
double-submit cookie instead (the same random value in a cookie and in the form), so another site cannot
sign a browser in under its own account. SameSite=Lax cookies are the second line.
"""

from __future__ import annotations

import hmac
import secrets

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "edugateway_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; an empty or missing token on either side never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "replace"), given.encode("utf-8", "replace"))
