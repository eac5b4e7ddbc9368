"""The one factory: an `EsiaLookup` from a platform's settings, the signer and the sender mnemonic."""

from __future__ import annotations

import re

import requests

from edugateway.config.settings import EsiaSettings
from edugateway.connectors.emulated import is_loopback, signing_files_missing
from edugateway.connectors.esia.audit import EnvelopeAuditPlugin
from edugateway.connectors.esia.client import SigningPlugin, SmevService, SmevTransport, wsdl_path
from edugateway.connectors.esia.connector import EsiaLookup, LookupLimits
from edugateway.connectors.esia.signer import OpenSslGostSigner, Signer, UnsignedSigner
from edugateway.errors import ConfigError

_MNEMONIC = re.compile(r"^[A-Za-z0-9_]{1,50}$")  # NodeID is a string-50; СМЭВ mnemonics are latin and digits


def build_esia_lookup(
    name: str,
    settings: EsiaSettings,
    *,
    signer: Signer,
    sender: str,
    session: requests.Session | None = None,
    poll_first_s: float = LookupLimits.poll_first_s,
    poll_max_s: float = LookupLimits.poll_max_s,
    response_deadline_s: float = LookupLimits.response_deadline_s,
) -> EsiaLookup:
    """`settings.base_url` is the СМЭВ SOAP endpoint itself; `sender` the information system's mnemonic, sent
    in NodeID. `session` is the HTTP seam: tests mount an adapter on it, production leaves it None."""
    if not _MNEMONIC.match(sender):
        raise ConfigError(f"platform {name}: sender mnemonic must be 1..50 latin letters, digits or _, got {sender!r}")
    transport = SmevTransport(
        timeout_s=settings.timeout_s, connect_timeout_s=settings.connect_timeout_s, session=session
    )
    service = SmevService(
        name,
        settings.base_url,
        wsdl=wsdl_path(settings.wsdl),
        transport=transport,
        plugins=[SigningPlugin(signer), EnvelopeAuditPlugin(name)],  # audit last: it logs the signed envelope
        timeout_s=settings.timeout_s,
    )
    limits = LookupLimits.from_settings(
        settings, poll_first_s=poll_first_s, poll_max_s=poll_max_s, response_deadline_s=response_deadline_s
    )
    return EsiaLookup(name, service, sender=sender, signer=signer, limits=limits)


def esia_lookup_from_settings(
    name: str, settings: EsiaSettings, *, session: requests.Session | None = None
) -> EsiaLookup:
    """The lookup as configured: signed with `signing_key`/`signing_certificate`; unsigned only against an
    emulator on this machine (real СМЭВ refuses unsigned messages)."""
    if not settings.sender_mnemonic:
        raise ConfigError(
            f"platforms.{name}.sender_mnemonic is not set: put the information system's СМЭВ mnemonic there"
        )
    unsigned_emulator = signing_files_missing(settings.base_url, settings.signing_key, settings.signing_certificate)
    if settings.signing_key and settings.signing_certificate and not unsigned_emulator:
        signer: Signer = OpenSslGostSigner(settings.signing_key, settings.signing_certificate)
    elif is_loopback(settings.base_url):
        signer = UnsignedSigner()
    else:
        raise ConfigError(
            f"platforms.{name}: set signing_key and signing_certificate (PEM files of the GOST key СМЭВ knows); "
            "messages go unsigned only to an emulator on 127.0.0.1"
        )
    return build_esia_lookup(
        name,
        settings,
        signer=signer,
        sender=settings.sender_mnemonic,
        session=session,
        poll_max_s=settings.poll_max_s,
        response_deadline_s=settings.response_deadline_s,
    )
