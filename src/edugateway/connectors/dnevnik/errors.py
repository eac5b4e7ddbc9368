"""Дневник.ру error `type` codes -> the gateway's error classes (docs/platforms/dnevnik.md, Errors)."""

from __future__ import annotations

from edugateway.connectors.http import ErrorTypeTable
from edugateway.errors import AuthError, PlatformRejected, PlatformUnavailable, RateLimited

ERROR_TYPES: ErrorTypeTable = {
    "apiRequestLimit": RateLimited,
    "apiServerError": PlatformUnavailable,
    "apiUnknownError": PlatformUnavailable,
    "invalidRequest": PlatformRejected,
    "parameterInvalid": PlatformRejected,
    "apiResourceUnavailable": PlatformRejected,
    "apiMethodNotSupported": PlatformRejected,
    "apiHttpsRequired": PlatformRejected,
    "authorizationFailed": AuthError,
    "authorizationInvalidToken": AuthError,
    "authorizationTokenRequired": AuthError,
    "authorizationOutOfScope": AuthError,
    "authorizationNotOwner": AuthError,
    "authorizationOwnerForbidden": AuthError,
    "authorizationSystemForbidden": AuthError,
    "invalidToken": AuthError,
    "tokenRequired": AuthError,
    "outOfScope": AuthError,
    "invalid_client": AuthError,
    "invalid_request": AuthError,
}
