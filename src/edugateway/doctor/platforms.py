"""Each configured platform: reachable, credentials accepted, and its clock compared with ours.

The checks build the connectors the gateway itself uses (same auth, same error table), with short timeouts
and no retries: a doctor answers in seconds, and a retry would only hide what is wrong. Every answer's
`Date` header is kept for the clock-skew check.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import requests

from edugateway.config.settings import DnevnikSettings, EcpSettings, EsiaSettings, PlatformBase, Settings
from edugateway.connectors.emulated import is_emulated, signing_files_missing
from edugateway.connectors.esia.signer import UnsignedSigner
from edugateway.connectors.factory import open_dnevnik, open_ecp, open_esia_lookup
from edugateway.doctor.result import CheckResult
from edugateway.doctor.skew import judge_skew
from edugateway.errors import AuthError, ConfigError, ConnectorError, GatewayError

# A doctor waits this long at most per call, whatever the platform's own (longer) limits say.
TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 5.0

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class DateSeen:
    """The last `Date` header a platform sent, and our clock when it arrived."""

    clock: Clock = utc_now
    header: str | None = None
    at: dt.datetime | None = None
    answered: bool = field(default=False)

    def record(self, header: str | None) -> None:
        self.answered = True
        self.header = header
        self.at = self.clock()

    async def on_httpx(self, response: httpx.Response) -> None:
        self.record(response.headers.get("date"))

    def on_requests(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self.record(response.headers.get("Date"))


_Platform = TypeVar("_Platform", bound=PlatformBase)


def doctor_settings(settings: _Platform) -> _Platform:
    return settings.model_copy(
        update={
            "timeout_s": min(settings.timeout_s, TIMEOUT_S),
            "connect_timeout_s": min(settings.connect_timeout_s, CONNECT_TIMEOUT_S),
            "retries": 0,
        }
    )


def platform_checks(name: str, settings: Settings, *, clock: Clock = utc_now) -> list[CheckResult]:
    """The platform's reachability and credentials, then (when it answered) the clock skew."""
    platform = settings.platforms[name]
    seen = DateSeen(clock)
    match platform:
        case DnevnikSettings():
            results = _dnevnik(name, platform, settings, seen)
        case EcpSettings():
            results = _ecp(name, platform, settings, seen)
        case EsiaSettings():
            results = _esia(name, platform, settings, seen)
    if seen.answered and seen.at is not None:
        results.append(judge_skew(name, seen.header, seen.at))
    return results


def _title(name: str, platform: DnevnikSettings | EcpSettings | EsiaSettings) -> str:
    return f"platform {name} ({platform.kind.value})"


def _connector_failure(name: str, title: str, exc: GatewayError) -> CheckResult:
    """A failed call, with the fix the error's kind calls for. Messages name settings, never their values."""
    if isinstance(exc, AuthError):
        return CheckResult.fail(
            title,
            f"credentials refused: {exc}",
            f"put valid credentials in the variables or files [platforms.{name}] names (token, login, password)",
        )
    if isinstance(exc, ConfigError):
        return CheckResult.fail(title, str(exc), config_fix(name, str(exc)))
    if isinstance(exc, ConnectorError):
        return CheckResult.fail(
            title,
            f"unreachable or failing: {exc}",
            "check base_url, DNS, the network and any proxy or firewall; retry later if the platform is down",
        )
    return CheckResult.fail(title, str(exc), "see the message above")


def config_fix(name: str, message: str) -> str:
    """What to do about a setting the connector refused, said as an action rather than as the message again."""
    if variable := re.search(r"environment variable (\w+) is not set", message):
        setting = re.search(rf"platforms\.{re.escape(name)}\.(\w+)", message)
        what = setting.group(1) if setting else "the secret"
        return (
            f"export {variable.group(1)}=<{what}> in the gateway's environment (its service unit or container), or "
            f'put {what} = {{ file = "/run/secrets/…" }} in [platforms.{name}]'
        )
    if secret_file := re.search(r"cannot read secret file (\S+?):", message):
        return f"put the secret into {secret_file.group(1)}, readable by the gateway's user only, or name it by env"
    if signing := re.search(r"(?:signing key|certificate) (\S+)", message):
        where = signing.group(1)
        return f"mount the GOST key and certificate СМЭВ knows at {where}, or point [platforms.{name}] at them"
    setting = re.search(r"platforms\.[\w.]+", message)
    return f"edit {setting.group(0) if setting else f'[platforms.{name}]'} in the configuration file, then rerun doctor"


