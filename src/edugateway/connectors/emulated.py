"""A platform served by `edugateway emulators serve`: a base_url on this machine's loopback.

Real platforms are never on loopback, and the emulators need no renewal credentials (they accept the token they
issued until it expires) and no СМЭВ signature. So on loopback the credentials that only a real platform needs
are optional: configured but not set (the example configuration's refresh token and signing key), they are left
out instead of refusing the run; sync, identity verification and doctor all decide this here.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlparse

from edugateway.config.settings import SecretRef
from edugateway.errors import ConfigError


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_emulated(base_url: str) -> bool:
    return is_loopback(base_url)


def optional_secret(ref: SecretRef | None, what: str, base_url: str) -> str | None:
    """The secret, or None when it is not configured, or not set while the platform is an emulator."""
    if ref is None:
        return None
    try:
        return ref.resolve(what).get_secret_value()
    except ConfigError:
        if is_emulated(base_url):
            return None
        raise


def signing_files_missing(base_url: str, *paths: Path | None) -> bool:
    """True when the platform is an emulator and a configured signing file is not there: send unsigned."""
    return is_emulated(base_url) and any(p is not None and not p.exists() for p in paths)
