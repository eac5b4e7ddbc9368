"""`edugateway doctor` against the real emulators on loopback: everything OK, then one thing broken at a time
(a wrong token, a closed port, a database behind or ahead of the code, a platform whose clock is off), each
reported as a failure with its fix, and never with a secret in the output."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from edugateway.cli import app
from edugateway.emulators import dnevnik, ecp, smev
from edugateway.emulators.dnevnik import platform_id
from edugateway.emulators.server import BackgroundServer, free_port
from edugateway.emulators.synthetic import generate_school
from edugateway.emulators.worldgen import build_world
from edugateway.store.db import Database, migrate

CODE = "sch125"
WRONG_TOKEN = "0123456789abcdef0123456789abcdef"


@dataclass
class Platforms:
    dnevnik_url: str
    ecp_url: str
    smev_url: str
    token: str


@pytest.fixture(scope="module")
def platforms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platforms]:
    generated = generate_school(students=30, classes=2, seed=4)
    world = tmp_path_factory.mktemp("doctor") / "world"
    build_world(generated.snapshot, world, profile="none", seed=4, until=dt.date(2026, 10, 1))
    dn = dnevnik.create_app(dnevnik.load_world(world))
    with (
        BackgroundServer(dn.app) as dn_server,
        BackgroundServer(ecp.create_app(ecp.load_world(world)).app) as ecp_server,
        BackgroundServer(smev.create_app(smev.load_world(world)).app) as smev_server,
    ):
        yield Platforms(dn_server.base_url, ecp_server.base_url, smev_server.base_url, dn.admin_token)


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    db = Database(url)
    db.migrate()
    db.dispose()
    return url


def write_config(folder: Path, database_url: str, *, dnevnik_url: str, ecp_url: str, smev_url: str) -> Path:
    dnevnik_school = platform_id("school", CODE)
    config = folder / "gateway.toml"
    config.write_text(
        f"""
database_url = "{database_url}"
data_dir = "{folder / "data"}"

[[schools]]
code = "{CODE}"
platform_ids = {{ dnevnik = "{dnevnik_school}", ecp = "{CODE}" }}

[platforms.dnevnik]
kind = "dnevnik"
base_url = "{dnevnik_url}/v2.0/"
token = {{ env = "DOCTOR_TEST_DNEVNIK_TOKEN" }}

[platforms.ecp]
kind = "ecp"
base_url = "{ecp_url}/api/"
login = "{ecp.admin_login(CODE)}"
password = {{ env = "DOCTOR_TEST_ECP_PASSWORD" }}

[platforms.esia]
kind = "esia"
base_url = "{smev_url}{smev.ENDPOINT}"
sender_mnemonic = "{smev.DEFAULT_SENDER}"

[[jobs]]
name = "nightly-dnevnik"
kind = "sync"
cron = "30 1 * * *"
platform = "dnevnik"

