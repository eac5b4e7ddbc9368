"""Saying loudly that a job failed: an error-level log event always, then a webhook and an e-mail if configured.

The alert leaves the machine, so its text passes the same personal-data mask as the logs (an error message may
quote a platform's answer with a name or a SNILS in it). A webhook or mail server that fails is logged at error
level and never stops the scheduler.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from edugateway.config.settings import AlertSettings, SecretRef
from edugateway.logs import get_logger, mask_personal_data

log = get_logger(__name__)


@dataclass(frozen=True)
class Alert:
    what: str  # failed: no attempt succeeded; attention: it ran, and a person must act (a sync on hold)
    job: str
    kind: str
    school: str
    platform: str
    scheduled_for: str  # ISO 8601, UTC
    run_id: int
    attempts: int
    message: str
    holder: str

    def payload(self) -> dict[str, Any]:
        return dict(mask_personal_data(None, "", {"source": "edugateway", **asdict(self)}))

    def subject(self) -> str:
        verb = "failed" if self.what == "failed" else "needs attention"
        return f"edugateway: job {self.job} {verb} for school {self.school}"


class Alerter:
    def __init__(
        self,
        settings: AlertSettings,
        *,
        webhook_url: str | None = None,
        smtp_password: str | None = None,
    ) -> None:
        self.settings = settings
        self.webhook_url = webhook_url
        self.smtp_password = smtp_password

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> Alerter:
        """Secrets are read now, so a missing variable stops the daemon at start-up, not at the first failure."""
        url = settings.webhook_url
        webhook = url.resolve("alerts.webhook_url") if isinstance(url, SecretRef) else url
        password = settings.smtp_password.resolve("alerts.smtp_password") if settings.smtp_password else None
        return cls(
            settings,
            webhook_url=webhook.get_secret_value() if webhook else None,
            smtp_password=password.get_secret_value() if password else None,
        )

    def send(self, alert: Alert) -> None:
        payload = alert.payload()
        log.error("job.alert", **payload)
        if self.webhook_url:
            self._post(self.webhook_url, payload)
        if self.settings.smtp_host and self.settings.smtp_from:  # the settings refuse a host without a sender
            self._mail(self.settings.smtp_host, self.settings.smtp_from, alert.subject(), payload)

    def _post(self, url: str, payload: dict[str, Any]) -> None:
        try:
            response = httpx.post(url, json=payload, timeout=self.settings.webhook_timeout_s)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.error("job.alert_webhook_failed", job=payload["job"], error=_without_url(exc))

    def _mail(self, host: str, sender: str, subject: str, payload: dict[str, Any]) -> None:
        message = EmailMessage()
        message["Subject"] = subject
        message["To"] = ", ".join(self.settings.smtp_to)
        message.set_content("\n".join(f"{key}: {value}" for key, value in payload.items()) + "\n")
        error = self.send_mail(message)
        if error:
            log.error("job.alert_mail_failed", job=payload["job"], smtp_host=host, error=error)

    def send_mail(self, message: EmailMessage) -> str | None:
        """Sends `message` (its From set here) through [alerts]' SMTP server; the error in a line when it failed.
        The nightly report's mail (report_mail.py) goes the same way as the alerts."""
        settings = self.settings
        if not settings.smtp_host or not settings.smtp_from:
            return "[alerts] smtp_host and smtp_from are not set"
        if "From" not in message:
            message["From"] = settings.smtp_from
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_username and self.smtp_password:
                    smtp.login(settings.smtp_username, self.smtp_password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            return str(exc) or type(exc).__name__
        return None


def _without_url(exc: httpx.HTTPError) -> str:
    """The error without the request's URL: a webhook URL often carries its token."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"the webhook answered HTTP {exc.response.status_code}"
    return type(exc).__name__ + (f": {exc}" if "://" not in str(exc) else "")
