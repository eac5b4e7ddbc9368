"""ГИС ЕЦП error types -> the gateway's error classes, for `http.error_for`.

Both services behind the host put a string where `error_for` looks for a platform error type, so the table
keys on those strings (emulators/ecp/errors.py documents the shapes; both are inferred):
- the family API answers RFC 7807 ProblemDetails, whose `type` is a URI naming the HTTP status;
- the edu-upload service answers Spring Boot's error attributes, whose `error` is the status's reason phrase.
`error_for` reads `title` (ProblemDetails) or `message` (Spring) as the description; ProblemDetails' `detail`
is not read by it, which is why the sign-in in auth.py words its own errors.
"""

from __future__ import annotations

from edugateway.connectors.http import ErrorTypeTable
from edugateway.errors import AuthError, PlatformRejected, PlatformUnavailable, RateLimited

_RFC9110 = "https://tools.ietf.org/html/rfc9110#section-"

ERROR_TYPES: ErrorTypeTable = {
    # family API, ProblemDetails `type`
    f"{_RFC9110}15.5.1": PlatformRejected,  # 400
    f"{_RFC9110}15.5.2": AuthError,  # 401
    f"{_RFC9110}15.5.4": AuthError,  # 403: the signed-in account may not see this pupil
    f"{_RFC9110}15.5.5": PlatformRejected,  # 404
    f"{_RFC9110}15.5.6": PlatformRejected,  # 405
    f"{_RFC9110}15.5.16": PlatformRejected,  # 415
    "https://tools.ietf.org/html/rfc6585#section-4": RateLimited,  # 429
    f"{_RFC9110}15.6.1": PlatformUnavailable,  # 500
    f"{_RFC9110}15.6.4": PlatformUnavailable,  # 503, also the maintenance answer
    # edu-upload service, Spring's `error`
    "Bad Request": PlatformRejected,
    "Unsupported Media Type": PlatformRejected,
    "Not Found": PlatformRejected,
    "Internal Server Error": PlatformUnavailable,
    "Service Unavailable": PlatformUnavailable,
    "Too Many Requests": RateLimited,
}