[[jobs]]
name = "nightly-ecp"
kind = "sync"
cron = "30 2 * * *"
platform = "ecp"
""",
        encoding="utf-8",
    )
    return config


def doctor(config: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = CliRunner().invoke(app, ["--config", str(config), "doctor", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout), result.output


def by_name(checks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in checks}


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch, platforms: Platforms) -> None:
    monkeypatch.setenv("DOCTOR_TEST_DNEVNIK_TOKEN", platforms.token)
    monkeypatch.setenv("DOCTOR_TEST_ECP_PASSWORD", ecp.ADMIN_PASSWORD)


@pytest.mark.usefixtures("secrets")
def test_a_working_installation_is_all_ok(tmp_path: Path, platforms: Platforms, migrated: str) -> None:
    config = write_config(
        tmp_path, migrated, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    code, checks, output = doctor(config)
    assert code == 0, output
    assert [c for c in checks if c["status"] != "ok"] == []
    names = set(by_name(checks))
    assert {"platform dnevnik (dnevnik)", "platform ecp (ecp)", "platform esia (esia)", "database"} <= names
    assert {"clock skew: dnevnik", "clock skew: ecp", "clock skew: esia"} <= names
    assert platforms.token not in output
    assert ecp.ADMIN_PASSWORD not in output

    table = CliRunner().invoke(app, ["--config", str(config), "doctor"])
    assert table.exit_code == 0
    assert "0 failed, 0 warnings" in table.output


@pytest.mark.usefixtures("secrets")
def test_a_wrong_dnevnik_token_fails_with_a_fix_and_is_never_shown(
    tmp_path: Path, platforms: Platforms, migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCTOR_TEST_DNEVNIK_TOKEN", WRONG_TOKEN)
    config = write_config(
        tmp_path, migrated, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    code, checks, output = doctor(config)
    assert code == 1
    check = by_name(checks)["platform dnevnik (dnevnik)"]
    assert check["status"] == "fail"
    assert "credentials refused" in check["found"]
    assert "platforms.dnevnik" in check["fix"]
    assert by_name(checks)["platform ecp (ecp)"]["status"] == "ok"
    assert WRONG_TOKEN not in output


@pytest.mark.usefixtures("secrets")
def test_a_wrong_ecp_password_fails_at_sign_in(
    tmp_path: Path, platforms: Platforms, migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCTOR_TEST_ECP_PASSWORD", "not-the-password")
    config = write_config(
        tmp_path, migrated, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    code, checks, output = doctor(config)
    assert code == 1
    check = by_name(checks)["platform ecp (ecp)"]
    assert check["status"] == "fail"
    assert "sign-in refused" in check["found"]
    assert "not-the-password" not in output


@pytest.mark.usefixtures("secrets")
def test_an_unreachable_platform_fails_and_gets_no_skew_line(
    tmp_path: Path, platforms: Platforms, migrated: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    config = write_config(tmp_path, migrated, dnevnik_url=closed, ecp_url=closed, smev_url=closed)
    code, checks, _ = doctor(config)
    assert code == 1
    found = by_name(checks)
    for name in ("platform dnevnik (dnevnik)", "platform ecp (ecp)", "platform esia (esia)"):
        assert found[name]["status"] == "fail", found[name]
        assert "base_url" in found[name]["fix"]
    assert not any(name.startswith("clock skew") for name in found)


@pytest.mark.usefixtures("secrets")
def test_a_database_behind_the_code_asks_for_init_db(tmp_path: Path, platforms: Platforms) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database(url)
    migrate(db.engine, "0002")
    db.dispose()
    config = write_config(
        tmp_path, url, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    code, checks, _ = doctor(config)
    assert code == 1
    check = by_name(checks)["database"]
    assert check["status"] == "fail"
    assert "0002" in check["found"]
    assert "edugateway init-db" in check["fix"]


@pytest.mark.usefixtures("secrets")
def test_a_missing_database_asks_for_init_db_and_is_not_created(tmp_path: Path, platforms: Platforms) -> None:
    path = tmp_path / "none" / "gateway.sqlite3"
    config = write_config(
        tmp_path,
        f"sqlite:///{path}",
        dnevnik_url=platforms.dnevnik_url,
        ecp_url=platforms.ecp_url,
        smev_url=platforms.smev_url,
    )
    code, checks, _ = doctor(config)
    assert code == 1
    assert "edugateway init-db" in by_name(checks)["database"]["fix"]
    assert not path.parent.exists()


@pytest.mark.usefixtures("secrets")
def test_a_database_newer_than_the_code_fails(tmp_path: Path, platforms: Platforms, migrated: str) -> None:
    db = Database(migrated)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    db.dispose()
    config = write_config(
        tmp_path, migrated, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    code, checks, _ = doctor(config)
    assert code == 1
    check = by_name(checks)["database"]
    assert check["status"] == "fail"
    assert "does not know" in check["found"]


@pytest.mark.postgres
@pytest.mark.usefixtures("secrets")
def test_an_unreachable_postgresql_fails_without_its_password(tmp_path: Path, platforms: Platforms) -> None:
    url = f"postgresql+psycopg://edugateway:s3cret-pw@127.0.0.1:{free_port()}/edugateway?connect_timeout=2"
    config = write_config(
        tmp_path, url, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    code, checks, output = doctor(config)
    assert code == 1
    assert "does not answer" in by_name(checks)["database"]["found"]
    assert "s3cret-pw" not in output


def test_an_unloadable_configuration_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('database_url = "sqlite:///x"\nno_such_setting = 1\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "doctor", "--format", "json"])
    assert result.exit_code == 2
    [check] = json.loads(result.stdout)
    assert check["name"] == "configuration"
    assert check["status"] == "fail"


class _SkewedHandler(BaseHTTPRequestHandler):
    """Answers every request with `{}` and a Date header `skew` seconds behind the real clock."""

    skew = dt.timedelta()

    def date_time_string(self, timestamp: float | None = None) -> str:
        moment = dt.datetime.now(dt.UTC) - self.skew
        return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")

    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = _answer  # noqa: N815  # the names http.server dispatches to
    do_POST = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # the base class names it `format`
        return None


@pytest.fixture
def skewed_platform() -> Iterator[type[_SkewedHandler]]:
    handler = type("Skewed", (_SkewedHandler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("secrets")
@pytest.mark.parametrize(("skew_s", "status"), [(90, "warn"), (600, "fail"), (-600, "fail")])
def test_a_platform_clock_off_by_minutes_is_reported(
    tmp_path: Path,
    platforms: Platforms,
    migrated: str,
    skewed_platform: type[_SkewedHandler],
    skew_s: int,
    status: str,
) -> None:
    skewed_platform.skew = dt.timedelta(seconds=skew_s)
    url = skewed_platform.base_url  # type: ignore[attr-defined]
    config = write_config(tmp_path, migrated, dnevnik_url=url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url)
    code, checks, _ = doctor(config)
    found = by_name(checks)
    assert found["platform dnevnik (dnevnik)"]["status"] == "ok"
    skew = found["clock skew: dnevnik"]
    assert skew["status"] == status, skew
    assert ("ahead of" if skew_s > 0 else "behind") in skew["found"]
    assert "NTP" in skew["fix"]
    assert found["clock skew: ecp"]["status"] == "ok"
    assert code == (1 if status == "fail" else 0)


def _with_example_credentials(config: Path) -> None:
    """Adds the real platforms' credentials of config/gateway.example.toml, none of them set on this machine."""
    text = config.read_text(encoding="utf-8")
    extra = {
        "dnevnik": 'refresh_token = { env = "DOCTOR_TEST_UNSET_REFRESH_TOKEN" }\n'
        'client_secret = { file = "/run/secrets/doctor-test-absent" }\n',
        "esia": 'signing_key = "/run/secrets/doctor-test-absent-key.pem"\n'
        'signing_certificate = "/etc/edugateway/doctor-test-absent-cert.pem"\n',
    }
    for name, lines in extra.items():
        text = text.replace(f'[platforms.{name}]\nkind = "{name}"\n', f'[platforms.{name}]\nkind = "{name}"\n{lines}')
    config.write_text(text, encoding="utf-8")


