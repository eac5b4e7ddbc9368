"""Alerts leave the machine: personal data is masked, secrets are read at start-up, settings are complete."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs

from edugateway.config.settings import AlertSettings, SecretRef
from edugateway.errors import ConfigError
from edugateway.scheduler.alerts import Alert, Alerter


def _alert(message: str) -> Alert:
    return Alert(
        what="failed",
        job="nightly",
        kind="sync",
        school="sch1",
        platform="dn",
        scheduled_for="2026-03-10T20:30:00+00:00",
        run_id=4,
        attempts=3,
        message=message,
        holder="gw1:42:abcd",
    )


def test_the_alert_masks_names_and_snils_in_the_message() -> None:
    payload = _alert("person Иванов Пётр Сергеевич (СНИЛС 112-233-445 95) refused").payload()
    assert "Иванов" not in payload["message"]
    assert "112-233-445 95" not in payload["message"]
    assert payload["job"] == "nightly"
    assert payload["source"] == "edugateway"


def test_without_webhook_or_mail_it_is_an_error_log_event() -> None:
    with capture_logs() as logs:
        Alerter.from_settings(AlertSettings()).send(_alert("platform answered 503"))
    (event,) = logs
    assert (event["event"], event["log_level"], event["message"], event["run_id"]) == (
        "job.alert",
        "error",
        "platform answered 503",
        4,
    )


def test_subject_says_what_and_where() -> None:
    assert _alert("x").subject() == "edugateway: job nightly failed for school sch1"


def test_a_webhook_url_with_a_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = AlertSettings(webhook_url=SecretRef(env="GW_HOOK"))
    with pytest.raises(ConfigError, match="GW_HOOK is not set"):
        Alerter.from_settings(settings)
    monkeypatch.setenv("GW_HOOK", "https://hooks.example.org/T0/secret")
    assert Alerter.from_settings(settings).webhook_url == "https://hooks.example.org/T0/secret"
    assert (
        Alerter.from_settings(AlertSettings(webhook_url="http://alerts.local/h")).webhook_url == "http://alerts.local/h"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"smtp_host": "mail.local"}, "set smtp_from and smtp_to"),
        ({"smtp_host": "mail.local", "smtp_from": "gw@x.ru"}, "set smtp_from and smtp_to"),
        ({"smtp_username": "gw"}, "both smtp_username and smtp_password"),
    ],
)
def test_incomplete_mail_settings_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AlertSettings.model_validate(fields)
