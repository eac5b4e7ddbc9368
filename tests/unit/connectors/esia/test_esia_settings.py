"""The ЕСИА lookup as configured: a sender mnemonic is required, and messages go unsigned only to a loopback
emulator; anywhere else the GOST key and certificate must be set."""

from __future__ import annotations

from pathlib import Path

import pytest

from edugateway.config.settings import EsiaSettings
from edugateway.connectors.esia import UnsignedSigner, esia_lookup_from_settings
from edugateway.errors import ConfigError


def settings(url: str, **over: object) -> EsiaSettings:
    return EsiaSettings(base_url=url, **over)  # type: ignore[arg-type]


def test_the_sender_mnemonic_is_required() -> None:
    with pytest.raises(ConfigError, match=r"platforms\.esia\.sender_mnemonic"):
        esia_lookup_from_settings("esia", settings("http://127.0.0.1:7575/smev/v1.3/ws"))


def test_unsigned_messages_go_only_to_an_emulator_on_this_machine() -> None:
    lookup = esia_lookup_from_settings(
        "esia", settings("http://127.0.0.1:7575/smev/v1.3/ws", sender_mnemonic="EDUGW01", poll_max_s=5)
    )
    try:
        assert isinstance(lookup.signer, UnsignedSigner)
        assert lookup.limits.poll_max_s == 5
    finally:
        lookup.close()
    with pytest.raises(ConfigError, match="signing_key and signing_certificate"):
        esia_lookup_from_settings("esia", settings("https://smev3-n0.test.gosuslugi.ru:7500/ws", sender_mnemonic="X1"))


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        esia_lookup_from_settings(
            "esia",
            settings(
                "https://smev.example/ws",
                sender_mnemonic="EDUGW01",
                signing_key=tmp_path / "nope.pem",
                signing_certificate=tmp_path / "cert.pem",
            ),
        )
