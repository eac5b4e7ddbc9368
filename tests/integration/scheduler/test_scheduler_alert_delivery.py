"""A job that fails after its retries is reported to a webhook and by e-mail, over real loopback sockets; a
webhook or mail server that fails is logged and never stops the run being recorded."""

from __future__ import annotations

import datetime as dt
import socket

from structlog.testing import capture_logs

from edugateway.config.settings import AlertSettings
from edugateway.scheduler import JobRunner, plan_jobs
from edugateway.scheduler.alerts import Alerter
from edugateway.store.db import Database
from edugateway.store.job_run_log import JobRunLog
from support.alert_sinks import SmtpSink, WebhookServer
from support.scheduler_support import SCHOOL, RecordingService, settings_with, sync_job

FIRE = dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC)
LEAKY = "no answer for Петров Иван Сергеевич, СНИЛС 112-233-445 95"


def _fail_with_alerts(db: Database, alerts: AlertSettings) -> None:
    settings = settings_with(sync_job(retries=1, retry_backoff_s=0), alerts=alerts)
    service = RecordingService(failures=5, error=lambda: RuntimeError(LEAKY))
    (planned,) = plan_jobs(settings, service.services())
    runner = JobRunner(db, settings, holder="gw1:7:abcd", alerter=Alerter.from_settings(settings.alerts))
    assert runner.run(planned, FIRE).status == "failed"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_webhook_and_the_mail_receive_one_masked_alert(sqlite_db: Database) -> None:
    with WebhookServer() as hook, SmtpSink() as mail:
        alerts = AlertSettings(
            webhook_url=hook.url,
            smtp_host="127.0.0.1",
            smtp_port=mail.port,
            smtp_from="edugateway@school125.ru",
            smtp_to=["it@school125.ru", "zavuch@school125.ru"],
        )
        _fail_with_alerts(sqlite_db, alerts)
    (row,) = JobRunLog(sqlite_db).history()

    (posted,) = hook.received
    assert (posted["path"], posted["type"]) == ("/hooks/edugateway", "application/json")
    body = posted["json"]
    assert (body["what"], body["job"], body["school"], body["attempts"], body["run_id"]) == (
        "failed",
        "nightly",
        SCHOOL,
        2,
        row.id,
    )
    assert "Петров" not in body["message"]
    assert "112-233-445 95" not in body["message"]
    assert "RuntimeError: no answer for" in body["message"]

    ((sender, recipients, message),) = mail.messages
    assert sender == "edugateway@school125.ru"
    assert recipients == ["it@school125.ru", "zavuch@school125.ru"]
    assert message["Subject"] == f"edugateway: job nightly failed for school {SCHOOL}"
    text = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert f"run_id: {row.id}" in text
    assert "Петров" not in text
    assert "112-233-445 95" not in text


def test_a_failing_webhook_or_mail_server_is_logged(sqlite_db: Database) -> None:
    with WebhookServer(status=500) as hook, capture_logs() as logs:
        alerts = AlertSettings(
            webhook_url=hook.url,
            smtp_host="127.0.0.1",
            smtp_port=_closed_port(),
            smtp_from="edugateway@school125.ru",
            smtp_to=["it@school125.ru"],
            smtp_timeout_s=5,
        )
        _fail_with_alerts(sqlite_db, alerts)
    assert len(hook.received) == 1
    failures = {e["event"]: e for e in logs if e["event"].startswith("job.alert_")}
    assert set(failures) == {"job.alert_webhook_failed", "job.alert_mail_failed"}
    assert failures["job.alert_webhook_failed"]["error"] == "the webhook answered HTTP 500"
    assert all(e["log_level"] == "error" for e in failures.values())
    (row,) = JobRunLog(sqlite_db).history()
    assert row.status == "failed"
