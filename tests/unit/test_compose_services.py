"""docker-compose.yml's services (issue 19, "docker-compose gets a `worker` service that can be scaled (`docker
compose up --scale worker=4`)"), checked by loading the YAML, since `docker compose config` is not on every machine
that runs the tests: a `worker` service on the gateway's image and configuration running `edugateway worker`,
nothing in it that stops `--scale` (a fixed container name, a published port), none started unless scaled, after
the migration; and deploy/gateway.toml's executor switches the scheduler and the workers together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edugateway.config.settings import load_settings

yaml = pytest.importorskip("yaml", reason="PyYAML (the dev extra) reads docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def test_a_worker_service_runs_edugateway_worker_on_the_gateway_image() -> None:
    services = _compose()["services"]
    worker, scheduler = services["worker"], services["scheduler"]
    assert worker["command"] == ["worker"]
    for shared in ("image", "build", "env_file", "volumes"):  # the YAML anchor: the scheduler's very image and files
        assert worker[shared] == scheduler[shared]
    assert "/etc/edugateway/gateway.toml" in " ".join(worker["volumes"])
    assert worker["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert worker["restart"] == "unless-stopped"
    assert worker["stop_grace_period"] == scheduler["stop_grace_period"]  # SIGTERM: the sync ends its window


def test_the_worker_scales_and_none_starts_unless_asked() -> None:
    worker = _compose()["services"]["worker"]
    assert "container_name" not in worker  # a fixed name allows one container only
    assert "ports" not in worker  # a published port could be bound once only
    assert worker["deploy"]["replicas"] == 0  # the local executor (the default) needs no worker; --scale overrides


def test_the_scheduler_still_runs_the_daemon_and_migrate_applies_the_queue_schema() -> None:
    services = _compose()["services"]
    assert services["scheduler"]["command"] == ["scheduler", "run"]
    assert services["migrate"]["command"] == ["init-db"]  # procrastinate's tables too, with the executor set


def test_the_compose_configuration_names_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "x")
    monkeypatch.setenv("EDUGATEWAY_DNEVNIK_TOKEN", "t" * 32)
    monkeypatch.setenv("EDUGATEWAY_ECP_PASSWORD", "p")
    assert load_settings(ROOT / "deploy" / "gateway.toml").scheduler.executor == "local"
    monkeypatch.setenv("EDUGATEWAY_SCHEDULER__EXECUTOR", "procrastinate")  # as .env may set it
    settings = load_settings(ROOT / "deploy" / "gateway.toml")
    assert settings.scheduler.executor == "procrastinate"
