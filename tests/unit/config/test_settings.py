from pathlib import Path

import pytest

from edugateway.config import load_settings
from edugateway.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "gateway.example.toml"


def test_example_config_loads_and_names_its_secrets() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.schools
    assert {p.kind for p in settings.platforms.values()} == {"dnevnik", "ecp", "esia"}
    for platform in settings.platforms.values():
        assert platform.timeout_s > 0
        assert platform.rate_limit_rps > 0


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGATEWAY_DATABASE_URL", "postgresql://gw@db/gw")
    monkeypatch.setenv("EDUGATEWAY_PLATFORMS__DNEVNIK__RATE_LIMIT_RPS", "2.5")
    settings = load_settings(EXAMPLE)
    assert settings.database_url == "postgresql://gw@db/gw"
    assert settings.platforms["dnevnik"].rate_limit_rps == 2.5


def test_config_file_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "gw.toml"
    cfg.write_text('database_url = "sqlite:///x.db"\n', encoding="utf-8")
    monkeypatch.setenv("EDUGATEWAY_CONFIG", str(cfg))
    assert load_settings().database_url == "sqlite:///x.db"


def test_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "gw.toml"
    cfg.write_text('[platforms.dnevnik]\nkind = "dnevnik"\nbase_url = "http://x"\ntoken = "abc"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="token"):
        load_settings(cfg)


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"gateway\.example\.toml"):
        load_settings(tmp_path / "nope.toml")


def test_secret_ref_resolves_from_env_and_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from edugateway.config import SecretRef

    monkeypatch.setenv("DN_TOKEN", "t" * 32)
    assert SecretRef(env="DN_TOKEN").resolve("dnevnik token").get_secret_value() == "t" * 32
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n", encoding="utf-8")
    assert SecretRef(file=secret).resolve("ecp password").get_secret_value() == "s3cret"
    with pytest.raises(ConfigError, match="NOPE_VAR is not set"):
        SecretRef(env="NOPE_VAR").resolve("x")


def test_trusted_proxies_take_addresses_and_networks_and_refuse_a_network_with_host_bits(tmp_path: Path) -> None:
    from ipaddress import ip_network

    cfg = tmp_path / "gw.toml"
    cfg.write_text('[web]\ntrusted_proxies = ["10.0.0.5", "fd00::/64"]\n', encoding="utf-8")
    assert load_settings(cfg).web.trusted_proxies == [ip_network("10.0.0.5/32"), ip_network("fd00::/64")]
    cfg.write_text('[web]\ntrusted_proxies = ["10.0.0.5/8"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"web\.trusted_proxies.*10\.0\.0\.5/8"):
        load_settings(cfg)


def test_no_proxy_is_trusted_by_default() -> None:
    assert load_settings(EXAMPLE).web.trusted_proxies == []
