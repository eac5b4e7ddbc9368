"""deploy/gateway.toml, the configuration docker-compose.yml mounts, loads and validates with the variables
deploy/env.example defines, and names no secret the example does not define."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edugateway.config.settings import PlatformKind, load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_the_compose_configuration_loads_with_the_example_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env_example().items():
        monkeypatch.setenv(name, value)
    settings = load_settings(DEPLOY / "gateway.toml")
    assert settings.database_url.startswith("postgresql://")
    assert "@db:" in settings.database_url
    assert str(settings.data_dir) == "/var/lib/edugateway"
    assert {p.kind for p in settings.platforms.values()} == set(PlatformKind)
    for name, platform in settings.platforms.items():
        for field in ("token", "password", "refresh_token", "client_secret"):
            ref = getattr(platform, field, None)  # each kind has its own credentials
            if ref is not None:
                assert ref.resolve(f"platforms.{name}.{field}")  # the example defines every variable used


def test_no_secret_is_written_in_the_files_and_the_url_carries_no_password() -> None:
    toml = (DEPLOY / "gateway.toml").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(token|password|client_secret|refresh_token)\s*=\s*\"", toml, re.M)
    assert not re.search(r"postgresql://[^@\s]*:[^@\s]*@", toml)
    for name, value in env_example().items():
        assert value.startswith(("change-me", "replace-with")), f"{name} in env.example must be a placeholder"


def test_the_env_file_is_kept_out_of_git_and_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored
    assert "secrets" in ignored
    git_ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in git_ignored
    assert "/secrets/" in git_ignored