def _dnevnik(name: str, platform: DnevnikSettings, settings: Settings, seen: DateSeen) -> list[CheckResult]:
    """An authenticated `GET users/me` with the configured token: the cheapest call that proves it works."""
    title = _title(name, platform)
    school_id = next((s.platform_ids[name] for s in settings.schools if s.platform_ids.get(name)), "")

    async def call() -> str:
        connector = open_dnevnik(settings, name, school_id, platform=doctor_settings(platform))
        _watch(connector.client.http, seen)
        try:
            response = await connector.client.request("GET", "users/me")
        finally:
            await connector.aclose()
        found = f"{platform.base_url} answers; the token is accepted (users/me: HTTP {response.status_code})"
        if is_emulated(platform.base_url):
            found += "; an emulator on this machine: no refresh token or client secret needed"
        return found

    return [_run(name, title, call)]


def _ecp(name: str, platform: EcpSettings, settings: Settings, seen: DateSeen) -> list[CheckResult]:
    """The sign-in the connector does before its first call (login and password for a bearer token)."""
    title = _title(name, platform)

    async def call() -> str:
        connector = open_ecp(settings, name, "", platform=doctor_settings(platform))
        _watch(connector.client.http, seen)
        try:
            # Without a refresh token yet, the auth's refresh is exactly its sign-in (auth/Auth/Login).
            await connector.client.auth.refresh(connector.client)
        finally:
            await connector.aclose()
        return f"{platform.base_url} answers; sign-in as {platform.login!r} accepted"

    return [_run(name, title, call)]


def _esia(name: str, platform: EsiaSettings, settings: Settings, seen: DateSeen) -> list[CheckResult]:
    """Signing files readable, the WSDL loaded by zeep as the lookup loads it, and the endpoint answering.

    The endpoint is asked for `?wsdl` (a GET), never sent a SOAP message: a GetResponse would take an answer
    meant for the scheduler's lookup. So СМЭВ's acceptance of the signature is not proven here."""
    title = _title(name, platform)
    if signing_files_missing(platform.base_url, platform.signing_key, platform.signing_certificate):
        results = [CheckResult.ok(f"{title}: signing key", "not needed: an emulator on this machine, sent unsigned")]
    else:
        results = [_readable(f"{title}: {what}", path) for what, path in _signing_files(platform)]
    if any(r.status != "ok" for r in results):
        return results
    session = requests.Session()
    session.hooks["response"].append(seen.on_requests)
    try:
        lookup = open_esia_lookup(settings, name, platform=doctor_settings(platform), session=session)
    except GatewayError as exc:
        session.close()
        return [*results, _connector_failure(name, title, exc)]
    try:
        answer = session.get(
            lookup.url, params={"wsdl": ""}, timeout=(min(platform.connect_timeout_s, CONNECT_TIMEOUT_S), TIMEOUT_S)
        )
    except requests.RequestException as exc:
        return [
            *results,
            CheckResult.fail(
                title,
                f"WSDL loaded, but {lookup.url} does not answer ({type(exc).__name__})",
                "check base_url (the СМЭВ adapter's SOAP endpoint), DNS, the network and any firewall",
            ),
        ]
    finally:
        lookup.close()
    if answer.status_code >= 500:
        return [
            *results,
            CheckResult.warn(
                title,
                f"WSDL loaded; {lookup.url} answers HTTP {answer.status_code} to a GET",
                "a proxy or the СМЭВ adapter may be failing: check it, then `edugateway identity verify`",
            ),
        ]
    unsigned = isinstance(lookup.signer, UnsignedSigner)
    signed = "unsigned (an emulator on this machine)" if unsigned else "signed with the configured key"
    found = f"WSDL loaded; {lookup.url} answers (HTTP {answer.status_code}); messages {signed}"
    return [*results, CheckResult.ok(title, found)]


def _signing_files(platform: EsiaSettings) -> list[tuple[str, Path]]:
    files = [("signing key", platform.signing_key), ("signing certificate", platform.signing_certificate)]
    return [(what, path) for what, path in files if path is not None]


def _readable(name: str, path: Path) -> CheckResult:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return CheckResult.fail(
            name,
            f"{path} cannot be read ({exc.strerror})",
            "mount the file there and make it readable by the gateway's user (and only by it, for the key)",
        )
    return CheckResult.ok(name, f"{path} readable")


def _watch(client: httpx.AsyncClient, seen: DateSeen) -> None:
    hooks = client.event_hooks
    hooks["response"] = [*hooks.get("response", []), seen.on_httpx]
    client.event_hooks = hooks


def _run(name: str, title: str, call: Callable[[], Coroutine[Any, Any, str]]) -> CheckResult:
    try:
        found = asyncio.run(call())
    except GatewayError as exc:
        return _connector_failure(name, title, exc)
    return CheckResult.ok(title, found)