@pytest.mark.usefixtures("secrets")
def test_emulators_need_no_refresh_token_or_signing_key(tmp_path: Path, platforms: Platforms, migrated: str) -> None:
    """Issue 17, the terminal: «`doctor` with the example configuration fails on the refresh token and the СМЭВ
    signing key although an emulator needs neither». Platforms on loopback are the emulators of `emulators serve`."""
    config = write_config(
        tmp_path, migrated, dnevnik_url=platforms.dnevnik_url, ecp_url=platforms.ecp_url, smev_url=platforms.smev_url
    )
    _with_example_credentials(config)
    assert "DOCTOR_TEST_UNSET_REFRESH_TOKEN" in config.read_text(encoding="utf-8")
    code, checks, output = doctor(config)
    assert code == 0, output
    assert [c for c in checks if c["status"] != "ok"] == []
    found = by_name(checks)
    assert "no refresh token" in found["platform dnevnik (dnevnik)"]["found"]
    assert found["platform esia (esia): signing key"]["found"].startswith("not needed")
    assert "unsigned" in found["platform esia (esia)"]["found"]


@pytest.mark.usefixtures("secrets")
def test_a_real_platform_missing_its_refresh_token_gets_a_concrete_fix(tmp_path: Path, migrated: str) -> None:
    """Its hint says what to do (export the variable or name a file), not «as the message says»."""
    config = write_config(
        tmp_path,
        migrated,
        dnevnik_url="https://dnevnik.invalid",
        ecp_url="https://ecp.invalid",
        smev_url="https://smev.invalid",
    )
    _with_example_credentials(config)
    _, checks, output = doctor(config)
    check = by_name(checks)["platform dnevnik (dnevnik)"]
    assert check["status"] == "fail", output
    assert "DOCTOR_TEST_UNSET_REFRESH_TOKEN is not set" in check["found"]
    assert check["fix"].startswith("export DOCTOR_TEST_UNSET_REFRESH_TOKEN=<refresh_token> ")
    assert "as the message says" not in output
    esia = by_name(checks)["platform esia (esia): signing key"]
    assert esia["status"] == "fail"
